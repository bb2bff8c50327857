"""``gitlab``: GitLab's Code Quality report."""

from __future__ import annotations

import json

from ..findings import Finding
from ..frontends.prisma.syntax import Diagnostic
from .common import digest, fingerprint


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
                "fingerprint": fingerprint(f),
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
                "fingerprint": digest(d.code, d.file or "", d.message),
                "severity": "blocker" if d.severity == "error" else "minor",
                "location": {"path": d.file or "", "lines": {"begin": line}},
            }
        )
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
