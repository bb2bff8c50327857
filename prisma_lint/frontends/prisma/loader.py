"""Read and parse a schema: one ``.prisma`` file or a multi-file schema folder (which files
form a schema, and where it is when no path is given: ``discovery.py``)."""

from __future__ import annotations

import gc
import os
import re
import stat
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

from ...model.builder import build_schema
from ...model.schema import Schema
from ...paths import as_given, clean, relative_to, text
from ...records import field, record
from ...source import Snapshot, SourceFile, Span
from .syntax import Diagnostic, SchemaFile

if TYPE_CHECKING:
    from ...paths import P, StrPath

SKIP_DIRS = frozenset({"node_modules", ".git"})

MAX_SCHEMA_BYTES = 50 * 1024 * 1024  # a 3,000-model schema is ~1 MB; far beyond is not a schema
# what a Prisma schema file starts with (after comments and blank lines)
_SCHEMA_START = re.compile(r"\A(?:\s|//[^\n]*|/\*.*?\*/)*(?:\Z|(?:model|enum|datasource|generator|type|view)\b)", re.S)
_SPECIAL_FS = ("/proc/", "/sys/")  # their files claim size 0 and are generated on read


class SchemaNotFound(Exception):
    """No schema at the given path, or none found by discovery."""


@record(eq=False)
class LoadedSchema:
    schema: Schema
    root: str  # the file or folder that was read
    discovered_by: Optional[str] = None  # how it was found, when no path was given
    read_errors: list[Diagnostic] = field(default_factory=list)
    # shown path -> file on disk: a str, or a Path when the schema's path was given as one (Any:
    # each caller reads the type it passed)
    paths: dict[str, Any] = field(default_factory=dict)
    read_as: dict[str, Snapshot] = field(default_factory=dict)  # shown path -> the file as read

    def texts(self) -> dict[str, str]:
        """Each file's text (BOM removed), by shown path, in schema order."""
        return {f.source.path: f.source.text for f in self.schema.files}

    def boms(self) -> dict[str, bool]:
        return {f.source.path: f.source.bom for f in self.schema.files}

    def file_has_errors(self, path: str) -> bool:
        return any(d.severity == "error" and d.file == path for d in self.diagnostics)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.read_errors + self.schema.all_diagnostics()

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def display_path(path: StrPath, cwd: Optional[StrPath] = None) -> str:
    """``path`` relative to the working directory when it is below it, else as given."""
    try:
        base = os.fspath(cwd) if cwd else os.getcwd()
        rel = relative_to(os.path.realpath(os.fspath(path) or "."), os.path.realpath(base))
    except (ValueError, OSError):
        rel = None
    return str(path) if rel is None else rel


def schema_files_in(folder: P) -> list[P]:
    """Every ``*.prisma`` below ``folder``, in a stable order (node_modules skipped); paths of
    the type ``folder`` is (``str`` or ``Path``)."""
    out: list[P] = []
    for dirpath, dirnames, filenames in os.walk(text(folder)):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        out.extend(as_given(folder, clean(os.path.join(dirpath, f))) for f in sorted(filenames) if f.endswith(".prisma"))
    return out


class NotReadable(Exception):
    """Not a file prisma-lint reads (a device, FIFO, /proc file, or too big); the message says why."""


