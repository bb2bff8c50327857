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
        first = index.fields[0]
        message = f"{index_label(index)} indexes only Boolean columns, which the planner rarely uses"
        help_text = help_for(ctx.schema, first)
        if ctx.stats is not None:
            names = ", ".join(index.fields)
            judged = _by_distribution(ctx, model, index, names, help_text)
            if judged is None:
                continue  # a small table: an index on it costs nothing worth a finding
            message, help_text = judged if judged[0] else (message + judged[1], help_text)
        yield ctx.finding(index.span, message, model=model.name, fields=index.fields, help=help_text)


def help_for(schema, first: str) -> str:
    if schema.provider == "mysql":  # MySQL has no partial indexes
        return "put the flag after a selective column, or drop the index"
    return (
        f"index the rare rows only (`where: raw(\"{first}\")`, partialIndexes preview feature), "
        "or put the flag after a selective column"
    )


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
    scope="model",
)
