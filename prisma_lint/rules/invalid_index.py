"""invalid-index: an index the database marks invalid (a failed CREATE INDEX CONCURRENTLY)."""

from __future__ import annotations

from . import Rule, RuleContext


def check(ctx: RuleContext):
    from ..frontends.db.match import database_indexes, field_names, human_bytes

    for model, table, index, span in database_indexes(ctx.schema, ctx.stats):
        if index.valid:
            continue
        rebuild = index.definition.replace(" INDEX ", " INDEX CONCURRENTLY ", 1)
        unique = (
            " (a unique index fails again while the table holds duplicates: remove them first)" if index.unique else ""
        )
        yield ctx.finding(
            span,
            f"index \"{index.name}\" on \"{table.name}\" is invalid ({human_bytes(index.size_bytes)}): a CREATE INDEX "
            "CONCURRENTLY failed or was cancelled, so every write still updates it while no query can use it"
            + (" and it enforces no uniqueness" if index.unique else ""),
            model=model.name,
            fields=field_names(model, index.columns),
            help=f"drop it and build it again: DROP INDEX CONCURRENTLY \"{table.schema}\".\"{index.name}\"; "
            f"{rebuild}{unique}",
        )


RULE = Rule(
    id="invalid-index",
    severity="error",
    fixable="no",
    summary="An index the database marks invalid: a CREATE INDEX CONCURRENTLY that failed.",
    check=check,
    needs=("schema", "stats"),
)
