"""Turn findings into one consistent set of schema edits, and apply them until nothing changes.

The plan looks at every fixable finding of a model at once:

1. removals of exact duplicates first (redundant-index where another index has the very same
   columns): a duplicate is never reordered into a new index;
2. then reorders (composite-order, unsafe only);
3. then the other removals — implied unique constraints (redundant-unique) first, then
   redundant-index — each only if still redundant once the earlier steps are made (a reorder, or
   a unique constraint removed, may take away what made an index redundant);
4. then additions (missing-fk-index, unindexed-query, unsorted-page), widest first, each only if no index, kept or added,
   covers the key (so `[programId, partnerId]` makes `[programId]` unnecessary, dub fraud.prisma).

Identical edits proposed by two findings are made once, and new lines inserted at the same place
are laid out as ``prisma format`` would (no blank line between them).

Then every rule runs on the planned schema (``verify``): a fix whose result has a finding the
original schema lacked is dropped (the fixes of the model the new finding is on, the ones that
touch its columns first) and the plan is made again, until the fixed schema has no new finding.
After applying, the schema is parsed and linted again and the loop repeats (at most a few rounds)
until no fix applies: a second ``--fix`` changes nothing.
"""

from __future__ import annotations

from typing import Optional

from ..findings import APPLICABILITY_RANK, Edit, Finding, Fix, IndexChange, IndexSpec
from ..model.indexing import covering_index
from ..model.schema import Index, IndexColumn, Schema
from ..records import field, record
from ..rules.redundant_index import redundant_with
from ..rules.redundant_unique import implied_by
from .edits import apply_edits

MAX_ROUNDS = 6


def _edit_key(e: Edit) -> tuple:
    return (e.file.path, e.start, e.end, e.text)


def _fix(f: Finding) -> Fix:
    assert f.fix is not None  # the planner only sees findings with fixes (``applicable``)
    return f.fix


def applicable(findings: list[Finding], unsafe: bool) -> list[Finding]:
    threshold = APPLICABILITY_RANK["unsafe" if unsafe else "safe"]
    return [
        f for f in findings if f.fix and f.fix.edits and APPLICABILITY_RANK[f.fix.applicability] >= threshold
    ]


def _index_like(model, spec: IndexSpec, base: Optional[Index] = None) -> Index:
    columns = []
    old = {c.field: c for c in base.columns} if base else {}
    for name in spec.fields:
        if name in old:
            columns.append(old[name])
        else:
            f = model.fields.get(name)
            columns.append(IndexColumn(name, f.db_name if f else name))
    return Index(
        model=model.name,
        kind=spec.kind,
        columns=columns,
        db_name=base.db_name if base else "",
        span=base.span if base else model.span,
        type=base.type if base else None,
        where=base.where if base else None,
    )


def _change(f: Finding, action: str) -> Optional[IndexChange]:
    ch = f.fix.index_change if f.fix else None
    return ch if ch is not None and ch.action == action else None


def _still_redundant(index: Index, sim: list[Index]) -> Optional[Index]:
    return implied_by(index, sim) if index.is_unique else redundant_with(index, sim) if index.kind == "index" else None


def _removes_unique(model, f: Finding) -> bool:
    ch = _change(f, "remove")
    return any(ch is not None and i.db_name == ch.old and i.is_unique for i in model.indexes)


def _is_exact_duplicate_removal(model, f: Finding) -> bool:
    ch = _change(f, "remove")
    index = next((i for i in model.indexes if ch is not None and i.db_name == ch.old), None)
    if index is None:
        return False
    other = redundant_with(index, list(model.indexes))
    return other is not None and len(other.columns) == len(index.columns)


