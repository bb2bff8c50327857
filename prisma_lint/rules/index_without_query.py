"""index-without-query: an @@index no query of the app uses (off by default)."""

from __future__ import annotations

from ..model.indexing import index_label, plain_indexes, relations_from, serves_lookup_on
from . import Rule, RuleContext
from ._queries import advisor, plural


def check(ctx: RuleContext):
    q = ctx.queries
    if q is None or not q.patterns:
        return
    adv = advisor(ctx)
    raw = {t.lower() for t in q.raw_sql_tables}
    for model, index in plain_indexes(ctx.schema, partial=True):
        patterns = q.for_model(model.name)
        # only where the app is fully known: every call site static, no raw SQL on the table
        if not patterns or any(not p.static for p in patterns):
            continue
        if model.db_name.lower() in raw or model.name.lower() in raw:
            continue
        # an index on a foreign key serves the key's checks and cascades, not only queries
        if any(serves_lookup_on(index, r.fields) for r in relations_from(ctx.schema, model)):
            continue
        lead = index.fields[0]
        used = False
        # relation reads nested in include/select read this model too (by their foreign key)
        nested = [p for p in getattr(q, "nested", ()) if p.model == model.name]
        for p in patterns + nested:
            acc = adv.access(p, model)
            named = set(p.equals) | set(p.in_) | set(p.range) | {o.split(":")[0] for o in p.other}
            if acc is not None and (adv.serves(model, index, acc) or adv.sorts(model, index, acc)):
                used = True
            elif lead in named or (p.order_by and p.order_by[0][0] == lead):
                used = True
            if used:
                break
        if used:
            continue
        yield ctx.finding(
            index.span,
            f"{index_label(index)} serves none of the {plural(len(patterns), 'query', 'queries')} the app makes "
            f"on `{model.name}`: it only costs writes and space",
            model=model.name,
            fields=index.fields,
            help="drop it if nothing else (reports, raw SQL in other services) reads by it",
        )


RULE = Rule(
    id="index-without-query",
    severity="info",
    fixable="no",
    summary="An @@index that no known query of the app uses.",
    check=check,
    needs=("schema", "queries"),
    default_enabled=False,
)
