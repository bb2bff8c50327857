"""An example third-party rule pack for prisma-lint (used by tests/test_plugins.py).

It registers through the entry-point group every rule uses::

    [project.entry-points."prisma_lint.rules"]
    example = "prisma_lint_example_plugin:RULES"
"""

from prisma_lint.rules import Option, Rule, RuleContext


def check_model_without_index(ctx: RuleContext):
    """Reports models that have no index other than their primary key."""
    for model in ctx.schema.models.values():
        if model.kind != "model":
            continue
        others = [i for i in model.indexes if i.kind != "id"]
        if len(model.fields) >= ctx.options["min-fields"] and not others:
            yield ctx.finding(
                model.name_span,
                f"`{model.name}` has {len(model.fields)} fields and no index besides its primary key",
                model=model.name,
            )


RULES = [
    Rule(
        id="example-model-without-index",
        severity="info",
        fixable="no",
        summary="A model with no index besides its primary key.",
        check=check_model_without_index,
        options=(Option("min-fields", int, 3, "Only models with at least this many fields."),),
    )
]
