"""``sarif``: SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from typing import Any

from ..findings import Finding
from ..frontends.prisma.syntax import Diagnostic
from .common import fingerprint


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"))

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
        result: dict[str, Any] = {
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
            "partialFingerprints": {"prismaLint/v1": fingerprint(f)},
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
        level = {"error": "error", "info": "note"}.get(d.severity, "warning")
        note: dict[str, Any] = {"level": level, "message": {"text": d.message}, "descriptor": {"id": d.code}}
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
