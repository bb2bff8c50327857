"""Output formats: small functions from findings (and input diagnostics) to text.

``text`` is for people (source line, caret underline, help, a summary); ``json`` is a stable
machine contract (``version`` 1, documented in the README).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Callable, Optional

from ..findings import SEVERITY_RANK, SEVERITIES, Finding
from ..frontends.prisma.syntax import Diagnostic

JSON_VERSION = 1

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


def _position(span) -> str:
    line, col = span.file.position(span.start)
    return f"{span.file.path}:{line}:{col}"


def render_diagnostic(d: Diagnostic, color: bool = False, snippet: bool = True) -> str:
    sev = _style(d.severity, color, fg=_COLORS.get(d.severity), bold=True)
    if d.span is None:
        head = f"{d.path}: {sev}: {d.message}" if d.path else f"{sev}: {d.message}"
        return head
    lines = [f"{_position(d.span)}: {sev}: {d.message}"]
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
    **_: object,
) -> str:
    out: list[str] = []
    for d in diagnostics:
        out.append(render_diagnostic(d, color, snippet=not quiet))
    # the worst first within a file: errors before warnings, then the missing index whose delete
    # fans out furthest (missing-fk-index's fan_out), then by position
    for f in sorted(findings, key=lambda f: (f.file, -SEVERITY_RANK[f.severity], -f.data.get("fan_out", 0))):
        sev = _style(f.severity, color, fg=_COLORS[f.severity], bold=True)
        rule = _style(f.rule, color, bold=True)
        out.append(f"{_position(f.span)}: {sev}[{rule}] {f.message}")
        if not quiet:
            out.extend(_snippet(f.span, color))
            if f.help or f.fix:
                help_text = f.help or (f.fix.title if f.fix else "")
                tag = ""
                if f.fix and f.fix.edits:
                    tag = " (fix: --fix)" if f.fix.applicability == "safe" else " (fix: --unsafe-fixes)"
                pad = " " * len(str(f.span.line))
                out.append(f"{pad} = {_style('help', color, bold=True)}: {help_text}{tag}")
            out.append("")
    if statistics and findings:
        out.append(format_statistics(findings))
    if not quiet or findings or diagnostics:
        out.append(_summary_line(findings, diagnostics, show_fix_hint))
    return "\n".join(out).rstrip("\n") + "\n"


def format_statistics(findings: list[Finding]) -> str:
    counts = Counter((f.rule, f.severity) for f in findings)
    fixable = {f.rule for f in findings if f.fix and f.fix.edits}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max(len(str(n)) for n in counts.values())
    lines = [
        f"{n:>{width}}  {rule:<24} {sev:<8}{' [*]' if rule in fixable else ''}" for (rule, sev), n in rows
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


def diagnostic_dict(d: Diagnostic) -> dict:
    out = {"code": d.code, "severity": d.severity, "message": d.message, "file": d.file}
    if d.span is not None:
        sd = d.span.as_dict()
        for k in ("line", "column", "end_line", "end_column"):
            out[k] = sd[k]
    return out


def format_json(findings: list[Finding], diagnostics: list[Diagnostic], **_: object) -> str:
    doc = {
        "version": JSON_VERSION,
        "findings": [f.as_dict() for f in findings],
        "errors": [diagnostic_dict(d) for d in diagnostics],
        "summary": summary(findings, diagnostics),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------------
# CI formats
# ------------------------------------------------------------------------------------------------
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


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"))


def _digest(*parts: str) -> str:
    import hashlib

    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _fingerprint(f: Finding) -> str:
    """Stable across runs and line shifts: rule, file, model, fields and the flagged text."""
    return _digest(f.rule, f.file, f.model or "", ",".join(f.fields), " ".join(f.span.text.split()))


def _region(span) -> dict:
    line, col = span.file.position(span.start)
    end_line, end_col = span.file.position(span.end)
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": max(end_col, 1)}


def format_sarif(findings: list[Finding], diagnostics: list[Diagnostic], rules=None, **_: object) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every rule in tool.driver, results with stable
    partialFingerprints and the fixes as artifact changes."""
    from .. import __version__
    from ..docs import parse_page, rule_page

    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_list = list(rules.values()) if rules else []
    index = {r.id: k for k, r in enumerate(rule_list)}
    driver_rules = []
    for r in rule_list:
        page = rule_page(r.id)
        parsed = parse_page(r.id, page) if page else None
        full = (parsed.sections.get("What it does") if parsed else None) or r.summary
        driver_rules.append(
            {
                "id": r.id,
                "name": "".join(w.capitalize() for w in r.id.split("-")),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": full},
                "help": {"text": page or r.summary, "markdown": page or r.summary},
                "defaultConfiguration": {"level": level[r.severity]},
                "properties": {"tags": ["prisma", "postgresql", "index"], "fixable": r.fixable},
            }
        )
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule,
            "level": level[f.severity],
            "message": {"text": f.message + (f" Help: {f.help}" if f.help else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.file), "uriBaseId": "%SRCROOT%"},
                        "region": _region(f.span),
                    }
                }
            ],
            "partialFingerprints": {"prismaLint/v1": _fingerprint(f)},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.fix and f.fix.edits:
            changes: dict[str, list] = {}
            for e in f.fix.edits:
                changes.setdefault(e.file.path, []).append(
                    {"deletedRegion": _region(e.span), "insertedContent": {"text": e.text}}
                )
            result["fixes"] = [
                {
                    "description": {"text": f.fix.title},
                    "artifactChanges": [
                        {"artifactLocation": {"uri": _uri(p), "uriBaseId": "%SRCROOT%"}, "replacements": reps}
                        for p, reps in changes.items()
                    ],
                }
            ]
        results.append(result)
    notifications = []
    for d in diagnostics:
        note = {"level": {"error": "error", "info": "note"}.get(d.severity, "warning"), "message": {"text": d.message}, "descriptor": {"id": d.code}}
        if d.file:
            loc = {"physicalLocation": {"artifactLocation": {"uri": _uri(d.file), "uriBaseId": "%SRCROOT%"}}}
            if d.span is not None:
                loc["physicalLocation"]["region"] = _region(d.span)
            note["locations"] = [loc]
        notifications.append(note)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "prisma-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": driver_rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not any(d.severity == "error" for d in diagnostics),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def format_gitlab(findings: list[Finding], diagnostics: list[Diagnostic], **_: object) -> str:
    """GitLab Code Quality report (a JSON array)."""
    severity = {"error": "critical", "warning": "major", "info": "info"}
    items = []
    for f in findings:
        line, col = f.span.file.position(f.span.start)
        end_line, end_col = f.span.file.position(f.span.end)
        items.append(
            {
                "description": f.message,
                "check_name": f.rule,
                "fingerprint": _fingerprint(f),
                "severity": severity[f.severity],
                "location": {
                    "path": f.file,
                    "positions": {"begin": {"line": line, "column": col}, "end": {"line": end_line, "column": end_col}},
                },
            }
        )
    for d in diagnostics:
        line = d.span.line if d.span is not None else 1
        items.append(
            {
                "description": d.message,
                "check_name": d.code,
                "fingerprint": _digest(d.code, d.file or "", d.message),
                "severity": "blocker" if d.severity == "error" else "minor",
                "location": {"path": d.file or "", "lines": {"begin": line}},
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def format_junit(findings: list[Finding], diagnostics: list[Diagnostic], files=(), **_: object) -> str:
    """JUnit XML: one test case per linted file; each finding is a failure of its file's case."""
    from xml.sax.saxutils import escape, quoteattr

    by_file: dict[str, list] = {str(p): [] for p in files}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for d in diagnostics:
        by_file.setdefault(d.file or "<input>", []).append(d)
    cases = []
    failures = 0
    for path, items in sorted(by_file.items()):
        if not items:
            cases.append(f'    <testcase name={quoteattr(path)} classname="prisma-lint"/>')
            continue
        failures += 1
        body = []
        for it in items:
            if isinstance(it, Finding):
                body.append(f"{_position(it.span)}: {it.severity}[{it.rule}] {it.message}")
            else:
                body.append(it.render())
        first = items[0]
        kind = first.rule if isinstance(first, Finding) else first.code
        cases.append(
            f'    <testcase name={quoteattr(path)} classname="prisma-lint">\n'
            f"      <failure message={quoteattr(f'{len(items)} problem(s)')} type={quoteattr(kind)}>"
            f"{escape(chr(10).join(body))}</failure>\n"
            "    </testcase>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="prisma-lint" tests="{len(cases)}" failures="{failures}">\n'
        f'  <testsuite name="prisma-lint" tests="{len(cases)}" failures="{failures}" errors="0">\n'
        + "\n".join(cases)
        + ("\n" if cases else "")
        + "  </testsuite>\n</testsuites>\n"
    )


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "gitlab": format_gitlab,
    "junit": format_junit,
}


def get_formatter(name: str) -> Optional[Callable[..., str]]:
    return FORMATTERS.get(name)
