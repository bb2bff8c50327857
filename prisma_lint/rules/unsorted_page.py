"""unsorted-page: a findMany page (orderBy + take/cursor) no index returns in order.

An index in sort order pays when the set one page is cut from is large. The schema and the app
show when it is not, and the rule stays silent there (a hand review of the nine apps of issue
#13 found these three kinds of noise among 9 findings; rules/unsorted-page.md has the reasoning):

* the index that serves the query bounds a range on another column (`status = 'pending' AND
  attempts < 5 ORDER BY createdAt`): one B-tree cannot both bound that range and return the
  order, and which plan is cheaper depends on how many rows the range drops;
* the set is one people name by hand: a unique over the equality columns and a `name-columns`
  column (`@@unique([workspaceId, name])`);
* the app itself lists the whole set in that order elsewhere (a findMany, or an include, with
  no take, the same or fewer filters and the same order): the set is small enough to sort whole.

With database statistics the numbers decide instead of the last two: tables below `min-rows`
are left out as in the other index rules, and so is a page whose largest set (the commonest
combination of its equality values, from the column statistics) holds fewer than `min-rows` rows.
"""

from __future__ import annotations

from typing import Optional

from ..model.schema import Index, Model
from ..model.serving import Access, Advisor, Suggestion
from . import Option, Rule, RuleContext
from ._queries import MAX_ENUM_VALUES, TENANT, accesses, advisor, call_count, plural, suggestion_finding
from .table_stats import MIN_ROWS, size_note, small_table

PAGED_OPERATIONS = frozenset({"findMany"})

NAME_COLUMNS = Option(
    "name-columns",
    list,
    ["name", "label"],
    "Columns that hold a name people give each row: a unique over a page's equality columns and one "
    "of these marks a set built by hand (tags, folders, sources), small enough to sort.",
)

WHOLE_LISTS = Option(
    "whole-lists",
    bool,
    True,
    "Stay silent on a page whose whole set the app reads elsewhere in the same order (a findMany or "
    "include with no take): the app's design keeps that set small.",
)


def check(ctx: RuleContext):
    adv = advisor(ctx)
    names = frozenset(ctx.options.get("name-columns", NAME_COLUMNS.default))
    whole = ctx.options.get("whole-lists", WHOLE_LISTS.default)
    nested: dict[str, list] = {}
    for n in getattr(ctx.queries, "nested", ()):
        nested.setdefault(n.model, []).append(n)
    for model, accs in accesses(ctx, adv):
        if small_table(ctx, model):
            continue  # statistics say the table is small: every page sorts a few pages' worth
        lists = _whole_lists(adv, model, accs, nested.get(model.name, []))
        wanted: list[Suggestion] = []
        for a in accs:
            p = a.pattern
            if p.operation not in PAGED_OPERATIONS or not a.ordered_page:
                continue
            serving = adv.serving_index(p, model) if a.filters else None
            if a.filters and serving is None:
                continue  # unindexed-query suggests an index that filters and sorts
            if p.in_ or a.joined or p.or_:
                # several runs of rows (`in`, a join, OR branches): no one index returns them
                # in order
                continue
            if not a.filters and not p.cursor:
                continue  # a table-wide `take` (admin lists): without statistics its size is unknown
            if a.insensitive_lookup:
                continue  # a case-insensitive key narrows the rows; no column here shows how far
            if sum(1 for f in set(a.eq) if not adv.low_card(model, f)) >= 2:
                continue  # two selective columns find few rows (a partner in a program): cheap to sort
            if any(adv.sorts(model, i, a) for i in adv.indexes(model)):
                continue
            if serving is not None and _bounds_other_range(serving, a):
                continue
            largest = _largest_set(ctx, model, a)
            if largest is not None:
                if largest < ctx.options.get("min-rows", MIN_ROWS.default):
                    continue  # statistics: no page is cut from a set big enough to need the index
            elif _named_set(model, a, names) or (whole and any(_lists_whole(w, a) for w in lists)):
                continue
            # the serving index's equality prefix, then the sort columns: the other equality
            # columns filter the rows in order
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
            cost = "every page reads and sorts all the matching rows" + size_note(ctx, model)
            yield suggestion_finding(ctx, model, s, what, cost, tag="sort")


def _largest_set(ctx: RuleContext, model: Model, a: Access) -> Optional[float]:
    """From the database's statistics: how many rows the commonest combination of the page's
    equality values holds (the largest set a page is cut from); None without column
    statistics (or with no equality column)."""
    if ctx.stats is None or not a.eq:
        return None
    from ..frontends.db.match import key_shares, model_table

    shares = key_shares(ctx, model, list(a.eq))
    table = model_table(ctx.stats, model)
    return None if shares is None or table is None else shares[1] * table.rows


def _bounds_other_range(serving: Index, a: Access) -> bool:
    """Whether the index serving the query bounds a range on a column that is not the first sort
    column (its equality prefix, then that range column). An index in sort order would give
    the bound up: it reads the set in order and drops the rows outside the range as it goes.
    Which is cheaper depends on how many rows the range drops, which statistics know and the
    schema does not."""
    if not serving.is_btree:
        return False
    eq = set(a.eq)
    cols = serving.fields
    k = 0
    while k < len(cols) and cols[k] in eq:
        k += 1
    return k < len(cols) and cols[k] in a.range and cols[k] != a.order[0][0]


def _named_set(model: Model, a: Access, names: frozenset[str]) -> bool:
    """Whether the rows the page is cut from each carry a name unique among them: a unique over
    (some of) the equality columns and a name column (`@@unique([workspaceId, name])`). People
    give those names one row at a time, to pick rows by them: sources, tags, folders,
    environments run to tens or hundreds per parent, which a sort handles in well under a
    millisecond."""
    eq = set(a.eq)
    for index in model.indexes:
        if not index.is_unique or index.where is not None:
            continue
        cols = set(index.fields)
        named = cols & names
        if named and all(model.fields[f].type == "String" for f in named if f in model.fields) and cols - named <= eq:
            return True
    return False


def _whole_lists(adv: Advisor, model: Model, accs: list[Access], nested: list) -> list[Access]:
    """The model's static reads that return a whole ordered set: a findMany (or a list relation
    in an include/select, ``nested``) with orderBy and no take or cursor."""
    out = []
    for w in [*accs, *(adv.access(p, model) for p in nested if p.static)]:
        if w is None:
            continue
        p = w.pattern
        if p.operation == "findMany" and w.order and not (p.take or p.cursor or p.or_):
            out.append(w)
    return out


def _lists_whole(w: Access, a: Access) -> bool:
    """Whether ``w`` reads every row the page ``a`` is cut from, in the page's order: it binds
    only columns the page binds by equality (`in` and joins read whole sets of several
    parents), filters by nothing else the page does not, and sorts by the page's sort columns
    first. The app then reads and sorts that set whole, so a page of it costs no more than that
    read does, and the set is one the app's design keeps small."""
    if w is a or w.range or not set(w.eq) <= set(a.eq):
        return False
    if not set(w.pattern.other) <= set(a.pattern.other):
        return False
    wanted = [f for f, _ in a.order if f not in a.eq]
    return [f for f, _ in w.order[: len(wanted)]] == wanted


RULE = Rule(
    id="unsorted-page",
    severity="warning",
    fixable="safe",
    summary="A findMany with orderBy and take/cursor that no index returns in order.",
    check=check,
    options=(MAX_ENUM_VALUES, TENANT, NAME_COLUMNS, WHOLE_LISTS, MIN_ROWS),
    needs=("schema", "queries"),
)
