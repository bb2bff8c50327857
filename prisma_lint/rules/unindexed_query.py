"""unindexed-query: a query the app makes that no index serves."""

from __future__ import annotations

from . import Rule, RuleContext
from ._queries import MAX_ENUM_VALUES, TENANT, accesses, advisor, evidence, how_used, index_fix, plural, sites, unindexed


def check(ctx: RuleContext):
    adv = advisor(ctx)
    for model, accs in accesses(ctx, adv):
        for s in unindexed(adv, model, accs):
            fix, help_text = index_fix(ctx, model, s)
            n = len({(p.file, p.line, p.column) for p in s.patterns})
            yield ctx.finding(
                model.name_span,
                f"no index serves {plural(n, 'query', 'queries')} on `{model.name}` by ({how_used(s)}): "
                f"{sites(s.patterns)}; each one reads the whole table",
                model=model.name,
                fields=s.fields,
                fix=fix,
                help=help_text,
                evidence=evidence(s.patterns),
            )


RULE = Rule(
    id="unindexed-query",
    severity="warning",
    fixable="safe",
    summary="A query the app makes (a known `where`) that no index serves.",
    check=check,
    options=(MAX_ENUM_VALUES, TENANT),
    needs=("schema", "queries"),
)
