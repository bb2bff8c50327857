"""unindexed-cascade: one delete that fans out into many unindexed scans.

Deleting a row scans every child table whose foreign key has no index (to cascade, to set NULL,
or to check Restrict/NoAction), and `onDelete: Cascade` repeats that for every deleted child,
transitively (trigger.dev: deleting one `Organization` reaches 63 unindexed foreign keys, 55 of
them two or more levels deep). missing-fk-index reports each foreign key; this rule reports the
model whose delete reaches at least `min-scans` of them, or any two or more levels deep.
"""

from __future__ import annotations

from ..model.cascade import Walker, fk_indexes_apply
from . import Option, Rule, RuleContext


def path_text(walker: Walker, model: str) -> str:
    """The cascade chain down to the deepest unindexed scan one delete reaches (the breadth-first
    walk's own path: no graph library on the lint path, see model/cascade.py)."""
    path = walker.reach(model).path
    steps = [f"`{model}`"] + [f"`{r.model}.{', '.join(r.fields)}`" for r in path]
    return " → ".join(steps)


def check(ctx: RuleContext):
    schema = ctx.schema
    if not fk_indexes_apply(schema):
        return
    min_scans = ctx.options["min-scans"]
    walker = Walker(schema, ctx.extra_indexes)
    if not walker.unindexed:
        return
    for model in schema.models.values():
        if model.kind != "model" or model.ignored:
            continue
        reach = walker.reach(model.name)
        if reach.scans < max(min_scans, 1) and reach.depth < 2:
            continue
        deep = f", {reach.deep} of them two or more levels down" if reach.deep else ""
        finding = ctx.finding(
            model.name_span,
            f"deleting one `{model.name}` row runs {reach.scans} unindexed scan{'s' if reach.scans != 1 else ''}"
            f"{deep} (deepest: {path_text(walker, model.name)})",
            model=model.name,
            help="index the foreign keys on the way (missing-fk-index lists them, the widest fan-out first)",
        )
        finding.data.update({"scans": reach.scans, "deep": reach.deep, "depth": reach.depth})
        yield finding


RULE = Rule(
    id="unindexed-cascade",
    severity="warning",
    fixable="no",
    summary="Deleting one row reaches at least `min-scans` unindexed foreign-key scans, or one two levels down.",
    check=check,
    options=(Option("min-scans", int, 3, "How many unindexed scans one delete may reach before it is reported."),),
    needs=("schema",),
)
