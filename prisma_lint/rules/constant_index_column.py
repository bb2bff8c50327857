"""constant-index-column: a key column that the index's own WHERE fixes to one value."""

from __future__ import annotations

from . import Rule, RuleContext


def _message(index_name: str, col: str, how: str) -> str:
    return (
        f"index `{index_name}` has key column `{col}`, which its own predicate fixes to one value "
        f"({how}): every entry holds the same `{col}`, so the column only makes the index bigger"
    )


def check(ctx: RuleContext):
    schema = ctx.schema
    for st in schema.sql_statements:
        if st.kind != "create-index" or not st.where:
            continue
        from ..frontends.sql.expr import pinned_columns  # (only an index with a condition needs it)

        pinned = pinned_columns(st.where)
        for col in st.key_columns:
            if col in pinned:
                others = [c for c in st.key_columns if c != col]
                yield ctx.finding(
                    st.span,
                    _message(st.index, col, pinned[col]),
                    model=st.table,
                    fields=list(st.key_columns),
                    help=(f"index ({', '.join(others)}) with the same WHERE" if others else "index the column your queries filter or sort by, with the same WHERE"),
                )
    for model in schema.models.values():
        if model.origin != "schema":
            continue
        for index in model.indexes:
            if index.where is None:
                continue
            pinned = _schema_pinned(model, index)
            for c in index.columns:
                if c.db_name in pinned:
                    yield ctx.finding(
                        index.span,
                        _message(index.db_name, c.field, pinned[c.db_name]),
                        model=model.name,
                        fields=index.fields,
                        help="index a useful column with the same `where`",
                    )


def _schema_pinned(model, index) -> dict[str, str]:
    """Pinned database columns of a schema index's `where`: raw SQL, or the object form
    (`where: { active: true }`, each entry an equality)."""
    from ..frontends.prisma.syntax import Name, NumberLit, ObjectLit, StringLit
    from ..frontends.sql.expr import pinned_columns, predicate_json

    expr = index.attribute.arg("where") if index.attribute is not None else None
    if isinstance(expr, ObjectLit):
        out = {}
        for key, value in expr.entries:
            if isinstance(value, (Name, NumberLit, StringLit)):
                f = model.fields.get(key)
                shown = value.name if isinstance(value, Name) else getattr(value, "raw", None) or repr(value.value)
                out[f.db_name if f else key] = f"{key}: {shown}"
        return out
    return pinned_columns(predicate_json(index.where))


RULE = Rule(
    id="constant-index-column",
    severity="warning",
    fixable="no",
    summary="A key column that the index's own WHERE fixes to one value.",
    check=check,
    needs=("schema",),
)
