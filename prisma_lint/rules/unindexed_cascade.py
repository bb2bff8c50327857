"""unindexed-cascade: one delete that fans out into many unindexed scans.

Deleting a row scans every child table whose foreign key has no index (to cascade, to set NULL,
or to check Restrict/NoAction), and `onDelete: Cascade` repeats that for every deleted child,
transitively (trigger.dev: deleting one `Organization` reaches 63 unindexed foreign keys, 55 of
them two or more levels deep). missing-fk-index reports each foreign key; this rule reports the
model whose delete reaches at least `min-scans` of them, or any two or more levels deep.
"""

from __future__ import annotations

from itertools import pairwise

from ..model.cascade import Walker, fk_indexes_apply
from . import Option, Rule, RuleContext


def cascade_graph(walker: Walker):
    """parent -> child for every ``onDelete: Cascade`` relation (networkx, imported only when
    there is something to report: ~150 ms)."""
    import networkx as nx

    g = nx.DiGraph()
    for parent, relations in walker.children.items():
        for r in relations:
            if r.effective_on_delete() == "Cascade" and not g.has_edge(parent, r.model):
                g.add_edge(parent, r.model, relation=r)
    return g


def path_text(g, walker: Walker, model: str) -> str:
    """The shortest cascade chain down to the deepest unindexed scan one delete reaches."""
    import networkx as nx

    last = walker.reach(model).path[-1]  # the deepest unindexed foreign key: a child of last.target
    nodes = nx.shortest_path(g, model, last.target) if last.target != model else [model]
    steps = [f"`{model}`"]
    for a, b in pairwise(nodes):
        steps.append(f"`{b}.{', '.join(g.edges[a, b]['relation'].fields)}`")
    steps.append(f"`{last.model}.{', '.join(last.fields)}`")
    return " → ".join(steps)


def check(ctx: RuleContext):
    schema = ctx.schema
    if not fk_indexes_apply(schema):
        return
    min_scans = ctx.options["min-scans"]
    walker = Walker(schema, ctx.extra_indexes)
    if not walker.unindexed:
        return
    graph = None
    for model in schema.models.values():
        if model.kind != "model" or model.ignored:
            continue
        reach = walker.reach(model.name)
        if reach.scans < max(min_scans, 1) and reach.depth < 2:
            continue
        deep = f", {reach.deep} of them two or more levels down" if reach.deep else ""
        graph = graph if graph is not None else cascade_graph(walker)
        finding = ctx.finding(
            model.name_span,
            f"deleting one `{model.name}` row runs {reach.scans} unindexed scan{'s' if reach.scans != 1 else ''}"
            f"{deep} (deepest: {path_text(graph, walker, model.name)})",
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
