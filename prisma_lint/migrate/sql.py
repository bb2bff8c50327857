"""Migration SQL: from the indexes of one schema to those of another (the fixed one), as Prisma
Migrate would write it — database names after ``@@map``/``@map``, Prisma's default index names,
quoting, ``USING`` methods, sort order, operator classes, the ``-- CreateIndex`` step comments,
and Prisma's order of steps (drops, then creates, then renames).

Rendering goes through the jinja2 templates in ``templates/`` (one per provider), compiled at
build time into plain Python (``template_code.py`` -> ``_templates.py``; jinja2's import alone is
134 M instructions, 0.35x of a cold check of cal.com's schema). A template whose installed text
is not the one compiled is rendered by jinja2, as written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from pathlib import Path  # not imported on `migrate --stdout`'s way (16 M instructions, see resources.py)

from ..model.schema import Index, Model, Schema
from ..records import field, record

SUPPORTED = ("postgresql", "cockroachdb", "mysql", "sqlite", "sqlserver")
_QUOTES = {
    "postgresql": ('"', '"'),
    "cockroachdb": ('"', '"'),
    "sqlite": ('"', '"'),
    "mysql": ("`", "`"),
    "sqlserver": ("[", "]"),
}
TEMPLATES = {
    "postgresql": "postgresql.sql.j2",
    "cockroachdb": "postgresql.sql.j2",
    "mysql": "mysql.sql.j2",
    "sqlite": "sqlite.sql.j2",
    "sqlserver": "sqlserver.sql.j2",
}
FILTERS = ("qi", "sqlstr")  # the filters the templates may use (``filters``)
_PG_METHODS = {"Hash": "HASH", "Gin": "GIN", "Gist": "GIST", "SpGist": "SPGIST", "Brin": "BRIN"}


class MigrationError(Exception):
    """The migration cannot be written right for this schema or provider."""


# Rules whose errors make the SQL wrong: names the database truncates into collisions or refuses
# (a NUL), expressions PostgreSQL refuses in an index. `migrate` writes nothing while one fires.
BLOCKING_RULES = ("identifier-too-long", "non-immutable-index-expression")


@record(frozen=True)
class SqlColumn:
    name: str  # database column name
    sort: Optional[str] = None
    length: Optional[int] = None
    ops: Optional[str] = None  # SQL operator class


@record(frozen=True)
class SqlIndex:
    name: str
    table: str
    schema: Optional[str]
    columns: tuple[SqlColumn, ...]
    unique: bool = False
    fulltext: bool = False
    method: Optional[str] = None  # USING ... (PostgreSQL); None for the default B-tree
    where: Optional[str] = None

    def definition(self) -> tuple:
        """What the database builds, without the name."""
        return (self.table, self.schema, self.columns, self.unique, self.fulltext, self.method, self.where)


@record(eq=False)
class Step:
    action: str  # create | drop | rename
    index: SqlIndex
    old_name: Optional[str] = None  # rename


@record(eq=False)
class Migration:
    provider: str
    steps: list[Step] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.steps


def ops_sql(ops: Optional[str]) -> Optional[str]:
    """Prisma's operator-class name (``JsonbPathOps``, ``raw("...")``) as SQL (``jsonb_path_ops``)."""
    if not ops:
        return None
    m = re.fullmatch(r'raw\("(.*)"\)', ops)
    if m:
        return m.group(1)
    words = re.findall(r"[A-Z][a-z0-9]*", ops)
    out: list[str] = []
    for w in (w.lower() for w in words):
        if out and (w == "tz" or (w == "max" and out[-1] == "min")):
            out[-1] += w
        else:
            out.append(w)
    return "_".join(out)


def _where_sql(index: Index, model: Model, provider: str) -> Optional[str]:
    if index.where is None:
        return None
    attr = index.attribute
    expr = attr.arg("where") if attr is not None else None
    from ..frontends.prisma.syntax import Call, ObjectLit

    if isinstance(expr, Call):
        return index.where  # raw("...") text, as written
    if isinstance(expr, ObjectLit) and len(expr.entries) == 1 and not index.where.startswith("{"):
        return f"({index.where})"  # as Prisma writes `where: { status: "pending" }`
    raise MigrationError(
        f"`{model.name}`: this form of `where:` is not rendered; use `where: raw(\"...\")`"
    )


