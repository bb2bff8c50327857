"""nullable-unique: a composite unique constraint with an optional column (PostgreSQL).

PostgreSQL treats NULLs as distinct in a unique index: `@@unique([projectId, slug, orgMemberId])`
with `orgMemberId String?` lets any number of rows share (projectId, slug) while orgMemberId is
NULL (trigger.dev). A single optional `@unique` column is left alone: "unique when set" is what
such a column usually means.
"""

from __future__ import annotations

from ..model.indexing import index_label
from . import Rule, RuleContext


def check(ctx: RuleContext):
    schema = ctx.schema
    if schema.provider != "postgresql":
        return
    for model in schema.models.values():
        if model.kind != "model":
            continue
        for index in model.indexes:
            if index.kind != "unique" or len(index.columns) < 2 or index.where is not None:
                continue
            optional = [c.field for c in index.columns if (f := model.fields.get(c.field)) is not None and f.optional]
            if not optional or len(optional) == len(index.columns):
                continue  # all optional: a row with no values at all is not a duplicate of anything
            names = " or ".join(f"`{n}`" for n in optional)
            yield ctx.finding(
                index.span,
                f"{index_label(index)} does not stop duplicates while {names} is NULL (PostgreSQL treats NULLs as distinct)",
                model=model.name,
                fields=index.fields,
                help=f"make {names.replace(' or ', ' and ')} required, or use `NULLS NOT DISTINCT` (PostgreSQL 15+) in a raw migration",
            )


RULE = Rule(
    id="nullable-unique",
    severity="warning",
    fixable="no",
    summary="A composite unique constraint with an optional column: no uniqueness while it is NULL (PostgreSQL).",
    check=check,
    needs=("schema",),
    scope="model",  # a finding is on one model's @@unique and reads only that model
)
