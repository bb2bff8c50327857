"""missing-fk-index: a foreign key whose columns lead no index."""

from __future__ import annotations

from ..edits import add_block_attribute
from ..findings import Fix
from ..indexing import covering_index
from . import Rule, RuleContext

# Providers that create no index for a foreign key by themselves.
_UNINDEXED_FK_PROVIDERS = frozenset({"postgresql", "cockroachdb", "sqlite", "sqlserver"})


def applies(schema) -> bool:
    return schema.relation_mode == "prisma" or schema.provider in _UNINDEXED_FK_PROVIDERS


def index_line(fields: list[str]) -> str:
    return f"@@index([{', '.join(fields)}])"


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
        line = index_line(r.fields)
        edit = add_block_attribute(model, line)
        fix = Fix(
            title=f"Add {line} to `{model.name}`",
            applicability="safe",
            edits=[edit] if edit else [],
            schema_line=line,
            add_index={"model": model.name, "fields": list(r.fields), "kind": "index"},
        )
        yield ctx.finding(
            r.span,
            f"foreign key `{model.name}.{r.field}` ({fk}) has no index: {cost}",
            model=model.name,
            fields=r.fields,
            fix=fix,
            help=f"add `{line}` to model `{model.name}`",
        )


RULE = Rule(
    id="missing-fk-index",
    severity="warning",
    fixable="safe",
    summary="A relation's foreign-key fields are not the leading columns of any index.",
    check=check,
    applies_to="both",
)
