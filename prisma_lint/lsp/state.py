"""The language server's state: open documents, lint units, published diagnostics."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from ..frontends.app.discover import EXTENSIONS
from ..records import field, record
from .positions import normalize_encoding

logger = logging.getLogger("prisma_lint.lsp")

SOURCE = "prisma-lint"
FIX_ALL_KIND = "source.fixAll.prisma-lint"
DEBOUNCE = 0.075  # seconds of quiet after a change before linting again (while typing)
SEVERITY = {"error": 1, "warning": 2, "info": 3}
MIGRATIONS_RECHECK = 2.0  # seconds a migrations folder's files go unchecked (clients that watch no files)
CONFIG_NAMES = frozenset({"prisma-lint.toml", ".prisma-lint.toml", "pyproject.toml"})
# app code: saving one re-reads the app's queries (the extensions the app front end reads)
APP_SUFFIXES = frozenset(EXTENSIONS)


@record
class Document:
    uri: str
    text: str
    version: Optional[int]
    language_id: str
    path: Path  # resolved; a made-up path for documents that are not files
    kind: Optional[str]  # "schema", "sql" or None (not ours)
    # the text as the last lint read it, and where the text differs from it since (start, end
    # in it, end in the text; None: the same text, or not known): the parse then compares no
    # text to find the change (positions.combined_edit, incremental.edited_source)
    linted: Optional[str] = None
    edit: Optional[tuple[int, int, int]] = None


@record
class FixRecord:
    title: str
    applicability: str
    edits: dict[str, list]  # uri -> [TextEdit]
    versions: dict[str, Optional[int]]  # uri -> version of the open document the edits are for


@record
class Record:
    """One published diagnostic and what is needed to answer code actions and hovers on it."""

    id: int
    diagnostic: dict  # the LSP Diagnostic as sent (JSON; see linting.Linting._record)
    rule: Optional[str]  # None for input errors
    fix: Optional[FixRecord] = None
    help: Optional[str] = None
    finding: Any = None  # the rule's finding (for "Ignore ... on this line")
    json: Optional[str] = None  # ``diagnostic`` serialised, once (see Linting._publish)
    # ``key`` and the order of publishing, once: a record is published again after each change
    # while its finding stays (Linting._lint), and making them for every record took ~0.8 ms
    # of a change on the 7,600-line schema
    _key: Optional[tuple] = field(default=None, repr=False)
    _order: Optional[tuple] = field(default=None, repr=False)

    @property
    def key(self) -> tuple:
        if self._key is None:
            self._key = (*self.start, *self.end, self.diagnostic.get("code"), self.diagnostic["message"])
        return self._key

    @property
    def order(self) -> tuple:
        """Where it is published among a document's diagnostics."""
        if self._order is None:
            self._order = (*self.start, str(self.diagnostic.get("code")))
        return self._order

    @property
    def start(self) -> tuple[int, int]:
        s = self.diagnostic["range"]["start"]
        return s["line"], s["character"]

    @property
    def end(self) -> tuple[int, int]:
        e = self.diagnostic["range"]["end"]
        return e["line"], e["character"]


@record
class Unit:
    """A lint target: a schema (file or folder) or SQL (file or migrations folder)."""

    kind: str  # "schema" | "sql"
    root: Path
    inputs: Any = None  # engine.Inputs of the last lint
    config: Any = None
    shown_to_path: dict[str, Path] = field(default_factory=dict)
    versions: dict[str, Optional[int]] = field(default_factory=dict)  # uri -> version linted
    published: set[str] = field(default_factory=set)  # uris this unit contributed to
    generation: int = 0
    fix_all: dict[str, Any] = field(default_factory=dict)  # uri -> WorkspaceEdit (this generation)
    positions: Any = None  # the positions.Positions of the last lint
    uri_of: dict[str, str] = field(default_factory=dict)  # shown path -> uri of the open document
    findings_cache: Any = None  # rule_cache.FindingsCache: findings per model between lints
    records: dict[int, Any] = field(default_factory=dict)  # id(finding) -> its Record, last lint
    records_for: Any = None  # the LoadedSchema the records are of (their positions are in it)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, str(self.root))


def _kind_of(path: Path, language_id: str) -> Optional[str]:
    if path.suffix == ".prisma" or language_id == "prisma":
        return "schema"
    if path.suffix == ".sql" or language_id in ("sql", "postgres", "pgsql", "postgresql"):
        return "sql"
    return None


class StateBase:
    """What the server keeps between messages (runs on the event loop thread only), and its plumbing."""

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
        # migrations folder -> (its files' stamp, LoadedSchema, quick stamp, when the files were checked)
        self.migration_cache: dict[str, tuple] = {}
        self.watching = False  # the client reports changed files (watchers registered)
        self.code_descriptions: dict[str, Optional[dict]] = {}  # rule id -> {"href": its page} or None
        self.next_id = 0
        self.cwd: Optional[Path] = None
        self.debounce = DEBOUNCE
        self._registry = None
        self._untitled = 0
        self.idle_collect: Any = None  # the TimerHandle of the next idle garbage collection
        self.idle_collects = 0  # how many ran (see Workspace._idle_collect)
        self.app_cache: dict[str, Any] = {}  # schema root -> AppQueries (None: no app), until an app file is saved
        self.env: dict[str, str] = {}  # the process environment (the cache folder), set by main()
        self.timing: Any = None  # timing.Timing when PRISMA_LINT_LSP_TIMING is set (the bench's --phases)
        self.garbage: list[Any] = []  # the last lint's objects, freed once its diagnostics are out

    # -- plumbing --------------------------------------------------------------------------
    def guard(self, fn, *args, default=None):
        """Run a handler; log any error instead of letting it out (a broken document, or a bug
        of ours, must not take the server down)."""
        try:
            return fn(*args)
        except Exception as e:
            logger.exception("prisma-lint: %s failed", getattr(fn, "__name__", fn))
            self.log(f"prisma-lint: {getattr(fn, '__name__', fn)} failed: {type(e).__name__}: {e}", error=True)
            return default

    def log(self, message: str, error: bool = False) -> None:
        t = self.types
        try:
            self.server.window_log_message(
                t.LogMessageParams(type=t.MessageType.Error if error else t.MessageType.Warning, message=message)
            )
        except Exception:
            logger.warning("%s", message)

    @property
    def encoding(self) -> str:
        try:
            return normalize_encoding(self.server.workspace.position_encoding)
        except Exception:
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
