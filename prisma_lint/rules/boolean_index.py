"""boolean-index: an index whose columns are all Boolean."""

from __future__ import annotations

from ..model.indexing import index_label, plain_indexes
from . import Rule, RuleContext


def check(ctx: RuleContext):
    for model, index in plain_indexes(ctx.schema):
        fields = [model.fields.get(c.field) for c in index.columns]
        if not fields or any(f is None or f.type != "Boolean" or f.list for f in fields):
            continue
        first = index.fields[0]
        yield ctx.finding(
            index.span,
            f"{index_label(index)} indexes only Boolean columns, which the planner rarely uses",
            model=model.name,
            fields=index.fields,
            help=help_for(ctx.schema, first),
        )


def help_for(schema, first: str) -> str:
    if schema.provider == "mysql":  # MySQL has no partial indexes
        return "put the flag after a selective column, or drop the index"
    return (
        f"index the rare rows only (`where: raw(\"{first}\")`, partialIndexes preview feature), "
        "or put the flag after a selective column"
    )


RULE = Rule(
    id="boolean-index",
    severity="warning",
    fixable="no",
    summary="An index whose columns are all Boolean.",
    check=check,
    needs=("schema",),
)
