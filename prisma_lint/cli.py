"""The command line: ``prisma-lint check | graph | rules | rule | migrate``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config or input errors
(syntax errors, unreadable files). Only this module (and config loading) reads the environment.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__

FORMATS = ["text", "json"]


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _fail(message: str) -> None:
    click.echo(f"prisma-lint: error: {message}", err=True)
    raise _Exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="prisma-lint")
def main_group() -> None:
    """Find and fix index mistakes in Prisma schemas and PostgreSQL migrations."""


def main() -> None:
    try:
        main_group(standalone_mode=False)
    except _Exit as e:
        sys.exit(e.code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if e.exit_code not in (0, 1) else e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:  # `prisma-lint ... | head`
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)


def _resolve_targets(paths: tuple[str, ...], schema: Optional[str]) -> list[tuple[Path, Optional[str]]]:
    from .loader import SchemaNotFound, discover_schema

    if schema:
        return [(Path(schema), None)]
    if paths:
        return [(Path(p), None) for p in paths]
    try:
        found, how = discover_schema(Path.cwd())
    except SchemaNotFound as e:
        _fail(str(e))
    return [(found, how)]


@main_group.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder (as Prisma's --schema).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these rules (comma-separated ids, or `all`).")
@click.option("--ignore", multiple=True, help="Skip these rules (comma-separated ids).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="One line per finding; no summary when clean.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Use this config file.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
@click.option("--fix", is_flag=True, help="Apply safe fixes to the schema files.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (deleting or renaming indexes).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option(
    "--migrations",
    "migrations_dir",
    type=click.Path(exists=True, file_okay=False),
    help="The schema's migrations folder (default: migrations/ next to the schema, when there is one).",
)
def check(
    paths,
    schema,
    output_format,
    select,
    ignore,
    fail_on,
    exit_zero,
    quiet,
    statistics,
    config_path,
    color,
    fix,
    unsafe_fixes,
    show_diff,
    migrations_dir,
):
    """Lint schemas (files or multi-file folders). With no path, find the schema as Prisma does."""
    from .config import ConfigError, config_for
    from .linter import exit_code, lint
    from .loader import SchemaNotFound, load_schema
    from .outputs import get_formatter
    from .rules import load_registry
    from .sqlfront import is_sql_path, load_sql

    registry = load_registry()
    for message in registry.load_errors:
        click.echo(f"prisma-lint: warning: {message}", err=True)
    selected, ignored = _split(select), _split(ignore)
    for rid in selected + ignored:
        if rid != "all" and rid not in registry.rules:
            _fail(f"unknown rule `{rid}` (see `prisma-lint rules`)")
    targets = _resolve_targets(paths, schema)
    findings, diagnostics = [], []
    diffs: list[str] = []
    fixed_count = 0
    fail_level = fail_on
    for target, how in targets:
        try:
            config = config_for(target, registry, Path(config_path) if config_path else None)
        except ConfigError as e:
            _fail(str(e))
        if config.is_excluded(target):
            continue
        if how and output_format == "text" and not quiet:
            click.echo(f"Using the schema at {target} (found by {how}).", err=True)
        migrations = None
        try:
            if is_sql_path(target):
                loaded = load_sql(target)
            else:
                loaded = load_schema(target)
                mig = Path(migrations_dir) if migrations_dir else _migrations_dir(loaded)
                if migrations_dir or (mig.is_dir() and any(mig.glob("*/migration.sql"))):
                    migrations = load_sql(mig)
        except SchemaNotFound as e:
            _fail(str(e))
        result = lint(loaded, registry, config, selected or None, ignored, migrations=migrations)
        if fix or unsafe_fixes or show_diff:
            result, diff_text, fixed = _fix(loaded, result, registry, config, selected, ignored, unsafe_fixes, show_diff)
            diffs.append(diff_text)
            fixed_count += fixed
        findings.extend(result.findings)
        diagnostics.extend(result.diagnostics)
        fail_level = fail_level or config.fail_on
    if show_diff:
        patch = "".join(diffs)
        if patch:
            click.echo(patch, nl=False)
        for d in diagnostics:
            if d.severity == "error":
                click.echo(d.render(), err=True)
        if any(d.severity == "error" for d in diagnostics):
            raise _Exit(2)
        click.echo(f"{fixed_count} fix{'es' if fixed_count != 1 else ''} {'would be ' if patch else ''}applied.", err=True)
        raise _Exit(1 if patch else 0)
    formatter = get_formatter(output_format)
    use_color = color if color is not None else sys.stdout.isatty()
    text = formatter(findings, diagnostics, color=use_color, quiet=quiet, statistics=statistics)
    if text:
        click.echo(text, nl=False)
    if (fix or unsafe_fixes) and output_format == "text":
        click.echo(f"Fixed {fixed_count} problem{'s' if fixed_count != 1 else ''}.", err=True)
    code = exit_code(findings, diagnostics, fail_level or "warning")
    if exit_zero and code == 1:
        code = 0
    raise _Exit(code)


def _fix(loaded, result, registry, config, selected, ignored, unsafe, dry_run):
    """Apply the fixes (in memory, then to disk unless ``dry_run``); returns the lint result of
    the fixed schema, the unified diff, and how many findings were fixed."""
    from .fixer import fix_texts, unified_diff, write_atomically
    from .linter import lint
    from .loader import reparse

    if loaded.has_errors:
        bad = sorted({d.file for d in loaded.diagnostics if d.severity == "error" and d.file})
        click.echo(f"prisma-lint: not fixing {', '.join(bad) or loaded.root}: the schema has errors", err=True)
        return result, "", 0

    def lint_round(texts):
        current = reparse(loaded, texts)
        r = lint(current, registry, config, selected or None, ignored)
        return current.schema, r.findings, current.has_errors

    outcome = fix_texts(loaded.texts(), lint_round, unsafe)
    if not outcome.texts:
        return result, "", 0
    final = reparse(loaded, {**loaded.texts(), **outcome.texts})
    final_result = lint(final, registry, config, selected or None, ignored)
    fixed = max(len(result.findings) - len(final_result.findings), 0)
    patch = unified_diff(outcome.originals, outcome.texts)
    if not dry_run:
        boms = loaded.boms()
        for path, text in outcome.texts.items():
            write_atomically(loaded.paths[path], text, boms.get(path, False))
    return final_result, patch, fixed


@main_group.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder.")
@click.option("--format", "output_format", type=click.Choice(["json", "mermaid", "dot"]), default="json", show_default=True)
def graph(path, schema, output_format):
    """Print the model graph: JSON for tools, Mermaid or Graphviz dot for people."""
    from .graph_export import to_dot, to_json, to_mermaid
    from .loader import SchemaNotFound, load_schema
    from .outputs import render_diagnostic

    (target, _how), = _resolve_targets((path,) if path else (), schema)
    try:
        loaded = load_schema(target)
    except SchemaNotFound as e:
        _fail(str(e))
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    for d in errors:
        click.echo(render_diagnostic(d), err=True)
    if errors:
        raise _Exit(2)
    render = {"json": to_json, "mermaid": to_mermaid, "dot": to_dot}[output_format]
    click.echo(render(loaded.schema), nl=False)


@main_group.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder.")
@click.option("--name", default="prisma_lint_indexes", show_default=True, help="The migration's name.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="The migrations folder (default: migrations/ next to the datasource's file).")
@click.option("--concurrently", is_flag=True, help="CREATE/DROP INDEX CONCURRENTLY, one migration folder per statement.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the SQL instead of writing a migration folder.")
@click.option("--unsafe-fixes", is_flag=True, help="Include unsafe fixes (dropping redundant indexes).")
@click.option("--write-schema", is_flag=True, help="Also write the fixed schema (as `check --fix` does).")
@click.option("--select", multiple=True, help="Only the fixes of these rules.")
@click.option("--ignore", multiple=True, help="Not the fixes of these rules.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Use this config file.")
def migrate(path, schema, name, out_dir, concurrently, to_stdout, unsafe_fixes, write_schema, select, ignore, config_path):
    """Write the migration SQL that applies the schema's index fixes, as Prisma would."""
    from .config import ConfigError, config_for
    from .fixer import fix_texts, write_atomically
    from .linter import lint
    from .loader import SchemaNotFound, load_schema, reparse
    from .migrate import MigrationError, diff, render, statements, write_migrations
    from .outputs import render_diagnostic
    from .rules import load_registry

    registry = load_registry()
    selected, ignored = _split(select), _split(ignore)
    (target, _how), = _resolve_targets((path,) if path else (), schema)
    try:
        config = config_for(target, registry, Path(config_path) if config_path else None)
        loaded = load_schema(target)
    except (ConfigError, SchemaNotFound) as e:
        _fail(str(e))
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors:
        for d in errors:
            click.echo(render_diagnostic(d), err=True)
        raise _Exit(2)

    def lint_round(texts):
        current = reparse(loaded, texts)
        r = lint(current, registry, config, selected or None, ignored)
        return current.schema, r.findings, current.has_errors

    outcome = fix_texts(loaded.texts(), lint_round, unsafe_fixes)
    fixed = reparse(loaded, {**loaded.texts(), **outcome.texts})
    try:
        migration = diff(loaded.schema, fixed.schema)
        if migration.empty:
            click.echo("No index changes: nothing to migrate.", err=True)
            raise _Exit(0)
        if to_stdout:
            if concurrently:
                parts = statements(migration, concurrently=True)
                click.echo(
                    "-- Each statement below must run on its own (CONCURRENTLY cannot run in a transaction).\n\n"
                    + "\n".join(parts),
                    nl=False,
                )
            else:
                click.echo(render(migration), nl=False)
        else:
            out = Path(out_dir) if out_dir else _migrations_dir(loaded)
            folders = write_migrations(migration, out, name, concurrently)
            for folder in folders:
                click.echo(f"Wrote {folder / 'migration.sql'} (and down.sql)", err=True)
            if concurrently:
                click.echo(
                    f"CONCURRENTLY cannot run inside a transaction, and Prisma runs each migration file as one: "
                    f"wrote {len(folders)} migration folder{'s' if len(folders) != 1 else ''}, one statement each.",
                    err=True,
                )
    except MigrationError as e:
        _fail(str(e))
    if write_schema and outcome.texts:
        boms = loaded.boms()
        for p, text in outcome.texts.items():
            write_atomically(loaded.paths[p], text, boms.get(p, False))
        click.echo(f"Updated {', '.join(sorted(outcome.texts))}", err=True)
    elif outcome.texts and not to_stdout:
        click.echo("The schema is unchanged: run `prisma-lint check --fix` (or pass --write-schema) so it matches.", err=True)


