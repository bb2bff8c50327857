"""``--format markdown``: a GitHub-flavoured Markdown report (the Action's step summary, a pull
request comment): a summary line and one table row per finding — severity, location, the rule
linked to its page, the message — with the fixable ones marked.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

from ..findings import SEVERITIES, Finding
from ..frontends.prisma.syntax import Diagnostic
from .text import fixable_counts


def _cell(text: object) -> str:
    """Text safe inside a table cell: one line, pipes escaped, HTML's `<` not read as a tag."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    """An inline code span that survives backticks in ``text`` (CommonMark: a longer fence).
    Inside it only the pipe is escaped (GFM tables); backslashes and `<` are shown as they are."""
    import re

    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split()).replace('|', chr(92) + '|')}{pad}{fence}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def format_markdown(
    findings: list[Finding],
    diagnostics: list[Diagnostic],
    *,
    rules=None,
    docs_url: Optional[str] = None,
    **_: object,
) -> str:
    from ..docs import rule_page, rule_url

    out = ["## prisma-lint", ""]
    errors = [d for d in diagnostics if d.severity == "error"]
    if not findings and not diagnostics:
        return "\n".join(out + ["All checks passed.", ""])
    parts = []
    if findings:
        sev = Counter(f.severity for f in findings)
        detail = ", ".join(_plural(sev[s], s) for s in reversed(SEVERITIES) if sev[s])
        parts.append(f"Found {_plural(len(findings), 'problem')} ({detail}).")
    if errors:
        parts.append(f"{_plural(len(errors), 'error')} in the input.")
    safe, unsafe = fixable_counts(findings)
    if safe:
        parts.append(f"{safe} fixable with `prisma-lint check --fix`.")
    if unsafe:
        parts.append(f"{unsafe} more with `--unsafe-fixes`.")
    out += [" ".join(parts), "", "| severity | location | rule | message | fix |", "|---|---|---|---|---|"]
    for d in diagnostics:
        where = d.file or ""
        if d.span is not None:
            line, col = d.span.file.position(d.span.start)
            where = f"{where}:{line}:{col}"
        out.append(f"| {d.severity} | {_code(where) if where else ''} | {_code(d.code)} | {_cell(d.message)} | |")
    known = rules or {}
    linked: dict[str, bool] = {}
    for f in findings:
        if f.rule not in linked:  # a rule of a plugin has no page to link to
            linked[f.rule] = f.rule in known and rule_page(f.rule) is not None
        rule = f"[{_code(f.rule)}]({rule_url(f.rule, docs_url)})" if linked[f.rule] else _code(f.rule)
        line, col = f.span.file.position(f.span.start)
        fix = ""
        if f.fix and f.fix.edits:
            fix = "`--fix`" if f.fix.applicability == "safe" else "`--unsafe-fixes`"
        message = _cell(f.message) + (f"<br>help: {_cell(f.help)}" if f.help else "")
        out.append(f"| {f.severity} | {_code(f'{f.file}:{line}:{col}')} | {rule} | {message} | {fix} |")
    return "\n".join(out) + "\n"
