"""btree-on-json-or-list: a B-tree index on a Json or scalar-list column."""

from __future__ import annotations

from ..model.indexing import index_label
from . import Rule, RuleContext

_PROVIDERS = frozenset({"postgresql", "cockroachdb"})


def check(ctx: RuleContext):
    schema = ctx.schema
    if schema.provider not in _PROVIDERS:
        return
    for model in schema.models.values():
        if model.kind != "model":
            continue
        for index in model.indexes:
            if index.kind != "index" or not index.is_btree:
                continue
            bad = []
            for c in index.columns:
                f = model.fields.get(c.field.split(".")[0])
                if f is not None and (f.type == "Json" or f.list):
                    bad.append(f)
            if not bad:
                continue
            f = bad[0]
            ops = "ArrayOps" if f.list else "JsonbPathOps"
            what = "a list" if f.list else "Json"
            yield ctx.finding(
                index.span,
                f"{index_label(index)} is a B-tree on {what} column `{f.name}`: it serves only equality "
                f"of the whole value, not `has`/`hasSome`/path queries",
                model=model.name,
                fields=index.fields,
                help=f"use a GIN index: `@@index([{f.name}(ops: {ops})], type: Gin)`",
            )


RULE = Rule(
    id="btree-on-json-or-list",
    severity="warning",
    fixable="no",
    summary="A B-tree index on a Json or list column (use type: Gin).",
    check=check,
    needs=("schema",),
    scope="model",
)
