"""database-drift: indexes in the database that the schema and its migrations do not create,
and indexes the schema declares that the database lacks."""

from __future__ import annotations

from ..model.indexing import index_label
from . import Rule, RuleContext


def check(ctx: RuleContext):
    from ..frontends.db.match import field_names, matched_tables

    stats = ctx.stats
    assert stats is not None  # the engine runs this rule only with statistics
    migrated = {m.db_name: m for m in ctx.migrations.models.values()} if ctx.migrations is not None else {}
    for model, table in matched_tables(ctx.schema, stats):
        if table is None:
            if model.kind == "model":
                yield ctx.finding(
                    model.name_span,
                    f"model `{model.name}` has no table \"{model.schema or stats.default_schema}\".\"{model.db_name}\" in "
                    f"the database {stats.database!r}: its migrations were not applied there",
                    model=model.name,
                    help="run `prisma migrate deploy` against that database (or check the URL's `schema`)",
                )
            continue
        in_database = {i.name: i for i in table.indexes}
        known = {i.db_name for i in model.indexes}
        known |= {i.db_name for i in ctx.extra_indexes.get(model.name, ())}
        if model.db_name in migrated:
            known |= {i.db_name for i in migrated[model.db_name].indexes}
        for index in model.indexes:
            if index.db_name in in_database or index.span is None:
                continue
            yield ctx.finding(
                index.span,
                f"{index_label(index)} (\"{index.db_name}\") is not in the database {stats.database!r}: the "
                "migration that creates it was not applied, or the index was dropped by hand",
                model=model.name,
                fields=index.fields,
                help="run `prisma migrate deploy`; if it was dropped on purpose, remove it from the schema",
            )
        for name, found in in_database.items():
            if name in known or not found.valid:  # an invalid index is invalid-index's finding
                continue
            yield ctx.finding(
                model.name_span,
                f"index \"{name}\" on \"{table.name}\" is in the database but neither the schema nor its migrations "
                f"create it (made by hand?): {found.definition}",
                model=model.name,
                fields=field_names(model, found.columns),
                help="declare it in the schema (or in a migration, if Prisma cannot express it); otherwise the next "
                "`prisma migrate dev` reports drift and `prisma migrate reset` loses it",
            )


RULE = Rule(
    id="database-drift",
    severity="warning",
    fixable="no",
    summary="An index in the database that neither the schema nor its migrations create, or the reverse.",
    check=check,
    needs=("schema", "stats"),
)