def _check(index: Index, model: Model, provider: str) -> Optional[str]:
    """Raise the MigrationError ``index`` has no SQL for (but its ``where:``, ``_where_sql``);
    else its ``USING`` method."""
    method = None
    if index.kind == "index" and index.type not in (None, "BTree"):
        if provider not in ("postgresql",):
            raise MigrationError(f"`{model.name}`: index type {index.type} is not supported for {provider} here")
        method = _PG_METHODS[index.type]
    if index.kind == "fulltext" and provider != "mysql":
        raise MigrationError(f"`{model.name}`: @@fulltext indexes exist only for MySQL")
    for c in index.columns:
        if "." in c.field:
            raise MigrationError(f"`{model.name}`: an index on a composite-type field ({c.field}) has no SQL form")
    return method


def sql_index(index: Index, model: Model, provider: str) -> SqlIndex:
    method = _check(index, model, provider)
    pg = provider == "postgresql"
    return SqlIndex(
        name=index.db_name,
        table=model.db_name,
        schema=model.schema,
        columns=tuple([SqlColumn(c.db_name, c.sort, c.length, ops_sql(c.ops) if pg else None) for c in index.columns]),
        unique=index.kind == "unique",
        fulltext=index.kind == "fulltext",
        method=method,
        where=_where_sql(index, model, provider),
    )


def _indexes(schema: Schema, provider: str, unchanged: frozenset[str] = frozenset(), checked: bool = False) -> dict[str, list[SqlIndex]]:
    """Secondary indexes per model name (primary keys are not changed by prisma-lint). The
    models named in ``unchanged`` are left out: their indexes are only checked for an index
    with no SQL (the error a migration of the schema raises), or not even that if ``checked``."""
    out: dict[str, list[SqlIndex]] = {}
    for m in schema.models.values():
        # @@ignore hides a model from Prisma Client, not from Prisma Migrate: its table and
        # indexes are still migrated (and drift-checked), so a fix to them is migrated too
        if m.kind != "model":
            continue
        if m.name in unchanged:
            if not checked:
                for i in m.indexes:
                    if i.kind != "id":
                        _check(i, m, provider)
                        _where_sql(i, m, provider)
            continue
        out[m.name] = [sql_index(i, m, provider) for i in m.indexes if i.kind != "id"]
    return out


def diff(old: Schema, new: Schema, existing: Optional[Schema] = None) -> Migration:
    """The steps that take a database from ``old``'s indexes to ``new``'s. ``existing``: the
    final state of the schema's migrations; an index they already create is not created again
    (a fix that only writes into the schema what the migrations hold changes no database)."""
    provider = new.provider or old.provider
    if provider not in SUPPORTED:
        raise MigrationError(
            f"migrations for provider {provider!r} are not supported "
            f"(prisma-lint writes SQL for {', '.join(SUPPORTED)})"
        )
    # a model that is the same object in both (the fix's parse reused it: its block did not
    # change) has the same indexes: nothing to compare, only an index of it with no SQL form
    # still stops the migration (cal.com: 46 of 80 models; diff 16 -> 9 M instructions)
    same = frozenset(name for name, m in new.models.items() if old.models.get(name) is m)
    before, after = _indexes(old, provider, same), _indexes(new, provider, same, checked=True)
    drops: list[SqlIndex] = []
    creates: list[SqlIndex] = []
    for model, new_list in after.items():
        old_list = before.get(model, [])
        old_by_name = {i.name: i for i in old_list}
        new_by_name = {i.name: i for i in new_list}
        for i in old_list:
            if i.name not in new_by_name or new_by_name[i.name].definition() != i.definition():
                drops.append(i)
        for i in new_list:
            if i.name not in old_by_name or old_by_name[i.name].definition() != i.definition():
                creates.append(i)
    renames: list[Step] = []
    if provider != "sqlite":  # SQLite cannot rename an index
        for c in list(creates):
            twin = next((d for d in drops if d.definition() == c.definition()), None)
            if twin is not None:
                drops.remove(twin)
                creates.remove(c)
                renames.append(Step("rename", c, old_name=twin.name))
    if existing is not None:
        there = {(i.name, i.definition()) for m in existing.models.values() if m.kind == "model" for i in (
            sql_index(x, m, provider) for x in m.indexes if x.kind != "id")}
        creates = [c for c in creates if (c.name, c.definition()) not in there]
    steps = [Step("drop", d) for d in drops] + [Step("create", c) for c in creates] + renames
    return Migration(provider, steps)


