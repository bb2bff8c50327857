"""boolean-index: an index whose columns are all Boolean."""

from __future__ import annotations

from ..model.indexing import index_label, plain_indexes
from . import Rule, RuleContext


def check(ctx: RuleContext):
    for model, index in plain_indexes(ctx.schema):
        fields = [model.fields.get(c.field) for c in index.columns]
        if not fields or any(f is None or f.type != "Boolean" or f.list for f in fields):
            continue
        names = ", ".join(index.fields)
        first = index.fields[0]
        yield ctx.finding(
            index.span,
            f"{index_label(index)} indexes only Boolean columns ({names}): with two values each "
            "the planner prefers a sequential scan for the common value, so the index mostly costs writes",
            model=model.name,
            fields=index.fields,
            help=(
                f"index the rare rows only (a partial index: `where: raw(\"{first}\")` with the "
                "partialIndexes preview feature, or raw SQL in a migration), or put the boolean after a "
                "selective column"
            ),
        )


RULE = Rule(
    id="boolean-index",
    severity="warning",
    fixable="no",
    summary="An index whose columns are all Boolean.",
    check=check,
    needs=("schema",),
)
