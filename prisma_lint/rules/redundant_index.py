"""redundant-index: an @@index that another index on the model already provides."""

from __future__ import annotations

from ..findings import Fix, IndexChange
from ..fix.edits import remove_attribute
from ..model.indexing import index_label
from ..model.schema import Index
from . import Rule, RuleContext


def _same_kind(a: Index, b: Index) -> bool:
    return a.method == b.method and _same_where(a, b)


def _same_where(a: Index, b: Index) -> bool:
    if a.where == b.where:
        return True
    from ..frontends.sql.expr import canonical_predicate

    return a.where is not None and b.where is not None and canonical_predicate(a.where) == canonical_predicate(b.where)


def _unsorted(c) -> tuple:
    return (c.field, c.length, c.ops)


def _served_anyway(index: Index, other: Index) -> bool:
    """Two cases the column-by-column comparison misses (both serve equality either way):
    a Hash index on the column a B-tree leads, and a single-column B-tree next to another
    single-column B-tree on that column in the other sort direction (a B-tree scans both ways)."""
    if len(index.columns) != 1:  # first: the cheapest test, and most indexes fail it
        return False
    if other is index or other.kind == "fulltext" or not other.is_btree or not other.columns:
        return False
    if not _same_where(index, other):
        return False
    if index.type == "Hash":
        return index.columns[0].field == other.columns[0].field and index.columns[0].ops is None
    if index.is_btree and len(other.columns) == 1 and index.columns[0].sort != other.columns[0].sort:
        if _unsorted(index.columns[0]) != _unsorted(other.columns[0]):
            return False
        if other.kind == "index" and not other.synthetic and (other.span.file.path, other.span.start) > (
            index.span.file.path,
            index.span.start,
        ):
            return False  # of two such plain indexes, the later one is reported
        return True
    return False


def redundant_with(index: Index, others: list[Index]) -> Index | None:
    """The index that makes ``index`` redundant, if any: one whose leading columns equal all of
    its columns (same sort, length, ops), with the same method and the same predicate; or one
    that serves its lookups anyway (``_served_anyway``)."""
    if index.kind != "index" or index.synthetic:
        return None
    keys = [c.key() for c in index.columns]
    n = len(keys)
    for other in others:
        if _served_anyway(index, other):
            return other
        m = len(other.columns)
        # the lengths first: the keys of an index too short to cover ``index`` are not needed
        if m < n or other is index or other.kind == "fulltext" or not _same_kind(index, other):
            continue
        if [c.key() for c in other.columns[:n]] != keys:
            continue
        if m > n and not (other.is_btree or other.type == "Gin"):
            continue  # a leading prefix serves lookups only in a B-tree (or GIN)
        if m == n and other.kind == "index" and not other.synthetic:
            # two identical plain indexes: the later one is the redundant one
            if (other.span.file.path, other.span.start) > (index.span.file.path, index.span.start):
                continue
        return other
    return None


def check(ctx: RuleContext):
    for model in ctx.schema.models.values():
        if model.kind != "model":
            continue
        others = list(model.indexes) + list(ctx.extra_indexes.get(model.name, ()))
        for index in model.indexes:
            other = redundant_with(index, others)
            if other is None:
                continue
            if other.synthetic:
                why = f"the migrations' index \"{other.db_name}\" already covers it"
            elif (
                other.method == index.method
                and len(other.columns) == len(index.columns)
                and [c.key() for c in other.columns] == [c.key() for c in index.columns]
            ):
                why = f"it duplicates {index_label(other)}"
            elif len(other.columns) == len(index.columns):
                why = f"{index_label(other)} serves the same lookups"
            else:
                why = f"{index_label(other)} starts with the same columns"
            where = "" if other.synthetic else (
                f" (line {other.span.line})" if other.span.file is index.span.file else f" ({other.file}:{other.span.line})"
            )
            fix = Fix(
                title=f"Remove the redundant {index_label(index)}",
                applicability="unsafe",
                edits=[remove_attribute(index.attribute)] if index.attribute else [],
                index_change=IndexChange.remove(model.name, index.db_name),
            )
            yield ctx.finding(
                index.span,
                f"{index_label(index)} is redundant: {why}{where}",
                model=model.name,
                fields=index.fields,
                fix=fix,
                help=f"remove {index_label(index)}",
            )


RULE = Rule(
    id="redundant-index",
    severity="warning",
    fixable="unsafe",
    summary="An @@index equal to, or a leading prefix of, another index on the same model.",
    check=check,
    needs=("schema",),
    scope="model",
)