def reverse(m: Migration) -> Migration:
    """The steps that undo ``m`` (for ``down.sql``)."""
    steps: list[Step] = []
    for s in reversed(m.steps):
        if s.action == "create":
            steps.append(Step("drop", s.index))
        elif s.action == "drop":
            steps.append(Step("create", s.index))
        else:
            old = SqlIndex(**{**s.index.__dict__, "name": s.old_name})
            steps.append(Step("rename", old, old_name=s.index.name))
    # as Prisma orders them: drops, creates, renames
    order = {"drop": 0, "create": 1, "rename": 2}
    steps.sort(key=lambda s: order[s.action])
    return Migration(m.provider, steps)


def filters(provider: str) -> dict[str, Callable[[str], str]]:
    """The templates' filters for ``provider``: ``qi`` quotes an identifier (a quote inside it
    doubled), ``sqlstr`` makes text safe inside a '...' string."""
    left, right = _QUOTES[provider]

    def qi(name: str) -> str:
        return left + name.replace(right, right + right) + right

    def sqlstr(s: str) -> str:
        return s.replace("'", "''")

    return {"qi": qi, "sqlstr": sqlstr}


def jinja_environment(**options: Any) -> Any:
    """The jinja2 environment the templates are written for (``template_code`` parses them with
    it, so whitespace control and the trailing newline come out as when jinja2 renders)."""
    import jinja2

    return jinja2.Environment(autoescape=False, keep_trailing_newline=False, undefined=jinja2.StrictUndefined, **options)


def template_key(text: str) -> str:
    """What identifies a template's text: its length and CRC-32 (binascii: 0.8 M instructions
    to import, where hashlib's OpenSSL is 11.6 M, 3% of a cold check of cal.com; this detects
    an edit, it is no defence against a crafted one, and needs none)."""
    from binascii import crc32

    return f"{len(text)}:{crc32(text.encode('utf-8')):08x}"


@cache
def _compiled(path: str) -> Optional[Callable[..., str]]:
    """The generated render function (``_templates.py``) of the template file at ``path``, when
    the file's text is the one it was compiled from; else None (jinja2 renders it)."""
    try:
        from ._templates import COMPILED
    except ImportError:  # before it is first generated
        return None
    entry = COMPILED.get(os.path.basename(path))
    if entry is None:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as f:  # as jinja2's loader reads it: no newline translation
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None  # jinja2 reports it
    key, function = entry
    return function if template_key(text) == key else None


def _compiled_for(provider: str) -> Optional[Callable[..., str]]:
    from ..resources import resource_path

    return _compiled(resource_path("templates", TEMPLATES[provider]))


def compiled_template(provider: str) -> bool:
    """Whether ``provider``'s template renders without jinja2 (see ``_compiled``)."""
    return _compiled_for(provider) is not None


def _render_steps(provider: str, steps: list[Step], concurrently: bool, cache_dir: Optional[Path]) -> str:
    function = _compiled_for(provider)
    if function is not None:
        return function(filters(provider), steps=steps, concurrently=concurrently)
    return _template(provider, cache_dir).render(steps=steps, concurrently=concurrently)


