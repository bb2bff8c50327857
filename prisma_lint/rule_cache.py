"""The language server's findings per model, kept between the lints of one unit (issue #10).

After an edit, the model builder reuses the models whose block did not change (the same
objects: ``model/builder.py``). For the rules that declare ``scope="model"`` (each finding is
about one model and depends only on its neighbourhood, see :class:`~prisma_lint.rules.Rule`),
a reused model whose neighbourhood is unchanged keeps its findings: only the other models are
linted again, as a schema of just those models. A finding is kept relative to its model's block
(span and fix edits), so it moves with the block. On the 7,600-line benchmark schema this takes
the seven such rules from 13 ms to about 4.5 ms after an edit (checking every model's
neighbourhood and copying the kept findings; CPU time, in process, on a loaded machine: all
rules 17 -> about 9 ms); handing out the same copy of a kept finding while its block's anchor
stays, and keeping the types of a model's enum fields, took the cache itself from 3.0 to
1.85 ms (issue #10, CPU, in process). ``tests/test_incremental_lint.py`` compares the
result with a fresh lint after series of random edits.

The neighbourhood of a model: the model object itself (reused only when its block, docs, the
kinds of its fields' types and the provider are unchanged), the relations to and from it and
the models at their other ends (by identity: the builder makes a relation again when either of
its models is built again), the enums its fields use (by identity: made again when their block
changed), the migrations' indexes of the model (by value), where its block starts (line,
column: messages quote lines) and the file's line ending (fixes write it); and for the whole
cache, the rules, their options and severities, the provider and the relation mode.

The other rules (``scope="schema"``: they read other models, e.g. index names across the
schema, cascade chains) keep their findings while the whole schema is the same objects at the
same places (:meth:`FindingsCache.schema_rules`): typing in a comment runs no rule at all.
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

    finding: Finding  # a private copy (not the one handed out)
    start: int
    end: int
    edits: list[tuple[int, int, str]]
    # the copy handed out last, its block's anchor then and, for fix edits (absolute
    # offsets), where the anchor was: see _restore
    last: Optional[Finding] = None
    last_anchor: Any = None
    last_place: Optional[tuple] = None


@record(eq=False)
class _Entry:
    model: Model
    key: tuple  # the neighbourhood (models in it compare by identity: Model has eq=False)
    findings: dict[str, list[_Kept]]  # rule id -> the model's findings
    enum_types: tuple[str, ...] = ()  # the types of the model's enum fields
    # the findings handed out last and the block anchor then: handed out again while it is the
    # same (none has fix edits: see _restore)
    handed: Optional[list[Finding]] = None
    handed_anchor: Any = None


@record(eq=False)
class _Whole:
    """The findings of one ``scope="schema"`` rule, kept relative to their models' blocks."""

    key: tuple  # the rule's options and severity, and the schema (see FindingsCache.schema_rules)
    kept: list[tuple[str, _Kept]]  # (model name, finding), in the order the rule found them


class Memo:
    """One rule's per-object results (``RuleContext.per_object``) for one lint, from the last
    lint's: a result is kept while its object is the same one (models have ``eq=False``: the
    builder hands out the same object only while building it again would give the same, see
    model/builder.py) and its key is equal. The results of the objects asked for this lint are
    kept for the next (the others are dropped)."""

    __slots__ = ("new", "old")

    def __init__(self, old: dict[int, tuple]) -> None:
        self.old = old
        self.new: dict[int, tuple] = {}

    def __call__(self, obj: Any, key: Any, fn: Callable[[Any], Any]) -> Any:
        got = self.old.get(id(obj))
        if got is not None and got[0] is obj and got[1] == key:  # (obj held: its id is not reused)
            value = got[2]
        else:
            value = fn(obj)
        self.new[id(obj)] = (obj, key, value)
        return value


