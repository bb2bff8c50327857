"""The language server's findings per model, kept between the lints of one unit (issue #10).

After an edit, the model builder reuses the models whose block did not change (the same
objects: ``model/builder.py``). For the rules that declare ``scope="model"`` (each finding is
about one model and depends only on its neighbourhood, see :class:`~prisma_lint.rules.Rule`),
a reused model whose neighbourhood is unchanged keeps its findings: only the other models are
linted again, as a schema of just those models. A finding is kept relative to its model's block
(span and fix edits), so it moves with the block. On the 7,600-line benchmark schema this takes
the seven such rules from 13 ms to about 4.5 ms after an edit (checking every model's
neighbourhood and copying the kept findings; CPU time, in process, on a loaded machine: all
rules 17 -> about 9 ms); ``tests/test_incremental_lint.py`` compares the
result with a fresh lint after series of random edits.

The neighbourhood of a model: the model object itself (reused only when its block, docs, the
type names and the provider are unchanged), the relations to and from it (by value) and the
models at their other ends (by identity), the enums its fields use (by value), the migrations'
indexes of the model (by value), where its block starts (line, column: messages quote lines)
and the file's line ending (fixes write it); and for the whole cache, the rules, their options
and severities, the provider and the relation mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from .findings import Edit, Finding
from .model.schema import Model, Schema
from .records import field, record, replace


@record(eq=False)
class _Kept:
    """A finding with its positions relative to its model's block anchor."""

    finding: Finding  # a private copy (callers may change the findings they get: fix rounds do)
    start: int
    end: int
    edits: list[tuple[int, int, str]]


@record(eq=False)
class _Entry:
    model: Model
    key: tuple  # the neighbourhood (models in it compare by identity: Model has eq=False)
    findings: dict[str, list[_Kept]]  # rule id -> the model's findings


@record(eq=False)
class FindingsCache:
    """Per-model findings of the ``scope="model"`` rules for one lint unit."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    token: Any = None  # what the entries were made with (rules, options, provider)
    reused: int = 0  # models whose findings the last lint reused (the tests read it)

    def lint(self, schema: Schema, rules: list, context: Callable[[Any, Schema], Any], extra: dict[str, list]) -> Optional[list[Finding]]:
        """The findings of ``rules`` (all ``scope="model"``) on ``schema``; ``context(rule,
        schema)`` makes a rule's context. None when a rule broke its scope (a finding without
        a model, or for a model it was not asked about) or failed: the caller runs them all."""
        contexts = [context(r, schema) for r in rules]
        token = (tuple((c.rule.id, repr(c.options), c.severity) for c in contexts), schema.provider, schema.relation_mode)
        if token != self.token:
            self.entries, self.token = {}, token
        by_model = _relations_by_model(schema)
        endings = {f.source.path: f.source.line_ending() for f in schema.files}
        enums = {e.name: (e.db_name, e.schema, tuple((v.name, v.db_name) for v in e.values)) for e in schema.enums.values()}
        entries: dict[str, _Entry] = {}
        keys: dict[str, tuple] = {}
        missed: dict[str, Model] = {}
        old_entries = self.entries
        for name, m in schema.models.items():
            key = keys[name] = _neighbourhood(m, by_model.get(name, []), extra.get(name), endings, enums)
            old = old_entries.get(name)
            if old is not None and old.model is m and old.key == key:
                entries[name] = old
            else:
                missed[name] = m
        self.reused = len(entries)
        found: dict[str, dict[str, list[Finding]]] = {}
        if missed:
            part = replace(schema, models=missed)
            for rule in rules:
                try:
                    got = list(rule.check(context(rule, part)))
                except Exception:
                    return None
                for f in got:
                    if f.model not in missed:
                        return None
                    found.setdefault(f.model, {}).setdefault(rule.id, []).append(f)
        out: list[Finding] = []
        for name, m in schema.models.items():
            entry = entries.get(name)
            if entry is not None:
                anchor = m.block.span.anchor if m.block is not None else None
                out += [_restore(k, anchor) for kept in entry.findings.values() for k in kept]
                continue
            per_rule = found.get(name, {})
            out += [f for fs in per_rule.values() for f in fs]
            kept = _keep(m, per_rule)
            if kept is not None:
                entries[name] = _Entry(m, keys[name], kept)
        self.entries = entries
        return out


def _relations_by_model(schema: Schema) -> dict[str, list[tuple]]:
    """Model name -> (the model at the other end, the relation by value), for every relation
    to or from it."""
    models = schema.models
    out: dict[str, list[tuple]] = {}
    for r in schema.relations:
        jt = r.join_table
        value = (
            r.name, r.kind, r.model, r.field, r.target, r.back_field, tuple(r.fields), tuple(r.references),
            r.on_delete, r.on_update, r.map, r.db_name, r.optional, tuple(r.back_fields), tuple(r.back_references),
            None if jt is None else (jt.name, jt.schema, tuple(i.db_name for i in jt.indexes)),
        )
        out.setdefault(r.model, []).append((models.get(r.target), value))
        if r.target != r.model:
            out.setdefault(r.target, []).append((models.get(r.model), value))
    return out


def _neighbourhood(m: Model, relations: list[tuple], extra: Optional[list], endings: dict[str, str], enums: dict[str, tuple]) -> tuple:
    """What the findings of ``m`` may depend on (see the module's docstring), as one value."""
    used = tuple((f.type, enums.get(f.type)) for f in m.fields.values() if f.kind == "enum")
    migrated = tuple(
        (i.db_name, i.kind, tuple((c.field, c.db_name, c.sort, c.length, c.ops) for c in i.columns), i.where, i.type, i.map, i.synthetic)
        for i in extra or ()
    )
    span = m.block.span if m.block is not None else m.span
    file = span.file
    return (file.path, file.position(span.start), endings.get(file.path), tuple(relations), used, migrated)


def _keep(m: Model, per_rule: dict[str, list[Finding]]) -> Optional[dict[str, list[_Kept]]]:
    """The model's findings relative to its block, or None when one is not inside it."""
    if m.block is None:
        return None
    block = m.block.span
    anchor, lo, hi = block.anchor, block.start, block.end
    out: dict[str, list[_Kept]] = {}
    for rule_id, findings in per_rule.items():
        kept = []
        for f in findings:
            if f.span.file is not anchor.file or not lo <= f.span.start <= f.span.end <= hi:
                return None
            edits = []
            for e in f.fix.edits if f.fix is not None else ():
                if e.file is not anchor.file or not lo <= e.start <= e.end <= hi:
                    return None
                edits.append((e.start - anchor.base, e.end - anchor.base, e.text))
            kept.append(_Kept(_copy(f, f.span, None), f.span.start - anchor.base, f.span.end - anchor.base, edits))
        out[rule_id] = kept
    return out


def _restore(k: _Kept, anchor) -> Finding:
    from .source import Span

    edits = [Edit(anchor.file, anchor.base + a, anchor.base + b, text) for a, b, text in k.edits]
    return _copy(k.finding, Span(anchor, k.start, k.end), edits)


def _copy(f: Finding, span, edits: Optional[list[Edit]]) -> Finding:
    fix = None
    if f.fix is not None:
        fix = replace(f.fix, edits=list(f.fix.edits) if edits is None else edits)
    return replace(f, span=span, fields=list(f.fields), fix=fix, data=dict(f.data), evidence=list(f.evidence))
