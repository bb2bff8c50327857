"""create-index-non-concurrently: CREATE INDEX without CONCURRENTLY on a table that exists."""

from __future__ import annotations

from . import Rule, RuleContext


def check(ctx: RuleContext):
    for st in ctx.schema.sql_statements:
        if st.kind != "create-index" or st.concurrently or st.table_created_here:
            continue
        yield ctx.finding(
            st.span,
            f"CREATE INDEX `{st.index}` on existing table `{st.table}` without CONCURRENTLY blocks its writes until built",
            model=st.table,
            fields=list(st.key_columns),
            help="CREATE INDEX CONCURRENTLY, alone in its migration (`prisma-lint migrate --concurrently` writes that)",
        )


RULE = Rule(
    id="create-index-non-concurrently",
    severity="warning",
    fixable="no",
    summary="CREATE INDEX without CONCURRENTLY on a table that existed before the migration.",
    check=check,
    needs=("schema", "sql"),
)
