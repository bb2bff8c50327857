"""``github``: workflow commands that GitHub Actions shows as annotations."""

from __future__ import annotations

from collections import Counter
from typing import Optional

from ..findings import Finding
from ..frontends.prisma.syntax import Diagnostic

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}

GITHUB_SHOWN_PER_LEVEL = 10

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")

def _gh_command(level: str, file: Optional[str], span, title: str, message: str) -> str:
    props = []
    if file:
        props.append(f"file={_gh_property(file)}")
    if span is not None:
        line, col = span.file.position(span.start)
        end_line, end_col = span.file.position(span.end)
        props.append(f"line={line}")
        props.append(f"endLine={end_line}")
        if end_line == line:  # GitHub reads columns only for one-line annotations
            props.append(f"col={col}")
            props.append(f"endColumn={max(end_col, col + 1)}")
    props.append(f"title={_gh_property(title)}")
    return f"::{level} {','.join(props)}::{_gh_data(message)}"

def format_github(findings: list[Finding], diagnostics: list[Diagnostic], **_: object) -> str:
    """GitHub Actions workflow commands: one annotation per finding, errors first."""
    rank = {"error": 0, "warning": 1, "info": 2}
    lines = []
    for d in diagnostics:
        level = {"error": "error", "info": "notice"}.get(d.severity, "warning")
        lines.append(_gh_command(level, d.file, d.span, f"prisma-lint ({d.code})", d.message))
    ordered = sorted(findings, key=lambda f: (rank[f.severity], f.file, f.span.start))
    for f in ordered:
        text = f.message + (f"\n\nhelp: {f.help}" if f.help else "")
        if f.evidence:
            text += "\n\ncall sites:\n" + "\n".join(f"- {e.label} at {e.file}:{e.line}:{e.column}" for e in f.evidence)
        lines.append(_gh_command(_GITHUB_LEVEL[f.severity], f.file, f.span, f"prisma-lint ({f.rule})", text))
    counts = Counter(_GITHUB_LEVEL[f.severity] for f in findings)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if findings or errors:
        parts = ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "notice") if counts[k])
        over = any(n > GITHUB_SHOWN_PER_LEVEL for n in counts.values())
        note = f" GitHub shows at most {GITHUB_SHOWN_PER_LEVEL} annotations of each level per step." if over else ""
        lines.append(
            f"prisma-lint: {len(findings)} finding{'s' if len(findings) != 1 else ''} in all"
            + (f" ({parts})" if parts else "")
            + (f"; {errors} input error{'s' if errors != 1 else ''}" if errors else "")
            + f".{note}"
        )
    else:
        lines.append("prisma-lint: all checks passed.")
    return "\n".join(lines) + "\n"
