"""``sarif``: SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from typing import Any, Optional

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

def _related(k: int, e, source_root=None, cwd=None) -> dict:
    """A call site the finding rests on (``Evidence``), as a SARIF related location."""
    region = {"startLine": e.line, "startColumn": e.column, "endLine": e.end_line, "endColumn": e.end_column}
    region["snippet"] = {"text": e.snippet}
    return {
        "id": k,
        "physicalLocation": {"artifactLocation": _artifact(e.file, source_root, cwd), "region": region},
        "message": {"text": e.label},
    }


# GitHub code scanning rejects a rule whose fullDescription is longer than this
SARIF_DESCRIPTION_LIMIT = 1024
SARIF_CATEGORY = "prisma-lint/"


def _sarif_rule(r, level: dict, docs_url: Optional[str]) -> dict:
    from ..docs import parse_page, plain_text, rule_page, rule_url, shorten

    page = rule_page(r.id)
    parsed = parse_page(r.id, page) if page else None
    what = parsed.sections.get("What it does") if parsed else None
    out = {
        "id": r.id,
        "name": "".join(w.capitalize() for w in r.id.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": shorten(plain_text(what) if what else r.summary, SARIF_DESCRIPTION_LIMIT)},
        "help": {"text": plain_text(page) if page else r.summary, "markdown": page or r.summary},
        "defaultConfiguration": {"level": level[r.severity]},
        "properties": {"tags": ["prisma", "postgresql", "index"], "fixable": r.fixable},
    }
    if page is not None:  # a plugin's rule has no page here: no link that would lead nowhere
        out["helpUri"] = rule_url(r.id, docs_url)
    return out


def _artifact(path: str, source_root, cwd) -> dict:
    """A SARIF artifactLocation: relative to the repository's top folder (``%SRCROOT%``), as
    GitHub code scanning matches results to files; a file outside it gets an absolute URI."""
    import os
    from pathlib import Path

    if source_root is None:
        return {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}
    full = os.path.normpath(os.path.join(str(cwd or source_root), path))
    rel = os.path.relpath(full, str(source_root))
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return {"uri": Path(full).as_uri()}
    return {"uri": _uri(rel), "uriBaseId": "%SRCROOT%"}


def format_sarif(
    findings: list[Finding],
    diagnostics: list[Diagnostic],
    rules=None,
    docs_url: Optional[str] = None,
    source_root=None,
    cwd=None,
    **_: object,
) -> str:
    """SARIF 2.1.0 for GitHub code scanning: every rule in tool.driver (with its page's help, as
    plain text and Markdown, and its URL), results with stable partialFingerprints and the fixes
    as artifact changes. Paths are relative to ``source_root`` (the git repository's top folder;
    ``cwd`` is the folder the findings' paths are relative to)."""
    from .. import __version__
    from ..docs import HOMEPAGE

    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_list = list(rules.values()) if rules else []
    index = {r.id: k for k, r in enumerate(rule_list)}
    driver_rules = [_sarif_rule(r, level, docs_url) for r in rule_list]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": level[f.severity],
            "message": {"text": f.message + (f" Help: {f.help}" if f.help else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(f.file, source_root, cwd),
                        "region": _region(f.span),
                    }
                }
            ],
            "partialFingerprints": {"prismaLint/v1": fingerprint(f)},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.evidence:
            result["relatedLocations"] = [_related(k, e, source_root, cwd) for k, e in enumerate(f.evidence)]
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
                        {"artifactLocation": _artifact(p, source_root, cwd), "replacements": reps}
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
            loc = {"physicalLocation": {"artifactLocation": _artifact(d.file, source_root, cwd)}}
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
                        "informationUri": HOMEPAGE,
                        "rules": driver_rules,
                    }
                },
                "automationDetails": {"id": SARIF_CATEGORY},
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
