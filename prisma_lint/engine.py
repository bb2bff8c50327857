"""The one pipeline: front ends -> model -> rules -> findings -> fixes.

Every entry point (``check``, ``--fix``, ``--add-ignore``, ``migrate``, ``graph``, the language
server) goes through :func:`load_inputs` and an :class:`Engine`:

* :class:`Inputs` is what one lint reads: the unit (a Prisma schema or SQL), the schema's
  migrations, the app's queries, database statistics. A new input is one front end plus one
  field here; rules declare which inputs they need (``Rule.needs``) and the engine runs a rule
  only when they are present.
* :meth:`Engine.lint` runs the active rules and the suppression pass;
  :meth:`Engine.fix` plans and applies fixes in memory, round after round, each round linted
  with the same inputs as the first (migrations included);
  :meth:`Engine.add_ignores` writes ``prisma-lint-ignore`` comments in memory.

Nothing here writes files or reads the environment: the CLI and the server do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional

from .config import Config
from .findings import SEVERITY_RANK, Finding
from .frontends.prisma.loader import LoadedSchema
from .frontends.prisma.syntax import Diagnostic
from .records import field, record, replace
from .rules import UNUSED_SUPPRESSION, Registry, Rule, RuleContext

if TYPE_CHECKING:
    from . import suppressions as sup
    from .frontends.db.stats import DatabaseStats
    from .paths import StrPath
    from .rule_cache import FindingsCache

UnitKind = Literal["prisma", "sql"]


@record(eq=False)
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors about the input
    suppressed: int = 0


@record(eq=False)
class Inputs:
    """What one lint reads."""

    unit: LoadedSchema  # the schema (or the SQL) being linted
    kind: UnitKind
    migrations: Optional[LoadedSchema] = None  # the schema's migrations folder, replayed
    queries: Any = None  # frontends.app.patterns.AppQueries
    stats: Optional["DatabaseStats"] = None  # database statistics, live or from a file (frontends.db)
    # informational notes about the inputs (SQL of another dialect that was not read)
    notes: list[Diagnostic] = field(default_factory=list)

    @property
    def present(self) -> list[str]:
        """The input names rules can declare in ``needs``."""
        names = ["schema", self.kind]
        names += [n for n, v in (("migrations", self.migrations), ("queries", self.queries), ("stats", self.stats)) if v is not None]
        return names

    def with_texts(self, texts: dict[str, str], move: bool = False) -> "Inputs":
        """The same inputs with new texts for the unit's files (a fix applied in memory); only
        the top-level blocks that changed are parsed again. ``move``: these inputs are given
        up: their unchanged blocks and models are moved into the result, not copied (their
        schema no longer reads right afterwards)."""
        from .frontends.prisma.loader import reparse

        return replace(self, unit=reparse(self.unit, texts, move))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        out = list(self.unit.diagnostics) + self.notes
        if self.migrations is not None:
            out += self.migrations.diagnostics
        return out


# the migrations folder (a str, or a Path when the target was given as one) -> its unit
MigrationsLoader = Callable[[Any], Optional[LoadedSchema]]


def load_migrations(folder: StrPath, cwd: Optional[StrPath] = None, overrides: Optional[dict[str, str]] = None) -> Optional[LoadedSchema]:
    """A migrations folder replayed through the SQL front end, or None when it has none."""
    from .discovery import has_migrations

    if not has_migrations(folder):
        return None
    from .frontends.sql.replay import load_sql  # the SQL front end only when there is SQL

    return load_sql(folder, cwd, overrides)


def load_inputs(
    target: StrPath,
    cwd: Optional[StrPath] = None,
    overrides: Optional[dict[str, str]] = None,
    migrations: Optional[StrPath] = None,
    migrations_loader: Optional[MigrationsLoader] = None,
    previous: Optional[Inputs] = None,
    changed: Optional[dict[str, tuple]] = None,
) -> Inputs:
    """Read the unit at ``target`` (a schema file or folder, or SQL) through its front end, and
    the schema's migrations (``migrations``, else ``migrations/`` next to the datasource's
    file). ``overrides`` maps resolved paths to unsaved text; ``previous``: the inputs of the
    last lint of the same unit, given up (only the schema blocks changed since are parsed again;
    the others are moved from ``previous``, which no longer reads right afterwards); ``changed``:
    for an override, the text the last read read and where the override differs from it
    (``frontends/prisma/loader.read_source``). Raises ``SchemaNotFound``."""
    from .discovery import has_migrations, is_sql_path, migrations_dir
    from .frontends.prisma.loader import display_path, load_schema

    if is_sql_path(target):
        from .frontends.sql import dialect
        from .frontends.sql.replay import load_sql

        provider = dialect.sql_provider(target)
        if provider is not None and not dialect.is_read(provider):  # MySQL, SQLite, SQL Server: one note
            note = dialect.skipped_note(display_path(target, cwd), provider)
            return Inputs(dialect.skipped_unit(target, cwd), "sql", notes=[note])
        return Inputs(load_sql(target, cwd, overrides), "sql")
    unit = load_schema(target, cwd, overrides, previous.unit if previous is not None and previous.kind == "prisma" else None, changed)
    folder = migrations if migrations is not None else migrations_dir(datasource_file(unit))
    if migrations is not None or has_migrations(folder):
        from .frontends.sql import dialect  # only with SQL to read (1.5 M instructions to import)

        provider = dialect.sql_provider(folder, unit.schema.provider)
        if provider is not None and not dialect.is_read(provider):  # no schema-drift from a folder not read
            return Inputs(unit, "prisma", notes=[dialect.skipped_note(display_path(folder, cwd), provider)])
    if migrations is not None:
        from .frontends.sql.replay import load_sql

        return Inputs(unit, "prisma", load_sql(migrations, cwd, overrides))
    loader = migrations_loader or (lambda f: load_migrations(f, cwd, overrides))
    return Inputs(unit, "prisma", loader(folder))


def datasource_file(unit: LoadedSchema) -> StrPath:
    """The file on disk that holds the datasource block (else the schema's first file)."""
    ds = unit.schema.datasource
    shown = ds.span.file.path if ds else next(iter(unit.paths), unit.root)
    return unit.paths.get(shown, shown)


def active_rules(
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    inputs: Iterable[str] = ("schema", "prisma"),
) -> list[Rule]:
    """The rules to run: selected, not ignored, and with every input they need present."""
    # as ruff: a --select on the command line replaces the config's select and extend-select
    explicit = list(select) if select else list(config.select or []) + list(config.extend_select)
    chosen = (list(select) if select else list(config.select or [])) or ["all"]
    ignored = set(config.ignore) | set(config.extend_ignore) | set(ignore)
    present = set(inputs)
    out = []
    for rule in registry.rules.values():
        if not present.issuperset(rule.needs):
            continue
        if rule.id not in explicit and ("all" not in chosen or not rule.default_enabled):
            continue
        if rule.id in ignored:
            continue
        out.append(rule)
    return out


def run_rules(
    schema, rules: list[Rule], config: Config, extra_indexes=None, migrations=None, queries=None, stats=None, cache: Optional["FindingsCache"] = None
) -> tuple[list[Finding], list[Diagnostic]]:
    """Every rule's findings, and a diagnostic for each rule that failed. ``cache``: the findings
    per model of the last lint of the same unit (the language server), for the rules that
    declare ``scope="model"`` (not with queries or statistics: those rules may read them)."""
    findings: list[Finding] = []
    errors: list[Diagnostic] = []

    def context(rule: Rule, schema) -> RuleContext:
        return RuleContext(
            rule=rule,
            schema=schema,
            options=config.options_for(rule),
            severity=config.severity.get(rule.id, rule.severity),
            extra_indexes=extra_indexes or {},
            migrations=migrations,
            queries=queries,
            stats=stats,
        )

    keep: Optional[Callable[[Rule, list[Finding]], None]] = None
    whole: list[Rule] = []  # the schema-wide rules whose findings the cache keeps
    if cache is not None and queries is None and stats is None:
        per_model = [r for r in rules if r.scope == "model" and r is not UNUSED_SUPPRESSION]
        found = cache.lint(schema, per_model, context, extra_indexes or {}) if per_model else None
        if found is not None:
            findings.extend(found)
            rules = [r for r in rules if r not in per_model]
        if migrations is None:  # the schema-wide rules, while the schema they read is the same
            whole = [r for r in rules if r.scope == "schema" and r is not UNUSED_SUPPRESSION and set(r.needs) <= {"schema", "prisma"}]
            if whole:
                served, todo, keep = cache.schema_rules(schema, whole, context)
                findings.extend(served)
                rules = [r for r in rules if r not in whole or r in todo]
        cache.now = None  # (worked out for this schema only)
    for rule in rules:
        if rule is UNUSED_SUPPRESSION:
            continue
        ctx = context(rule, schema)
        if cache is not None:
            ctx.memo = cache.memo(rule.id)
        got: list[Finding] = []
        try:
            got.extend(rule.check(ctx))
        except Exception as e:  # a rule's bug must not hide the other rules' findings
            errors.append(
                Diagnostic(f"rule `{rule.id}` failed: {type(e).__name__}: {e}", None, "error", "rule-crash")
            )
        else:
            if keep is not None and rule in whole:
                keep(rule, got)
            if cache is not None:
                cache.keep_memo(rule.id, ctx.memo)
        findings.extend(got)
    return findings, errors


def migration_indexes(schema, migrations) -> dict[str, list]:
    """Indexes that exist only in the migrations (partial, GIN, expression indexes written in
    SQL), per schema model, with the model's field names: they count as existing."""
    from .model.schema import Index, IndexColumn

    tables = {m.db_name: m for m in migrations.models.values()}
    out: dict[str, list] = {}
    for model in schema.models.values():
        table = tables.get(model.db_name)
        if table is None:
            continue
        known = {i.db_name for i in model.indexes}
        for index in table.indexes:
            if index.db_name in known:
                continue
            cols = []
            for c in index.columns:
                f = model.field_by_db_name(c.db_name)
                cols.append(IndexColumn(f.name if f else c.field, c.db_name, c.sort, c.length, c.ops, c.span))
            out.setdefault(model.name, []).append(
                Index(model.name, index.kind, cols, index.db_name, index.span, map=index.map, type=index.type, where=index.where, synthetic=True)
            )
    return out


@record(eq=False)
class FixResult:
    inputs: Inputs  # after the fixes
    result: LintResult  # the lint of the fixed inputs
    texts: dict[str, str]  # shown path -> fixed text, for the files that changed
    originals: dict[str, str]  # shown path -> text before
    fixed: int  # how many findings the fixes took away


@record(eq=False)
class Engine:
    """The rules chosen for a run and the config they run with."""

    registry: Registry
    config: Config
    select: Optional[Sequence[str]] = None
    ignore: Sequence[str] = ()

    def reads(self, name: str) -> bool:
        """Whether a rule this engine would run (given every input) reads the input ``name``:
        an input that costs something (the app's code, the database) is read only then."""
        everything = ("schema", "prisma", "migrations", "queries", "stats")
        return any(name in r.needs for r in active_rules(self.registry, self.config, self.select or None, self.ignore, everything))

    def rules_for(self, inputs: Inputs) -> list[Rule]:
        return active_rules(self.registry, self.config, self.select or None, self.ignore, inputs.present)

    def lint(self, inputs: Inputs, cache: Optional["FindingsCache"] = None) -> LintResult:
        """Lint the unit (files with syntax errors too: what parsed). With migrations, indexes
        that exist only there count as existing, and schema-drift compares the two. ``cache``:
        see :func:`run_rules` (the language server keeps one per unit)."""
        schema = inputs.unit.schema
        rules = self.rules_for(inputs)
        mig_schema = inputs.migrations.schema if inputs.migrations is not None else None
        extra = migration_indexes(schema, mig_schema) if mig_schema is not None else None
        findings, errors = run_rules(schema, rules, self.config, extra, mig_schema, inputs.queries, inputs.stats, cache)
        if inputs.stats is not None:
            _add_table_sizes(findings, schema, inputs.stats)
        known = set(self.registry.rules)
        by_file: dict[str, list[sup.Suppression]] = {}
        files = list(schema.files) + (list(mig_schema.files) if mig_schema is not None else [])
        for f in files:
            if "prisma-lint-" not in f.source.text:  # (no comment to read: ~0.4 ms a change on 7,600 lines)
                continue
            comments = [(c.span, f.source.text[c.span.start : c.span.end]) for c in f.comments if "prisma-lint-" in c.text]
            if comments:  # suppressions.py only then: 2.1 M instructions of a cold check to import
                from . import suppressions as sup

                by_file[f.source.path] = sup.collect(f.source, comments, known, f)
        kept = sup.apply(findings, by_file) if by_file else findings
        suppressed = len(findings) - len(kept)
        if UNUSED_SUPPRESSION in rules and by_file:
            active_ids = {r.id for r in rules}
            severity = self.config.severity.get(UNUSED_SUPPRESSION.id, UNUSED_SUPPRESSION.severity)
            for s, message in sup.unused(by_file, known, active_ids):
                kept.append(Finding(UNUSED_SUPPRESSION.id, severity, message, s.span, model=s.model))
        if self.config.exclude or self.config.per_file_ignores:
            paths = {**(inputs.migrations.paths if inputs.migrations is not None else {}), **inputs.unit.paths}
            kept = _by_file_config(kept, self.config, paths)
        kept.sort(key=Finding.sort_key)
        return LintResult(kept, inputs.diagnostics + errors, suppressed)

    def fix(
        self,
        inputs: Inputs,
        unsafe: bool = False,
        only_file: Optional[str] = None,
        before: Optional[LintResult] = None,
        keep: Optional[Callable[[Finding], bool]] = None,
        give_up: bool = False,
    ) -> FixResult:
        """Plan and apply the fixes in memory, round after round until nothing changes (a
        second run fixes nothing). ``only_file``: only the fixes of findings in that file
        (the editor's fix-all of one document); ``keep``: only the fixes of the findings it
        keeps (pre-commit: those reported for the files passed). Every round is linted with the
        same inputs.

        ``give_up``: the caller reads nothing of ``inputs``' schema afterwards (its files'
        paths and texts are fine), only ``before``'s findings and diagnostics (``check --fix``:
        it reports them when the files cannot be written). Each parse then moves the unchanged
        blocks of the one before, and the models built from them, instead of copying them;
        ``before``'s positions are made absolute first, and ``inputs``' schema no longer reads
        right afterwards (its models still hold its indexes: ``migration`` diffs them). cal.com
        ``check --fix``: 728 -> 692 M instructions (callgrind, the whole process)."""
        from .fix.planner import fix_texts

        before = before or self.lint(inputs)
        originals = inputs.unit.texts()
        if inputs.kind != "prisma" or inputs.unit.has_errors:
            return FixResult(inputs, before, {}, originals, 0)
        if give_up:
            _pin(before)
        # with the default rule selection, the check of a planned result *is* the next round's
        # lint: one lint per round, as before the check existed (cal.com in process: fix 35 ms,
        # load + lint 34 ms, the same as without the check)
        same_rules = not self.select and not self.config.select
        first = tuple(sorted(originals.items()))
        parsed: dict[tuple, Inputs] = {first: inputs}
        linted: dict[tuple, LintResult] = {first: before}
        dead: set[tuple] = set()  # texts whose parse was given up (its blocks moved on): parsed again if asked
        # a plan is parsed from its round's text (only its blocks change); with give_up, from
        # the last parse (the one whose blocks are still its own)
        round_start, head = [first], [first]

        def inputs_for(texts: dict[str, str], key: tuple) -> Inputs:
            now = parsed.get(key)
            if now is not None and key not in dead:
                return now
            if give_up:
                now = parsed[head[0]].with_texts(texts, move=True)
                dead.add(head[0])
                head[0] = key
            else:
                now = parsed[round_start[0]].with_texts(texts)
            parsed[key] = now
            dead.discard(key)
            linted.pop(key, None)  # the findings of a given-up parse point into moved blocks
            return now

        def lint_texts(texts: dict[str, str]) -> tuple[Inputs, LintResult]:
            key = tuple(sorted(texts.items()))
            now = inputs_for(texts, key)
            if key not in linted:
                linted[key] = self.lint(now)
            return now, linted[key]

        def lint_round(texts: dict[str, str]):
            now, r = lint_texts(texts)
            round_start[0] = tuple(sorted(texts.items()))
            found = r.findings if only_file is None else [f for f in r.findings if f.span.file.path == only_file]
            if keep is not None:
                found = [f for f in found if keep(f)]
            return now.unit.schema, found, now.unit.has_errors

        every_rule = replace(self, select=["all"])

        def verify(texts: dict[str, str]):
            """Every rule on a planned result: a fix must not create a finding, even of a rule
            not selected (the planner leaves such fixes out)."""
            if same_rules:
                now, r = lint_texts(texts)
            else:
                now = inputs_for(texts, tuple(sorted(texts.items())))
                r = every_rule.lint(now)
            # drift from the migrations is what a schema fix makes until `migrate` writes it
            kept = [f for f in r.findings if "migrations" not in self._needs(f.rule)]
            return now.unit.schema, kept, now.unit.has_errors

        outcome = fix_texts(originals, lint_round, unsafe, verify)
        if not outcome.texts:
            _mark_refused(before.findings, outcome)
            return FixResult(inputs, before, {}, originals, 0)
        # the last round's lint (its edits may have been applied after it: parsed then)
        final, result = lint_texts({**originals, **outcome.texts})
        _mark_refused(result.findings, outcome)
        return FixResult(final, result, outcome.texts, originals, _gone(before.findings, result.findings))

    def migration(
        self, inputs: Inputs, unsafe: bool = False, give_up: bool = False, before: Optional[LintResult] = None
    ) -> tuple[FixResult, Any]:
        """What ``migrate`` needs: the fixes (in memory) and the index changes they make to the
        database (``migrate.sql.Migration``), leaving out what the migrations already create.
        Raises ``migrate.sql.MigrationError`` for a provider it cannot write SQL for.
        ``give_up``, ``before``: as for :meth:`fix` (the diff reads the indexes of ``inputs``'
        models, not their positions: it is the same either way)."""
        from .migrate.sql import diff

        original = inputs.unit.schema
        fixed = self.fix(inputs, unsafe, before=before, give_up=give_up)
        existing = inputs.migrations.schema if inputs.migrations is not None else None
        return fixed, diff(original, fixed.inputs.unit.schema, existing)

    def _needs(self, rule_id: str) -> tuple[str, ...]:
        rule = self.registry.get(rule_id)
        return rule.needs if rule is not None else ()

    def add_ignores(self, inputs: Inputs, result: LintResult) -> tuple[dict[str, str], int]:
        """``prisma-lint-ignore`` comments for the findings in the schema files, in memory:
        (shown path -> new text for the files that change, how many comments)."""
        from .fix.edits import apply_edits
        from .suppressions import ignore_edits

        if inputs.kind != "prisma" or inputs.unit.has_errors:
            return {}, 0
        files = [f for f in inputs.unit.schema.files if f.source.path.endswith(".prisma")]
        edits = ignore_edits(result.findings, files)
        originals = inputs.unit.texts()
        texts: dict[str, str] = {}
        for path in {e.file.path for e in edits}:
            texts[path], _ = apply_edits(originals[path], [e for e in edits if e.file.path == path])
        return texts, len(edits)


def _pin(result: LintResult) -> None:
    """Make the positions of ``result``'s findings and diagnostics absolute (they keep
    reading right once the blocks they point into are moved to another text)."""
    for f in result.findings:
        f.span = f.span.pinned()
    for d in result.diagnostics:
        if d.span is not None:
            d.span = d.span.pinned()


def _mark_refused(findings: list[Finding], outcome) -> None:
    """A fix the planner left out (the schema it makes has a finding the original lacks) is
    shown, not offered: the next --fix would leave it out again."""
    for f in findings:
        if f.fix is not None and outcome.was_refused(f):
            f.fix.applicability = "display"
            f.fix.title += " (not applied: it would create a new finding)"


def _add_table_sizes(findings: list[Finding], schema, stats: "DatabaseStats") -> None:
    """Each finding on a model gets its table's size (text output sorts by it, JSON shows it)."""
    from .frontends.db.match import model_table

    for f in findings:
        model = schema.models.get(f.model or "") or schema.join_tables.get(f.model or "")
        table = model_table(stats, model) if model is not None else None
        if table is not None:
            f.table_rows = round(table.rows)
            f.table_bytes = table.total_bytes


def unit_kind(loaded: LoadedSchema) -> UnitKind:
    schema = loaded.schema
    return "sql" if schema.sql_statements or (not schema.datasource and schema.sql_provider) else "prisma"


def lint(
    loaded: LoadedSchema,
    registry: Registry,
    config: Config,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    migrations: Optional[LoadedSchema] = None,
    queries: Any = None,
    stats: Any = None,
) -> LintResult:
    """One lint of an already loaded unit (a shorthand for ``Engine(...).lint(Inputs(...))``)."""
    inputs = Inputs(loaded, unit_kind(loaded), migrations, queries, stats)
    return Engine(registry, config, list(select) if select else None, list(ignore)).lint(inputs)


def _gone(before: list[Finding], after: list[Finding]) -> int:
    """How many findings of ``before`` are not in ``after``, matched by rule, file, model and
    fields (the fixes move lines, so positions cannot match); a plain difference of the counts
    is off when a fix also changes another finding."""
    from collections import Counter

    left = Counter((f.rule, f.file, f.model, tuple(f.fields)) for f in after)
    gone = 0
    for f in before:
        key = (f.rule, f.file, f.model, tuple(f.fields))
        if left[key]:
            left[key] -= 1
        else:
            gone += 1
    return gone


def _by_file_config(findings: list[Finding], config: Config, paths: dict) -> list[Finding]:
    """Drop the findings in files that ``exclude`` leaves out (a file of a multi-file schema is
    still read, for the relations across files, but not reported on or fixed) and those that
    ``per-file-ignores`` turns off for their file."""
    verdicts: dict[str, tuple[bool, set[str]]] = {}
    out = []
    for f in findings:
        if f.file not in verdicts:
            path = paths.get(f.file) or f.file
            verdicts[f.file] = (config.is_excluded(path), config.ignored_in(path))
        excluded, off = verdicts[f.file]
        if not excluded and f.rule not in off:
            out.append(f)
    return out


def exit_code(result_findings: list[Finding], diagnostics: list[Diagnostic], fail_on: str) -> int:
    if any(d.severity == "error" for d in diagnostics):
        return 2
    threshold = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] >= threshold for f in result_findings) else 0
