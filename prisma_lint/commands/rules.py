"""`prisma-lint rules` and `prisma-lint rule ID`."""

from __future__ import annotations

import click

from ..cli import _registry, _unknown_rule


@click.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(output_format):
    """List the rules: id, default severity, fix, summary."""
    import json as _json

    registry = _registry()
    rows = [
        {
            "id": r.id,
            "severity": r.severity,
            "fixable": r.fixable,
            "needs": list(r.needs),
            "default_enabled": r.default_enabled,
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


@click.command("rule")
@click.argument("rule_id")
def rule_cmd(rule_id):
    """Print a rule's documentation page."""
    from ..docs import rule_page

    registry = _registry()
    if rule_id not in registry.rules:
        _unknown_rule(rule_id, registry.rules)
    page = rule_page(rule_id)
    if page is None:
        rule = registry.rules[rule_id]
        click.echo(f"# {rule.id}\n\n{rule.summary}")
        return
    click.echo(page, nl=not page.endswith("\n"))
