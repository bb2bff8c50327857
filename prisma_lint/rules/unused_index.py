"""unused-index: an index no query has used since the statistics were reset."""

from __future__ import annotations

from . import Option, Rule, RuleContext


def check(ctx: RuleContext):
    from ..frontends.db.match import database_indexes, field_names, human_bytes, table_size

    stats = ctx.stats
    assert stats is not None  # the engine runs this rule only with statistics
    age = stats.stats_age_days()
    if age is None or age < ctx.options["min-stats-age-days"]:
        return  # counters this young say nothing about monthly jobs or rare pages
    for model, table, index, span in database_indexes(ctx.schema, stats):
        if index.scans != 0 or not index.valid or index.unique or index.primary or index.constraint:
            continue  # uniqueness is enforced on every write even when no query reads the index
        if _only_index_of_foreign_key(ctx, model, table, index):
            continue  # deletes of the parent row need it, and they do not show as scans here
        yield ctx.finding(
            span,
            f"index \"{index.name}\" on \"{table.name}\" has not been used by any query since the statistics "
            f"were reset {_days(age)} ago (idx_scan = 0); it takes {human_bytes(index.size_bytes)} and every write "
            f"to the table ({table_size(table)}) updates it",
            model=model.name,
            fields=field_names(model, index.columns),
            help="drop it if no rare job (a monthly report, a standby's queries) needs it: idx_scan counts this "
            "server's scans only",
        )


def _days(age: float) -> str:
    return f"{age:.0f} day{'s' if round(age) != 1 else ''}" if age >= 1 else f"{age * 24:.0f} hours"


def _serves(index, columns: list[str]) -> bool:
    keys = index.columns[: len(columns)]
    return index.valid and index.method == "btree" and index.predicate is None and set(keys) == set(columns)


def _only_index_of_foreign_key(ctx: RuleContext, model, table, index) -> bool:
    """Whether ``index`` is the one index leading with a foreign key's columns (a database
    constraint, or a relation Prisma emulates with relationMode = "prisma")."""
    keys = [fk.columns for fk in table.foreign_keys]
    for r in ctx.schema.relations:
        if r.model == model.name and r.kind != "m-n" and r.fields:
            keys.append([model.fields[f].db_name if f in model.fields else f for f in r.fields])
    for columns in keys:
        if _serves(index, columns) and not any(_serves(other, columns) for other in table.indexes if other is not index):
            return True
    return False


RULE = Rule(
    id="unused-index",
    severity="warning",
    fixable="no",
    summary="An index no query has used (idx_scan = 0) since the statistics were reset.",
    check=check,
    options=(
        Option(
            "min-stats-age-days",
            int,
            7,
            "Report only when the usage counters have been counting for at least this many days.",
        ),
    ),
    needs=("schema", "stats"),
)
