"""The rule API and the registry.

A rule is a :class:`Rule`: an id users put in config files, a default severity, whether and how
it can fix, declared options, and ``check``: a pure function of the model that yields findings::

    from prisma_lint.rules import Rule, Option, RuleContext

    def check(ctx: RuleContext):
        for model in ctx.schema.models.values():
            if len(model.fields) > ctx.options["max-fields"]:
                yield ctx.finding(model.name_span, f"`{model.name}` has too many fields", model=model.name)

    RULE = Rule(
        id="too-many-fields", severity="info", fixable="no",
        summary="A model with more fields than `max-fields`.",
        options=(Option("max-fields", int, 40, "How many fields a model may have."),),
        check=check,
    )

Rules are registered through the entry-point group ``prisma_lint.rules`` (built-in ones too):
an entry point names a ``Rule`` or a list of them::

    [project.entry-points."prisma_lint.rules"]
    my-rules = "my_package.rules:RULE"

A plugin that fails to load is reported and skipped; it never stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, Optional, TypeVar

from ..findings import Evidence, Finding, Fix
from ..model.schema import Schema
from ..records import field, record, replace
from ..source import Span

if TYPE_CHECKING:
    from ..frontends.db.stats import DatabaseStats

ENTRY_POINT_GROUP = "prisma_lint.rules"
T = TypeVar("T")

Severity = Literal["error", "warning", "info"]
Fixable = Literal["safe", "unsafe", "no"]
# What a rule can read:
# - "schema": the model of the database (from a Prisma schema, or replayed from SQL); always there
# - "prisma": the unit linted is a Prisma schema (fixes edit its text)
# - "sql": the unit linted is SQL (migration files replayed through pglast)
# - "migrations": the Prisma schema's migrations folder, replayed (``ctx.migrations``)
# - "queries": the app's Prisma Client calls (``ctx.queries``)
# - "stats": database statistics, live or from a statistics file (``ctx.stats``)
Input = Literal["schema", "prisma", "sql", "migrations", "queries", "stats"]
INPUTS: tuple[Input, ...] = ("schema", "prisma", "sql", "migrations", "queries", "stats")


@record(frozen=True)
class Option:
    name: str
    type: type  # int, str, bool or list (of str)
    default: Any
    doc: str

    def validate(self, value: Any) -> Any:
        """The value converted and checked; raises ValueError with a message for users."""
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"`{self.name}` must be a non-negative integer, got {value!r}")
        elif self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"`{self.name}` must be a list of strings, got {value!r}")
        elif self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"`{self.name}` must be true or false, got {value!r}")
        elif self.type is str:
            if not isinstance(value, str):
                raise ValueError(f"`{self.name}` must be a string, got {value!r}")
        return value


@record(frozen=True)
class Rule:
    id: str
    severity: Severity  # the default
    fixable: Fixable  # the best applicability its fixes have
    summary: str  # one line
    check: Callable[["RuleContext"], Iterable[Finding]]
    options: tuple[Option, ...] = ()
    # The inputs the rule reads; the engine runs it only when all are present (see INPUTS).
    needs: tuple[Input, ...] = ("schema", "prisma")
    # Off unless selected by id (or `all` explicitly named in select / extend-select).
    default_enabled: bool = True
    # "model": every finding is about one model (``model=``), inside its block (span and fix
    # edits), and depends only on that model, the relations to and from it, the models at their
    # other ends, the enums, the provider, the migrations' indexes of the model and the rule's
    # options (no queries, no statistics read). The language server then keeps a model's
    # findings until one of those changes (``prisma_lint/rule_cache.py``); tests compare it with
    # a fresh lint after random edits.
    scope: Literal["schema", "model"] = "schema"

    def option(self, name: str) -> Optional[Option]:
        return next((o for o in self.options if o.name == name), None)


@record
class RuleContext:
    """What a rule's ``check`` gets: the schema, this rule's options and a finding factory."""

    rule: Rule
    schema: Schema
    options: dict[str, Any]
    severity: str
    # indexes known to exist outside the schema (from SQL migrations), per model name
    extra_indexes: dict[str, list] = field(default_factory=dict)
    # the final state of the schema's migrations, when they are read too
    migrations: Optional[Schema] = None
    # the app's query patterns (frontends.app.patterns.AppQueries), when the app is read
    queries: Any = None
    # database statistics, live or from a statistics file (needs "stats")
    stats: Optional["DatabaseStats"] = None
    # the language server's per-object memo of this rule (rule_cache.Memo), or None
    memo: Any = None

    def per_object(self, obj: Any, key: Any, fn: Callable[[Any], T]) -> T:
        """``fn(obj)``: a part of this rule's work that reads only ``obj`` (a model, which the
        builder reuses, the same object, while its block is unchanged) and ``key`` (whatever
        else it reads: the provider, the severity). The language server keeps it from the last
        lint while ``obj`` is the same object and ``key`` equal (rule_cache.Memo)."""
        if self.memo is None:
            return fn(obj)
        return self.memo(obj, key, fn)

    def finding(
        self,
        span: Span,
        message: str,
        *,
        model: Optional[str] = None,
        fields: Iterable[str] = (),
        fix: Optional[Fix] = None,
        help: Optional[str] = None,
        severity: Optional[Severity] = None,
        evidence: Iterable[Evidence] = (),
    ) -> Finding:
        return Finding(
            rule=self.rule.id,
            severity=severity or self.severity,
            message=message,
            span=span,
            model=model,
            fields=list(fields),
            fix=fix,
            help=help,
            evidence=list(evidence),
        )


# The built-in rules' modules, in their documented order (``prisma-lint rules``, the README).
BUILTIN_MODULES: tuple[str, ...] = (
    "missing_fk_index",
    "redundant_index",
    "redundant_unique",
    "nullable_unique",
    "unindexed_cascade",
    "boolean_index",
    "low_cardinality_index",
    "composite_order",
    "identifier_too_long",
    "too_many_indexes",
    "btree_on_json_or_list",
    "fk_type_mismatch",
    "non_immutable_index_expression",
    "frozen_time_literal",
    "constant_index_column",
    "create_index_non_concurrently",
    "drop_index_non_concurrently",
    "concurrently_in_transaction",
    "schema_drift",
    "unindexed_query",
    "unsorted_page",
    "cursor_order_not_unique",
    "index_without_query",
    "invalid_index",
    "unused_index",
    "database_drift",
)


class DeferredCheck:
    """A built-in rule's ``check``, its module imported when the rule first runs.

    The registry's built-ins come from ``_catalog.py``, generated from the rule modules
    (``python -m prisma_lint.rules.catalog``; a test fails when it is stale): their ids,
    severities, options (config validation), needs and summaries without importing the 26
    modules. A plain check of a schema runs 15 of them: the other 11 (SQL, migrations, app
    queries, statistics) and their helpers are never imported (~9 M instructions of a cold
    ``check``, 3.5%)."""

    __slots__ = ("_check", "module")

    def __init__(self, module: str) -> None:
        self.module = module  # in this package
        self._check: Optional[Callable[[RuleContext], Iterable[Finding]]] = None

    def resolve(self) -> Callable[[RuleContext], Iterable[Finding]]:
        """The rule module's own ``check``."""
        if self._check is None:
            import importlib

            self._check = importlib.import_module(f"{__name__}.{self.module}").RULE.check
        return self._check

    def __call__(self, ctx: RuleContext) -> Iterable[Finding]:
        return self.resolve()(ctx)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeferredCheck) and other.module == self.module

    def __hash__(self) -> int:
        return hash(self.module)

    def __repr__(self) -> str:
        return f"DeferredCheck({self.module!r})"


