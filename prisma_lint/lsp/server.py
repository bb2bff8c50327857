"""The language server: ``prisma-lint lsp`` (needs the ``[lsp]`` extra, pygls), over stdio.

* Diagnostics are published when a document opens, when it is saved, and after it changes
  (debounced, see :data:`DEBOUNCE`). Every lint takes the text of every open document (unsaved
  buffers included) and publishes for every open file of the schema, clearing the files that no
  longer have any problem.
* Code actions: one quick fix per fix of a finding ("Add @@index([userId]) to `Session`"), as a
  workspace edit, preferred when safe and marked "(unsafe)" otherwise; and
  ``source.fixAll.prisma-lint``, every safe fix of the document planned together as ``--fix``
  does (computed on ``codeAction/resolve`` when the client supports it).
* Hover over a diagnostic: the finding's message, then the rule's documentation page.

Which schema a ``.prisma`` file belongs to: walk up from its folder while the parent folder
directly holds ``.prisma`` files; when that folder holds several ``.prisma`` files (at any depth)
and at most one has a ``datasource`` block, the schema is that folder (a multi-file schema),
otherwise the file alone. A ``.sql`` file is linted as SQL: the whole migrations folder when it
is ``<folder>/<timestamp>_<name>/migration.sql``, otherwise the file alone. A schema is linted
with its migrations (``migrations/`` next to the datasource's file), as ``check`` does.

Positions: our spans are code-point offsets; LSP positions are 0-based lines and, by default,
UTF-16 code units. The encoding is negotiated (``general.positionEncodings``: the client's
first choice among UTF-16, UTF-8 and UTF-32). Lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as in
the LSP specification and :class:`~prisma_lint.source.SourceFile`. Open documents are kept
here, with incremental changes applied by the same rules (pygls' own document store splits
lines as Python's ``str.splitlines`` does, on more characters than LSP).

Importing this module is cheap: pygls and lsprotocol (~0.5 s) are imported by
:func:`create_server` only, so the pure helpers here can be used and tested without them.
"""

from __future__ import annotations

import logging
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

logger = logging.getLogger("prisma_lint.lsp.server")

SOURCE = "prisma-lint"
FIX_ALL_KIND = "source.fixAll.prisma-lint"
DEBOUNCE = 0.075  # seconds of quiet after a change before linting again (while typing)
QUICK = 0.005  # the delay for a change after a quiet period (coalesces a burst of messages)
SEVERITY = {"error": 1, "warning": 2, "info": 3}
CONFIG_NAMES = frozenset({"prisma-lint.toml", ".prisma-lint.toml", "pyproject.toml"})

_NEWLINE = re.compile(r"\r\n|\r|\n")
_DATASOURCE = re.compile(r"(?m)^[ \t]*datasource[ \t]+\w+[ \t]*\{")
_MIGRATION_FOLDER = re.compile(r"^\d+_")


# -- positions --------------------------------------------------------------------------------


def normalize_encoding(encoding: Any) -> str:
    """``"utf-8"``, ``"utf-16"`` or ``"utf-32"`` from a PositionEncodingKind (or its value)."""
    value = getattr(encoding, "value", encoding)
    return value if value in ("utf-8", "utf-16", "utf-32") else "utf-16"


def count_units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text.encode("utf-8"))


def _char_units(c: str, encoding: str) -> int:
    o = ord(c)
    if encoding == "utf-16":
        return 2 if o > 0xFFFF else 1
    if encoding == "utf-8":
        return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
    return 1


def units_to_chars(line: str, units: int, encoding: str) -> int:
    """The code-point index in ``line`` of a position ``units`` code units in (clamped to the
    line; a position inside a character counts as after it)."""
    if units <= 0:
        return 0
    if encoding == "utf-32" or line.isascii():
        return min(units, len(line))
    seen = 0
    for i, c in enumerate(line):
        if seen >= units:
            return i
        seen += _char_units(c, encoding)
    return len(line)


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def position_of(text: str, starts: list[int], offset: int, encoding: str, shift: int = 0) -> tuple[int, int]:
    """The 0-based (line, character in code units) of code-point ``offset`` in ``text``;
    ``shift`` code units are added on the first line (a byte order mark the client sees but
    ``text`` does not have)."""
    offset = max(0, min(offset, len(text)))
    line = bisect_right(starts, offset) - 1
    start = starts[line]
    character = count_units(text[start:offset], encoding)
    return line, character + (shift if line == 0 else 0)


def offset_of(text: str, line: int, character: int, encoding: str) -> int:
    """The code-point offset in ``text`` of an LSP position (past the end: the end of the text;
    past the end of its line: the end of the line, before its line ending)."""
    if line < 0:
        return 0
    start = 0
    if line > 0:
        n = 0
        for m in _NEWLINE.finditer(text):
            n += 1
            if n == line:
                start = m.end()
                break
        else:
            return len(text)
    m = _NEWLINE.search(text, start)
    end = m.start() if m else len(text)
    return start + units_to_chars(text[start:end], character, encoding)


