"""Output formats: each a module with one function from findings (and input diagnostics) to
text, behind the :class:`Formatter` protocol. The list of formats is :data:`FORMATS`; a format
module is imported only when it is used (``get_formatter``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Optional, Protocol

if TYPE_CHECKING:
    from ..findings import Finding
    from ..frontends.prisma.syntax import Diagnostic
    from ..paths import StrPath
    from ..rules import Rule


class Formatter(Protocol):
    def __call__(
        self,
        findings: list[Finding],
        diagnostics: list[Diagnostic],
        *,
        color: bool = ...,
        quiet: bool = ...,
        statistics: bool = ...,
        rules: Optional[Mapping[str, Rule]] = ...,
        files: Sequence[str] = ...,
        docs_url: Optional[str] = ...,  # the rules' pages, "{rule}" standing for the id
        source_root: Optional[StrPath] = ...,  # the repository's top folder (SARIF paths)
        cwd: Optional[StrPath] = ...,  # the folder the findings' paths are relative to
        fixed: Optional[int] = ...,  # after --fix: how many problems the fixes removed
        unsafe_fixes: bool = ...,
    ) -> str: ...


# format name -> (module in this package, function)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "format_text"),
    "json": ("json", "format_json"),
    "github": ("github", "format_github"),
    "sarif": ("sarif", "format_sarif"),
    "gitlab": ("gitlab", "format_gitlab"),
    "junit": ("junit", "format_junit"),
    "markdown": ("markdown", "format_markdown"),
}


def get_formatter(name: str) -> Formatter:
    import importlib

    module, function = FORMATS[name]
    formatter: Formatter = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return formatter