def _builtin_rules() -> list[Rule]:
    from ._catalog import RULES

    return list(RULES)


def _resolved(rule: Rule) -> Rule:
    """``rule`` with its own ``check`` (a built-in's is deferred until it runs)."""
    return replace(rule, check=rule.check.resolve()) if isinstance(rule.check, DeferredCheck) else rule


def __getattr__(name: str):
    if name == "BUILTIN_RULES":
        return _builtin_rules()
    raise AttributeError(name)


# The rule that reports suppression comments that suppress nothing; it is produced by the
# suppression pass (``suppressions.py``), not by a check of its own.
UNUSED_SUPPRESSION = Rule(
    id="unused-suppression",
    severity="info",
    fixable="no",
    summary="A prisma-lint-ignore comment that suppresses nothing.",
    check=lambda ctx: (),
    needs=("schema",),
)


@record
class Registry:
    rules: dict[str, Rule]
    load_errors: list[str]

    def get(self, rule_id: str) -> Optional[Rule]:
        return self.rules.get(rule_id)


@record(frozen=True)
class EntryPoint:
    name: str
    value: str  # "module:attribute"
    distribution: str

    def load(self) -> Any:
        import importlib

        module, _, attr = self.value.partition(":")
        obj = importlib.import_module(module.strip())
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj


