"""Where the data files live: inside the installed package, or at the top of a source checkout.

The wheel carries ``grammars/`` and ``rules/`` inside the package (``prisma_lint/grammars``,
``prisma_lint/rules_docs``); an editable install or a plain checkout reads them from the
repository's top level, where they are maintained.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent

_PLACES = {
    "grammars": (_PACKAGE / "grammars", _CHECKOUT / "grammars"),
    "rules": (_PACKAGE / "rules_docs", _CHECKOUT / "rules"),
    "templates": (_PACKAGE / "templates",),
}


def resource_dir(kind: str) -> Path:
    """The first existing directory for ``kind`` (grammars, rules, templates)."""
    for place in _PLACES[kind]:
        if place.is_dir():
            return place
    raise FileNotFoundError(f"prisma-lint is installed without its {kind} directory")


def resource_path(kind: str, name: str) -> Path:
    return resource_dir(kind) / name


def update_generated(path: Path, text: str, check: bool, command: str) -> int:
    """A generated file kept in the repository: with ``check``, exit status 1 when ``path``
    differs from ``text`` (a test runs this); else rewrite it when it differs."""
    import sys

    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        return 0
    if check:
        print(f"{path} is stale: run {command}", file=sys.stderr)
        return 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0
