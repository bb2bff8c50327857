"""too-many-indexes: a model with more optional indexes than `max-indexes`.

Counted: plain `@@index` and `@@fulltext`. Not counted: unique constraints (they enforce data),
and, per foreign key, the first index that serves it (the index the key needs: dub's
relationMode="prisma" models were flagged for the very indexes Prisma asks for, and `--fix`
adding a foreign key's index must not create this finding).
"""

from __future__ import annotations

from ..model.indexing import covering_index, relations_from
from . import Option, Rule, RuleContext
from .table_stats import MIN_ROWS, size_note, small_table


def counted_indexes(schema, model) -> list:
    plain = [i for i in model.indexes if i.kind in ("index", "fulltext")]
    needed = set()
    for r in relations_from(schema, model):
        if covering_index((i for i in model.indexes if i.is_unique), r.fields) is not None:
            continue  # a unique constraint already serves the key
        first = covering_index(plain, r.fields)
        if first is not None:
            needed.add(id(first))
    return [i for i in plain if id(i) not in needed]


def check(ctx: RuleContext):
    limit = ctx.options["max-indexes"]
    for model in ctx.schema.models.values():
        if model.kind != "model":
            continue
        counted = counted_indexes(ctx.schema, model)
        if len(counted) > limit and not small_table(ctx, model):
            yield ctx.finding(
                model.name_span,
                f"`{model.name}` has {len(counted)} optional indexes, more than {limit}{size_note(ctx, model)}",
                model=model.name,
                help="drop the indexes no query uses (pg_stat_user_indexes.idx_scan = 0 in production)",
            )


RULE = Rule(
    id="too-many-indexes",
    severity="warning",
    fixable="no",
    summary="A model with more than `max-indexes` indexes besides unique constraints and foreign-key indexes.",
    check=check,
    options=(Option("max-indexes", int, 8, "How many optional indexes (not unique, not serving a foreign key) a model may have."), MIN_ROWS),
    needs=("schema",),
    scope="model",
)
