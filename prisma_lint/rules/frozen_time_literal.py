"""frozen-time-literal: ``'now'``, ``'today'``, ``'tomorrow'`` or ``'yesterday'`` in an index
predicate or expression. PostgreSQL accepts it, and turns it into the fixed moment the
migration ran: the index never moves with time."""

from __future__ import annotations

from ..model.indexing import index_conditions
from . import Rule, RuleContext

_WHY = (
    "PostgreSQL replaces it with the time the migration ran, so the index stays frozen at that "
    "moment instead of following the clock"
)
_HELP = (
    "index the column and compare it with now() in the query; if a fixed cutoff is meant, write "
    "it as a date (`'2025-01-01'`), so the index says what it holds"
)


def check(ctx: RuleContext):
    for cond in index_conditions(ctx.schema):
        from ..frontends.sql.expr import frozen_time_literals  # (only an index with a condition needs it)

        for what, loc in frozen_time_literals(cond.node, cond.column_type):
            yield ctx.finding(
                cond.span_at(loc),
                f"{cond.description} has {what} in its {cond.part}: {_WHY}",
                model=cond.model,
                fields=cond.fields,
                help=_HELP,
            )


RULE = Rule(
    id="frozen-time-literal",
    severity="warning",
    fixable="no",
    summary="'now', 'today', 'tomorrow' or 'yesterday' in an index predicate or expression (frozen when the index is built).",
    check=check,
    needs=("schema",),
)
