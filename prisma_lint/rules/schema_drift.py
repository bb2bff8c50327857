"""schema-drift: the schema's indexes and the migrations' final state disagree."""

from __future__ import annotations

from typing import Optional

from ..findings import Fix
from ..fix.edits import add_block_attribute
from ..model.indexing import index_label
from ..model.naming import default_name_for
from . import Rule, RuleContext


def check(ctx: RuleContext):
    from ..frontends.sql.expr import canonical_predicate  # (the SQL front end: only with migrations)

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
                fix=_declare_fix(ctx.schema, model, other),
            )


def _declare_fix(schema, model, index) -> Optional[Fix]:
    """Write a plain index the migrations create into the schema (no database change): safe
    when it has the name Prisma gives that declaration (what `prisma-lint migrate` wrote before
    the schema was updated), unsafe with a `map:` otherwise (someone may want it gone instead)."""
    if index.kind not in ("index", "unique") or index.where is not None or index.type not in (None, "BTree"):
        return None
    fields = []
    for c in index.columns:
        f = model.field_by_db_name(c.db_name)
        if f is None or c.length is not None or c.ops:
            return None  # an expression, or a column the schema does not have
        fields.append(f.name + ("(sort: Desc)" if c.sort == "Desc" else ""))
    default = default_name_for(index.kind, model.db_name, [c.db_name for c in index.columns], schema.provider)
    attribute = "@@index" if index.kind == "index" else "@@unique"
    mapped = "" if index.db_name == default else f', map: "{index.db_name}"'
    line = f"{attribute}([{', '.join(fields)}]{mapped})"
    edit = add_block_attribute(model, line)
    if edit is None:
        return None
    return Fix(title=f"Add {line} to `{model.name}` (the migrations create it)", applicability="unsafe" if mapped else "safe", edits=[edit], schema_line=line)


RULE = Rule(
    id="schema-drift",
    severity="warning",
    fixable="safe",
    summary="An index in the schema with no match in the migrations' final state, or the reverse.",
    check=check,
    needs=("schema", "prisma", "migrations"),
)