def read_bytes(path: StrPath, limit: int = MAX_SCHEMA_BYTES) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes (and its stat when opened). Never blocks on a FIFO, never reads a
    device or a /proc file, and stops at ``limit`` bytes; raises :class:`OSError` or
    :class:`NotReadable` with the reason."""
    real = os.path.realpath(path)
    if real.startswith(_SPECIAL_FS):
        raise NotReadable(f"{real} is on a special file system, not a schema file")
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable("not a regular file (a device, FIFO or socket)")
        if st.st_size > limit:
            raise NotReadable(f"the file is {st.st_size / 2**20:.1f} MB; prisma-lint reads files up to {limit // 2**20} MB")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise NotReadable(f"the file is over {limit // 2**20} MB; prisma-lint reads files up to {limit // 2**20} MB")
        return b"".join(chunks), st
    finally:
        os.close(fd)


def read_source(
    path: StrPath,
    shown: str,
    overrides: Optional[dict[str, str]] = None,
    snapshots: Optional[dict[str, Snapshot]] = None,
    before: Optional[SourceFile] = None,
    changed: Optional[dict[str, tuple]] = None,
) -> tuple[Optional[SourceFile], Optional[Diagnostic]]:
    """``before``: the same file read last (the language server's last lint): an unsaved
    buffer's line index is worked out from its one (see ``incremental.edited_line_starts``);
    ``changed``: by resolved path, (the text read last, where the override differs from it),
    as the language server knows it from the changes (``incremental.edited_source``)."""
    if overrides is not None:
        key = os.path.realpath(path)
        if key in overrides:
            text = overrides[key]
            if before is not None:
                from .incremental import edited_source

                return edited_source(before, shown, text, changed.get(key) if changed else None), None
            return SourceFile(shown, text), None
    try:
        data, st = read_bytes(path)
    except OSError as e:
        return None, Diagnostic(f"cannot read the file: {e.strerror or e}", None, path=shown, code="io-error")
    except NotReadable as e:
        return None, Diagnostic(f"cannot read the file: {e}", None, path=shown, code="io-error")
    if snapshots is not None:
        snapshots[shown] = Snapshot.of(st, data)
    try:
        return SourceFile.from_bytes(shown, data), None
    except UnicodeDecodeError as e:
        # point at the bad byte in characters, as every other position
        src = SourceFile(shown, data.decode("utf-8", errors="replace"))
        offset = len(data[: e.start].decode("utf-8", errors="replace")) - (1 if src.bom else 0)
        return None, Diagnostic(
            f"the file is not valid UTF-8 (byte 0x{data[e.start]:02x}); it must be UTF-8",
            Span(src, offset, offset + 1),
            code="io-error",
        )


def parse_files(sources: list[SourceFile], previous_schema: Optional[Schema] = None, move: bool = False) -> Schema:
    """Parse and build one schema from its files (the garbage collector paused meanwhile:
    parsing makes many small objects and no cycles, and collections would cost a third).
    ``previous_schema``: the schema before an edit; only the blocks that changed are parsed.
    ``move``: ``previous_schema`` is given up: its unchanged blocks are moved into the result,
    not copied, and its models of them reused."""
    from .parser import get_parser

    parser = get_parser()
    previous = {f.source.path: f for f in previous_schema.files} if previous_schema is not None else {}
    enabled = gc.isenabled()
    gc.disable()
    try:
        files: list[SchemaFile] = [parser.parse(s, previous.get(s.path), move) for s in sources]
        return build_schema(files, previous_schema if move else None)
    finally:
        if enabled:
            gc.enable()


def load_schema(
    path: StrPath,
    cwd: Optional[StrPath] = None,
    overrides: Optional[dict[str, str]] = None,
    previous: Optional[LoadedSchema] = None,
    changed: Optional[dict[str, tuple]] = None,
) -> LoadedSchema:
    """Read the schema at ``path`` (a file or a multi-file folder).

    ``overrides`` maps resolved file paths to text to use instead of the file on disk
    (an editor's unsaved buffer). ``previous``: the same schema read before (the editor's last
    lint): only the blocks that changed since are parsed again, and the others are moved from
    it into the result: ``previous`` is given up (it no longer reads right afterwards).
    """
    p = clean(os.fspath(path))
    if os.path.isdir(p):
        paths = [as_given(path, f) for f in schema_files_in(p)]
        if not paths:
            raise SchemaNotFound(f"{display_path(p, cwd)}: no .prisma files in this folder")
    elif os.path.exists(p) or (overrides and os.path.realpath(p) in overrides):
        paths = [as_given(path, p)]
    else:
        raise SchemaNotFound(f"{display_path(p, cwd)}: no such file or folder")
    snapshots: dict[str, Snapshot] = {}
    before = {f.source.path: f.source for f in previous.schema.files} if previous is not None else None
    sources, errors, shown = read_sources(paths, cwd, overrides, snapshots, before, changed)
    kept = []
    for src in sources:
        if _SCHEMA_START.match(src.text) or (src.path.endswith(".prisma") and "\0" not in src.text[:4096]):
            kept.append(src)
        else:  # never quote it: it may be an environment file or /proc/self/environ
            errors.append(
                Diagnostic(
                    "not a Prisma schema (it does not start with a model, enum, datasource, generator, "
                    "type or view block, or a comment)",
                    None,
                    path=src.path,
                    code="io-error",
                )
            )
    return LoadedSchema(
        parse_files(kept, previous.schema if previous is not None else None, move=True), display_path(p, cwd), read_errors=errors, paths=shown, read_as=snapshots
    )


def read_sources(
    paths: Sequence[StrPath],
    cwd: Optional[StrPath] = None,
    overrides: Optional[dict[str, str]] = None,
    snapshots: Optional[dict[str, Snapshot]] = None,
    before: Optional[dict[str, SourceFile]] = None,
    changed: Optional[dict[str, tuple]] = None,
) -> tuple[list[SourceFile], list[Diagnostic], dict[str, Any]]:
    """Read files: (the sources, the read errors, shown path -> file on disk); ``snapshots``
    gets each file as read (for the check before a fix replaces it); ``before``: shown path ->
    the file read last (see :func:`read_source`)."""
    sources: list[SourceFile] = []
    errors: list[Diagnostic] = []
    shown: dict[str, Any] = {}
    for f in paths:
        name = display_path(f, cwd)
        shown[name] = f
        src, err = read_source(f, name, overrides, snapshots, before.get(name) if before else None, changed)
        if err:
            errors.append(err)
        elif src is not None:
            sources.append(src)
    return sources, errors, shown


def reparse(loaded: LoadedSchema, texts: dict[str, str], move: bool = False) -> LoadedSchema:
    """The same schema with new texts for its files (fixes applied in memory); only the
    top-level blocks that changed are parsed again. ``move``: ``loaded`` is given up: its
    unchanged blocks and their models are moved into the result, not copied (see
    :func:`parse_files`)."""
    sources = [SourceFile(path, texts[path]) for path in texts]
    for s, f in zip(sources, loaded.schema.files):
        s.bom = f.source.bom
    return LoadedSchema(
        parse_files(sources, loaded.schema, move),
        loaded.root,
        loaded.discovered_by,
        list(loaded.read_errors),
        dict(loaded.paths),
        dict(loaded.read_as),
    )