@record(eq=False)
class FindingsCache:
    """Per-model findings of the ``scope="model"`` rules for one lint unit, and the findings of
    the other rules while the schema they read is the same."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    token: Any = None  # what the entries were made with (rules, options, provider)
    reused: int = 0  # models whose findings the last lint reused (the tests read it)
    wholes: dict[str, _Whole] = field(default_factory=dict)  # rule id -> its findings, last lint
    whole_reused: int = 0  # rules whose findings the last lint reused (the tests read it)
    # (schema, where its blocks start, its signature) of the lint under way: worked out once
    now: Optional[tuple] = None
    last_signature: Any = None  # the signature of the last lint's schema (None: with migration indexes)
    last_stamp: Any = None  # the last lint's schema's ``_stamp`` (model/builder.py)
    memos: dict[str, dict[int, tuple]] = field(default_factory=dict)  # rule id -> its Memo's results, last lint

    def memo(self, rule_id: str) -> Memo:
        """A memo for a rule about to run (``RuleContext.memo``); :meth:`keep_memo` once it ran."""
        return Memo(self.memos.pop(rule_id, {}))

    def keep_memo(self, rule_id: str, memo: Memo) -> None:
        self.memos[rule_id] = memo.new

    def _now(self, schema: Schema) -> tuple[Optional[dict[int, tuple]], tuple]:
        """Where the schema's blocks start (None: not worked out, see :meth:`_quick_signature`)
        and its signature."""
        if self.now is None or self.now[0] is not schema:
            places = None
            sig = self._quick_signature(schema)
            if sig is None:
                places = _places(schema)
                sig = _schema_signature(schema, places)
            self.now = (schema, places, sig)
        return self.now[1], self.now[2]

    def _quick_signature(self, schema: Schema) -> Optional[tuple]:
        """The signature of a schema the builder's quick path made from the last one linted
        here (model/builder.py ``_quick``) whose unchanged blocks are where they were (the
        parse says so: ``SchemaFile.places_kept``): the last one when nothing was built again
        (typing in a comment), else one of its own; None otherwise (worked out from every
        model, relation and enum). Working out where every block starts took ~1 ms of each
        change on the 7,600-line schema (CPU, in process, after a pause)."""
        last = self.last_signature
        if last is None or schema._from is None or schema._from is not self.last_stamp or schema._rebuilt is None:
            return None
        if not all(f.places_kept for f in schema.files):
            return None
        head = _signature_head(schema)
        if head != last[0]:
            return None
        models, enums = schema._rebuilt
        return (head, object()) if models or enums else last

    def _suspects(self, schema: Schema) -> Optional[set[str]]:
        """With a quick signature: the models whose neighbourhood may have changed (those built
        again, the models at the other end of their relations, those whose block the parse
        lexed); None when an enum was built again (every model is looked at)."""
        assert schema._rebuilt is not None and schema._relation_sides is not None
        rebuilt, enums = schema._rebuilt
        if enums:
            return None
        sides = schema._relation_sides
        out = set(rebuilt)
        for name in rebuilt:
            for _, _, ((a, b), _) in sides.get(name, ()):
                out.add(a)
                out.add(b)
        for f in schema.files:
            out.update(b.name for b in f.fresh or () if b.kind in ("model", "view"))
        return out

    def schema_rules(self, schema: Schema, rules: list, context: Callable[[Any, Schema], Any]) -> tuple[list[Finding], list, Callable]:
        """The findings of the ``rules`` (``scope="schema"``, reading the schema alone: no
        migrations, queries or statistics) that read the same schema as at the last lint, the
        rules left to run, and ``keep(rule, findings)`` to call with each one's findings.

        The same schema: every model, composite type, relation (with its join table) and enum
        the same object (the builder reuses one only when building it again would give the same,
        see model/builder.py), each block of them starting at the same line and column (messages
        quote lines), the datasource, preview features and line endings alike. A rule's findings
        are then what it found last time; each is kept relative to its model's block (as the
        per-model findings: it moves with it), and a rule with a finding outside its model's
        block is run again each time. On the 7,600-line benchmark schema, typing in a comment
        (nothing rebuilt) skips identifier-too-long, missing-fk-index, unindexed-cascade,
        fk-type-mismatch and nullable-unique: about 2.5 ms (CPU, in process, back to back)."""
        sig = self._now(schema)[1]
        models = schema.models
        out: list[Finding] = []
        todo = []
        keys: dict[str, tuple] = {}  # each rule's key, for keep() too
        served = 0
        for rule in rules:
            ctx = context(rule, schema)
            key = keys[rule.id] = (repr(ctx.options), ctx.severity, sig)
            whole = self.wholes.get(rule.id)
            if whole is None or whole.key != key:
                todo.append(rule)
                self.wholes.pop(rule.id, None)
                continue
            served += 1
            for name, k in whole.kept:
                m = models[name]
                out.append(_restore(k, m.block.span.anchor if m.block is not None else None))
        self.whole_reused = served

        def keep(rule, findings: list[Finding]) -> None:
            kept: list[tuple[str, _Kept]] = []
            for f in findings:
                m = models.get(f.model or "")
                got = _keep(m, {rule.id: [f]}) if m is not None else None
                if m is None or got is None:
                    return  # not inside its model's block: run again next time
                kept += [(m.name, k) for k in got[rule.id]]
            self.wholes[rule.id] = _Whole(keys[rule.id], kept)

        return out, todo, keep

    def lint(self, schema: Schema, rules: list, context: Callable[[Any, Schema], Any], extra: dict[str, list]) -> Optional[list[Finding]]:
        """The findings of ``rules`` (all ``scope="model"``) on ``schema``; ``context(rule,
        schema)`` makes a rule's context. None when a rule broke its scope (a finding without
        a model, or for a model it was not asked about) or failed: the caller runs them all."""
        contexts = [context(r, schema) for r in rules]
        token = (tuple((c.rule.id, repr(c.options), c.severity) for c in contexts), schema.provider, schema.relation_mode)
        if token != self.token:
            self.entries, self.token = {}, token
        places, sig = self._now(schema)
        # the whole schema as at the last lint (typing in a comment): every model's neighbourhood
        # is the one its entry was kept with, and is not worked out again (~1 ms)
        same = not extra and sig == self.last_signature
        suspects = None
        if places is None and not same:  # (a quick signature) only these models' are worked out again
            # but not with migration indexes: the last lint had none (else no quick signature),
            # so any model may have some now (a migration written between two edits)
            suspects = self._suspects(schema) if not extra else None
            if suspects is None:
                places = _places(schema)
        self.last_signature = self.last_stamp = None  # (set again once this lint is through)
        by_model: Optional[dict[str, list[tuple]]] = None  # worked out when a model needs it
        endings = {f.source.path: f.source.line_ending() for f in schema.files}
        enums = schema.enums
        entries: dict[str, _Entry] = {}
        keys: dict[str, tuple] = {}
        missed: dict[str, Model] = {}
        old_entries = self.entries
        for name, m in schema.models.items():
            old = old_entries.get(name)
            if old is not None and old.model is not m:
                old = None
            if old is not None and (same or (suspects is not None and name not in suspects)):
                entries[name] = old
                continue
            # a reused model has the same fields: the types of its enum fields are the same
            enum_types = old.enum_types if old is not None else _enum_types(m)
            if suspects is not None:
                place, relations = _place(m), _relations_of(schema, name)
            else:
                if by_model is None:
                    by_model = _relations_by_model(schema)
                if places is None:  # (the same schema, but this model not kept: the rules changed)
                    places = _places(schema)
                place, relations = places[id(m)], by_model.get(name, [])
            key = keys[name] = _neighbourhood(m, place, relations, extra.get(name), endings, enums, enum_types)
            if old is not None and old.key == key:
                entries[name] = old
            else:
                missed[name] = m
        self.reused = len(entries)
        found: dict[str, dict[str, list[Finding]]] = {}
        if missed:
            part = replace(schema, models=missed, _whole=schema)
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
                if not entry.findings:  # (most models)
                    continue
                anchor = m.block.span.anchor if m.block is not None else None
                if entry.handed is not None and entry.handed_anchor is anchor:
                    out += entry.handed
                    continue
                handed = [_restore(k, anchor) for kept in entry.findings.values() for k in kept]
                if not any(k.edits for kept in entry.findings.values() for k in kept):
                    entry.handed, entry.handed_anchor = handed, anchor
                out += handed
                continue
            per_rule = found.get(name, {})
            out += [f for fs in per_rule.values() for f in fs]
            kept = _keep(m, per_rule)
            if kept is not None:
                entries[name] = _Entry(m, keys[name], kept, _enum_types(m))
        self.entries = entries
        self.last_signature = None if extra else sig
        self.last_stamp = schema._stamp
        return out


def _signature_head(schema: Schema) -> tuple:
    """The part of :func:`_schema_signature` not about models, relations and enums."""
    ds = schema.datasource
    source = None if ds is None else (ds.name, ds.provider, ds.provider_raw, ds.relation_mode, ds.relation_mode_explicit, tuple(ds.schemas), tuple(ds.extensions))
    endings = tuple((f.source.path, f.source.line_ending()) for f in schema.files)
    return (source, tuple(schema.preview_features), endings, len(schema.sql_statements))


def _schema_signature(schema: Schema, places: dict[int, tuple]) -> tuple:
    """What a schema-wide rule may read, as one value (models, relations and enums by identity:
    they have ``eq=False``; see :meth:`FindingsCache.schema_rules`): (its head, the rest)."""
    placed = [(x, places[id(x)]) for group in (schema.models, schema.composite_types, schema.enums) for x in group.values()]
    return (_signature_head(schema), (tuple(placed), tuple(schema.relations)))


def _relations_of(schema: Schema, name: str) -> list[tuple]:
    """``_relations_by_model(schema)[name]``, from the model's relation fields as the builder
    grouped them (``Schema._relation_sides``, ``_relation_at``) rather than every relation."""
    at, sides = schema._relation_at, schema._relation_sides
    assert at is not None and sides is not None
    places = sorted({at[key] for _, _, key in sides.get(name, ())})
    models, relations = schema.models, schema.relations
    out = []
    for i in places:
        r = relations[i]
        if r.model == name:
            out.append((models.get(r.target), r))
        elif r.target == name:
            out.append((models.get(r.model), r))
    return out


def _relations_by_model(schema: Schema) -> dict[str, list[tuple]]:
    """Model name -> (the model at the other end, the relation), for every relation to or from
    it. Relations compare by identity (``eq=False``): the builder makes one again whenever one
    of its models is built again (model/builder_relations.py), so the same object is the same
    relation (with its join table). Comparing them by value took ~0.3 ms of each change."""
    models = schema.models
    out: dict[str, list[tuple]] = {}
    for r in schema.relations:
        out.setdefault(r.model, []).append((models.get(r.target), r))
        if r.target != r.model:
            out.setdefault(r.target, []).append((models.get(r.model), r))
    return out


def _enum_types(m: Model) -> tuple[str, ...]:
    return tuple(f.type for f in m.fields.values() if f.kind == "enum")


def _neighbourhood(
    m: Model, place: tuple, relations: list[tuple], extra: Optional[list], endings: dict[str, str], enums: dict[str, Any], enum_types: tuple[str, ...]
) -> tuple:
    """What the findings of ``m`` may depend on (see the module's docstring), as one value
    (``place``: where its block starts, see :func:`_places`; enums by identity: the builder
    makes one again only when its block changed)."""
    used = tuple((t, enums.get(t)) for t in enum_types)
    migrated = tuple(
        (i.db_name, i.kind, tuple((c.field, c.db_name, c.sort, c.length, c.ops) for c in i.columns), i.where, i.type, i.map, i.synthetic)
        for i in extra or ()
    )
    return (place, endings.get(place[0]), tuple(relations), used, migrated)


def _places(schema: Schema) -> dict[int, tuple]:
    """Where the block of each model, composite type and enum starts, by the object's id: (file
    path, (line, column))."""
    return {id(x): _place(x) for group in (schema.models, schema.composite_types, schema.enums) for x in group.values()}


def _place(x: Any) -> tuple:
    span = x.block.span if isinstance(x, Model) and x.block is not None else x.span
    file = span.file
    return (file.path, file.position(span.start))


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
            k = _Kept(_copy(f, f.span, None), f.span.start - anchor.base, f.span.end - anchor.base, edits)
            if not edits and f.span.anchor is anchor:  # it moves with its block: handed out again
                k.last, k.last_anchor = f, anchor
            kept.append(k)
        out[rule_id] = kept
    return out


def _restore(k: _Kept, anchor) -> Finding:
    """The kept finding at its block's place now. The copy handed out at the last lint is
    handed out again while its block's anchor is the same object (the span moves with it) and,
    for a finding with fix edits, has not moved: copying every kept finding anew took about a
    third of this cache's time on the 7,600-line benchmark schema. (Callers do not change the
    findings: the language server only reads them.)"""
    place = (anchor.file, anchor.base) if k.edits else None  # (SourceFile compares by identity)
    if k.last is not None and k.last_anchor is anchor and k.last_place == place:
        return k.last
    from .source import Span

    edits = [Edit(anchor.file, anchor.base + a, anchor.base + b, text) for a, b, text in k.edits]
    k.last, k.last_anchor, k.last_place = _copy(k.finding, Span(anchor, k.start, k.end), edits), anchor, place
    return k.last


def _copy(f: Finding, span, edits: Optional[list[Edit]]) -> Finding:
    fix = None
    if f.fix is not None:
        fix = replace(f.fix, edits=list(f.fix.edits) if edits is None else edits)
    return replace(f, span=span, fields=list(f.fields), fix=fix, data=dict(f.data), evidence=list(f.evidence))
