"""`prisma-lint stats`: the database statistics file."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import FILE_PATH, _database_stats, _write_report


@click.command("stats")
@click.option(
    "--database-url",
    envvar="PRISMA_LINT_DATABASE_URL",
    show_envvar=True,
    metavar="URL",
    required=True,
    help="The PostgreSQL to read (read-only; a role with pg_read_all_stats and SELECT on the tables).",
)
@click.option("-o", "--output", "output_file", type=FILE_PATH, help="Write to FILE (default: stdout).")
def stats_cmd(database_url, output_file):
    """Write the database statistics the rules use to a file, for `check --stats FILE` in CI:
    counts, sizes, value frequencies, index definitions and usage; no row values."""
    stats = _database_stats(database_url, None)
    text = stats.to_json()
    if not output_file or output_file == "-":
        click.echo(text, nl=False)
        return
    _write_report(Path(output_file), text)
    indexes = sum(len(t.indexes) for t in stats.tables.values())
    click.echo(
        f"Wrote {output_file}: {len(stats.tables)} tables, {indexes} indexes of {stats.database!r} "
        f"(PostgreSQL {stats.server_version}; usage counted since {stats.stats_reset or stats.server_started})",
        err=True,
    )
