"""composite-order: a composite index whose column order defeats it.

Without the application's queries, column order is a guess, so the rule reports only the plain
mistake (a low-cardinality or range column leading before a selective equality column), never
offers a safe fix, and stays silent wherever the order may well be deliberate (see ``silent_why``).
An expert review of its 10 findings on real schemas found 6 wrong before these silences.
"""

from __future__ import annotations

from typing import Optional

from ..findings import Fix, IndexChange
from ..fix.edits import reorder_index_fields
from ..model.indexing import (
    FOREIGN_KEY,
    LOW_CARDINALITY,
    NUMBER,
    RANGE,
    SELECTIVE,
    column_class,
    covering_index,
    foreign_key_fields,
    has_comment,
    index_label,
    plain_indexes,
    relations_from,
    serves_lookup_on,
)
from ..model.schema import Index
from . import Option, Rule, RuleContext
from .redundant_index import redundant_with

_RANK = {FOREIGN_KEY: 0, SELECTIVE: 1, NUMBER: 1, LOW_CARDINALITY: 2, RANGE: 3}
_WHY = {LOW_CARDINALITY: "low-cardinality", RANGE: "range/sort"}
_SELECTIVE = (FOREIGN_KEY, SELECTIVE)


def _classes(ctx: RuleContext, model, fields: list[str], fk: Optional[set[str]] = None) -> list[str]:
    if fk is None:
        fk = foreign_key_fields(ctx.schema, model)
    max_enum_values = ctx.options["max-enum-values"]
    range_types = frozenset(ctx.options["range-types"])
    return [
        column_class(ctx.schema, model, f, max_enum_values=max_enum_values, range_types=range_types, fk_fields=fk)
        for f in fields
    ]


def _judged_end(model, fields: list[str]) -> int:
    """Trailing primary-key columns are a tiebreaker (keyset pagination): not judged."""
    pk = set(model.primary_key.fields) if model.primary_key else set()
    end = len(fields)
    while end > 1 and fields[end - 1] in pk:
        end -= 1
    return end


def suggested_order(
    ctx: RuleContext, model, index: Index, fk: Optional[set[str]] = None
) -> Optional[tuple[list[str], list[str]]]:
    """(better order of Prisma field names, column classes) when a leading low-cardinality or
    range run hides a selective equality column; None when the order is fine or cannot be judged.
    ``fk``: the model's foreign key fields, when the caller has them."""
    fields = [c.field for c in index.columns]
    end = _judged_end(model, fields)
    classes = _classes(ctx, model, fields[:end], fk)
    distinct: list[float] = [0.0] * len(classes)
    if ctx.stats is not None:
        classes, distinct = _by_real_distinct(ctx, model, fields[:end], classes)
    if any(c not in _RANK for c in classes):
        return None  # a column that cannot be judged (Json, Float, a list, a large enum ...)
    lead = 0
    while lead < len(classes) and classes[lead] in (LOW_CARDINALITY, RANGE):
        lead += 1
    if not (0 < lead < len(classes)) or not any(c in _SELECTIVE for c in classes[lead:]):
        return None
    order = sorted(range(len(classes)), key=lambda k: (_RANK[classes[k]], -distinct[k], k))
    return [fields[k] for k in order] + fields[end:], classes


def _by_real_distinct(ctx: RuleContext, model, fields: list[str], classes: list[str]) -> tuple[list[str], list[float]]:
    """With database statistics: a column with at most `max-enum-values` distinct values is
    low-cardinality whatever its type (a String `status`), and columns of one class are ordered
    by their real number of distinct values, most first. Columns without statistics keep the
    class their type gives."""
    from ..frontends.db.match import field_column, model_table

    table = model_table(ctx.stats, model)
    if table is None or not table.analyzed or table.rows <= 0:
        return classes, [0.0] * len(classes)
    out, distinct = list(classes), []
    for k, name in enumerate(fields):
        column = field_column(table, model, name)
        n = column.distinct(table.rows) if column is not None else 0.0
        distinct.append(n)
        if column is not None and classes[k] in (SELECTIVE, NUMBER) and n <= ctx.options["max-enum-values"]:
            out[k] = LOW_CARDINALITY
    return out, distinct


