"""Turn findings into one consistent set of schema edits, and apply them until nothing changes.

The plan looks at every fixable finding of a model at once:

1. reorders first (composite-order, and missing-fk-index when a mis-ordered index holds the key);
2. then deletions (redundant-index), each only if the index is still redundant once the
   reorders are made (a reorder may take away the index that made it redundant);
3. then additions (missing-fk-index, unindexed-query, unsorted-page), longest first, each only
   if no index, existing or planned, covers its columns.

So no fix adds an index that another fix or an existing index makes redundant. Identical edits
proposed by two findings are made once. After applying, the schema is parsed and linted again
and the loop repeats (at most a few rounds) until no fix applies: a second ``--fix`` changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..findings import APPLICABILITY_RANK, Edit, Finding, Fix, IndexChange, IndexSpec
from ..model.indexing import covering_index
from ..model.schema import Index, IndexColumn, Schema
from ..rules.redundant_index import redundant_with
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
        sim: list[Index] = list(model.indexes)
        made: set[tuple] = set()

        def take(f: Finding) -> None:
            accepted.append(f)
            made.update(_edit_key(e) for e in _fix(f).edits)  # noqa: B023  # called within the same model's pass

        def change(f: Finding, action: str) -> Optional[IndexChange]:
            ch = f.fix.index_change if f.fix else None
            return ch if ch is not None and ch.action == action else None

        for f in items:
            ch = change(f, "replace")
            if ch is None or ch.new is None:
                continue
            spec = ch.new
            i = next((k for k, ix in enumerate(sim) if ix.db_name == ch.old), None)
            if i is None or tuple(sim[i].fields) == spec.fields:
                if all(_edit_key(e) in made for e in _fix(f).edits):
                    accepted.append(f)  # the same edit, already planned for another finding
                continue
            sim[i] = _index_like(model, spec, sim[i])
            take(f)
        for f in items:
            ch = change(f, "remove")
            if ch is None:
                continue
            i = next((k for k, ix in enumerate(sim) if ix.db_name == ch.old and ix.kind == "index"), None)
            if i is None or redundant_with(sim[i], sim) is None:
                continue
            del sim[i]
            take(f)
        # longest first: an index that a longer one planned here covers is not added
        def added(f: Finding) -> int:
            ch = change(f, "add")
            return -len(ch.new.fields) if ch is not None and ch.new is not None else 0

        for f in sorted(items, key=added):
            ch = change(f, "add")
            if ch is None or ch.new is None:
                continue
            if covering_index(sim, list(ch.new.fields)) is not None:
                continue
            sim.append(_index_like(model, ch.new))
            take(f)
        for f in items:
            if _fix(f).index_change is None:
                take(f)
    return accepted


def edits_of(findings: list[Finding]) -> list[Edit]:
    seen: set[tuple] = set()
    out: list[Edit] = []
    for f in findings:
        for e in _fix(f).edits:
            k = _edit_key(e)
            if k not in seen:
                seen.add(k)
                out.append(e)
    return out


@dataclass(eq=False)
class FixOutcome:
    texts: dict[str, str]  # path -> fixed text (only files that changed)
    originals: dict[str, str]  # path -> text before
    fixed: list[Finding] = field(default_factory=list)  # the findings fixed (first-round objects)
    rounds: int = 0


def fix_texts(
    texts: dict[str, str],
    lint_round,
    unsafe: bool,
) -> FixOutcome:
    """Fix in memory. ``texts`` maps each schema file's path to its text; ``lint_round(texts)``
    returns ``(schema, findings, has_errors)`` for those texts."""
    current = dict(texts)
    outcome = FixOutcome({}, dict(texts))
    for _ in range(MAX_ROUNDS):
        schema, findings, has_errors = lint_round(current)
        if has_errors:
            break
        chosen = plan(schema, findings, unsafe)
        edits = edits_of(chosen)
        if not edits:
            break
        by_file: dict[str, list[Edit]] = {}
        for e in edits:
            by_file.setdefault(e.file.path, []).append(e)
        changed = False
        for path, file_edits in by_file.items():
            new_text, _ = apply_edits(current[path], file_edits)
            if new_text != current[path]:
                current[path] = new_text
                changed = True
        outcome.fixed.extend(chosen)
        outcome.rounds += 1
        if not changed:
            break
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