def apply_change(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str, encoding: str) -> str:
    """``text`` with the LSP range ``start``-``end`` replaced by ``new_text``."""
    a = offset_of(text, start[0], start[1], encoding)
    b = offset_of(text, end[0], end[1], encoding)
    if b < a:
        a, b = b, a
    return text[:a] + new_text + text[b:]


# -- which schema a file belongs to -------------------------------------------------------------


def _has_prisma_files(folder: Path) -> bool:
    try:
        return any(p.suffix == ".prisma" and p.is_file() for p in folder.iterdir())
    except OSError:
        return False


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def schema_root(path: Path, open_texts: Optional[dict[str, str]] = None) -> Path:
    """The file or folder to lint for the ``.prisma`` file ``path`` (see the module's docstring).
    ``open_texts`` maps resolved paths to the text of open documents."""
    from ..frontends.prisma.loader import schema_files_in

    open_texts = open_texts or {}
    if not path.is_file():
        return path  # a new file not saved yet: on its own
    folder = path.parent
    while True:
        parent = folder.parent
        if parent == folder or not _has_prisma_files(parent):
            break
        folder = parent
    files = schema_files_in(folder)
    if len(files) <= 1:
        return path
    resolved = [f.resolve() for f in files]
    if path.resolve() not in resolved:
        return path
    datasources = 0
    for f in resolved:
        text = open_texts.get(str(f))
        if _DATASOURCE.search(text if text is not None else _read_text(f)):
            datasources += 1
            if datasources > 1:
                return path
    return folder


def sql_root(path: Path) -> Path:
    """The migrations folder for ``<folder>/<timestamp>_<name>/migration.sql``, else the file."""
    if path.name == "migration.sql" and _MIGRATION_FOLDER.match(path.parent.name) and path.parent.parent.is_dir():
        return path.parent.parent
    return path


def migrations_dir(loaded) -> Path:
    """Prisma keeps migrations next to the file with the datasource block (as ``check``)."""
    ds = loaded.schema.datasource
    shown = ds.span.file.path if ds else next(iter(loaded.paths), loaded.root)
    return loaded.paths.get(shown, Path(shown)).resolve().parent / "migrations"


# -- server state -------------------------------------------------------------------------------


@dataclass
class Document:
    uri: str
    text: str
    version: Optional[int]
    language_id: str
    path: Path  # resolved; a made-up path for documents that are not files
    kind: Optional[str]  # "schema", "sql" or None (not ours)


@dataclass
class FixRecord:
    title: str
    applicability: str
    edits: dict[str, list]  # uri -> [TextEdit]
    versions: dict[str, Optional[int]]  # uri -> version of the open document the edits are for


@dataclass
class Record:
    """One published diagnostic and what is needed to answer code actions and hovers on it."""

    id: int
    diagnostic: Any  # lsprotocol Diagnostic
    rule: Optional[str]  # None for input errors
    fix: Optional[FixRecord] = None
    help: Optional[str] = None
    finding: Any = None  # the rule's finding (for "Ignore ... on this line")

    @property
    def key(self) -> tuple:
        r = self.diagnostic.range
        return (r.start.line, r.start.character, r.end.line, r.end.character, self.diagnostic.code, self.diagnostic.message)


@dataclass
class Unit:
    """A lint target: a schema (file or folder) or SQL (file or migrations folder)."""

    kind: str  # "schema" | "sql"
    root: Path
    loaded: Any = None
    migrations: Any = None
    config: Any = None
    shown_to_path: dict[str, Path] = field(default_factory=dict)
    versions: dict[str, Optional[int]] = field(default_factory=dict)  # uri -> version linted
    published: set[str] = field(default_factory=set)  # uris this unit contributed to
    generation: int = 0
    fix_all: dict[str, Any] = field(default_factory=dict)  # uri -> WorkspaceEdit (this generation)
    positions: Any = None  # the _Positions of the last lint
    uri_of: dict[str, str] = field(default_factory=dict)  # shown path -> uri of the open document

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, str(self.root))


def _kind_of(path: Path, language_id: str) -> Optional[str]:
    if path.suffix == ".prisma" or language_id == "prisma":
        return "schema"
    if path.suffix == ".sql" or language_id in ("sql", "postgres", "pgsql", "postgresql"):
        return "sql"
    return None