def silent_why(ctx: RuleContext, model, index: Index, order: list[str], classes: list[str]) -> Optional[str]:
    """Why the order may be deliberate (the rule says nothing then), or None. (Any reason
    silences the rule: the cheap tests come first, reading the text around the index last; a
    100k-line schema: 2,703 calls, ~35% of the rule's time before.)"""
    if model.origin == "schema" and (index.map or index.name):  # (in SQL every index has a name)
        return "an explicit name: someone chose this index"
    others = [i for i in model.indexes if i is not index]
    kind = dict(zip(index.fields, classes))
    selective = [f for f in order if kind.get(f) in _SELECTIVE]
    if covering_index(others, selective) is not None:
        return "another index already serves lookups on the selective columns"
    if any(o.is_btree and o.where is None and o.fields[: len(order)] == order for o in others):
        return "the new order duplicates another index"
    if redundant_with(index, model.indexes) is not None or any(
        o.is_btree and o.where is None and [c.field for c in o.columns[: len(index.columns)]] == index.fields
        for o in others
    ):
        return "it duplicates or is covered by another index (redundant-index reports that)"
    if has_comment(index):
        return "a comment: someone chose this index"
    # the queue pattern, [isQueued, tenantId, queue, priority(sort: Desc), id]: the flag is bound
    # in every poll, then two or more equality columns, then a tail that serves ORDER BY
    if classes[0] == LOW_CARDINALITY:
        eq = 1
        while eq < len(classes) and classes[eq] != RANGE and index.columns[eq].sort is None:
            eq += 1
        if eq - 1 >= 2 and eq < len(index.columns):
            return "the queue pattern: a flag, equality columns, then an ordered tail"
    # columns after a range column that are not foreign keys look like covering columns
    for i, c in enumerate(classes):
        if c == RANGE and any(k not in (FOREIGN_KEY, RANGE) for k in classes[i + 1 :]):
            return "columns after a range column look like covering columns"
    return None


def check(ctx: RuleContext):
    schema = ctx.schema
    fk_model, fk = None, None  # the foreign key fields of the model of the last index
    for model, index in plain_indexes(schema, partial=True):
        if len(index.columns) < 2 or not index.is_btree:
            continue
        if model is not fk_model:
            fk_model, fk = model, foreign_key_fields(schema, model)
        result = suggested_order(ctx, model, index, fk)
        if result is None:
            continue
        order, classes = result
        proof = query_proof(ctx, model, index, order)
        if ctx.queries is not None and proof is None:
            continue  # the app's queries are known and none is hurt by this order
        if proof is None and silent_why(ctx, model, index, order, classes) is not None:
            continue  # without a query that proves it, the order may be deliberate
        first_bad = next(i for i, c in enumerate(classes) if c in (LOW_CARDINALITY, RANGE))
        culprit = index.columns[first_bad].field
        new_cols = ", ".join(order)
        covers = [
            r
            for r in relations_from(schema, model)
            if covering_index(model.indexes, r.fields) is None
            and serves_lookup_on(_reordered(index, order), r.fields)
        ]
        edit = reorder_index_fields(index, order)
        fix = None
        if edit is not None:
            # safe only with a query that proves it: else the old order may serve one we cannot see
            fix = Fix(
                title=f"Reorder to @@index([{new_cols}])",
                applicability="safe" if proof is not None and not index.map else "unsafe",
                edits=[edit],
                schema_line=f"@@index([{new_cols}])",
                index_change=IndexChange.replace(model.name, index.db_name, order),
            )
        extra = ""
        if covers:
            extra = " (the new order also covers the foreign key " + ", ".join(
                f"({', '.join(r.fields)})" for r in covers
            ) + ")"
        why = ""
        if proof is not None:
            from ._queries import call_label

            why = (
                f": `{call_label(proof)}` at {proof.file}:{proof.line} filters by "
                f"({', '.join(list(proof.equals) + list(proof.in_) + list(proof.range))}) and cannot use it"
            )
        yield ctx.finding(
            index.span,
            f"{index_label(index)} leads with the {_WHY[classes[first_bad]]} column `{culprit}`, "
            f"so lookups by its selective columns cannot use it{why}",
            evidence=_evidence(proof),
            model=model.name,
            fields=index.fields,
            fix=fix,
            help=f"if no query filters on `{culprit}` alone, order it [{new_cols}]{extra}",
        )


def query_proof(ctx: RuleContext, model, index: Index, order: list[str]):
    """With the app's queries read: a known query that the reordered index would serve (and
    sort) while neither this index nor any other does, the proof that the order is wrong."""
    if ctx.queries is None:
        return None
    from ._queries import accesses, advisor

    adv = advisor(ctx)
    better = _reordered(index, order)
    for m, accs in accesses(ctx, adv):
        if m is not model:
            continue
        for a in accs:
            if not adv.covers(model, better, a) or adv.covers(model, index, a):
                continue
            if not any(adv.covers(model, i, a) for i in adv.indexes(model) if i is not index):
                return a.pattern
    return None


def _evidence(pattern) -> list:
    if pattern is None:  # no app read: _queries (and model.serving) stay unimported
        return []
    from ._queries import evidence

    return evidence([pattern])


def _reordered(index: Index, order: list[str]) -> Index:
    by_field = {c.field: c for c in index.columns}
    return Index(
        model=index.model,
        kind=index.kind,
        columns=[by_field[f] for f in order],
        db_name=index.db_name,
        span=index.span,
        type=index.type,
        where=index.where,
    )


RULE = Rule(
    id="composite-order",
    severity="warning",
    fixable="safe",  # only with an app query that proves the order wrong; else unsafe
    summary="A composite index led by a low-cardinality or range column before a selective equality column.",
    check=check,
    options=(
        Option("max-enum-values", int, 5, "An enum with at most this many values is low-cardinality."),
        Option("range-types", list, ["DateTime"], "Prisma scalar types queried by range or used to sort."),
    ),
    needs=("schema",),
    scope="model",
)
