"""missing-fk-index: a foreign key whose columns lead no index."""

from __future__ import annotations

from ..findings import Fix, IndexChange
from ..fix.edits import add_block_attribute, reorder_index_fields
from ..model.indexing import LOW_CARDINALITY, RANGE, column_class, covering_index, foreign_key_fields
from . import Rule, RuleContext
from .table_stats import MIN_ROWS, size_note, small_table

# Providers that create no index for a foreign key by themselves.
_UNINDEXED_FK_PROVIDERS = frozenset({"postgresql", "cockroachdb", "sqlite", "sqlserver"})


def applies(schema) -> bool:
    return schema.relation_mode == "prisma" or schema.provider in _UNINDEXED_FK_PROVIDERS


def index_line(fields: list[str], name: str | None = None, sort: dict[str, str] | None = None) -> str:
    mapped = f', map: "{name}"' if name else ""
    sort = sort or {}
    cols = ", ".join(f"{f}(sort: {sort[f]})" if f in sort else f for f in fields)
    return f"@@index([{cols}]{mapped})"


def _taken_names(schema, namespace) -> set[str]:
    return {
        i.db_name
        for m in schema.models.values()
        if m.schema == namespace
        for i in m.indexes
    } | {i.db_name for jt in schema.join_tables.values() for i in jt.indexes}


def explicit_name(schema, model, fields: list[str], taken_by_namespace: dict, tag: str = "fk") -> str | None:
    """None when Prisma's default name for the new index is free; else a free name for `map:`
    (index names are one namespace per database schema: two equal names would not migrate).
    The names taken are collected once per namespace and check (per finding it was quadratic:
    20,000 findings 217 s)."""
    from ..model.naming import index_name, with_suffix

    if model.schema not in taken_by_namespace:
        taken_by_namespace[model.schema] = _taken_names(schema, model.schema)
    taken = taken_by_namespace[model.schema]
    columns = [model.fields[f].db_name if f in model.fields else f for f in fields]
    default = index_name(model.db_name, columns, schema.provider)
    if default not in taken:
        return None
    base = f"{model.db_name}_{'_'.join(columns)}"
    for k in range(1, 100):
        candidate = with_suffix(base, f"_{tag}_idx" if k == 1 else f"_{tag}{k}_idx", schema.provider)
        if candidate not in taken:
            return candidate
    return None


def check(ctx: RuleContext):
    schema = ctx.schema
    if not applies(schema):
        return
    emulated = schema.relation_mode == "prisma"
    taken_by_namespace: dict = {}
    for r in schema.relations:
        if r.kind == "m-n" or not r.fields or r.span is None:
            continue  # Prisma indexes implicit many-to-many join tables itself
        model = schema.models[r.model]
        if model.kind != "model" or model.ignored:
            continue
        indexes = list(model.indexes) + list(ctx.extra_indexes.get(model.name, ()))
        if covering_index(indexes, r.fields) is not None or small_table(ctx, model):
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
        fix = _reorder_fix(schema, model, r.fields)
        query_fix = _query_fix(ctx, model, r.fields) if fix is None else None
        if query_fix is not None:
            fix, help_text = query_fix
        elif fix is None:
            line = index_line(r.fields, explicit_name(schema, model, r.fields, taken_by_namespace))
            edit = add_block_attribute(model, line)
            fix = Fix(
                title=f"Add {line} to `{model.name}`",
                applicability="safe",
                edits=[edit] if edit else [],
                schema_line=line,
                index_change=IndexChange.add(model.name, r.fields),
            )
            help_text = f"add `{line}` to model `{model.name}`"
        else:
            help_text = fix.title[0].lower() + fix.title[1:]
        what = f"`{model.name}.{r.field}` ({fk})" if model.origin == "schema" else f"`{r.db_name}` on `{model.name}` ({fk})"
        if model.origin != "schema":
            help_text = f"CREATE INDEX ON \"{model.db_name}\" ({', '.join(chr(34) + c + chr(34) for c in r.fields)})"
        yield ctx.finding(
            r.span,
            f"foreign key {what} has no index{size_note(ctx, model)}: {cost}",
            model=model.name,
            fields=r.fields,
            fix=fix,
            help=help_text,
        )


def _query_fix(ctx: RuleContext, model, fk_fields: list[str]) -> tuple[Fix, str] | None:
    """With the app's queries read: the index the queries on ``model`` need (unindexed-query's
    suggestion) when it starts with the foreign key, so the fix adds one index that serves both
    the key and the queries instead of a bare ``[fk]`` beside a composite."""
    if ctx.queries is None:
        return None
    from ._queries import accesses, advisor, index_fix, unindexed

    adv = advisor(ctx)
    for m, accs in accesses(ctx, adv, "unindexed-query"):
        if m is not model:
            continue
        for s in unindexed(adv, model, accs):
            if s.extends is None and set(s.fields[: len(fk_fields)]) == set(fk_fields):
                return index_fix(ctx, model, s)
    return None


def _reorder_fix(schema, model, fk_fields: list[str]) -> Fix | None:
    """When a plain index holds the foreign-key columns behind only low-cardinality or
    range columns (the order composite-order reports), moving them to the front covers the
    key without another index. An index led by a selective column is left alone: it serves
    other lookups."""
    wanted = set(fk_fields)
    fk_all = foreign_key_fields(schema, model)
    for index in model.indexes:
        if index.kind != "index" or not index.is_btree or index.where is not None:
            continue
        fields = index.fields
        if not wanted <= set(fields) or len(fields) <= len(wanted):
            continue
        lead = fields[: min(fields.index(f) for f in wanted)]
        kinds = {
            column_class(schema, model, f, max_enum_values=5, range_types=["DateTime"], fk_fields=fk_all) for f in lead
        }
        if not lead or not kinds <= {LOW_CARDINALITY, RANGE}:
            continue
        order = [f for f in fields if f in wanted] + [f for f in fields if f not in wanted]
        edit = reorder_index_fields(index, order)
        if edit is None:
            continue
        old = ", ".join(fields)
        new = ", ".join(order)
        return Fix(
            title=f"Reorder @@index([{old}]) to @@index([{new}])",
            applicability="unsafe" if index.map else "safe",
            edits=[edit],
            schema_line=f"@@index([{new}])",
            index_change=IndexChange.replace(model.name, index.db_name, order),
        )
    return None


RULE = Rule(
    id="missing-fk-index",
    severity="warning",
    fixable="safe",
    summary="A relation's foreign-key fields are not the leading columns of any index.",
    check=check,
    options=(MIN_ROWS,),
    needs=("schema",),
)
