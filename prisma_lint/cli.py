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
):
    """Lint schemas (files or multi-file folders). With no path, find the schema as Prisma does."""
    from .config import ConfigError, config_for
    from .linter import exit_code, lint
    from .loader import SchemaNotFound, load_schema
    from .outputs import get_formatter
    from .rules import load_registry

    registry = load_registry()
    for message in registry.load_errors:
        click.echo(f"prisma-lint: warning: {message}", err=True)
    selected, ignored = _split(select), _split(ignore)
    for rid in selected + ignored:
        if rid != "all" and rid not in registry.rules:
            _fail(f"unknown rule `{rid}` (see `prisma-lint rules`)")
    targets = _resolve_targets(paths, schema)
    findings, diagnostics = [], []
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
        try:
            loaded = load_schema(target)
        except SchemaNotFound as e:
            _fail(str(e))
        result = lint(loaded, registry, config, selected or None, ignored)
        findings.extend(result.findings)
        diagnostics.extend(result.diagnostics)
        fail_level = fail_level or config.fail_on
    formatter = get_formatter(output_format)
    use_color = color if color is not None else sys.stdout.isatty()
    text = formatter(findings, diagnostics, color=use_color, quiet=quiet, statistics=statistics)
    if text:
        click.echo(text, nl=False)
    code = exit_code(findings, diagnostics, fail_level or "warning")
    if exit_zero and code == 1:
        code = 0
    raise _Exit(code)


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
