"""redundant-index: an @@index that another index on the model already provides."""

from __future__ import annotations

from ..findings import Fix, IndexChange
from ..fix.edits import remove_attribute
from ..model.indexing import index_label
from ..model.schema import Index
from . import Rule, RuleContext


def _same_kind(a: Index, b: Index) -> bool:
    if a.method != b.method:
        return False
    if a.where == b.where:
        return True
    from ..frontends.sql.expr import canonical_predicate

    return a.where is not None and b.where is not None and canonical_predicate(a.where) == canonical_predicate(b.where)


def redundant_with(index: Index, others: list[Index]) -> Index | None:
    """The index that makes ``index`` redundant, if any: one whose leading columns equal all of
    its columns (same sort, length, ops), with the same method and the same predicate."""
    if index.kind != "index" or index.synthetic:
        return None
    keys = [c.key() for c in index.columns]
    n = len(keys)
    for other in others:
        if other is index or other.kind == "fulltext" or not _same_kind(index, other):
            continue
        other_keys = [c.key() for c in other.columns]
        if len(other_keys) < n or other_keys[:n] != keys:
            continue
        if len(other_keys) > n and not (other.is_btree or other.type == "Gin"):
            continue  # a leading prefix serves lookups only in a B-tree (or GIN)
        if len(other_keys) == n and other.kind == "index" and not other.synthetic:
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
                why = f"the index \"{other.db_name}\" of the migrations already covers its columns"
            elif len(other.columns) == len(index.columns):
                why = (
                    f"the unique constraint {index_label(other)} already has an index on the same columns"
                    if other.is_unique
                    else f"it duplicates {index_label(other)}"
                )
            else:
                why = f"{index_label(other)} starts with the same columns and serves the same lookups"
            where = f" (line {other.span.line})" if other.span.file is index.span.file else f" ({other.file}:{other.span.line})"
            fix = Fix(
                title=f"Remove the redundant {index_label(index)}",
                applicability="unsafe",
                edits=[remove_attribute(index.attribute)] if index.attribute else [],
                index_change=IndexChange.remove(model.name, index.db_name),
            )
            yield ctx.finding(
                index.span,
                f"{index_label(index)} is redundant: {why}{where}; it costs every write and gains no query",
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
)
