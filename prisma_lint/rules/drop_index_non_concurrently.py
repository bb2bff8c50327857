"""drop-index-non-concurrently: DROP INDEX without CONCURRENTLY on a table that exists."""

from __future__ import annotations

from . import Rule, RuleContext


def check(ctx: RuleContext):
    for st in ctx.schema.sql_statements:
        if st.kind != "drop-index" or st.concurrently or st.table_created_here:
            continue
        yield ctx.finding(
            st.span,
            f"DROP INDEX `{st.index}` without CONCURRENTLY locks "
            + (f"`{st.table}`" if st.table else "its table")
            + " against reads and writes",
            model=st.table,
            help="DROP INDEX CONCURRENTLY, alone in its migration",
        )


RULE = Rule(
    id="drop-index-non-concurrently",
    severity="warning",
    fixable="no",
    summary="DROP INDEX without CONCURRENTLY on a table that existed before the migration.",
    check=check,
    needs=("schema", "sql"),
)
