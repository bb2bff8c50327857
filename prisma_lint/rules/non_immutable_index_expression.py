"""non-immutable-index-expression: NOW(), CURRENT_DATE, random() ... in an index predicate or
expression. PostgreSQL refuses to create such an index, so the migration fails."""

from __future__ import annotations

from ..model.indexing import index_conditions
from . import Rule, RuleContext

_WHY = (
    "PostgreSQL refuses it (\"functions in index predicate must be marked IMMUTABLE\"): an index "
    "must give the same answer for a row forever, so the migration fails"
)


def check(ctx: RuleContext):
    for cond in index_conditions(ctx.schema):
        from ..frontends.sql.expr import non_immutable_calls  # (only an index with a condition needs it)

        for what, loc in non_immutable_calls(cond.node, cond.column_type):
            yield ctx.finding(
                cond.span_at(loc),
                f"{cond.description} uses {what} in its {cond.part}: {_WHY}",
                model=cond.model,
                fields=cond.fields,
                help="compare with a constant (a date written out), or drop the condition "
                "(and filter by time in the query); for rolling windows use a plain index on the column",
            )


RULE = Rule(
    id="non-immutable-index-expression",
    severity="error",
    fixable="no",
    summary="NOW(), CURRENT_DATE, random() ... in an index predicate or expression (PostgreSQL refuses it).",
    check=check,
    needs=("schema",),
)
