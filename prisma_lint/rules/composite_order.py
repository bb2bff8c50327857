"""composite-order: a composite index whose column order defeats it."""

from __future__ import annotations

from typing import Optional

from ..findings import Fix, IndexChange
from ..fix.edits import reorder_index_fields
from ..model.indexing import (
    FOREIGN_KEY,
    LOW_CARDINALITY,
    NUMBER,
    OTHER,
    RANGE,
    SELECTIVE,
    column_class,
    covering_index,
    foreign_key_fields,
    index_label,
    plain_indexes,
    relations_from,
    serves_lookup_on,
)
from ..model.schema import Index
from . import Option, Rule, RuleContext

_RANK = {FOREIGN_KEY: 0, SELECTIVE: 1, NUMBER: 1, LOW_CARDINALITY: 2, RANGE: 3}
_WHY = {LOW_CARDINALITY: "low-cardinality", RANGE: "range/sort"}


def suggested_order(ctx: RuleContext, model, index: Index) -> Optional[tuple[list[str], list[str]]]:
    """(better order of Prisma field names, column classes) when the order defeats the index;
    None when it is fine, or when a column cannot be judged (the rule stays silent)."""
    fk = foreign_key_fields(ctx.schema, model)
    fields = [c.field for c in index.columns]
    # trailing primary-key columns are a tiebreaker (keyset pagination): leave them out
    pk = set(model.primary_key.fields) if model.primary_key else set()
    end = len(fields)
    while end > 1 and fields[end - 1] in pk:
        end -= 1
    classes = [
        column_class(
            ctx.schema,
            model,
            f,
            max_enum_values=ctx.options["max-enum-values"],
            range_types=ctx.options["range-types"],
            fk_fields=fk,
        )
        for f in fields[:end]
    ]
    distinct: list[float] = [0.0] * len(classes)
    if ctx.stats is not None:
        classes, distinct = _by_real_distinct(ctx, model, fields[:end], classes)
    if OTHER in classes:
        return None
    selective = (FOREIGN_KEY, SELECTIVE)
    # a leading low-cardinality/range run followed by a selective column: lookups by that
    # column alone cannot use the index at all
    lead = 0
    while lead < len(classes) and classes[lead] in (LOW_CARDINALITY, RANGE):
        lead += 1
    leading_bad = 0 < lead < len(classes) and any(c in selective for c in classes[lead:])
    # a range column before a foreign key: the key (an equality filter) is no index bound
    # (a string after the range may be a covering or grouping column: not judged)
    range_bad = any(
        classes[i] == RANGE and classes[j] == FOREIGN_KEY
        for i in range(len(classes))
        for j in range(i + 1, len(classes))
    )
    if not (leading_bad or range_bad):
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


def check(ctx: RuleContext):
    schema = ctx.schema
    for model, index in plain_indexes(schema, partial=True):
        if len(index.columns) < 2 or not index.is_btree:
            continue
        result = suggested_order(ctx, model, index)
        if result is None:
            continue
        order, classes = result
        proof = query_proof(ctx, model, index, order)
        if ctx.queries is not None and proof is None:
            continue  # the app's queries are known and none is hurt by this order
        first_bad = next(i for i, c in enumerate(classes) if c in (LOW_CARDINALITY, RANGE))
        culprit = index.columns[first_bad].field
        new_cols = ", ".join(order)
        covers = [
            r
            for r in relations_from(schema, model)
            if covering_index(model.indexes, r.fields) is None
            and serves_lookup_on(_reordered(index, order), r.fields)
        ]
        extra = ""
        if covers:
            extra = "; the new order also covers the foreign key " + ", ".join(
                f"({', '.join(r.fields)})" for r in covers
            )
        edit = reorder_index_fields(index, order)
        fix = None
        if edit is not None:
            fix = Fix(
                title=f"Reorder to @@index([{new_cols}])",
                applicability="unsafe" if index.map else "safe",
                edits=[edit],
                schema_line=f"@@index([{new_cols}])",
                index_change=IndexChange.replace(model.name, index.db_name, order),
            )
        if proof is not None:
            from ._queries import call_label

            extra += (
                f"; `{call_label(proof)}` at {proof.file}:{proof.line} filters by "
                f"({', '.join(list(proof.equals) + list(proof.in_) + list(proof.range))}) and cannot use it"
            )
        yield ctx.finding(
            index.span,
            f"{index_label(index)} puts the {_WHY[classes[first_bad]]} column `{culprit}` before a "
            f"selective equality column: lookups by the selective columns cannot use the index's order"
            f"{extra}",
            evidence=_evidence(proof),
            model=model.name,
            fields=index.fields,
            fix=fix,
            help=f"order it [{new_cols}]: selective equality columns first, then low-cardinality ones, "
            "then range/sort columns",
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
    from ._queries import evidence

    return evidence([pattern]) if pattern is not None else []


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
    fixable="safe",
    summary="A composite index with a low-cardinality or range column before a selective equality column.",
    check=check,
    options=(
        Option("max-enum-values", int, 5, "An enum with at most this many values is low-cardinality."),
        Option("range-types", list, ["DateTime"], "Prisma scalar types queried by range or used to sort."),
    ),
    needs=("schema",),
)
