"""What deleting one row costs: the unindexed scans it triggers, transitively.

Deleting a row of ``P`` makes the database look for the rows of every child table that refer to
it (to cascade, to set NULL, or to check ``Restrict``/``NoAction``); without an index on the
foreign key each look is a sequential scan of the child table. ``onDelete: Cascade`` deletes the
children too, so each deleted child repeats this one level down. With ``relationMode = "prisma"``
Prisma Client does the same with queries.

The walk is plain Python (a dict of children per model): missing-fk-index runs on every check,
and networkx costs ~150 ms to import (tests/test_lazy_imports.py). Each unindexed foreign key
counts once, however many paths reach it (per path, trigger.dev's `Organization` would count
288: long cascade chains multiply).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from ..records import field, record
from .indexing import key_coverage
from .schema import Model, Relation, Schema

# Providers that create no index for a foreign key by themselves (MySQL's InnoDB does).
UNINDEXED_FK_PROVIDERS = frozenset({"postgresql", "cockroachdb", "sqlite", "sqlserver"})


def fk_indexes_apply(schema: Schema) -> bool:
    return schema.relation_mode == "prisma" or schema.provider in UNINDEXED_FK_PROVIDERS


@record(eq=False)
class Reach:
    """What one delete of a row of a model reaches."""

    scans: int = 0  # unindexed foreign keys scanned (each once)
    deep: int = 0  # of them, two or more levels below the deleted row
    depth: int = 0  # the deepest level with an unindexed scan (1: a direct child)
    path: list[Relation] = field(default_factory=list)  # the relations down to that deepest scan


def fk_coverage(model: Model, extra: Sequence, fields: list[str]) -> tuple:
    """``key_coverage`` of the model's indexes and ``extra`` (the migrations' indexes of the
    model) for the foreign key ``fields``. Without ``extra``, kept with the model: missing-fk-index
    and unindexed-cascade both ask for every foreign key, and the builder hands the same model
    object out again after an edit that leaves it alone (the language server's change on the
    7,600-line schema: ~400 lookups each time, ~1 ms). A model does not change once built."""
    if extra:
        return key_coverage(model, list(model.indexes) + list(extra), fields)
    derived = model._derived
    if derived is None or derived[0] is not model.indexes:
        derived = model._derived = (model.indexes, {})
    key = ("fk", tuple(fields))
    got = derived[1].get(key)
    if got is None:
        got = derived[1][key] = key_coverage(model, model.indexes, fields)
    return got


def relation_key(r: Relation) -> tuple:
    return (r.model, r.name, tuple(r.fields))


def unindexed(schema: Schema, extra_indexes: dict | None = None) -> set[tuple]:
    """The keys (``relation_key``) of the foreign keys no index serves."""
    out: set[tuple] = set()
    if not fk_indexes_apply(schema):
        return out
    for r in schema.relations:
        if r.kind == "m-n" or not r.fields:
            continue
        model = schema.models.get(r.model)
        if model is None or model.kind != "model" or model.ignored:
            continue
        how, _ = fk_coverage(model, (extra_indexes or {}).get(model.name, ()), r.fields)
        if how not in ("full", "probe"):
            out.add(relation_key(r))
    return out


class Walker:
    def __init__(self, schema: Schema, extra_indexes: dict | None = None) -> None:
        self.schema = schema
        self.unindexed = unindexed(schema, extra_indexes)
        self.children: dict[str, list[Relation]] = {}
        for r in schema.relations:
            if r.kind != "m-n" and r.fields and r.model in schema.models:
                self.children.setdefault(r.target, []).append(r)
        self._memo: dict[str, Reach] = {}

    def reach(self, model: str) -> Reach:
        """What deleting one ``model`` row reaches: each unindexed foreign key once, at the
        first level a breadth-first walk along ``onDelete: Cascade`` meets it (trigger.dev:
        63 for an `Organization`, 55 of them two or more levels down)."""
        if model in self._memo:
            return self._memo[model]
        out = Reach()
        level = {model: 0}
        via: dict[str, Relation] = {}  # how the walk entered each model
        queue = deque([model])
        found: set[tuple] = set()
        while queue:
            parent = queue.popleft()
            for r in self.children.get(parent, ()):
                key = relation_key(r)
                if key in self.unindexed and key not in found:
                    found.add(key)
                    depth = level[parent] + 1
                    out.scans += 1
                    out.deep += depth >= 2
                    if depth > out.depth:
                        out.depth, out.path = depth, self._chain(via, parent) + [r]
                if r.effective_on_delete() == "Cascade" and r.model not in level:
                    level[r.model] = level[parent] + 1
                    via[r.model] = r
                    queue.append(r.model)
        self._memo[model] = out
        return out

    @staticmethod
    def _chain(via: dict[str, Relation], model: str) -> list[Relation]:
        chain: list[Relation] = []
        while model in via:
            chain.append(via[model])
            model = via[model].target
        return chain[::-1]

    def fan_out(self, r: Relation) -> int:
        """The unindexed scans one delete of a ``r.target`` row runs through ``r``: its own scan,
        plus, with Cascade, what deleting each child row reaches."""
        own = 1 if relation_key(r) in self.unindexed else 0
        if r.effective_on_delete() == "Cascade" and r.model != r.target:
            return own + self.reach(r.model).scans
        return own


def delete_fan_out(schema: Schema, extra_indexes: dict | None = None) -> dict[tuple, int]:
    """``relation_key(r) -> fan_out`` for every unindexed foreign key."""
    walker = Walker(schema, extra_indexes)
    return {
        relation_key(r): walker.fan_out(r)
        for r in schema.relations
        if relation_key(r) in walker.unindexed
    }
