"""What deleting one row costs: the unindexed scans it triggers, transitively.

Deleting a row of ``P`` makes the database look for the rows of every child table that refer to
it (to cascade, to set NULL, or to check ``Restrict``/``NoAction``); without an index on the
foreign key each look is a sequential scan of the child table. ``onDelete: Cascade`` deletes the
children too, so each deleted child repeats this one level down. With ``relationMode = "prisma"``
Prisma Client does the same with queries.

The walk is plain Python (a dict of children per model): missing-fk-index runs on every check,
and networkx costs ~150 ms to import (tests/test_lazy_imports.py). Counts are per path: a scan
reached along two paths counts twice, as the database runs it twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .indexing import key_coverage
from .schema import Relation, Schema

# Providers that create no index for a foreign key by themselves (MySQL's InnoDB does).
UNINDEXED_FK_PROVIDERS = frozenset({"postgresql", "cockroachdb", "sqlite", "sqlserver"})


def fk_indexes_apply(schema: Schema) -> bool:
    return schema.relation_mode == "prisma" or schema.provider in UNINDEXED_FK_PROVIDERS


@dataclass(eq=False)
class Reach:
    """What one delete of a row of a model reaches."""

    scans: int = 0  # unindexed scans, counted per path
    deep: int = 0  # of them, two or more levels below the deleted row
    depth: int = 0  # the deepest level with an unindexed scan (1: a direct child)
    path: list[Relation] = field(default_factory=list)  # the relations down to that deepest scan


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
        indexes = list(model.indexes) + list((extra_indexes or {}).get(model.name, ()))
        how, _ = key_coverage(model, indexes, r.fields)
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

    def reach(self, model: str, _stack: tuple[str, ...] = ()) -> Reach:
        """What deleting one ``model`` row reaches. A model already on the path is not entered
        again (a self-relation or a cycle counts its scan once); results are memoised per model,
        so inside a cycle a count may be cut where the cycle was first met."""
        if model in self._memo:
            return self._memo[model]
        out = Reach()
        stack = _stack + (model,)
        for r in self.children.get(model, ()):
            if relation_key(r) in self.unindexed:
                out.scans += 1
                if out.depth < 1:
                    out.depth, out.path = 1, [r]
            if r.effective_on_delete() == "Cascade" and r.model not in stack:
                below = self.reach(r.model, stack)
                out.scans += below.scans
                out.deep += below.scans  # one level lower: all of them are two or more deep
                if below.depth and below.depth + 1 > out.depth:
                    out.depth, out.path = below.depth + 1, [r, *below.path]
        self._memo[model] = out
        return out

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