def plan(schema: Schema, findings: list[Finding], unsafe: bool) -> list[Finding]:
    """The findings whose fixes go together (see the module's docstring)."""
    candidates = applicable(findings, unsafe)
    by_model: dict[Optional[str], list[Finding]] = {}
    for f in candidates:
        by_model.setdefault(f.model, []).append(f)
    accepted: list[Finding] = []
    for model_name, items in by_model.items():
        model = schema.models.get(model_name) if model_name else None
        if model is None:
            accepted.extend(items)  # not an index fix: take it as it is
            continue
        accepted.extend(_ModelPlan(model).run(items))
    return accepted


class _ModelPlan:
    """One model's fixes planned on a simulation of its indexes."""

    def __init__(self, model) -> None:
        self.model = model
        self.sim: list[Index] = list(model.indexes)
        self.made: set[tuple] = set()
        self.accepted: list[Finding] = []

    def take(self, f: Finding) -> None:
        self.accepted.append(f)
        self.made.update(_edit_key(e) for e in _fix(f).edits)

    def remove(self, f: Finding) -> None:
        """Drop the index if it is still redundant (a unique constraint: still implied)."""
        ch = _change(f, "remove")
        sim = self.sim
        i = next((k for k, ix in enumerate(sim) if ch is not None and ix.db_name == ch.old), None)
        if i is None or _still_redundant(sim[i], sim) is None:
            return
        del sim[i]
        self.take(f)

    def run(self, items: list[Finding]) -> list[Finding]:
        model, sim = self.model, self.sim
        removals = [f for f in items if _change(f, "remove") is not None]
        exact = [f for f in removals if _is_exact_duplicate_removal(model, f)]
        for f in exact:
            self.remove(f)
        for f in items:
            ch = _change(f, "replace")
            if ch is None or ch.new is None:
                continue
            spec = ch.new
            i = next((k for k, ix in enumerate(sim) if ix.db_name == ch.old), None)
            if i is not None and sim[i].is_unique and spec.kind == "index":  # a unique made a plain index
                if implied_by(sim[i], sim) is None:
                    continue
                sim[i] = _index_like(model, spec, sim[i])
                self.take(f)
                continue
            if i is None or tuple(sim[i].fields) == spec.fields:
                if i is not None and all(_edit_key(e) in self.made for e in _fix(f).edits):
                    self.accepted.append(f)  # the same edit, already planned for another finding
                continue
            sim[i] = _index_like(model, spec, sim[i])
            self.take(f)
        for unique_first in (True, False):  # implied unique constraints, then plain indexes
            for f in removals:
                if f not in exact and _removes_unique(model, f) == unique_first:
                    self.remove(f)
        additions = [(f, ch.new) for f in items if (ch := _change(f, "add")) is not None and ch.new is not None]
        for f, spec in sorted(additions, key=lambda pair: -len(pair[1].fields)):
            if covering_index(sim, list(spec.fields)) is not None:
                continue
            sim.append(_index_like(model, spec))
            self.take(f)
        for f in items:
            if _fix(f).index_change is None:
                self.take(f)
        return self.accepted


def finding_key(f: Finding) -> tuple:
    """What makes a finding the same one before and after a fix (positions move)."""
    return (f.rule, f.model, tuple(f.fields))


def _fix_key(f: Finding) -> tuple:
    return (*finding_key(f), f.fix.title if f.fix else "")


def _new_fields(f: Finding) -> list[str]:
    ch = f.fix.index_change if f.fix else None
    return list(ch.new.fields) if ch is not None and ch.new is not None else []


def blame(chosen: list[Finding], new: list[Finding]) -> list[Finding]:
    """The planned fixes to drop for the new findings: on each new finding's model, those
    whose index touches its columns, else all of that model's; all when none is on it."""
    out: list[Finding] = []
    for n in new:
        on_model = [f for f in chosen if f.model == n.model]
        touching = [
            f
            for f in on_model
            if set(n.fields) & set(_new_fields(f) + list(f.fields))
        ]
        out.extend(touching or on_model or chosen)
    return out


