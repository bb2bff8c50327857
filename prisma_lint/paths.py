"""Paths as strings, for what a plain ``check`` runs (discovery, config, loading).

pathlib is not imported there: it and the ``urllib.parse`` it imports cost 16 M instructions, 6%
of a cold ``check`` of a 100-line schema (callgrind). These are the few ``PurePosixPath``
behaviours the CLI's paths relied on, kept exactly (shown paths, ``Target.root``). Functions
that take a path take a ``str`` or an ``os.PathLike``; the loader and discovery hand back paths
of the type they were given (the language server passes ``Path`` objects).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional, cast

if TYPE_CHECKING:  # types only (typing's Union and TypeVar at run time: 0.4 M instructions)
    from pathlib import Path
    from typing import TypeVar, Union

    StrPath = Union[str, Path]
    # a path handed back as the type it came in (the CLI's str, the language server's Path)
    P = TypeVar("P", bound=StrPath)


def real(path: StrPath) -> str:
    """``os.path.realpath``, what ``Path.resolve()`` is (as a str)."""
    return os.path.realpath(path)


def text(path: StrPath) -> str:
    """``os.fspath``: the path as a str."""
    return os.fspath(path)


def clean(path: str) -> str:
    """``str(Path(path))`` (POSIX): no empty or ``.`` parts, no trailing slash; ``.`` for ``""``."""
    if path and path != "." and "//" not in path and "/." not in path and not path.startswith("./") and not path.endswith("/"):
        return path
    root = "//" if path.startswith("//") and not path.startswith("///") else "/" if path.startswith("/") else ""
    parts = [p for p in path.split("/") if p and p != "."]
    return root + "/".join(parts) if root or parts else "."


def name(path: StrPath) -> str:
    """``Path(path).name`` (``""`` for ``.`` and ``/``)."""
    normal = clean(os.fspath(path))
    return "" if normal == "." else normal.rpartition("/")[2]


def suffix(path: StrPath) -> str:
    """``Path(path).suffix``: the last name's extension (none for ``.prisma`` alone or ``a.``)."""
    last = name(path)
    i = last.rfind(".")
    return last[i:] if 0 < i < len(last) - 1 else ""


def relative_to(path: str, base: str) -> Optional[str]:
    """``path`` relative to ``base`` (both resolved: ``os.path.realpath``) as ``PurePath.relative_to``
    gives it (``.`` for the folder itself), or None when it is not below it."""
    if path == base:
        return "."
    prefix = base if base.endswith("/") else base + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def parents(path: str) -> list[str]:
    """``[path, *Path(path).parents]`` of a resolved (absolute) path: up to ``/``."""
    out = [path]
    while True:
        up = os.path.dirname(path)
        if up == path:
            return out
        out.append(up)
        path = up


def as_given(given: P, path: str) -> P:
    """``path`` as the type of ``given`` (a ``str``, or the ``Path`` a caller passed)."""
    return cast("P", path if isinstance(given, str) else type(given)(path))