@cache
def _template(provider: str, cache_dir: Optional[Path] = None) -> Any:
    """The provider's template, compiled by jinja2 once per process (when ``_templates.py`` does
    not have it): ``statements`` renders each step on its own and ``write_migrations`` each
    migration up and down, and compiling the template is 46 M instructions (8 ms) each time.
    ``cache_dir``: where jinja2 keeps the compiled template between runs (its bytecode cache
    checks the template's text, so an edit is seen); the first ``migrate`` writes it, the next
    ones skip the compile."""
    import jinja2

    from ..resources import resource_dir

    env = jinja_environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        bytecode_cache=_template_cache(cache_dir / "templates") if cache_dir is not None else None,
    )
    env.filters.update(filters(provider))
    return env.get_template(TEMPLATES[provider])


def _template_cache(folder: Path) -> Any:
    """jinja2's file cache of compiled templates, made quiet: a folder that cannot be created or
    written only costs the compile (a cache is never a reason for a migration to fail)."""
    import jinja2

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return QuietCache(str(folder))


def render(m: Migration, concurrently: bool = False, cache_dir: Optional[Path] = None) -> str:
    """The migration file's text (``cache_dir``: see ``_template``)."""
    if concurrently and m.provider not in ("postgresql", "cockroachdb"):
        raise MigrationError("--concurrently is for PostgreSQL and CockroachDB")
    return _render_steps(m.provider, m.steps, concurrently, cache_dir).strip("\n") + "\n"


def concurrent_order(m: Migration) -> list[Step]:
    """The steps for one-statement-at-a-time migrations: every new index is built before the
    old ones go (a reordered or replacing index is there before the one it replaces is dropped,
    so queries never lose both); a create that reuses a dropped name waits for that drop."""
    dropped = {s.index.name for s in m.steps if s.action == "drop"}
    early = [s for s in m.steps if s.action == "create" and s.index.name not in dropped]
    late = [s for s in m.steps if s.action == "create" and s.index.name in dropped]
    drops = [s for s in m.steps if s.action == "drop"]
    renames = [s for s in m.steps if s.action == "rename"]
    return early + drops + late + renames


def statements(m: Migration, concurrently: bool = False, cache_dir: Optional[Path] = None) -> list[str]:
    """Each step rendered on its own (for one-statement migrations and for checks); with
    ``concurrently``, in ``concurrent_order``."""
    steps = concurrent_order(m) if concurrently else m.steps
    return [render(Migration(m.provider, [s]), concurrently, cache_dir) for s in steps]


def migration_name(name: str) -> str:
    """As Prisma names migration folders: lower case, words joined by underscores."""
    cleaned = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()
    return cleaned or "prisma_lint"


def write_migrations(
    m: Migration,
    out: Path,
    name: str,
    concurrently: bool = False,
    now: Optional[datetime] = None,
    cache_dir: Optional[Path] = None,
) -> list[Path]:
    """Write ``<out>/<YYYYMMDDHHMMSS>_<name>/migration.sql`` (and ``down.sql``).

    With ``concurrently`` each statement gets its own folder (timestamps one second apart):
    Prisma runs a migration file as one transaction, and PostgreSQL refuses CREATE/DROP INDEX
    CONCURRENTLY inside a transaction.
    """
    from datetime import timedelta

    now = now or datetime.now(timezone.utc)
    base = migration_name(name)
    groups = [Migration(m.provider, [s]) for s in concurrent_order(m)] if concurrently else [m]
    folders: list[Path] = []
    for k, _group in enumerate(groups):
        stamp = (now + timedelta(seconds=k)).strftime("%Y%m%d%H%M%S")
        suffix = f"_{k + 1}" if concurrently and len(groups) > 1 else ""
        folder = out / f"{stamp}_{base}{suffix}"
        if folder.exists():
            raise MigrationError(f"{folder} already exists")
        folders.append(folder)
    texts = [(render(g, concurrently, cache_dir), render(reverse(g), concurrently, cache_dir)) for g in groups]
    for folder, (up, down) in zip(folders, texts):
        folder.mkdir(parents=True)
        for fname, text in (("migration.sql", up), ("down.sql", down)):
            tmp = folder / f".{fname}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, folder / fname)
    return folders
