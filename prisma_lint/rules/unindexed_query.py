"""unindexed-query: a query the app makes that no index serves."""

from __future__ import annotations

from . import Rule, RuleContext
from ._queries import (
    MAX_ENUM_VALUES,
    TENANT,
    accesses,
    advisor,
    call_count,
    how_used,
    plural,
    suggestion_finding,
    unindexed,
)


def check(ctx: RuleContext):
    adv = advisor(ctx)
    for model, accs in accesses(ctx, adv):
        for s in unindexed(adv, model, accs):
            queries = plural(call_count(s.patterns), "query", "queries")
            what = f"no index serves {queries} on `{model.name}` by ({how_used(s)})"
            yield suggestion_finding(ctx, model, s, what, "each one reads the whole table")

RULE = Rule(
    id="unindexed-query",
    severity="warning",
    fixable="safe",
    summary="A query the app makes (a known `where`) that no index serves.",
    check=check,
    options=(MAX_ENUM_VALUES, TENANT),
    needs=("schema", "queries"),
)