def _migrations_dir(loaded) -> Path:
    """Prisma keeps migrations next to the file with the datasource block."""
    ds = loaded.schema.datasource
    shown = ds.span.file.path if ds else next(iter(loaded.paths), loaded.root)
    return loaded.paths.get(shown, Path(shown)).resolve().parent / "migrations"


@main_group.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(output_format):
    """List the rules: id, default severity, fix, summary."""
    import json as _json

    from .rules import load_registry

    registry = load_registry()
    rows = [
        {
            "id": r.id,
            "severity": r.severity,
            "fixable": r.fixable,
            "applies_to": r.applies_to,
            "summary": r.summary,
            "options": [{"name": o.name, "default": o.default, "doc": o.doc} for o in r.options],
        }
        for r in registry.rules.values()
    ]
    if output_format == "json":
        click.echo(_json.dumps(rows, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    click.echo(f"{'RULE':<{width}}  {'SEVERITY':<8}  {'FIX':<6}  SUMMARY")
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['severity']:<8}  {r['fixable']:<6}  {r['summary']}")


@main_group.command("rule")
@click.argument("rule_id")
def rule_cmd(rule_id):
    """Print a rule's documentation page."""
    from .docs import rule_page
    from .rules import load_registry

    registry = load_registry()
    if rule_id not in registry.rules:
        _fail(f"unknown rule `{rule_id}` (see `prisma-lint rules`)")
    page = rule_page(rule_id)
    if page is None:
        rule = registry.rules[rule_id]
        click.echo(f"# {rule.id}\n\n{rule.summary}")
        return
    click.echo(page, nl=not page.endswith("\n"))


if __name__ == "__main__":  # pragma: no cover
    main()
