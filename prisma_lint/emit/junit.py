"""``junit``: one test case per file, failed when the file has findings."""

from __future__ import annotations

from ..findings import Finding
from ..frontends.prisma.syntax import Diagnostic
from .common import position


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
                body.append(f"{position(it.span)}: {it.severity}[{it.rule}] {it.message}")
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
