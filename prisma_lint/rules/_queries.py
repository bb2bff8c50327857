"""What the query rules share (unindexed-query, unsorted-page, cursor-order-not-unique,
index-without-query, and missing-fk-index / composite-order when the app is read): the call
sites a rule may speak from, their evidence, and the fix that adds or extends an index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from ..findings import Evidence, Fix, IndexChange
from ..fix.edits import add_index_fix, extend_index_fields
from ..model.schema import Model
from ..model.serving import TENANT_COLUMNS, Access, Advisor, Suggestion
from . import Option, RuleContext

MAX_ENUM_VALUES = Option(
    "max-enum-values",
    int,
    5,
    "An enum with at most this many values is low-cardinality (as for low-cardinality-index).",
)
TENANT = Option(
    "tenant-columns",
    list,
    list(TENANT_COLUMNS),
    "Columns that scope every query (multi-tenant apps): they lead a suggested index.",
)
# how many call sites a message names before "(+N more)"
SHOWN = 3


def advisor(ctx: RuleContext) -> Advisor:
    return Advisor(
        ctx.schema,
        ctx.extra_indexes,
        max_enum_values=ctx.options.get("max-enum-values", 5),
        tenant_columns=ctx.options.get("tenant-columns", TENANT_COLUMNS),
    )


def suppressed(pattern: Any, rule_id: str) -> bool:
    ids: frozenset[str] = getattr(pattern, "suppressed", frozenset())
    return rule_id in ids or "*" in ids or "all" in ids


def accesses(ctx: RuleContext, adv: Advisor, rule_id: Optional[str] = None) -> Iterator[tuple[Model, list[Access]]]:
    """(model, accesses) for each model with known (static) call sites not suppressed for the
    rule, in schema order. Uncertain call sites (a `where` from a parameter, a spread ...) are
    never a reason to warn."""
    q = ctx.queries
    if q is None:
        return
    rule_id = rule_id or ctx.rule.id
    by_model: dict[str, list[Access]] = {}
    for p in q.patterns:
        if not p.static or suppressed(p, rule_id):
            continue
        model = adv.model_of(p)
        acc = adv.access(p, model) if model is not None else None
        if acc is not None:
            by_model.setdefault(p.model, []).append(acc)
    for name, model in ctx.schema.models.items():
        if name in by_model:
            yield model, by_model[name]


# operations that leave the rows they match in the table (a range they match keeps growing)
UPDATES = frozenset({"update", "updateMany", "updateManyAndReturn", "upsert"})


def unindexed(adv: Advisor, model: Model, accs: list[Access]) -> list[Suggestion]:
    """The indexes ``model`` needs for the call sites no index serves, merged. Left out:
    a `where` with OR / NOT (its branches, unknown here, may hold the indexed lookups: an index
    per branch serves it as a BitmapOr), and an update filtered by a range alone (a retention
    job's `createdAt < cutoff` matches every older row again on each run: an index on the
    range does not narrow it)."""
    out = []
    for a in accs:
        p = a.pattern
        if p.or_ or (not a.eq and p.operation in UPDATES):
            continue
        if a.filters and adv.serving_index(p, model) is None:
            s = adv.needed(a, model)
            if s is not None:
                out.append(s)
    return adv.merge(model, out)


def call_label(p: Any) -> str:
    """`prisma.session.findMany`, as the app writes it."""
    snippet = (getattr(p, "snippet", "") or "").strip()
    head = snippet.split("(", 1)[0].strip() if snippet else ""
    if head.endswith(f".{p.operation}"):
        return head
    delegate = p.model[:1].lower() + p.model[1:]
    return f"{p.client}.{delegate}.{p.operation}"


def evidence(patterns: list) -> list[Evidence]:
    seen = set()
    out = []
    for p in sorted(patterns, key=lambda p: (p.file, p.line, p.column)):
        key = (p.file, p.line, p.column)
        if key in seen:
            continue
        seen.add(key)
        snippet = (getattr(p, "snippet", "") or "").strip() or call_label(p) + "(...)"
        out.append(Evidence(p.file, p.line, p.column, p.end_line, p.end_column, snippet))
    return out


def sites(patterns: list) -> str:
    """`prisma.session.findMany at src/auth.ts:12, ... (+2 more)`."""
    ev = sorted(patterns, key=lambda p: (p.file, p.line, p.column))
    shown = ", ".join(f"`{call_label(p)}` at {p.file}:{p.line}" for p in ev[:SHOWN])
    more = len(ev) - SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def how_used(s: Suggestion) -> str:
    """`userId =, expiresAt range`: how the queries use each column of the suggestion."""
    parts = []
    for f in s.fields:
        if any(f in a.eq for a in s.accesses):
            parts.append(f"{f} =")
        elif any(f in a.range for a in s.accesses):
            parts.append(f"{f} range")
        else:
            parts.append(f"{f} order")
    return ", ".join(parts)


def suggestion_finding(ctx: RuleContext, model: Model, s: Suggestion, what: str, cost: str, tag: str = "query"):
    """The finding for a suggested index: on the model's name, `what`, the call sites, then
    `cost`; the fix that adds (or extends) the index; every call site as evidence."""
    fix, help_text = index_fix(ctx, model, s, tag)
    return ctx.finding(
        model.name_span,
        f"{what}: {sites(s.patterns)}; {cost}",
        model=model.name,
        fields=s.fields,
        fix=fix,
        help=help_text,
        evidence=evidence(s.patterns),
    )


def index_fix(ctx: RuleContext, model: Model, s: Suggestion, tag: str = "query") -> tuple[Fix, str]:
    """The fix that gives ``model`` the suggested index (adding it, or extending the existing
    ``@@index`` it starts with) and the help line."""
    from .missing_fk_index import explicit_name, index_line

    if s.extends is not None:
        old = s.extends
        line = index_line(s.fields, old.map, s.sort)
        edit = extend_index_fields(old, s.fields, s.sort)
        old_line = index_line(old.fields, old.map)
        fix = Fix(
            title=f"Extend {old_line} to {line}",
            # a mapped name stays while its definition changes: a migration must drop and
            # re-create it under the same name, which a reviewer should see
            applicability="unsafe" if old.map else "safe",
            edits=[edit] if edit else [],
            schema_line=line,
            index_change=IndexChange.replace(model.name, old.db_name, s.fields),
        )
        return fix, f"extend `{old_line}` to `{line}` in model `{model.name}`"
    line = index_line(s.fields, explicit_name(ctx.schema, model, s.fields, {}, tag), s.sort)
    return add_index_fix(model, line, list(s.fields)), f"add `{line}` to model `{model.name}`"


def call_count(patterns: list) -> int:
    return len({(p.file, p.line, p.column) for p in patterns})


def plural(n: int, word: str, many: str) -> str:
    return f"{n} {word if n == 1 else many}"
