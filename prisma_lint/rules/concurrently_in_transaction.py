"""concurrently-in-transaction: CONCURRENTLY where PostgreSQL runs it inside a transaction."""

from __future__ import annotations

from . import Rule, RuleContext


def check(ctx: RuleContext):
    for st in ctx.schema.sql_statements:
        if st.kind not in ("create-index", "drop-index") or not st.concurrently:
            continue
        verb = "CREATE INDEX" if st.kind == "create-index" else "DROP INDEX"
        if st.in_transaction:
            why = "it is inside BEGIN ... COMMIT"
        elif st.statements_in_file > 1:
            why = (
                f"the file has {st.statements_in_file} statements and Prisma runs a migration file as one "
                "transaction"
            )
        else:
            continue
        yield ctx.finding(
            st.span,
            f"{verb} CONCURRENTLY cannot run inside a transaction block, and {why}: the migration fails",
            model=st.table,
            fields=list(st.key_columns),
            help="put each CONCURRENTLY statement alone in its own migration (`prisma-lint migrate --concurrently`)",
        )


RULE = Rule(
    id="concurrently-in-transaction",
    severity="error",
    fixable="no",
    summary="CONCURRENTLY in a multi-statement migration file or inside BEGIN/COMMIT (PostgreSQL refuses it).",
    check=check,
    needs=("schema", "sql"),
)
