"""Run the selected rules over a schema, apply suppressions, and collect the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from . import suppressions as sup
from .config import Config
from .findings import SEVERITY_RANK, Finding
from .frontends.prisma.loader import LoadedSchema
from .rules import UNUSED_SUPPRESSION, Registry, Rule, RuleContext
from .frontends.prisma.syntax import Diagnostic


@dataclass(eq=False)
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors about the input
    suppressed: int = 0


def active_rules(
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    inputs: Iterable[str] = ("schema", "prisma"),
) -> list[Rule]:
    """The rules to run: selected, not ignored, and with every input they need present."""
    # as ruff: a --select on the command line replaces the config's select and extend-select
    explicit = list(select) if select else list(config.select or []) + list(config.extend_select)
    chosen = (list(select) if select else list(config.select or [])) or ["all"]
    ignored = set(config.ignore) | set(config.extend_ignore) | set(ignore)
    present = set(inputs)
    out = []
    for rule in registry.rules.values():
        if not present.issuperset(rule.needs):
            continue
        if rule.id not in explicit and ("all" not in chosen or not rule.default_enabled):
            continue
        if rule.id in ignored:
            continue
        out.append(rule)
    return out


def run_rules(
    schema, rules: list[Rule], config: Config, extra_indexes=None, migrations=None, queries=None, stats=None
) -> tuple[list[Finding], list[Diagnostic]]:
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
            migrations=migrations,
            queries=queries,
            stats=stats,
        )
        try:
            findings.extend(rule.check(ctx))
        except Exception as e:  # a rule's bug must not hide the other rules' findings
            errors.append(
                Diagnostic(f"rule `{rule.id}` failed: {type(e).__name__}: {e}", None, "error", "rule-crash")
            )
    return findings, errors


def migration_indexes(schema, migrations) -> dict[str, list]:
    """Indexes that exist only in the migrations (partial, GIN, expression indexes written in
    SQL), per schema model, with the model's field names: they count as existing."""
    from .model.schema import Index, IndexColumn

    tables = {m.db_name: m for m in migrations.models.values()}
    out: dict[str, list] = {}
    for model in schema.models.values():
        table = tables.get(model.db_name)
        if table is None:
            continue
        known = {i.db_name for i in model.indexes}
        for index in table.indexes:
            if index.db_name in known:
                continue
            cols = []
            for c in index.columns:
                f = model.field_by_db_name(c.db_name)
                cols.append(IndexColumn(f.name if f else c.field, c.db_name, c.sort, c.length, c.ops, c.span))
            out.setdefault(model.name, []).append(
                Index(model.name, index.kind, cols, index.db_name, index.span, map=index.map, type=index.type, where=index.where, synthetic=True)
            )
    return out


def lint(
    loaded: LoadedSchema,
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    extra_indexes=None,
    kind: Optional[str] = None,
    migrations: Optional[LoadedSchema] = None,
    queries=None,
    stats=None,
) -> LintResult:
    """Lint a loaded schema (or SQL, ``kind="sql"``). Files with syntax errors are still linted
    (what parsed). With ``migrations`` (the schema's migrations folder, read as SQL), indexes
    that exist only there count as existing, and schema-drift compares the two."""
    schema = loaded.schema
    if kind is None:
        kind = "sql" if schema.sql_statements or (not schema.datasource and schema.sql_provider) else "schema"
    mig_schema = migrations.schema if migrations is not None else None
    inputs = ["schema", "sql" if kind == "sql" else "prisma"]
    inputs += [name for name, value in (("migrations", mig_schema), ("queries", queries), ("stats", stats)) if value is not None]
    rules = active_rules(registry, config, select, ignore, inputs)
    if mig_schema is not None and extra_indexes is None:
        extra_indexes = migration_indexes(schema, mig_schema)
    findings, errors = run_rules(schema, rules, config, extra_indexes, mig_schema, queries, stats)
    known = set(registry.rules)
    by_file: dict[str, list[sup.Suppression]] = {}
    files = list(schema.files) + (list(mig_schema.files) if mig_schema is not None else [])
    for f in files:
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
    if config.exclude or config.per_file_ignores:
        kept = _by_file_config(kept, config, {**(migrations.paths if migrations is not None else {}), **loaded.paths})
    kept.sort(key=Finding.sort_key)
    diagnostics = loaded.diagnostics + errors
    if migrations is not None:
        diagnostics += migrations.diagnostics
    return LintResult(kept, diagnostics, suppressed)


def _by_file_config(findings: list[Finding], config: Config, paths: dict) -> list[Finding]:
    """Drop the findings in files that ``exclude`` leaves out (a file of a multi-file schema is
    still read, for the relations across files, but not reported on or fixed) and those that
    ``per-file-ignores`` turns off for their file."""
    from pathlib import Path

    verdicts: dict[str, tuple[bool, set[str]]] = {}
    out = []
    for f in findings:
        if f.file not in verdicts:
            path = paths.get(f.file) or Path(f.file)
            verdicts[f.file] = (config.is_excluded(path), config.ignored_in(path))
        excluded, off = verdicts[f.file]
        if not excluded and f.rule not in off:
            out.append(f)
    return out


def exit_code(result_findings: list[Finding], diagnostics: list[Diagnostic], fail_on: str) -> int:
    if any(d.severity == "error" for d in diagnostics):
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in result_findings) else 0
