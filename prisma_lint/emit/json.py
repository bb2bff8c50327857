"""``json``: the machine contract (``version`` 1, documented in the README)."""

from __future__ import annotations

import json

from ..findings import Finding
from ..frontends.prisma.syntax import Diagnostic
from .text import summary

JSON_VERSION = 1

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
