"""Read the app: the one entry point the CLI, the engine and the language server call
(``read_app``). Finds the files, reads each one's facts (``extract``, through the cache), and
decides with the schema and across files which calls are Prisma Client call sites
(``resolve``): the receiver must be a client and the delegate a model of the schema.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ...records import field, record
from .cache import FactsCache, content_hash
from .discover import DEFAULT_APP_EXCLUDE, EXTENSIONS, MAX_FILE_BYTES, app_exclude, find_app_files
from .extract import FileFacts, RawCall, extract
from .patterns import AppQueries, QueryPattern

if TYPE_CHECKING:
    from ...paths import StrPath


@record(eq=False)
class ModelInfo:
    name: str
    scalars: set[str]
    relations: set[str]
    compound: dict[str, list[str]]  # `accountId_providerId` -> [accountId, providerId]
    # relation field -> (related model, its fields a read through the relation binds, a list?)
    links: dict[str, tuple[str, list[str], bool]] = field(default_factory=dict)


@record(eq=False)
class SchemaInfo:
    """What the resolver needs of the schema: models by delegate name."""

    by_delegate: dict[str, ModelInfo] = field(default_factory=dict)
    by_name: dict[str, ModelInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, schema) -> "SchemaInfo":
        info = cls()
        for model in schema.models.values():
            if model.kind not in ("model", "view") or model.ignored:
                continue
            scalars = {f.name for f in model.fields.values() if not f.is_relation}
            relations = {f.name for f in model.fields.values() if f.is_relation}
            compound: dict[str, list[str]] = {}
            for index in model.indexes:
                if index.kind in ("id", "unique") and len(index.columns) > 1:
                    compound[index.name or "_".join(index.fields)] = list(index.fields)
            links: dict[str, tuple[str, list[str], bool]] = {}
            for f in model.fields.values():
                rel = f.relation
                if rel is None or rel.kind == "m-n":
                    continue
                if rel.model == model.name and rel.field == f.name:
                    links[f.name] = (rel.target, list(rel.references), f.list)  # by its referenced key
                elif rel.target == model.name and rel.back_field == f.name:
                    links[f.name] = (rel.model, list(rel.fields), f.list)  # by its foreign key
            delegate = model.name[:1].lower() + model.name[1:]
            info.by_delegate[delegate] = ModelInfo(model.name, scalars, relations, compound, links)
        info.by_name = {m.name: m for m in info.by_delegate.values()}
        return info


@record(eq=False)
class ReadOptions:
    client_names: tuple[str, ...] = ()  # receivers that are clients whatever they are bound to
    exclude: tuple[str, ...] = DEFAULT_APP_EXCLUDE


def read_app(
    schema,
    paths: Iterable[str] = (),
    config=None,
    *,
    cache_dir: Optional[Path] = None,
    cwd: Optional[Path] = None,
    schema_path: Optional[StrPath] = None,
    found: Optional[tuple[list[str], list[Path]]] = None,
) -> AppQueries:
    """Everything the app's code asks of ``schema`` (a LoadedSchema or a Schema).

    ``paths``: folders, files or globs (``--app``); empty: the config's ``app``, else the project
    root above the schema. ``cache_dir``: where the facts cache lives (None: no cache).
    ``found``: what :func:`~.discover.find_app_files` gave for them, when the caller has it."""
    model_schema = getattr(schema, "schema", schema)
    if schema_path is None and hasattr(schema, "root"):
        schema_path = Path(schema.root)
    files, roots = found if found is not None else find_app_files(schema_path, paths, config)
    opts = ReadOptions(client_names=tuple(getattr(config, "client_names", None) or ()), exclude=app_exclude(config))
    return read_files(model_schema, files, opts, cache_dir=cache_dir, cwd=cwd, roots=roots)


def read_files(
    schema,
    files: Sequence[str | Path],
    opts: Optional[ReadOptions] = None,
    *,
    cache_dir: Optional[Path] = None,
    cwd: Optional[Path] = None,
    roots: Iterable[Path] = (),
) -> AppQueries:
    """The app's queries from these files. ``roots`` (the app folders) name the cache file."""
    opts = opts or ReadOptions()
    roots = [Path(r).resolve() for r in roots]
    cache = FactsCache(cache_dir, "\n".join(sorted(map(str, roots))))
    facts: dict[str, FileFacts] = {}
    for path in files:
        key = str(path)
        f = _facts_of(path, key, cache)
        if f is not None:
            facts[key] = f
    cache.save()
    return resolve(SchemaInfo.of(schema), facts, opts, cwd=cwd or Path.cwd())


