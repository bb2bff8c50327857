"""`prisma-lint queries`: the app's Prisma Client call sites."""

from __future__ import annotations

import click

from ..cli import ANY_PATH, EXISTING_FILE, _config, _Exit, _fail, _one_target, _read_app, _registry, _served_by


@click.command()
@click.argument("path", required=False, type=ANY_PATH)
@click.option("--schema", "schema", type=ANY_PATH, help="The schema file or folder.")
@click.option("--app", "apps", multiple=True, help="The app's code (folder, file or glob; repeatable). Default: config `app`, else the project root above the schema.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=EXISTING_FILE, help="Use this config file.")
@click.option("--no-cache", is_flag=True, help="Read every app file again (do not use or write .prisma-lint-cache/).")
def queries(path, schema, apps, output_format, config_path, no_cache):
    """List the app's Prisma Client call sites and the access pattern of each (JSON: version 1,
    see the README)."""
    import json as _json

    from ..discovery import is_sql_path
    from ..emit.text import render_diagnostic
    from ..frontends.app.read import queries_json, render_text
    from ..frontends.prisma.loader import SchemaNotFound, load_schema

    target = _one_target(path, schema)
    if is_sql_path(target):
        _fail(f"{target}: `queries` reads a Prisma schema, not SQL")
    config = _config(target, _registry(), config_path)
    try:
        loaded = load_schema(target)  # the migrations are not needed here
    except SchemaNotFound as e:
        _fail(str(e))
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    for d in errors:
        click.echo(render_diagnostic(d), err=True)
    if not loaded.schema.models and errors:
        raise _Exit(2)
    app = _read_app(loaded, target, apps, config, use_cache=not no_cache)
    if output_format == "json":
        click.echo(_json.dumps(queries_json(app, _served_by(loaded, target)), indent=2))
    else:
        click.echo(render_text(app), nl=False)
        dynamic = sum(1 for p in app.patterns if not p.static)
        click.echo(
            f"{len(app.patterns)} call site{'s' if len(app.patterns) != 1 else ''} "
            f"({dynamic} not static) in {app.files_read} file{'s' if app.files_read != 1 else ''} read.",
            err=True,
        )