def create_server():
    """The pygls LanguageServer with every feature registered (imports pygls)."""
    import asyncio

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import from_fs_path, to_fs_path

    from .. import __version__

    server = LanguageServer("prisma-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    state = _State(server, types, from_fs_path, to_fs_path, asyncio)

    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams):
        state.initialize(params)

    @server.feature(types.INITIALIZED)
    def initialized(ls, params):
        state.guard(state.initialized)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        state.guard(state.did_open, params)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        state.guard(state.did_change, params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        state.guard(state.did_save, params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        state.guard(state.did_close, params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls, params: types.DidChangeWatchedFilesParams):
        state.guard(state.watched_files_changed, params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    def code_action(ls, params: types.CodeActionParams):
        return state.guard(state.code_actions, params, default=None)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls, action: types.CodeAction):
        return state.guard(state.resolve_code_action, action, default=action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams):
        return state.guard(state.hover, params, default=None)

    server.prisma_lint_state = state  # for debugging
    return server


class _State:
    """Everything the server keeps between messages (runs on the event loop thread only)."""

    def __init__(self, server, types, from_fs_path, to_fs_path, asyncio) -> None:
        self.server = server
        self.types = types
        self.from_fs_path = from_fs_path
        self.to_fs_path = to_fs_path
        self.asyncio = asyncio
        self.docs: dict[str, Document] = {}
        self.doc_unit: dict[str, tuple[str, str]] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.contributions: dict[str, dict[tuple[str, str], list[Record]]] = {}
        self.pending: dict[tuple[str, str], Any] = {}  # unit key -> TimerHandle
        self.last_change: dict[tuple[str, str], float] = {}
        self.configs: dict[str, Any] = {}  # root -> Config or ConfigError
        self.migration_cache: dict[str, tuple] = {}  # migrations folder -> (files' stamp, LoadedSchema)
        self.code_descriptions: dict[str, Any] = {}  # rule id -> CodeDescription or None
        self.next_id = 0
        self.cwd: Optional[Path] = None
        self.debounce = DEBOUNCE
        self._registry = None
        self._untitled = 0

    # -- plumbing --------------------------------------------------------------------------
    def guard(self, fn, *args, default=None):
        """Run a handler; log any error instead of letting it out (a broken document, or a bug
        of ours, must not take the server down)."""
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001
            logger.exception("prisma-lint: %s failed", getattr(fn, "__name__", fn))
            self.log(f"prisma-lint: {getattr(fn, '__name__', fn)} failed: {type(e).__name__}: {e}", error=True)
            return default

    def log(self, message: str, error: bool = False) -> None:
        t = self.types
        try:
            self.server.window_log_message(
                t.LogMessageParams(type=t.MessageType.Error if error else t.MessageType.Warning, message=message)
            )
        except Exception:  # noqa: BLE001
            logger.warning("%s", message)

    @property
    def encoding(self) -> str:
        try:
            return normalize_encoding(self.server.workspace.position_encoding)
        except Exception:  # noqa: BLE001 (before initialize)
            return "utf-16"

    @property
    def registry(self):
        if self._registry is None:
            from ..rules import load_registry

            self._registry = load_registry()
        return self._registry

    def _capability(self, *names: str, default=None):
        obj = getattr(self.server.protocol, "client_capabilities", None)  # None before initialize
        for n in names:
            obj = getattr(obj, n, None)
            if obj is None:
                return default
        return obj

    # -- lifecycle -------------------------------------------------------------------------
    def initialize(self, params) -> None:
        folders = params.workspace_folders or []
        root_uri = params.root_uri or (folders[0].uri if folders else None)
        if root_uri:
            p = self.to_fs_path(root_uri)
            if p:
                self.cwd = Path(p)
        elif params.root_path:
            self.cwd = Path(params.root_path)
        options = params.initialization_options
        if isinstance(options, dict):
            ms = options.get("debounceMs", options.get("debounce_ms"))
            if isinstance(ms, (int, float)) and not isinstance(ms, bool) and ms >= 0:
                self.debounce = ms / 1000

    def initialized(self) -> None:
        for message in self.registry.load_errors:
            self.log(f"prisma-lint: {message}")
        if self._capability("workspace", "did_change_watched_files", "dynamic_registration", default=False):
            # files that are not open change too (git checkout, another editor): relint then
            t = self.types
            watchers = [
                t.FileSystemWatcher(glob_pattern=g)
                for g in ("**/*.prisma", "**/*.sql", "**/{prisma-lint.toml,.prisma-lint.toml,pyproject.toml}")
            ]
            self.server.client_register_capability(
                t.RegistrationParams(
                    registrations=[
                        t.Registration(
                            id="prisma-lint-watched-files",
                            method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=t.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                        )
                    ]
                )
            )

    # -- documents -------------------------------------------------------------------------
    def _path_for(self, uri: str, language_id: str) -> Path:
        p = self.to_fs_path(uri) if uri.startswith("file:") else None
        if p:
            return Path(p).resolve()
        self._untitled += 1
        suffix = ".sql" if language_id in ("sql", "postgres", "pgsql", "postgresql") else ".prisma"
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", uri.rsplit("/", 1)[-1] or "untitled")
        return Path("/__prisma_lint_unsaved__") / f"{self._untitled}-{name}{'' if name.endswith(suffix) else suffix}"

    def did_open(self, params) -> None:
        td = params.text_document
        path = self._path_for(td.uri, td.language_id or "")
        doc = Document(td.uri, td.text, td.version, td.language_id or "", path, _kind_of(path, td.language_id or ""))
        self.docs[td.uri] = doc
        if doc.kind is None:
            return
        key = self._assign(doc)
        self.lint_now(key)

    def did_change(self, params) -> None:
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
            return
        enc = self.encoding
        text = doc.text
        for change in params.content_changes:
            rng = getattr(change, "range", None)
            if rng is None:
                text = change.text
            else:
                text = apply_change(text, (rng.start.line, rng.start.character), (rng.end.line, rng.end.character), change.text, enc)
        doc.text = text
        doc.version = params.text_document.version
        if doc.kind is None:
            return
        key = self.doc_unit.get(doc.uri) or self._assign(doc)
        self.schedule(key)

    def did_save(self, params) -> None:
        doc = self.docs.get(params.text_document.uri)
        name = Path(self.to_fs_path(params.text_document.uri) or "").name
        if name in CONFIG_NAMES:
            self.files_changed()
            return
        if doc is None or doc.kind is None:
            return
        # saving may change what the schema is (a new file now on disk, a datasource added)
        changed = self._reassign_all()
        key = self.doc_unit[doc.uri]
        self.lint_now(key)
        for k in changed - {key}:
            self.lint_now(k)

    def did_close(self, params) -> None:
        uri = params.text_document.uri
        doc = self.docs.pop(uri, None)
        key = self.doc_unit.pop(uri, None)
        self.contributions.pop(uri, None)
        for unit in self.units.values():
            unit.published.discard(uri)
            unit.fix_all.pop(uri, None)
        if doc is None or doc.kind is None:
            return
        self._publish(uri, [], None)
        if key is not None:
            if key in self.doc_unit.values():
                self.lint_now(key)  # its other open files now see the file as it is on disk
            else:
                self._drop_unit(key)

    def watched_files_changed(self, params) -> None:
        """Files changed on disk. The save of an open document was handled by didSave; any
        other change (a checkout, a config file) relints everything, a moment later: a
        checkout changes many files at once."""
        for event in params.changes:
            path = self.to_fs_path(event.uri)
            if path is None:
                continue
            p = Path(path)
            if p.name in CONFIG_NAMES or event.uri not in self.docs:
                self.files_changed(delay=0.2)
                return

    def files_changed(self, delay: Optional[float] = None) -> None:
        """A config or schema file changed outside the open documents: forget caches, relint
        (after ``delay`` seconds, or now)."""
        self.configs.clear()
        self.migration_cache.clear()
        changed = self._reassign_all()
        for key in set(self.doc_unit.values()) | changed:
            if key not in self.units:
                continue
            if delay is None:
                self.lint_now(key)
            else:
                self.schedule(key, delay)

    # -- units -----------------------------------------------------------------------------
    def _open_texts(self) -> dict[str, str]:
        return {str(d.path): d.text for d in self.docs.values() if d.kind is not None}

    def _unit_key_for(self, doc: Document) -> tuple[str, tuple[str, str], Path]:
        if doc.kind == "sql":
            root = sql_root(doc.path)
        else:
            root = schema_root(doc.path, self._open_texts())
        return doc.kind, (doc.kind, str(root)), root

    def _assign(self, doc: Document) -> tuple[str, str]:
        kind, key, root = self._unit_key_for(doc)
        old = self.doc_unit.get(doc.uri)
        self.doc_unit[doc.uri] = key
        if key not in self.units:
            self.units[key] = Unit(kind, root)
        if old is not None and old != key:
            self.contributions.get(doc.uri, {}).pop(old, None)
            if old in self.doc_unit.values():
                self.schedule(old)
            else:
                self._drop_unit(old)
        return key

    def _reassign_all(self) -> set[tuple[str, str]]:
        """Recompute every open document's unit; the units that gained or lost documents."""
        changed: set[tuple[str, str]] = set()
        for doc in list(self.docs.values()):
            if doc.kind is None:
                continue
            old = self.doc_unit.get(doc.uri)
            new = self._assign(doc)
            if old != new:
                changed.add(new)
                if old in self.units:
                    changed.add(old)
        return changed

    def _drop_unit(self, key) -> None:
        unit = self.units.pop(key, None)
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        self.last_change.pop(key, None)
        if unit is None:
            return
        for uri in list(unit.published):
            contrib = self.contributions.get(uri)
            if contrib and contrib.pop(key, None) is not None and uri in self.docs:
                self._publish_merged(uri)

    # -- scheduling ------------------------------------------------------------------------
    def schedule(self, key, delay: Optional[float] = None) -> None:
        """Lint ``key`` after a change: almost at once after a quiet period (a single edit, an
        applied fix), else once the changes have stopped for ``debounce`` seconds (typing)."""
        loop = self.asyncio.get_running_loop()
        if delay is not None:
            handle = self.pending.pop(key, None)
            if handle is not None:
                handle.cancel()
            self.pending[key] = loop.call_later(delay, self._timer_fired, key)
            return
        now = loop.time()
        last = self.last_change.get(key)
        self.last_change[key] = now
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        quiet = handle is None and (last is None or now - last >= self.debounce)
        delay = min(QUICK, self.debounce) if quiet else self.debounce
        self.pending[key] = loop.call_later(delay, self._timer_fired, key)

    def _timer_fired(self, key) -> None:
        self.pending.pop(key, None)
        self.guard(self.lint_now, key)

    def lint_now(self, key) -> None:
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        unit = self.units.get(key)
        if unit is None:
            return
        uris_in_unit = [u for u, k in self.doc_unit.items() if k == key]
        if not uris_in_unit:
            self._drop_unit(key)
            return
        try:
            by_uri = self._lint(unit)
        except Exception as e:  # noqa: BLE001 — a bug of ours: say so on the documents, keep going
            logger.exception("prisma-lint: linting %s failed", unit.root)
            self.log(f"prisma-lint: linting {unit.root} failed: {type(e).__name__}: {e}", error=True)
            message = f"prisma-lint failed on this schema: {type(e).__name__}: {e}"
            by_uri = {u: [self._record(self._zero_range(), message, "error", "internal-error")] for u in uris_in_unit}
        # every open document of the unit, and every one it published to before
        targets = set(by_uri) | set(uris_in_unit) | (unit.published & set(self.docs))
        unit.published = set()
        for uri in targets:
            records = by_uri.get(uri, [])
            contrib = self.contributions.setdefault(uri, {})
            if records:
                contrib[key] = records
                unit.published.add(uri)
            else:
                contrib.pop(key, None)
            self._publish_merged(uri)

    # -- linting ---------------------------------------------------------------------------
    def _config(self, unit: Unit):
        from ..config import ConfigError, config_for

        key = str(unit.root)
        if key not in self.configs:
            try:
                self.configs[key] = config_for(unit.root, self.registry)
            except ConfigError as e:
                self.configs[key] = e
        return self.configs[key]

    def _lint(self, unit: Unit) -> dict[str, list[Record]]:
        from ..config import Config, ConfigError
        from ..engine import lint
        from ..frontends.prisma.loader import SchemaNotFound, load_schema
        from ..frontends.sql.replay import load_sql

        open_docs = {str(d.path): d for d in self.docs.values() if d.kind is not None}
        overrides = {p: d.text for p, d in open_docs.items()}
        unit.generation += 1
        unit.fix_all = {}
        unit.versions = {}
        cwd = self.cwd or Path.cwd()
        out: dict[str, list[Record]] = {}
        own = [u for u, k in self.doc_unit.items() if k == unit.key]

        config = self._config(unit)
        if isinstance(config, ConfigError):
            for uri in own:
                out.setdefault(uri, []).append(self._record(self._zero_range(), str(config), "error", "config-error"))
            config = Config()
        unit.config = config
        if config.is_excluded(unit.root):
            unit.loaded = unit.migrations = None
            return out

        migrations = None
        try:
            if unit.kind == "sql":
                from ..frontends.sql import dialect

                if not dialect.is_read(dialect.sql_provider(Path(unit.root))):
                    unit.loaded = unit.migrations = None
                    return out  # MySQL, SQLite, SQL Server SQL: not read (see dialect.py)
                loaded = load_sql(unit.root, cwd, overrides)
            else:
                loaded = load_schema(unit.root, cwd, overrides)
                migrations = self._migrations(loaded, cwd, overrides)
        except SchemaNotFound as e:
            for uri in own:
                out.setdefault(uri, []).append(self._record(self._zero_range(), str(e), "error", "io-error"))
            unit.loaded = unit.migrations = None
            return out
        unit.loaded, unit.migrations = loaded, migrations
        result = lint(loaded, self.registry, config, migrations=migrations)

        shown_to_path = {s: p.resolve() for s, p in loaded.paths.items()}
        if migrations is not None:
            shown_to_path.update({s: p.resolve() for s, p in migrations.paths.items()})
        unit.shown_to_path = shown_to_path
        uri_of = {}  # shown path -> uri of the open document
        for shown, p in shown_to_path.items():
            d = open_docs.get(str(p))
            if d is not None:
                uri_of[shown] = d.uri
                unit.versions[d.uri] = d.version
        for uri in own:  # a file the loader did not list (say, excluded) still gets cleared
            out.setdefault(uri, [])
        for uri in uri_of.values():
            out.setdefault(uri, [])
        errors_in = {d.file for d in loaded.diagnostics if d.severity == "error" and d.file}
        if migrations is not None:
            errors_in |= {d.file for d in migrations.diagnostics if d.severity == "error" and d.file}

        positions = _Positions(self.encoding, open_docs, shown_to_path)
        unit.positions, unit.uri_of = positions, uri_of
        for f in result.findings:
            uri = uri_of.get(f.span.file.path)
            if uri is None:
                continue
            rng = self._range(positions, f.span.file, f.span.start, f.span.end)
            rec = self._record(rng, f.message, f.severity, f.rule, tags=self._tags(f.rule))
            rec.help = f.help
            rec.finding = f
            if f.fix is not None and f.fix.edits and f.fix.applicability in ("safe", "unsafe"):
                touched = {f.span.file.path} | {e.file.path for e in f.fix.edits}
                if not (touched & errors_in):
                    rec.fix = self._fix_record(positions, f.fix, uri_of, unit)
                    rec.diagnostic.data = {"id": rec.id, "fix": f.fix.applicability}
            out[uri].append(rec)
        for d in result.diagnostics:
            if d.span is not None:
                uri = uri_of.get(d.span.file.path)
                if uri is None:
                    continue
                rng = self._range(positions, d.span.file, d.span.start, d.span.end)
            else:
                uri = uri_of.get(d.path) if d.path else None
                if uri is None:
                    if d.path or not own:
                        continue
                    uri = sorted(own)[0]
                rng = self._zero_range()
            out.setdefault(uri, []).append(self._record(rng, d.message, d.severity, d.code))
        return out

    def _migrations(self, loaded, cwd: Path, overrides: dict[str, str]):
        """The schema's migrations folder read as SQL (cached until its files change)."""
        from ..frontends.sql.replay import load_sql

        mig = migrations_dir(loaded)
        try:
            files = sorted(mig.glob("*/migration.sql")) if mig.is_dir() else []
        except OSError:
            files = []
        if not files:
            return None
        from ..frontends.sql import dialect

        if not dialect.is_read(dialect.sql_provider(mig, loaded.schema.provider)):
            return None  # MySQL, SQLite, SQL Server migrations: not read (see dialect.py)
        stamp = []
        for f in files:
            key = str(f.resolve())
            try:
                st = f.stat()
                stamp.append((key, st.st_mtime_ns, st.st_size, hash(overrides.get(key))))
            except OSError:
                stamp.append((key, 0, 0, 0))
        stamp_key = (str(cwd), tuple(stamp))
        cached = self.migration_cache.get(str(mig))
        if cached is not None and cached[0] == stamp_key:
            return cached[1]
        result = load_sql(mig, cwd, overrides)
        self.migration_cache[str(mig)] = (stamp_key, result)
        return result

    # -- building LSP objects --------------------------------------------------------------
    def _zero_range(self):
        t = self.types
        return t.Range(start=t.Position(line=0, character=0), end=t.Position(line=0, character=0))

    def _range(self, positions: "_Positions", src, start: int, end: int):
        t = self.types
        (l1, c1), (l2, c2) = positions.of(src, start), positions.of(src, end)
        return t.Range(start=t.Position(line=l1, character=c1), end=t.Position(line=l2, character=c2))

    def _tags(self, rule: str):
        return [self.types.DiagnosticTag.Unnecessary] if rule == "unused-suppression" else None

    def _record(self, rng, message: str, severity: str, code: Optional[str], tags=None) -> Record:
        t = self.types
        self.next_id += 1
        is_rule = code in self.registry.rules
        diag = t.Diagnostic(
            range=rng,
            message=message,
            severity=t.DiagnosticSeverity(SEVERITY.get(severity, 1)),
            code=code,
            source=SOURCE,
            code_description=self._code_description(code) if is_rule else None,
            tags=tags,
            data={"id": self.next_id},
        )
        return Record(self.next_id, diag, code if is_rule else None)

    def _code_description(self, rule: str):
        """A link to the rule's page (the Markdown file shipped with prisma-lint)."""
        if rule in self.code_descriptions:
            return self.code_descriptions[rule]
        from ..resources import resource_dir

        try:
            page = resource_dir("rules") / f"{rule}.md"
            found = self.types.CodeDescription(href=page.resolve().as_uri()) if page.is_file() else None
        except FileNotFoundError:
            found = None
        self.code_descriptions[rule] = found
        return found

    def _uri_for(self, path: Path) -> str:
        for d in self.docs.values():
            if d.path == path:
                return d.uri
        return self.from_fs_path(str(path)) or path.as_uri()

    def _fix_record(self, positions: "_Positions", fix, uri_of: dict[str, str], unit: Unit) -> FixRecord:
        t = self.types
        edits: dict[str, list] = {}
        versions: dict[str, Optional[int]] = {}
        for e in fix.edits:
            uri = uri_of.get(e.file.path)
            if uri is None:
                uri = self._uri_for(unit.shown_to_path.get(e.file.path, Path(e.file.path)))
            versions[uri] = unit.versions.get(uri)
            edits.setdefault(uri, []).append(t.TextEdit(range=self._range(positions, e.file, e.start, e.end), new_text=e.text))
        title = fix.title + (" (unsafe)" if fix.applicability == "unsafe" else "")
        return FixRecord(title, fix.applicability, edits, versions)

    def _workspace_edit(self, edits: dict[str, list], versions: dict[str, Optional[int]]):
        t = self.types
        if self._capability("workspace", "workspace_edit", "document_changes", default=False):
            return t.WorkspaceEdit(
                document_changes=[
                    t.TextDocumentEdit(
                        text_document=t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri)),
                        edits=list(items),
                    )
                    for uri, items in edits.items()
                ]
            )
        return t.WorkspaceEdit(changes={uri: list(items) for uri, items in edits.items()})

    # -- publishing ------------------------------------------------------------------------
    def _merged(self, uri: str) -> list[Record]:
        seen: set[tuple] = set()
        out = []
        for records in (self.contributions.get(uri) or {}).values():
            for r in records:
                if r.key not in seen:
                    seen.add(r.key)
                    out.append(r)
        out.sort(key=lambda r: (r.diagnostic.range.start.line, r.diagnostic.range.start.character, str(r.diagnostic.code)))
        return out

    def _publish_merged(self, uri: str) -> None:
        doc = self.docs.get(uri)
        self._publish(uri, [r.diagnostic for r in self._merged(uri)], doc.version if doc else None)

    def _publish(self, uri: str, diagnostics: list, version: Optional[int]) -> None:
        t = self.types
        self.server.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    # -- code actions ----------------------------------------------------------------------
    def _find(self, uri: str, diag) -> Optional[Record]:
        records = self._merged(uri)
        data = diag.data if isinstance(diag.data, dict) else None
        if data and isinstance(data.get("id"), int):
            for r in records:
                if r.id == data["id"]:
                    return r
        r0 = diag.range
        key = (r0.start.line, r0.start.character, r0.end.line, r0.end.character, diag.code, diag.message)
        return next((r for r in records if r.key == key), None)

    def code_actions(self, params):
        t = self.types
        uri = params.text_document.uri
        doc = self.docs.get(uri)
        if doc is None or doc.kind is None:
            return None
        only = params.context.only
        kinds = [getattr(k, "value", k) for k in only] if only else None

        def wanted(kind: str) -> bool:
            return kinds is None or any(kind == k or kind.startswith(k + ".") for k in kinds)

        actions = []
        if wanted("quickfix"):
            seen: set[int] = set()
            for diag in params.context.diagnostics:
                if diag.source != SOURCE:
                    continue
                rec = self._find(uri, diag)
                if rec is None or rec.id in seen:
                    continue
                seen.add(rec.id)
                if rec.fix is not None:
                    actions.append(
                        t.CodeAction(
                            title=rec.fix.title,
                            kind=t.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=self._workspace_edit(rec.fix.edits, rec.fix.versions),
                            is_preferred=rec.fix.applicability == "safe",
                        )
                    )
                ignore = self._ignore_record(uri, rec)
                if ignore is not None:
                    actions.append(
                        t.CodeAction(
                            title=ignore.title,
                            kind=t.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=self._workspace_edit(ignore.edits, ignore.versions),
                            is_preferred=False,
                        )
                    )
        if wanted(FIX_ALL_KIND) and any(r.fix is not None and r.fix.applicability == "safe" for r in self._merged(uri)):
            action = t.CodeAction(
                title="Fix all safe prisma-lint problems",
                kind=FIX_ALL_KIND,
                data={"fixAll": uri, "version": doc.version},
            )
            if not self._capability("text_document", "code_action", "resolve_support", default=None):
                action.edit = self._fix_all_edit(uri)
                if action.edit is None:
                    action = None
            if action is not None:
                actions.append(action)
        return actions

    def _ignore_record(self, uri: str, rec: Record) -> Optional[FixRecord]:
        """``// prisma-lint-ignore <rule>`` for the finding's line (what ``check --add-ignore``
        writes), in a schema file without errors."""
        from ..findings import Fix
        from ..suppressions import ignore_edits

        f = rec.finding
        key = self.doc_unit.get(uri)
        unit = self.units.get(key) if key is not None else None
        if f is None or unit is None or unit.kind != "schema" or unit.loaded is None or unit.positions is None:
            return None
        files = [sf for sf in unit.loaded.schema.files if sf.source is f.span.file]
        if not files or unit.loaded.file_has_errors(f.span.file.path):
            return None
        edits = ignore_edits([f], files)
        if not edits:
            return None
        return self._fix_record(unit.positions, Fix(f"Ignore {f.rule} on this line", "safe", edits), unit.uri_of, unit)

    def resolve_code_action(self, action):
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("fixAll")
        if isinstance(uri, str) and action.edit is None:
            action.edit = self._fix_all_edit(uri) or self.types.WorkspaceEdit(changes={})
        return action

    def _fix_all_edit(self, uri: str):
        """Every safe fix of the document's findings, planned together as ``check --fix`` does
        (several rounds until nothing changes), as one edit per changed file."""
        from ..fix.planner import fix_texts
        from ..engine import lint
        from ..frontends.prisma.loader import reparse

        key = self.doc_unit.get(uri)
        if key is None:
            return None
        if key in self.pending:
            self.lint_now(key)  # plan on the text as it is now
        unit = self.units.get(key)
        if unit is None or unit.loaded is None:
            return None
        if uri in unit.fix_all:
            return unit.fix_all[uri]
        doc = self.docs[uri]
        shown = next((s for s, p in unit.shown_to_path.items() if p == doc.path), None)
        edit = None
        if unit.kind == "sql" or shown is None:
            edit = self._merge_safe_fixes(uri)
        elif not unit.loaded.has_errors:
            loaded, config, migrations = unit.loaded, unit.config, unit.migrations

            def lint_round(texts):
                current = reparse(loaded, texts)
                r = lint(current, self.registry, config, migrations=migrations)
                return current.schema, [f for f in r.findings if f.span.file.path == shown], current.has_errors

            def verify(texts):  # every rule, as check --fix
                current = reparse(loaded, texts)
                r = lint(current, self.registry, config, ["all"], migrations=migrations)
                return current.schema, r.findings, current.has_errors

            before = loaded.texts()
            outcome = fix_texts(before, lint_round, unsafe=False, verify=verify)
            if outcome.texts:
                sources = {f.source.path: f.source for f in loaded.schema.files}
                open_docs = {str(d.path): d for d in self.docs.values() if d.kind is not None}
                positions = _Positions(self.encoding, open_docs, unit.shown_to_path)
                edits: dict[str, list] = {}
                versions: dict[str, Optional[int]] = {}
                for path, new_text in outcome.texts.items():
                    src = sources[path]
                    a, b, replacement = _minimal_replacement(src.text, new_text)
                    target = self._uri_for(unit.shown_to_path.get(path, Path(path)))
                    versions[target] = unit.versions.get(target)
                    edits[target] = [self.types.TextEdit(range=self._range(positions, src, a, b), new_text=replacement)]
                edit = self._workspace_edit(edits, versions)
        unit.fix_all[uri] = edit
        return edit

    def _merge_safe_fixes(self, uri: str):
        """The safe fixes of the document's diagnostics whose edits do not overlap (SQL)."""
        edits: dict[str, list] = {}
        versions: dict[str, Optional[int]] = {}
        taken: dict[str, list[tuple]] = {}

        def bounds(e) -> tuple:
            return (e.range.start.line, e.range.start.character), (e.range.end.line, e.range.end.character)

        def clashes(u: str, e) -> bool:
            a, b = bounds(e)
            return any((a, b) == (c, d) or (a < d and c < b) for c, d in taken.get(u, []))

        for r in self._merged(uri):
            if r.fix is None or r.fix.applicability != "safe":
                continue
            if any(clashes(u, e) for u, items in r.fix.edits.items() for e in items):
                continue
            for u, items in r.fix.edits.items():
                edits.setdefault(u, []).extend(items)
                taken.setdefault(u, []).extend(bounds(e) for e in items)
                versions[u] = r.fix.versions.get(u)
        return self._workspace_edit(edits, versions) if edits else None

    # -- hover -----------------------------------------------------------------------------
    def hover(self, params):
        t = self.types
        uri = params.text_document.uri
        pos = (params.position.line, params.position.character)
        hits = []
        for r in self._merged(uri):
            rng = r.diagnostic.range
            if (rng.start.line, rng.start.character) <= pos <= (rng.end.line, rng.end.character):
                hits.append(r)
        if not hits:
            return None
        from ..docs import rule_page

        parts = []
        for r in hits:
            name = f"{SOURCE}({r.diagnostic.code})" if r.diagnostic.code else SOURCE
            head = f"**{name}**: {r.diagnostic.message}"
            if r.help:
                head += f"\n\nhelp: {r.help}"
            if r.fix is not None:
                head += f"\n\nfix: {r.fix.title}"
            if r.rule:
                page = rule_page(r.rule)
                if page is None:
                    rule = self.registry.rules.get(r.rule)
                    page = f"# {r.rule}\n\n{rule.summary}" if rule else None
                if page:
                    head += "\n\n---\n\n" + page.rstrip()
            parts.append(head)
        formats = self._capability("text_document", "hover", "content_format", default=None) or []
        markdown = not formats or any(getattr(f, "value", f) == "markdown" for f in formats)
        return t.Hover(
            contents=t.MarkupContent(kind=t.MarkupKind.Markdown if markdown else t.MarkupKind.PlainText, value="\n\n---\n\n".join(parts)),
            range=hits[0].diagnostic.range,
        )


