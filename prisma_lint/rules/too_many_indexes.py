"""too-many-indexes: a model with more non-unique indexes than `max-indexes`."""

from __future__ import annotations

from . import Option, Rule, RuleContext
from .table_stats import MIN_ROWS, size_note, small_table


def check(ctx: RuleContext):
    limit = ctx.options["max-indexes"]
    for model in ctx.schema.models.values():
        if model.kind != "model":
            continue
        plain = [i for i in model.indexes if i.kind in ("index", "fulltext")]
        if len(plain) > limit:
            if small_table(ctx, model):
                continue
            yield ctx.finding(
                model.name_span,
                f"`{model.name}` has {len(plain)} non-unique indexes (more than {limit}){size_note(ctx, model)}: every "
                "insert, and every update of an indexed column, writes to each of them",
                model=model.name,
                help="drop the indexes no query needs; check pg_stat_user_indexes.idx_scan in production",
            )


RULE = Rule(
    id="too-many-indexes",
    severity="warning",
    fixable="no",
    summary="A model with more non-unique indexes than `max-indexes`.",
    check=check,
    options=(Option("max-indexes", int, 8, "How many non-unique indexes a model may have."), MIN_ROWS),
    needs=("schema",),
)
