"""cursor-order-not-unique: cursor pagination whose orderBy is no total order."""

from __future__ import annotations

from . import Rule, RuleContext
from ._queries import accesses, advisor, call_count, evidence, plural, sites


def check(ctx: RuleContext):
    adv = advisor(ctx)
    for model, accs in accesses(ctx, adv):
        uniques = [set(i.fields) for i in model.indexes if i.is_unique and i.where is None]
        groups: dict[tuple, list] = {}
        for a in accs:
            p = a.pattern
            if not p.cursor or not p.order_by:
                continue
            fields = tuple(f for f, _ in p.order_by)
            if any(u <= set(fields) for u in uniques):
                continue
            groups.setdefault(fields, []).append(p)
        pk = model.primary_key
        tie = ", ".join(pk.fields) if pk else "a unique field"
        for key, patterns in groups.items():
            n = call_count(patterns)
            yield ctx.finding(
                model.name_span,
                f"{plural(n, 'cursor page', 'cursor pages')} of `{model.name}` ordered by "
                f"({', '.join(key)}), which is not unique: {sites(patterns)}; rows that tie on it "
                "are skipped or repeated between pages",
                model=model.name,
                fields=list(key),
                help=f"end the orderBy with a unique field, e.g. `{tie}`",
                evidence=evidence(patterns),
            )


RULE = Rule(
    id="cursor-order-not-unique",
    severity="warning",
    fixable="no",
    summary="Cursor pagination whose orderBy does not end in a unique field.",
    check=check,
    needs=("schema", "queries"),
)
