"""Where the data files live: inside the installed package, or at the top of a source checkout.

The wheel carries ``grammars/`` and ``rules/`` inside the package (``prisma_lint/grammars``,
``prisma_lint/rules_docs``); an editable install or a plain checkout reads them from the
repository's top level, where they are maintained.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# strings, not pathlib: every run reads the grammar (pathlib and the urllib.parse it imports
# were 16 M instructions, 6% of a cold check)
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
_CHECKOUT = os.path.dirname(_PACKAGE)

_PLACES = {
    "grammars": (os.path.join(_PACKAGE, "grammars"), os.path.join(_CHECKOUT, "grammars")),
    "rules": (os.path.join(_PACKAGE, "rules_docs"), os.path.join(_CHECKOUT, "rules")),
    "templates": (os.path.join(_PACKAGE, "templates"),),
}


def _folder(kind: str) -> str:
    for place in _PLACES[kind]:
        if os.path.isdir(place):
            return place
    raise FileNotFoundError(f"prisma-lint is installed without its {kind} directory")


def resource_dir(kind: str) -> Path:
    """The first existing directory for ``kind`` (grammars, rules, templates)."""
    from pathlib import Path

    return Path(_folder(kind))


def resource_path(kind: str, name: str) -> str:
    """The file ``name`` in ``kind``'s directory (a string: see above)."""
    return os.path.join(_folder(kind), name)


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
