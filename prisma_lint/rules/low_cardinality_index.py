"""low-cardinality-index: an index on enum (and Boolean) columns only."""

from __future__ import annotations

from typing import Optional

from ..model.indexing import index_label, is_low_cardinality, plain_indexes
from . import Option, Rule, RuleContext
from .table_stats import MIN_ROWS, spread


def check(ctx: RuleContext):
    schema = ctx.schema
    max_values = ctx.options["max-enum-values"]
    for model, index in plain_indexes(schema):
        found = [model.fields.get(c.field) for c in index.columns]
        fields = [f for f in found if f is not None]
        if len(fields) < len(found) or not all(is_low_cardinality(schema, f, max_values) for f in fields):
            continue
        if not any(f.kind == "enum" for f in fields):
            continue  # Boolean only: boolean-index reports it
        detail = ", ".join(
            f"{f.name}: {_values(schema.enum_size(f.type))}" if f.kind == "enum" else f"{f.name}: Boolean"
            for f in fields
        )
        partial = "" if schema.provider == "mysql" else ", or make it a partial index on the rare value"
        message = f"{index_label(index)} indexes only low-cardinality columns ({detail}), which the planner rarely uses"
        if ctx.stats is not None:
            judged = _by_distribution(ctx, model, index, detail)
            if judged is None:
                continue  # a small table: an index on it costs nothing worth a finding
            message = judged[0] or message + judged[1]
        yield ctx.finding(
            index.span,
            message,
            model=model.name,
            fields=index.fields,
            help=f"lead with a selective column (a foreign key, then a date range){partial}",
        )


def _values(n) -> str:
    return f"{n} value" if n == 1 else f"{n} values"


def _by_distribution(ctx: RuleContext, model, index, detail: str) -> Optional[tuple[str, str]]:
    """(message from the real distribution, or "" without column statistics; the size note);
    None when the table is below `min-rows`."""
    s = spread(ctx, model, index.fields)
    if s is None or s.rarest is None:
        return None if s is None else ("", s.where)
    if s.rare:
        return (
            f"{index_label(index)} indexes only low-cardinality columns ({detail}); the rarest key is in "
            f"{s.percent(s.rarest)} of the rows and the commonest in {s.percent(s.commonest)}{s.where}: only the "
            "rare keys are worth an index, so a partial index on them serves the same lookups at a fraction of the size",
            s.where,
        )
    return (
        f"{index_label(index)} indexes only low-cardinality columns ({detail}); every key is in at least "
        f"{s.percent(s.rarest)} of the rows{s.where}: a lookup by any key reads a large part of the table anyway",
        s.where,
    )


RULE = Rule(
    id="low-cardinality-index",
    severity="warning",
    fixable="no",
    summary="An index on low-cardinality columns only (small enums, Booleans), at least one an enum.",
    check=check,
    options=(Option("max-enum-values", int, 5, "An enum with at most this many values is low-cardinality."), MIN_ROWS),
    needs=("schema",),
    scope="model",
)
