"""`prisma-lint lsp`: the language server."""

from __future__ import annotations

import click

from ..cli import _fail


@click.command()
def lsp():
    """Run the language server over stdio (needs the [lsp] extra: pygls)."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        _fail("the language server needs pygls: pip install 'prisma-lint[lsp]'")
    from ..lsp.server import main as serve

    serve()
