"""Run the selected rules over a schema, apply suppressions, and collect the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from . import suppressions as sup
from .config import Config
from .findings import SEVERITY_RANK, Finding
from .loader import LoadedSchema
from .rules import UNUSED_SUPPRESSION, Registry, Rule, RuleContext
from .syntax import Diagnostic


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors about the input
    suppressed: int = 0


def active_rules(
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    kind: str = "schema",
) -> list[Rule]:
    chosen = list(select) if select else (config.select or ["all"])
    ignored = set(config.ignore) | set(ignore)
    out = []
    for rule in registry.rules.values():
        if rule.applies_to not in (kind, "both"):
            continue
        if "all" not in chosen and rule.id not in chosen:
            continue
        if rule.id in ignored:
            continue
        out.append(rule)
    return out


def run_rules(schema, rules: list[Rule], config: Config, extra_indexes=None) -> tuple[list[Finding], list[Diagnostic]]:
    findings: list[Finding] = []
    errors: list[Diagnostic] = []
    for rule in rules:
        if rule is UNUSED_SUPPRESSION:
            continue
        ctx = RuleContext(
            rule=rule,
            schema=schema,
            options=config.options_for(rule),
            severity=config.severity.get(rule.id, rule.severity),
            extra_indexes=extra_indexes or {},
        )
        try:
            findings.extend(rule.check(ctx))
        except Exception as e:  # a rule's bug must not hide the other rules' findings
            errors.append(
                Diagnostic(f"rule `{rule.id}` failed: {type(e).__name__}: {e}", None, "error", "rule-crash")
            )
    return findings, errors


def lint(
    loaded: LoadedSchema,
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    extra_indexes=None,
) -> LintResult:
    """Lint a loaded schema. Files with syntax errors are still linted (what parsed)."""
    schema = loaded.schema
    rules = active_rules(registry, config, select, ignore)
    findings, errors = run_rules(schema, rules, config, extra_indexes)
    known = set(registry.rules)
    by_file: dict[str, list[sup.Suppression]] = {}
    for f in schema.files:
        comments = [(c.span, f.source.text[c.span.start : c.span.end]) for c in f.comments if "prisma-lint-" in c.text]
        if comments:
            by_file[f.source.path] = sup.collect(f.source, comments, known, f)
    kept = sup.apply(findings, by_file) if by_file else findings
    suppressed = len(findings) - len(kept)
    if UNUSED_SUPPRESSION in rules and by_file:
        active_ids = {r.id for r in rules}
        severity = config.severity.get(UNUSED_SUPPRESSION.id, UNUSED_SUPPRESSION.severity)
        for s, message in sup.unused(by_file, known, active_ids):
            kept.append(Finding(UNUSED_SUPPRESSION.id, severity, message, s.span, model=s.model))
    kept.sort(key=Finding.sort_key)
    return LintResult(kept, loaded.diagnostics + errors, suppressed)


def exit_code(result_findings: list[Finding], diagnostics: list[Diagnostic], fail_on: str) -> int:
    if any(d.severity == "error" for d in diagnostics):
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in result_findings) else 0
