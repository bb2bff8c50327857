"""``text``: for people (source line, caret underline, help, a summary line)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Optional

from ..findings import SEVERITIES, SEVERITY_RANK, Finding
from ..frontends.prisma.syntax import Diagnostic
from .common import evidence_note, position

_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}

def _style(text: str, color: bool, **kw) -> str:
    if not color:
        return text
    import click

    return click.style(text, **kw)

def _snippet(span, color: bool) -> list[str]:
    src = span.file
    line, col = src.position(span.start)
    end_line, end_col = src.position(span.end)
    text = src.line_text(line)
    if end_line != line:
        end_col = len(text) + 1
    width = max(end_col - col, 1)
    gutter = str(line)
    pad = " " * len(gutter)
    # keep tabs so the caret lines up under the text as the terminal shows it
    lead = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
    bar = _style("|", color, fg="blue", bold=True)
    return [
        f"{pad} {bar}",
        f"{_style(gutter, color, fg='blue', bold=True)} {bar} {text}",
        f"{pad} {bar} {lead}{_style('^' * width, color, fg='red', bold=True)}",
    ]

def render_diagnostic(d: Diagnostic, color: bool = False, snippet: bool = True) -> str:
    sev = _style(d.severity, color, fg=_COLORS.get(d.severity), bold=True)
    if d.span is None:
        head = f"{d.path}: {sev}: {d.message}" if d.path else f"{sev}: {d.message}"
        return head
    lines = [f"{position(d.span)}: {sev}: {d.message}"]
    if snippet:
        lines += _snippet(d.span, color)
    return "\n".join(lines)

def fixable_counts(findings: list[Finding]) -> tuple[int, int]:
    safe = sum(1 for f in findings if f.fix and f.fix.edits and f.fix.applicability == "safe")
    unsafe = sum(1 for f in findings if f.fix and f.fix.edits and f.fix.applicability == "unsafe")
    return safe, unsafe

def summary(findings: list[Finding], diagnostics: list[Diagnostic]) -> dict:
    sev = Counter(f.severity for f in findings)
    safe, unsafe = fixable_counts(findings)
    return {
        "findings": len(findings),
        "errors": sum(1 for d in diagnostics if d.severity == "error"),
        "by_severity": {s: sev.get(s, 0) for s in reversed(SEVERITIES)},
        "by_rule": dict(sorted(Counter(f.rule for f in findings).items())),
        "fixable": {"safe": safe, "unsafe": unsafe},
        "files": len({f.file for f in findings}),
    }

def format_text(
    findings: list[Finding],
    diagnostics: list[Diagnostic],
    *,
    color: bool = False,
    quiet: bool = False,
    statistics: bool = False,
    show_fix_hint: bool = True,
    fixed: Optional[int] = None,
    unsafe_fixes: bool = False,
    **_: object,
) -> str:
    """``fixed``: after ``--fix``, how many problems the fixes removed (the summary line then
    counts fixed and remaining). ``statistics``: only the input errors and the table (as ruff)."""
    out: list[str] = []
    for d in diagnostics:
        out.append(render_diagnostic(d, color, snippet=not quiet))
    if statistics:
        if findings:
            out.append(format_statistics(findings).rstrip("\n"))
        return "\n".join(out) + "\n" if out else ""
    # the worst first within a file: errors before warnings, then the missing index whose delete
    # fans out furthest (missing-fk-index's fan_out), then by position
    # with database statistics, the biggest tables next (by_table_size)
    ordered = sorted(findings, key=lambda f: (f.file, -SEVERITY_RANK[f.severity], -(f.table_rows if f.table_rows is not None else -1), -f.data.get("fan_out", 0)))
    for f in ordered:
        sev = _style(f.severity, color, fg=_COLORS[f.severity], bold=True)
        rule = _style(f.rule, color, bold=True)
        out.append(f"{position(f.span)}: {sev}[{rule}] {f.message}")
        if not quiet:
            out.extend(_snippet(f.span, color))
            if f.help or f.fix:
                help_text = f.help or (f.fix.title if f.fix else "")
                tag = ""
                if f.fix and f.fix.edits:
                    tag = " (fix: --fix)" if f.fix.applicability == "safe" else " (fix: --unsafe-fixes)"
                pad = " " * len(str(f.span.line))
                out.append(f"{pad} = {_style('help', color, bold=True)}: {help_text}{tag}")
            if f.evidence:
                pad = " " * len(str(f.span.line))
                out.append(f"{pad} = {_style('note', color, bold=True)}: {evidence_note(f.evidence)}")
            out.append("")
    if fixed is not None:
        out.append(fix_summary(findings, fixed, unsafe_fixes, diagnostics))
    elif not quiet or findings or diagnostics:
        out.append(_summary_line(findings, diagnostics, show_fix_hint))
    return "\n".join(out).rstrip("\n") + "\n"


def fix_summary(findings: list[Finding], fixed: int, unsafe_fixes: bool, diagnostics: Sequence[Diagnostic] = ()) -> str:
    """The one line after ``--fix`` (as ruff's "Found 5 errors (3 fixed, 2 remaining).")."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    total = fixed + len(findings)
    line = (
        f"Found {total} problem{'s' if total != 1 else ''} ({fixed} fixed, {len(findings)} remaining)."
        if total
        else "All checks passed."
    )
    if errors:
        line += f" {errors} error{'s' if errors != 1 else ''} in the input."
    _safe, unsafe = fixable_counts(findings)
    if unsafe and not unsafe_fixes:
        line += f" {unsafe} more fixable with --unsafe-fixes."
    return line

def format_statistics(findings: list[Finding]) -> str:
    counts = Counter((f.rule, f.severity) for f in findings)
    fixable = {f.rule for f in findings if f.fix and f.fix.edits}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max(len(str(n)) for n in counts.values())
    lines = [
        f"{n:>{width}}  {rule:<24} {sev:<8}{' [*]' if rule in fixable else ''}".rstrip() for (rule, sev), n in rows
    ]
    return "\n".join(lines) + "\n"

def _summary_line(findings: list[Finding], diagnostics: list[Diagnostic], show_fix_hint: bool) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if not findings and not errors:
        return "All checks passed."
    parts = []
    if findings:
        sev = Counter(f.severity for f in findings)
        detail = ", ".join(f"{sev[s]} {s}{'s' if sev[s] != 1 else ''}" for s in reversed(SEVERITIES) if sev[s])
        parts.append(f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} ({detail}).")
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''} in the input.")
    safe, unsafe = fixable_counts(findings)
    if show_fix_hint and (safe or unsafe):
        hint = f"{safe} fixable with --fix" if safe else "No fixes available with --fix"
        if unsafe:
            hint += f" ({unsafe} more with --unsafe-fixes)"
        parts.append(hint + ".")
    return " ".join(parts)