def _facts_of(path: str | Path, key: str, cache: FactsCache) -> Optional[FileFacts]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    hit = cache.lookup(key, st.st_size, st.st_mtime_ns)
    if hit is not None:
        return hit
    if st.st_size > MAX_FILE_BYTES:
        return FileFacts()
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    digest = content_hash(data)
    f = cache.by_hash(digest)
    if f is None:
        try:
            f = FileFacts() if _generated(data) else extract(data, key)
        except RecursionError:  # absurdly nested code: the file yields nothing, the rest is read
            f = FileFacts(parse_errors=True)
        cache.store(key, st.st_size, st.st_mtime_ns, digest, f)
    else:
        cache.store(key, st.st_size, st.st_mtime_ns, digest, None)
    return f


def _generated(data: bytes) -> bool:
    head = data[:400]
    return b"@generated" in head or b"DO NOT EDIT" in head or b"Code generated by" in head


# ----------------------------------------------------------------------------------------------
# resolution
# ----------------------------------------------------------------------------------------------
class _Modules:
    """Loose module resolution: relative paths, tsconfig-style aliases (`@/lib/prisma`,
    `~/utils/db.server`), and workspace packages by their package.json name."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = set(files)
        self.by_stem: dict[str, list[str]] = {}
        for f in self.files:
            stem = _strip_ext(f)
            self.by_stem.setdefault(stem, []).append(f)
        self.suffix: dict[str, list[str]] = {}
        for stem in self.by_stem:
            parts = stem.split(os.sep)
            for n in (1, 2, 3):
                if len(parts) >= n:
                    self.suffix.setdefault("/".join(parts[-n:]), []).append(stem)
        self._memo: dict[tuple[str, str], Optional[str]] = {}
        self.packages: dict[str, str] = {}
        seen: set[str] = set()
        for f in self.files:
            folder = os.path.dirname(f)
            while folder and folder not in seen:
                seen.add(folder)
                pkg = os.path.join(folder, "package.json")
                if os.path.isfile(pkg):
                    try:
                        with open(pkg, encoding="utf-8") as fh:
                            name = json.load(fh).get("name")
                        if isinstance(name, str):
                            self.packages[name] = folder
                    except (OSError, ValueError, AttributeError):
                        pass
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent

    def _file(self, stem: str) -> Optional[str]:
        stem = os.path.normpath(stem)
        for candidate in (stem, _strip_ext(stem), os.path.join(stem, "index"), os.path.join(stem, "src", "index")):
            hits = self.by_stem.get(candidate)
            if hits:
                return min(hits)
        return None

    def resolve(self, importer: str, spec: str) -> Optional[str]:
        key = (os.path.dirname(importer), spec)  # many files import the same module
        if key not in self._memo:
            self._memo[key] = self._resolve(importer, spec)
        return self._memo[key]

    def _resolve(self, importer: str, spec: str) -> Optional[str]:
        if spec.startswith("."):
            return self._file(os.path.join(os.path.dirname(importer), spec))
        for name, folder in self.packages.items():
            if spec == name or spec.startswith(name + "/"):
                rest = spec[len(name) + 1 :]
                for sub in ((rest,), ("src", rest)) if rest else (("src", "index"), ("index",), ("src", "client"), ("src",)):
                    hit = self._file(os.path.join(folder, *sub))
                    if hit:
                        return hit
        # a tsconfig `paths`/`baseUrl` alias (`@/lib/prisma`, `~/server/db`, `#app/utils/db`,
        # `@lib/prisma`, `lib/prisma`): the app file whose path ends like the rest of the spec
        # (without its first segment when that is an alias prefix), nearest to the importer
        parts = [p for p in _strip_ext(spec.lstrip("#")).split("/") if p]
        tails = [parts]
        if len(parts) > 1 and parts[0][0] in "@~#":
            tails.append(parts[1:])
        for tail in tails:
            for want in ("/".join([*tail, "index"]), "/".join(tail)):
                key = "/".join(want.split("/")[-3:])
                stems = [st for st in self.suffix.get(key, []) if ("/" + st.replace(os.sep, "/")).endswith("/" + want)]
                if stems:
                    best = max(stems, key=lambda st: _shared_folders(st, importer))
                    return min(self.by_stem[best])
        return None


def _shared_folders(a: str, b: str) -> int:
    try:
        return len(os.path.commonpath([a, b]))
    except ValueError:  # one relative, one absolute (or another drive)
        return 0


def _strip_ext(path: str) -> str:
    for ext in EXTENSIONS:
        if path.endswith(ext):
            return path[: -len(ext)]
    return path


class _Resolver:
    def __init__(self, facts: dict[str, FileFacts], opts: ReadOptions) -> None:
        self.facts = facts
        self.opts = opts
        self.modules = _Modules(facts.keys())
        self._client_module: dict[str, bool] = {}
        self.client_exports = {n for f in facts.values() for n in f.client_exports}

    def named_like(self, name: str) -> bool:
        """Named like a client: `prisma...`, a configured name, or the name a client module of
        the app exports its client under (`db` of `export const db = new PrismaClient()`)."""
        return "prisma" in name.lower() or name in self.opts.client_names or name in self.client_exports

    def client_module(self, file: Optional[str], depth: int = 0) -> bool:
        """A file that creates a client (`new PrismaClient`, `$extends`) or re-exports one."""
        if file is None or depth > 5:
            return False
        known = self._client_module.get(file)
        if known is not None:
            return known
        self._client_module[file] = False  # cycles
        f = self.facts.get(file)
        result = False
        if f is not None:
            result = f.creates_client or any(
                self.client_module(self.modules.resolve(file, spec), depth + 1) for spec in f.client_sources
            )
        self._client_module[file] = result
        return result

    def is_client(self, binding: list, file: str) -> bool:
        kind = binding[0]
        if kind == "client":
            return True
        if kind == "no":
            return False
        if kind in ("name", "this"):
            return self.named_like(binding[-1])
        if kind == "import":
            module, imported, local = binding[1], binding[2], binding[3]
            if module.startswith("@prisma/"):
                return False  # `import { Prisma } from "@prisma/client"`: the namespace, not a client
            if self.named_like(local) or (imported not in ("default", "*") and self.named_like(imported)):
                return True
            return self.client_module(self.modules.resolve(file, module))
        if kind == "any":
            return any(self.is_client(b, file) for b in binding[1:])
        if kind == "member":
            prop = binding[2]
            if self.named_like(prop):
                return True
            return prop == "client" and self.is_client(binding[1], file)
        return False


def resolve(info: SchemaInfo, facts: dict[str, FileFacts], opts: ReadOptions, *, cwd: Path) -> AppQueries:
    """The call sites among the files' facts: the delegate a model of ``info``, the receiver a
    client (decided across files: imports are followed to the module they name)."""
    resolver = _Resolver(facts, opts)
    out = AppQueries(files_read=len(facts))
    names = set(opts.client_names)
    for file in sorted(facts):
        f = facts[file]
        out.raw_sql_tables.update(f.raw_sql_tables)
        shown = None
        for call in f.calls:
            model = info.by_delegate.get(call.delegate)
            if model is None:
                continue
            if call.client.replace("?.", ".") not in names and not resolver.is_client(call.binding, file):
                continue
            if shown is None:
                shown = _display(file, cwd)
            out.patterns.append(pattern_of(call, model, shown))
            out.nested.extend(nested_patterns(call, model, info, shown))
    return out


def _display(path: str, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd).replace(os.sep, "/")
    except ValueError:  # another drive (Windows)
        return Path(path).as_posix()


def pattern_of(call: RawCall, model: ModelInfo, file: str) -> QueryPattern:
    p = QueryPattern(
        file=file,
        line=call.line,
        column=call.column,
        end_line=call.end_line,
        end_column=call.end_column,
        client=call.client,
        model=model.name,
        operation=call.operation,
        or_=call.or_,
        take=call.take,
        cursor=call.cursor,
        distinct=call.distinct,
        static=call.static,
        snippet=call.snippet,
        suppressed=frozenset(call.suppressed),
    )
    for key, ops in call.where:
        _classify(p, model, key, ops)
    _order(p, model, call.order_by)
    return p


def nested_patterns(call: RawCall, model: ModelInfo, info: SchemaInfo, file: str) -> list[QueryPattern]:
    """The relation reads in a call's include/select, each on the related model: bound by the
    foreign key (Prisma reads the children of all parents at once: `WHERE fk IN (...)`), plus
    the nested `where`, `orderBy`, `take`."""
    out = []
    for entry in call.nested:
        current: Optional[ModelInfo] = model
        parent = model
        link = None
        for key in entry["path"]:
            if current is None or key not in current.links:
                current = None
                break
            parent = current
            link = current.links[key]
            current = info.by_name.get(link[0])
        if current is None or link is None:
            continue  # a scalar field, or a path through one
        line, column, end_line, end_column = entry["span"]
        p = QueryPattern(
            file=file, line=line, column=column, end_line=end_line, end_column=end_column,
            client=call.client, model=current.name, operation="findMany" if link[2] else "findUnique",
            in_=list(link[1]), or_=entry.get("or_", False), take=entry.get("take", False),
            cursor=entry.get("cursor", False), distinct=entry.get("distinct", False),
            static=entry.get("static", True) and call.static, snippet=call.snippet,
            suppressed=frozenset(call.suppressed), via=f"{parent.name}.{entry['path'][-1]}",
        )
        for key, ops in entry.get("where", []):
            _classify(p, current, key, ops)
        _order(p, current, entry.get("order_by", []))
        out.append(p)
    return out


def _order(p: QueryPattern, model: ModelInfo, order_by: list) -> None:
    seen = set()
    for key, direction in order_by:
        if direction is not None and key in model.scalars and key not in seen:
            seen.add(key)
            p.order_by.append((key, direction))


def _add(lst: list[str], item: str) -> None:
    if item not in lst:
        lst.append(item)


def _classify(p: QueryPattern, model: ModelInfo, key: str, ops: list[str]) -> None:
    if key in model.compound and key not in model.scalars:
        for f in model.compound[key]:
            _add(p.equals, f)
        return
    if key in model.relations:
        rel_ops = [o for o in ops if o in ("some", "every", "none", "is", "isNot")]
        for o in rel_ops or ["is"]:
            _add(p.other, f"{key}:{o}")
        return
    if key not in model.scalars:
        return  # not a field of the model (a typo, or a composite type's part)
    if not ops or ops == ["null"] or ops == ["obj"]:
        _add(p.equals, key)
        if ops == ["null"]:
            p.values[key] = None  # IS NULL: a partial index `WHERE key IS NULL` serves it
        return
    if "insensitive" in ops:
        # `{ email: { equals: e, mode: "insensitive" } }` is `lower(email) = lower(e)` (ILIKE):
        # no B-tree on the plain column serves it, so the field is bound by nothing an index
        # suggestion could use; `other` keeps it, with its text operators
        for op in ops:
            if op not in ("equals", "in", "lt", "lte", "gt", "gte", "null", "insensitive"):
                _add(p.other, f"{key}:{op}")
        _add(p.other, f"{key}:insensitive")
        return
    for op in ops:
        if op == "equals":
            _add(p.equals, key)
        elif op == "in":
            _add(p.in_, key)
        elif op in ("lt", "lte", "gt", "gte"):
            _add(p.range, key)
        elif op == "null":
            _add(p.equals, key)
        else:
            _add(p.other, f"{key}:{op}")


def queries_json(app: AppQueries, served_by: Optional[Callable[[QueryPattern], Optional[str]]] = None) -> dict[str, Any]:
    """The `queries --format json` document (version 1). ``served_by(pattern)`` names the index
    that serves a pattern (the advice engine fills it; None: null)."""
    from .patterns import QUERIES_JSON_VERSION

    return {
        "version": QUERIES_JSON_VERSION,
        "queries": [p.to_json(served_by(p) if served_by is not None else None) for p in app.patterns],
    }


def render_text(app: AppQueries) -> str:
    """One line per call site: where, what, and its pattern (`queries --format text`)."""
    lines = []
    for p in app.patterns:
        parts = [f"{p.file}:{p.line}:{p.column}", f"{p.model}.{p.operation}"]
        where = []
        where += [f"{f} =" for f in p.equals]
        where += [f"{f} in" for f in p.in_]
        where += [f"{f} <>" for f in p.range]
        where += list(p.other)
        if p.or_:
            where.append("OR")
        if where:
            parts.append("where " + ", ".join(where))
        if p.order_by:
            parts.append("order by " + ", ".join(f"{f} {d}" for f, d in p.order_by))
        parts += [flag for flag, on in (("take", p.take), ("cursor", p.cursor), ("distinct", p.distinct)) if on]
        if not p.static:
            parts.append("(not static)")
        lines.append("  ".join(parts) + "\n")
    return "".join(lines)