def edits_of(findings: list[Finding]) -> list[Edit]:
    """The edits of ``findings``, each once; insertions at the same place become one edit, laid
    out as ``prisma format`` would (a blank line before the first new line at most)."""
    seen: set[tuple] = set()
    out: list[Edit] = []
    inserts: dict[tuple, int] = {}  # (file, offset) -> position in ``out``
    for f in findings:
        for e in _fix(f).edits:
            k = _edit_key(e)
            if k in seen:
                continue
            seen.add(k)
            spot = (e.file.path, e.start)
            if e.start == e.end and spot in inserts:
                first = out[inserts[spot]]
                nl = e.file.line_ending()
                text = e.text
                while text.startswith(nl + nl):
                    text = text[len(nl) :]  # one new line after another: no blank line between
                if first.text.endswith(nl) and text.startswith(nl):  # both end with a line break
                    text = text[len(nl) :]
                out[inserts[spot]] = Edit(e.file, e.start, e.end, first.text + text)
                continue
            if e.start == e.end:
                inserts[spot] = len(out)
            out.append(e)
    return out


@record(eq=False)
class FixOutcome:
    texts: dict[str, str]  # path -> fixed text (only files that changed)
    originals: dict[str, str]  # path -> text before
    fixed: list[Finding] = field(default_factory=list)  # the findings fixed (first-round objects)
    rounds: int = 0
    # fixes left out because the schema they make has a finding the original lacks (finding_key
    # and fix title); the report shows them as not applicable
    refused: set[tuple] = field(default_factory=set)

    def was_refused(self, f: Finding) -> bool:
        return f.fix is not None and _fix_key(f) in self.refused


def _apply(current: dict[str, str], edits: list[Edit]) -> dict[str, str]:
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.file.path, []).append(e)
    out = dict(current)
    for path, file_edits in by_file.items():
        out[path], _ = apply_edits(current[path], file_edits)
    return out


def fix_texts(
    texts: dict[str, str],
    lint_round,
    unsafe: bool,
    verify=None,
) -> FixOutcome:
    """Fix in memory. ``texts`` maps each schema file's path to its text; ``lint_round(texts)``
    returns ``(schema, findings, has_errors)`` for those texts; ``verify(texts)`` (the same, with
    every rule) checks each planned result for findings the original lacks."""
    current = dict(texts)
    outcome = FixOutcome({}, dict(texts))
    baseline: Optional[set[tuple]] = None
    for _ in range(MAX_ROUNDS):
        schema, findings, has_errors = lint_round(current)
        if has_errors:
            break
        if verify is not None and baseline is None:
            _, original, _ = verify(current)
            baseline = {finding_key(f) for f in original}
        chosen: list[Finding] = []
        new_texts = current
        for _attempt in range(len(findings) + 1):
            chosen = plan(schema, [f for f in findings if not outcome.was_refused(f)], unsafe)
            edits = edits_of(chosen)
            new_texts = _apply(current, edits) if edits else current
            if new_texts == current or verify is None or baseline is None:
                break
            _, after, errors = verify(new_texts)
            new = [f for f in after if finding_key(f) not in baseline]
            if not new and not errors:
                break
            dropped = blame(chosen, new) if not errors else chosen
            outcome.refused.update(_fix_key(f) for f in dropped)
        if new_texts == current:
            break
        current = new_texts
        outcome.fixed.extend(chosen)
        outcome.rounds += 1
    outcome.texts = {p: t for p, t in current.items() if t != texts[p]}
    return outcome


def unified_diff(originals: dict[str, str], texts: dict[str, str]) -> str:
    import difflib

    out: list[str] = []
    for path in sorted(texts):
        a = originals[path].splitlines(keepends=True)
        b = texts[path].splitlines(keepends=True)
        out.extend(difflib.unified_diff(a, b, fromfile=path, tofile=path))
    text = "".join(out)
    return text if not text or text.endswith("\n") else text + "\n"
