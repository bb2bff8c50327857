"""schema-drift: the schema's indexes and the migrations' final state disagree."""

from __future__ import annotations

from ..model.indexing import index_label
from ..frontends.sql.expr import canonical_predicate
from . import Rule, RuleContext


def check(ctx: RuleContext):
    migrations = ctx.migrations
    assert migrations is not None  # the engine runs this rule only with the migrations
    tables = {m.db_name: m for m in migrations.models.values()}
    for model in ctx.schema.models.values():
        if model.kind != "model" or model.ignored:
            continue
        table = tables.get(model.db_name)
        if table is None:
            yield ctx.finding(
                model.name_span,
                f"model `{model.name}` has no table \"{model.db_name}\" in the migrations: the migrations "
                "are behind the schema (run `prisma migrate dev`)",
                model=model.name,
            )
            continue
        in_sql = {i.db_name: i for i in table.indexes}
        in_schema = {i.db_name: i for i in model.indexes}
        for name, index in in_schema.items():
            other = in_sql.get(name)
            ours = (index.kind, tuple(c.db_name for c in index.columns), index.type, canonical_predicate(index.where))
            if other is None:
                yield ctx.finding(
                    index.span,
                    f"{index_label(index)} (\"{name}\") is not in the migrations: the database does not have it "
                    "(run `prisma migrate dev`)",
                    model=model.name,
                    fields=index.fields,
                )
            elif index.kind != "id" and ours != (
                other.kind,
                tuple(c.db_name for c in other.columns),
                other.type,
                canonical_predicate(other.where),
            ):
                yield ctx.finding(
                    index.span,
                    f"{index_label(index)} (\"{name}\") differs from the index of that name in the migrations "
                    f"({other.file}:{other.span.line}): columns ({', '.join(c.db_name for c in other.columns)})",
                    model=model.name,
                    fields=index.fields,
                )
        for name, other in in_sql.items():
            if name in in_schema or other.kind == "id":
                continue
            yield ctx.finding(
                other.span,
                f"index \"{name}\" on \"{table.db_name}\" is in the migrations but not in the schema: the next "
                "`prisma migrate dev` will drop it",
                model=model.name,
                fields=[c.field for c in other.columns],
                help="add it to the schema (if Prisma can express it), or keep the SQL and expect Prisma to undo it",
            )


RULE = Rule(
    id="schema-drift",
    severity="warning",
    fixable="no",
    summary="An index in the schema with no match in the migrations' final state, or the reverse.",
    check=check,
    needs=("schema", "prisma", "migrations"),
)
