"""missing-fk-index: a foreign key whose columns lead no index."""

from __future__ import annotations

from ..fix.edits import add_block_attribute
from ..findings import Fix
from ..model.indexing import covering_index
from . import Rule, RuleContext

# Providers that create no index for a foreign key by themselves.
_UNINDEXED_FK_PROVIDERS = frozenset({"postgresql", "cockroachdb", "sqlite", "sqlserver"})


def applies(schema) -> bool:
    return schema.relation_mode == "prisma" or schema.provider in _UNINDEXED_FK_PROVIDERS


def index_line(fields: list[str], name: str | None = None) -> str:
    mapped = f', map: "{name}"' if name else ""
    return f"@@index([{', '.join(fields)}]{mapped})"


def _explicit_name(schema, model, fields: list[str]) -> str | None:
    """None when Prisma's default name for the new index is free; else a free name for `map:`
    (index names are one namespace per database schema: two equal names would not migrate)."""
    from ..model.naming import index_name, with_suffix

    taken = {
        i.db_name
        for m in schema.models.values()
        if m.schema == model.schema
        for i in m.indexes
    } | {i.db_name for jt in schema.join_tables.values() for i in jt.indexes}
    columns = [model.fields[f].db_name if f in model.fields else f for f in fields]
    default = index_name(model.db_name, columns, schema.provider)
    if default not in taken:
        return None
    base = f"{model.db_name}_{'_'.join(columns)}"
    for k in range(1, 100):
        candidate = with_suffix(base, "_fk_idx" if k == 1 else f"_fk{k}_idx", schema.provider)
        if candidate not in taken:
            return candidate
    return None


def check(ctx: RuleContext):
    schema = ctx.schema
    if not applies(schema):
        return
    emulated = schema.relation_mode == "prisma"
    for r in schema.relations:
        if r.kind == "m-n" or not r.fields or r.span is None:
            continue  # Prisma indexes implicit many-to-many join tables itself
        model = schema.models[r.model]
        if model.kind != "model" or model.ignored:
            continue
        indexes = list(model.indexes) + list(ctx.extra_indexes.get(model.name, ()))
        if covering_index(indexes, r.fields) is not None:
            continue
        fk = ", ".join(r.fields)
        parent = r.target
        action = r.effective_on_delete()
        if emulated:
            cost = (
                f"with relationMode = \"prisma\" Prisma Client emulates the relation with queries on "
                f"`{model.name}` by ({fk}): each one, and every `include`/join from `{parent}`, scans the table"
            )
        elif action == "Cascade":
            cost = (
                f"every delete of a `{parent}` row scans `{model.name}` to cascade the delete "
                f"(onDelete: Cascade), and every join from `{parent}` reads the whole table"
            )
        else:
            cost = (
                f"every delete or key update of a `{parent}` row scans `{model.name}` to check the "
                f"foreign key ({action}), and every join from `{parent}` reads the whole table"
            )
        # Always a new index, never a reorder of an index someone wrote (it may serve a query we
        # cannot see); when composite-order's unsafe reorder covers the key, the fix planner
        # drops this addition.
        line = index_line(r.fields, _explicit_name(schema, model, r.fields))
        edit = add_block_attribute(model, line)
        fix = Fix(
            title=f"Add {line} to `{model.name}`",
            applicability="safe",
            edits=[edit] if edit else [],
            schema_line=line,
            add_index={"model": model.name, "fields": list(r.fields), "kind": "index"},
        )
        help_text = f"add `{line}` to model `{model.name}`"
        what = f"`{model.name}.{r.field}` ({fk})" if model.origin == "schema" else f"`{r.db_name}` on `{model.name}` ({fk})"
        if model.origin != "schema":
            help_text = f"CREATE INDEX ON \"{model.db_name}\" ({', '.join(chr(34) + c + chr(34) for c in r.fields)})"
        yield ctx.finding(
            r.span,
            f"foreign key {what} has no index: {cost}",
            model=model.name,
            fields=r.fields,
            fix=fix,
            help=help_text,
        )


RULE = Rule(
    id="missing-fk-index",
    severity="warning",
    fixable="safe",
    summary="A relation's foreign-key fields are not the leading columns of any index.",
    check=check,
    needs=("schema",),
)