def entry_points(group: str, path: Optional[list[str]] = None) -> list[EntryPoint]:
    """The entry points of ``group`` of every distribution on ``path`` (default ``sys.path``).

    What ``importlib.metadata.entry_points(group=...)`` returns, read straight from the
    ``*.dist-info/entry_points.txt`` files: importing importlib.metadata costs ~40 ms (it pulls
    in the email package), a tenth of a pre-commit run's budget. The first distribution of a
    name on the path wins, as with importlib.metadata.
    """
    import os
    import sys

    header = f"[{group}]"
    raw_header = header.encode()
    seen: set[str] = set()
    out: list[EntryPoint] = []
    for base in path if path is not None else sys.path:
        try:
            names = os.listdir(base or ".")
        except OSError:
            continue
        # the metadata folders only, then sorted (the standard library's folder alone holds ~200 names)
        for entry in sorted(n for n in names if n.endswith((".dist-info", ".egg-info"))):
            dist = entry.rsplit("-", 1)[0] if entry.endswith(".dist-info") else entry[: -len(".egg-info")]
            dist = dist.split("-")[0].lower().replace("_", "-")
            if dist in seen:
                continue
            seen.add(dist)
            data = _read_bytes(os.path.join(base or ".", entry, "entry_points.txt"))
            # most distributions have no such section: a substring test of the bytes before any
            # decoding or parsing (configparser's import and parse of every file was 25 M
            # instructions, 6% of a cold check, on this project's 20-distribution environment;
            # a text file object per file 1.2 M more than the bytes, with 49 distributions)
            if data is None or raw_header not in data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            out.extend(EntryPoint(name, value, dist) for name, value in _section(text, header))
    return out


def _read_bytes(path: str) -> Optional[bytes]:
    """The file's bytes, or None when it cannot be read."""
    import os

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _section(text: str, header: str) -> list[tuple[str, str]]:
    """The ``name = value`` entries of one section of an entry_points.txt (an INI file, as
    the packaging specification describes it: ``[group]`` lines, ``#``/``;`` comments)."""
    entries: list[tuple[str, str]] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line == header
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            entries.append((name.strip(), value.strip()))
    return entries


def load_registry(include_plugins: bool = True) -> Registry:
    """Every rule registered under the entry-point group (the built-ins register there too).

    From a source checkout that is not installed, the built-ins are added directly.
    """
    builtins = _builtin_rules()
    rules: dict[str, Rule] = {UNUSED_SUPPRESSION.id: UNUSED_SUPPRESSION}
    errors: list[str] = []
    found_builtins = False
    if include_plugins:
        for ep in entry_points(ENTRY_POINT_GROUP):
            try:
                loaded = ep.load()
            except Exception as e:  # a broken plugin must not stop the run
                errors.append(f"rule plugin `{ep.name}` ({ep.value}) failed to load: {type(e).__name__}: {e}")
                continue
            found_builtins = found_builtins or ep.value == f"{__name__}:BUILTIN_RULES"
            items = loaded if isinstance(loaded, (list, tuple)) else [loaded]
            for r in items:
                if not isinstance(r, Rule):
                    errors.append(f"rule plugin `{ep.name}` ({ep.value}) gave {type(r).__name__}, not a Rule")
                elif r.id in rules and _resolved(rules[r.id]) != _resolved(r):
                    errors.append(f"rule plugin `{ep.name}`: rule id `{r.id}` is already taken; skipped")
                else:
                    rules[r.id] = r
    if not found_builtins:
        for r in builtins:
            rules.setdefault(r.id, r)
    # built-ins first, in their documented order; then plugins
    order = [r.id for r in builtins] + [UNUSED_SUPPRESSION.id]
    ordered = {i: rules[i] for i in order if i in rules}
    ordered.update(rules)
    return Registry(ordered, errors)
