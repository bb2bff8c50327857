"""`prisma-lint migrate`: the migration SQL of the schema's index fixes."""

from __future__ import annotations

from typing import Optional

import click

from ..cli import ANY_PATH, EXISTING_FILE, _config, _Exit, _fail, _load, _one_target, _registry, _rule_ids, _with_app, _write

FOLDER_PATH = click.Path(file_okay=False)  # here: a check does not pay for its name's lookup (cli.py)


@click.command()
@click.argument("path", required=False, type=ANY_PATH)
@click.option("--schema", "schema", type=ANY_PATH, help="The schema file or folder.")
@click.option("--name", default="prisma_lint_indexes", show_default=True, help="The migration's name.")
@click.option("--out", "out_dir", type=FOLDER_PATH, help="The migrations folder (default: migrations/ next to the datasource's file).")
@click.option("--concurrently", is_flag=True, help="CREATE/DROP INDEX CONCURRENTLY, one migration folder per statement.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the SQL instead of writing a migration folder.")
@click.option("--unsafe-fixes", is_flag=True, help="Include unsafe fixes (dropping redundant indexes).")
@click.option("--write-schema", is_flag=True, help="Also write the fixed schema (as `check --fix` does).")
@click.option("--select", multiple=True, help="Only the fixes of these rules.")
@click.option("--ignore", multiple=True, help="Not the fixes of these rules.")
@click.option("--config", "config_path", type=EXISTING_FILE, help="Use this config file.")
@click.option("--app", "apps", multiple=True, help="The app's code, whose queries the index advice reads (as for `check`).")
@click.option("--no-app", is_flag=True, help="Do not read the app's code.")
def migrate(path, schema, name, out_dir, concurrently, to_stdout, unsafe_fixes, write_schema, select, ignore, config_path, apps, no_app):
    """Write the migration SQL that applies the schema's index fixes, as Prisma would."""
    from ..engine import Engine
    from ..migrate.sql import MigrationError, render, statements

    registry = _registry()
    selected, ignored = _rule_ids(registry, select, ignore)
    target = _one_target(path, schema)
    config = _config(target, registry, config_path)
    inputs = _load(target)
    errors = [d for d in inputs.unit.diagnostics if d.severity == "error"]
    if errors:
        from ..emit.text import render_diagnostic

        for d in errors:
            click.echo(render_diagnostic(d), err=True)
        raise _Exit(2)
    engine = Engine(registry, config, selected or None, ignored)
    inputs = _with_app(inputs, target, apps, no_app, config, engine)
    try:
        blocking_engine = _blocking_engine(registry, config)
        # when the fixes' own lints run the blocking rules (the default), their errors are read
        # from those lints' findings: two lints fewer (cal.com: 8 M instructions, callgrind)
        shared = _runs_rules_of(engine, blocking_engine, inputs)
        before = engine.lint(inputs) if shared else None
        # before the fixes, while `inputs` still reads right: the fix rounds move its unchanged
        # blocks into the fixed schema instead of copying them (give_up; cal.com: 812 -> 742 M
        # instructions, callgrind)
        blocking = _blocking_errors(blocking_engine, inputs, linted=before)
        fixed, migration = engine.migration(inputs, unsafe_fixes, give_up=True, before=before)
        blocking = _blocking_errors(blocking_engine, fixed.inputs, blocking, fixed.result if shared else None)
        if blocking:
            click.echo(
                "prisma-lint: error: not writing migration SQL: the schema has errors that would make it wrong "
                "(fix them first):",
                err=True,
            )
            for f in blocking:
                click.echo(f"  {f.file}:{f.line}:{f.column}: {f.severity}[{f.rule}] {f.message}", err=True)
            raise _Exit(2)
        cache_dir = None if migration.empty else _template_cache_dir(migration.provider, config)
        if migration.empty:
            click.echo("No index changes: nothing to migrate.", err=True)
        elif to_stdout:
            if concurrently:
                parts = statements(migration, concurrently=True, cache_dir=cache_dir)
                click.echo(
                    "-- Each statement below must run on its own (CONCURRENTLY cannot run in a transaction).\n\n"
                    + "\n".join(parts),
                    nl=False,
                )
            else:
                click.echo(render(migration, cache_dir=cache_dir), nl=False)
        else:
            from pathlib import Path

            from ..discovery import migrations_dir
            from ..engine import datasource_file
            from ..migrate.sql import write_migrations

            out = Path(out_dir if out_dir else migrations_dir(datasource_file(inputs.unit)))
            try:
                folders = write_migrations(migration, out, name, concurrently, cache_dir=cache_dir)
            except OSError as e:
                _fail(f"{e.filename or out}: cannot write the migration: {e.strerror or e}")
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
    if write_schema and fixed.texts:
        _write(inputs.unit, fixed.texts)
        click.echo(f"Updated {', '.join(sorted(fixed.texts))}", err=True)
    elif fixed.texts and not to_stdout:
        click.echo("The schema is unchanged: run `prisma-lint check --fix` (or pass --write-schema) so it matches.", err=True)
    # as `check`: out without tearing the interpreter down (freeing the parsed schemas and every
    # module; cal.com: 500 -> 485 M instructions, callgrind)
    raise _Exit(0)


def _template_cache_dir(provider: str, config):
    """Where jinja2 keeps the compiled SQL template, when jinja2 renders it (the installed
    template is not the one ``_templates.py`` was generated from); else None."""
    import os

    from ..config import default_cache_dir
    from ..migrate.sql import compiled_template

    return None if compiled_template(provider) else default_cache_dir(config.path, dict(os.environ))


def _blocking_engine(registry, config):
    """An engine with only migrate.sql.BLOCKING_RULES: errors that would make the SQL wrong
    (truncated names that collide, a NUL in a name, an expression PostgreSQL refuses)."""
    from ..engine import Engine
    from ..migrate.sql import BLOCKING_RULES

    return Engine(registry, config, [r for r in BLOCKING_RULES if r in registry.rules], [])


def _runs_rules_of(engine, other, inputs) -> bool:
    """Whether ``engine`` runs every rule ``other`` runs on ``inputs`` (with the same config:
    their findings of those rules are the same)."""
    mine = {id(r) for r in engine.rules_for(inputs)}
    return engine.config is other.config and all(id(r) in mine for r in other.rules_for(inputs))


def _blocking_errors(engine, inputs, found: Optional[list] = None, linted=None) -> list:
    """``found`` and the errors of ``engine``'s rules in ``inputs`` beyond those: the schema
    before the fixes, then after, where only an error the fixes add counts (more errors of a
    rule in a model than before; the same error moved by a fix above it is not a new one).
    Positions are made absolute: the fixes move the blocks they point into. ``linted``: a lint
    of ``inputs`` that ran ``engine``'s rules (among others), read instead of linting again."""
    from collections import Counter

    out = list(found or ())
    before = Counter((f.rule, f.model) for f in out)
    if linted is None:
        findings = engine.lint(inputs).findings
    else:
        ids = {r.id for r in engine.rules_for(inputs)}
        findings = [f for f in linted.findings if f.rule in ids]
    for f in findings:
        if f.severity != "error":
            continue
        if before[(f.rule, f.model)] > 0:
            before[(f.rule, f.model)] -= 1
            continue
        f.span = f.span.pinned()
        out.append(f)
    return out
