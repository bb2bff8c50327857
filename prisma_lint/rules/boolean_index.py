"""boolean-index: an index whose columns are all Boolean."""

from __future__ import annotations

from typing import Optional

from ..model.indexing import index_label, plain_indexes
from . import Rule, RuleContext
from .table_stats import MIN_ROWS, spread


def check(ctx: RuleContext):
    for model, index in plain_indexes(ctx.schema):
        fields = [model.fields.get(c.field) for c in index.columns]
        if not fields or any(f is None or f.type != "Boolean" or f.list for f in fields):
            continue
        names = ", ".join(index.fields)
        first = index.fields[0]
        partial_help = (
            f"index the rare rows only (a partial index: `where: raw(\"{first}\")` with the "
            "partialIndexes preview feature, or raw SQL in a migration)"
        )
        message = (
            f"{index_label(index)} indexes only Boolean columns ({names}): with two values each "
            "the planner prefers a sequential scan for the common value, so the index mostly costs writes"
        )
        help_text = partial_help + ", or put the boolean after a selective column"
        if ctx.stats is not None:
            judged = _by_distribution(ctx, model, index, names, partial_help)
            if judged is None:
                continue  # a small table: an index on it costs nothing worth a finding
            message, help_text = judged if judged[0] else (message + judged[1], help_text)
        yield ctx.finding(index.span, message, model=model.name, fields=index.fields, help=help_text)


def _by_distribution(ctx: RuleContext, model, index, names: str, partial_help: str) -> Optional[tuple[str, str]]:
    """(message, help) from the real distribution; ("", size note) without column statistics;
    None when the table is below `min-rows`."""
    s = spread(ctx, model, index.fields)
    if s is None or s.rarest is None:
        return None if s is None else ("", s.where)
    if s.rare:
        return (
            f"{index_label(index)} indexes only Boolean columns ({names}), and the rarest key is in "
            f"{s.percent(s.rarest)} of the rows (the commonest in {s.percent(s.commonest)}){s.where}: a partial "
            "index on the rare rows serves the same lookups at a fraction of the size and write cost",
            partial_help,
        )
    return (
        f"{index_label(index)} indexes only Boolean columns ({names}), and every key is in at least "
        f"{s.percent(s.rarest)} of the rows{s.where}: a lookup by any key reads a large part of the table anyway, "
        "so the index saves little and costs every write",
        "drop it, or put the boolean after a selective column",
    )


RULE = Rule(
    id="boolean-index",
    severity="warning",
    fixable="no",
    summary="An index whose columns are all Boolean.",
    check=check,
    options=(MIN_ROWS,),
    needs=("schema",),
)
