"""non-immutable-index-expression: NOW(), CURRENT_DATE, random() ... in an index predicate or
expression. PostgreSQL refuses to create such an index, so the migration fails."""

from __future__ import annotations

from ..source import Span
from ..sqlexpr import non_immutable_calls, predicate_json
from . import Rule, RuleContext

_WHY = (
    "PostgreSQL refuses it (\"functions in index predicate must be marked IMMUTABLE\"): an index "
    "must give the same answer for a row forever, so the migration fails"
)


def _at(span: Span, byte_location) -> Span:
    """The span of the call inside a statement (locations are byte offsets in the statement)."""
    if byte_location is None or byte_location < 0:
        return span
    body = span.text
    data = body.encode("utf-8")
    offset = len(data[:byte_location].decode("utf-8", errors="ignore")) if not body.isascii() else byte_location
    if offset >= len(body):
        return span
    end = offset
    while end < len(body) and (body[end].isalnum() or body[end] in "_()"):
        end += 1
    return Span(span.file, span.start + offset, span.start + max(end, offset + 1))


def _column_types(schema, table):
    """A column's SQL type by name, for the columns the migrations define."""
    model = schema.models.get(table) if table else None

    def column_type(name: str):
        f = model.fields.get(name) if model is not None else None
        if f is None:
            return None
        if f.native_type is not None and f.native_type.name == "Timestamptz":
            return "timestamptz"
        return f.type

    return column_type


def check(ctx: RuleContext):
    schema = ctx.schema
    for st in schema.sql_statements:
        if st.kind != "create-index":
            continue
        column_type = _column_types(schema, st.table)
        for where_from, node in [("predicate", st.where)] + [("expression", e) for e in st.expressions]:
            for what, loc in non_immutable_calls(node, column_type):
                yield ctx.finding(
                    _at(st.span, loc),
                    f"index `{st.index}` uses {what} in its {where_from}: {_WHY}",
                    model=st.table,
                    fields=list(st.key_columns),
                    help="compare with a constant written into the migration, or drop the condition "
                    "(and filter by time in the query); for rolling windows use a plain index on the column",
                )
    for model in schema.models.values():
        if model.origin != "schema":
            continue
        for index in model.indexes:
            if index.where is None:
                continue
            types = {f.db_name: ("timestamptz" if f.native_type and f.native_type.name == "Timestamptz" else f.type) for f in model.fields.values()}
            for what, _ in non_immutable_calls(predicate_json(index.where), types.get):
                yield ctx.finding(
                    index.span,
                    f"the partial index {index.db_name!r} uses {what} in `where`: {_WHY}",
                    model=model.name,
                    fields=index.fields,
                    help="use a constant in the predicate, or no predicate",
                )


RULE = Rule(
    id="non-immutable-index-expression",
    severity="error",
    fixable="no",
    summary="NOW(), CURRENT_DATE, random() ... in an index predicate or expression (PostgreSQL refuses it).",
    check=check,
    applies_to="both",
)
