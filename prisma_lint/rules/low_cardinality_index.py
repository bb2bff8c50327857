"""low-cardinality-index: an index on enum (and Boolean) columns only."""

from __future__ import annotations

from ..model.indexing import index_label, is_low_cardinality, plain_indexes
from . import Option, Rule, RuleContext


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
        yield ctx.finding(
            index.span,
            f"{index_label(index)} indexes only low-cardinality columns ({detail}), which the planner rarely uses",
            model=model.name,
            fields=index.fields,
            help=f"lead with a selective column (a foreign key, then a date range){partial}",
        )


def _values(n) -> str:
    return f"{n} value" if n == 1 else f"{n} values"


RULE = Rule(
    id="low-cardinality-index",
    severity="warning",
    fixable="no",
    summary="An index on low-cardinality columns only (small enums, Booleans), at least one an enum.",
    check=check,
    options=(Option("max-enum-values", int, 5, "An enum with at most this many values is low-cardinality."),),
    needs=("schema",),
)
