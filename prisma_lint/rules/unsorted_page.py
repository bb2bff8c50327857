"""unsorted-page: a findMany page (orderBy + take/cursor) no index returns in order."""

from __future__ import annotations

from ..model.serving import Suggestion
from . import Rule, RuleContext
from ._queries import MAX_ENUM_VALUES, TENANT, accesses, advisor, call_count, plural, suggestion_finding

PAGED_OPERATIONS = frozenset({"findMany"})


def check(ctx: RuleContext):
    adv = advisor(ctx)
    for model, accs in accesses(ctx, adv):
        wanted: list[Suggestion] = []
        for a in accs:
            p = a.pattern
            if p.operation not in PAGED_OPERATIONS or not a.ordered_page:
                continue
            if a.filters and adv.serving_index(p, model) is None:
                continue  # unindexed-query suggests an index that filters and sorts
            if p.in_ or a.joined or p.or_:
                # several runs of rows (`in`, a join, OR branches): no one index returns them
                # in order
                continue
            if not a.filters and not p.cursor:
                continue  # a table-wide `take` (admin lists): without statistics its size is unknown
            if sum(1 for f in set(a.eq) if not adv.low_card(model, f)) >= 2:
                continue  # two selective columns find few rows (a partner in a program): cheap to sort
            if any(adv.sorts(model, i, a) for i in adv.indexes(model)):
                continue
            # the serving index's equality prefix, then the sort columns: the other equality
            # columns filter the rows in order
            serving = adv.serving_index(p, model) if a.filters else None
            single = set(a.eq)
            if serving is not None and serving.is_btree:
                eq = []
                for c in serving.fields:
                    if c not in single:
                        break
                    eq.append(c)
            else:
                eq = sorted(single, key=lambda f: (adv.rank(model, f), a.eq.index(f)))
            order = [(f, d) for f, d in a.order if f not in eq]
            sort = {f: "Desc" for f, d in order if d == "desc"} if len({d for _, d in order}) > 1 else {}
            if order:
                wanted.append(Suggestion(model.name, eq + [f for f, _ in order], sort, [a]))
        for s in adv.merge(model, wanted):
            order_text = ", ".join(f"{f} {d}" for f, d in s.accesses[0].order if f in s.fields)
            pages = plural(call_count(s.patterns), "page", "pages")
            what = f"{pages} of `{model.name}` ordered by ({order_text}) that no index returns in order"
            yield suggestion_finding(ctx, model, s, what, "every page reads and sorts all the matching rows", tag="sort")


RULE = Rule(
    id="unsorted-page",
    severity="warning",
    fixable="safe",
    summary="A findMany with orderBy and take/cursor that no index returns in order.",
    check=check,
    options=(MAX_ENUM_VALUES, TENANT),
    needs=("schema", "queries"),
)