class _Positions:
    """Span offsets to LSP positions for the files of one lint."""

    def __init__(self, encoding: str, open_docs: dict[str, Document], shown_to_path: dict[str, Path]) -> None:
        self.encoding = encoding
        self.bom_shift: dict[str, int] = {}
        for shown, p in shown_to_path.items():
            d = open_docs.get(str(p))
            # the client's text has the BOM the SourceFile dropped: it counts on the first line
            self.bom_shift[shown] = count_units("\ufeff", encoding) if d is not None and d.text.startswith("\ufeff") else 0

    def of(self, src, offset: int) -> tuple[int, int]:
        shift = self.bom_shift.get(src.path, 0)
        if self.encoding == "utf-32" or getattr(src, "_ascii", False):
            offset = max(0, min(offset, len(src.text)))
            line = bisect_right(src.line_starts, offset) - 1
            return line, offset - src.line_starts[line] + (shift if line == 0 else 0)
        return position_of(src.text, src.line_starts, offset, self.encoding, shift)


def _minimal_replacement(old: str, new: str) -> tuple[int, int, str]:
    """(start, end, text): the one replacement of ``old[start:end]`` that gives ``new``
    (never starting or ending inside a ``\\r\\n`` pair)."""
    n = min(len(old), len(new))
    a = 0
    while a < n and old[a] == new[a]:
        a += 1
    b = 0
    while b < n - a and old[len(old) - 1 - b] == new[len(new) - 1 - b]:
        b += 1
    end, new_end = len(old) - b, len(new) - b
    while a > 0 and old[a - 1] == "\r" and a < len(old) and old[a] == "\n":
        a -= 1
    while 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        end += 1
        new_end += 1
    return a, end, new[a:new_end]


def main() -> None:
    """Run the language server over stdio until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="prisma-lint lsp: %(levelname)s: %(message)s")
    server = create_server()
    server.start_io()


if __name__ == "__main__":
    main()
