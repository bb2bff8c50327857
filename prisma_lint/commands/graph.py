"""`prisma-lint graph`: the model graph as JSON, Mermaid or dot."""

from __future__ import annotations

import click

from ..cli import ANY_PATH, _Exit, _load, _one_target


@click.command()
@click.argument("path", required=False, type=ANY_PATH)
@click.option("--schema", "schema", type=ANY_PATH, help="The schema file or folder.")
@click.option("--format", "output_format", type=click.Choice(["json", "mermaid", "dot"]), default="json", show_default=True)
def graph(path, schema, output_format):
    """Print the model graph: JSON for tools, Mermaid or Graphviz dot for people."""
    from ..emit.graph import to_dot, to_json, to_mermaid
    from ..emit.text import render_diagnostic

    inputs = _load(_one_target(path, schema))
    errors = [d for d in inputs.unit.diagnostics if d.severity == "error"]
    for d in errors:
        click.echo(render_diagnostic(d), err=True)
    if errors:
        raise _Exit(2)
    render = {"json": to_json, "mermaid": to_mermaid, "dot": to_dot}[output_format]
    click.echo(render(inputs.unit.schema), nl=False)
