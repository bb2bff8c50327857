"""missing-fk-index: a foreign key whose columns lead no index."""

from __future__ import annotations

from ..findings import Fix
from ..fix.edits import add_index_fix
from ..model.cascade import delete_fan_out, fk_coverage, fk_indexes_apply, relation_key
from ..model.indexing import index_label
from . import Rule, RuleContext
from .table_stats import MIN_ROWS, size_note, small_table


def applies(schema) -> bool:
    return fk_indexes_apply(schema)


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


def _a(word: str) -> str:
    """`a`/`an` by sound, roughly: an `Account`, an `Update`, a `User`, a `Unit`."""
    w = word.lower()
    vowel = w[:1] in "aeio" or (w[:1] == "u" and not (len(w) > 2 and w[1] not in "aeiou" and w[2] in "aeiouy"))
    return f"an `{word}`" if vowel else f"a `{word}`"


def cost_of(schema, r, model_name: str) -> str:
    """What the missing index costs, in a few words (the rule page explains)."""
    fk = ", ".join(r.fields)
    if schema.relation_mode == "prisma" or schema.provider == "mongodb":
        # MongoDB always emulates relations: no relationMode to name there
        how = ' (relationMode = "prisma")' if schema.provider != "mongodb" else ""
        return f"Prisma Client emulates the relation{how} with a scan of `{model_name}` by ({fk}) per query"
    action = r.effective_on_delete()
    parent = _a(r.target)
    if action == "Cascade":
        return f"deleting {parent} row scans `{model_name}` to cascade the delete"
    if action in ("SetNull", "SetDefault"):
        value = "NULL" if action == "SetNull" else "its default"
        return f"deleting {parent} row scans `{model_name}` to set ({fk}) to {value} (an UPDATE of each match)"
    return f"deleting {parent} row, or changing its key, scans `{model_name}` to check the foreign key ({action})"


def check(ctx: RuleContext):
    schema = ctx.schema
    if not applies(schema):
        return
    fan_out = None
    prisma_warns = schema.relation_mode == "prisma" and schema.provider != "mongodb"
    taken_by_namespace: dict = {}
    for r in schema.relations:
        if r.kind == "m-n" or not r.fields or r.span is None:
            continue  # Prisma indexes implicit many-to-many join tables itself
        model = schema.models[r.model]
        if model.kind != "model" or model.ignored:
            continue
        how, partial = fk_coverage(model, ctx.extra_indexes.get(model.name, []), r.fields)
        if how == "probe" and prisma_warns:
            # Prisma's own validator warns unless an index leads with the whole key, and users see
            # that warning: say the same, as "partly indexed"
            how = "partly"
        if how == "full" or how == "probe" or small_table(ctx, model):
            continue
        fk = ", ".join(r.fields)
        # Always a new index, never a reorder of an index someone wrote (it may serve a query we
        # cannot see); when composite-order's unsafe reorder covers the key, the fix planner
        # drops this addition. With the app's queries read, the index they need when it starts
        # with the key.
        query_fix = _query_fix(ctx, model, r.fields)
        if query_fix is not None:
            fix, help_text = query_fix
        else:
            line = index_line(r.fields, explicit_name(schema, model, r.fields, taken_by_namespace))
            fix = add_index_fix(model, line, list(r.fields))
            help_text = f"add `{line}` to model `{model.name}`"
        what = f"`{model.name}.{r.field}` ({fk})" if model.origin == "schema" else f"`{r.db_name}` on `{model.name}` ({fk})"
        if model.origin != "schema":
            help_text = f"CREATE INDEX ON \"{model.db_name}\" ({', '.join(chr(34) + c + chr(34) for c in r.fields)})"
        state = "has no index"
        if how == "partly" and partial is not None:
            state = f"is only partly indexed ({index_label(partial)} leads with part of it)"
        finding = ctx.finding(
            r.span,
            f"foreign key {what} {state}{size_note(ctx, model)}: {cost_of(schema, r, model.name)}",
            model=model.name,
            fields=r.fields,
            fix=fix,
            help=help_text,
        )
        if fan_out is None:
            fan_out = delete_fan_out(schema, ctx.extra_indexes)
        finding.data["fan_out"] = fan_out.get(relation_key(r), 1)
        yield finding


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


RULE = Rule(
    id="missing-fk-index",
    severity="warning",
    fixable="safe",
    summary="A relation's foreign-key fields are not the leading columns of any index.",
    check=check,
    options=(MIN_ROWS,),
    needs=("schema",),
)
