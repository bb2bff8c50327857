"""Find, read and parse a schema: one ``.prisma`` file or a multi-file schema folder.

Discovery, when no path is given, follows the Prisma CLI: ``prisma.config.ts`` (its ``schema``
path, read as text and never executed), then ``package.json`` (``"prisma": {"schema": ...}``),
then ``prisma/schema.prisma``, ``prisma/schema/`` and ``schema.prisma``.
"""

from __future__ import annotations

import gc
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ...model.schema import Schema, build_schema
from ...source import SourceFile, Span
from ...fix.write import Snapshot
from .syntax import Diagnostic, SchemaFile

SKIP_DIRS = frozenset({"node_modules", ".git"})

# the `schema:` property of prisma.config.ts (comments blanked out first): a string, or
# path.join/path.resolve (also bare join/resolve) of __dirname, process.cwd() and strings
_CONFIG_SCHEMA = re.compile(r"(?<![\w$.])schema\s*:\s*")
_STRING = re.compile(r"""\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`$\\]*)`)""")
_CALL = re.compile(r"\s*(?:path\s*\.\s*)?(join|resolve)\s*\(")
_DIRNAME = re.compile(r"\s*(?:__dirname|import\s*\.\s*meta\s*\.\s*dirname|process\s*\.\s*cwd\s*\(\s*\))")

MAX_SCHEMA_BYTES = 50 * 1024 * 1024  # a 3,000-model schema is ~1 MB; far beyond is not a schema
# what a Prisma schema file starts with (after comments and blank lines)
_SCHEMA_START = re.compile(r"\A(?:\s|//[^\n]*|/\*.*?\*/)*(?:\Z|(?:model|enum|datasource|generator|type|view)\b)", re.S)
_SPECIAL_FS = ("/proc/", "/sys/")  # their files claim size 0 and are generated on read


class SchemaNotFound(Exception):
    """No schema at the given path, or none found by discovery."""


@dataclass(eq=False)
class LoadedSchema:
    schema: Schema
    root: str  # the file or folder that was read
    discovered_by: Optional[str] = None  # how it was found, when no path was given
    read_errors: list[Diagnostic] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)  # shown path -> file on disk
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


def display_path(path: Path | str, cwd: Optional[Path] = None) -> str:
    """``path`` relative to the working directory when it is below it, else as given."""
    p = Path(path)
    try:
        base = cwd or Path.cwd()
        rel = p.resolve().relative_to(base.resolve())
        return rel.as_posix()
    except (ValueError, OSError):
        return str(path)


def schema_files_in(folder: Path) -> list[Path]:
    """Every ``*.prisma`` below ``folder``, in a stable order (node_modules skipped)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        out.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".prisma"))
    return out


class _NotReadable(Exception):
    pass


def read_bytes(path: Path, limit: int = MAX_SCHEMA_BYTES) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes (and its stat when opened). Never blocks on a FIFO, never reads a
    device or a /proc file, and stops at ``limit`` bytes; raises :class:`OSError` or
    ``_NotReadable`` with the reason."""
    real = os.path.realpath(path)
    if real.startswith(_SPECIAL_FS):
        raise _NotReadable(f"{real} is on a special file system, not a schema file")
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotReadable("not a regular file (a device, FIFO or socket)")
        if st.st_size > limit:
            raise _NotReadable(f"the file is {st.st_size / 2**20:.1f} MB; prisma-lint reads files up to {limit // 2**20} MB")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _NotReadable(f"the file is over {limit // 2**20} MB; prisma-lint reads files up to {limit // 2**20} MB")
        return b"".join(chunks), st
    finally:
        os.close(fd)


def read_source(
    path: Path,
    shown: str,
    overrides: Optional[dict[str, str]] = None,
    snapshots: Optional[dict[str, Snapshot]] = None,
) -> tuple[Optional[SourceFile], Optional[Diagnostic]]:
    if overrides is not None:
        key = str(path.resolve())
        if key in overrides:
            return SourceFile(shown, overrides[key]), None
    try:
        data, st = read_bytes(path)
    except OSError as e:
        return None, Diagnostic(f"cannot read the file: {e.strerror or e}", None, path=shown, code="io-error")
    except _NotReadable as e:
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


def parse_files(sources: list[SourceFile]) -> Schema:
    """Parse and build one schema from its files (the garbage collector paused meanwhile:
    parsing makes many small objects and no cycles, and collections would cost a third)."""
    from .parser import get_parser

    parser = get_parser()
    enabled = gc.isenabled()
    gc.disable()
    try:
        files: list[SchemaFile] = [parser.parse(s) for s in sources]
        return build_schema(files)
    finally:
        if enabled:
            gc.enable()


def load_schema(path: Path | str, cwd: Optional[Path] = None, overrides: Optional[dict[str, str]] = None) -> LoadedSchema:
    """Read the schema at ``path`` (a file or a multi-file folder).

    ``overrides`` maps resolved file paths to text to use instead of the file on disk
    (an editor's unsaved buffer).
    """
    p = Path(path)
    if p.is_dir():
        paths = schema_files_in(p)
        if not paths:
            raise SchemaNotFound(f"{display_path(p, cwd)}: no .prisma files in this folder")
    elif p.exists() or (overrides and str(p.resolve()) in overrides):
        paths = [p]
    else:
        raise SchemaNotFound(f"{display_path(p, cwd)}: no such file or folder")
    snapshots: dict[str, Snapshot] = {}
    sources, errors, shown = read_sources(paths, cwd, overrides, snapshots)
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
    return LoadedSchema(parse_files(kept), display_path(p, cwd), read_errors=errors, paths=shown, read_as=snapshots)


def read_sources(
    paths: list[Path],
    cwd: Optional[Path] = None,
    overrides: Optional[dict[str, str]] = None,
    snapshots: Optional[dict[str, Snapshot]] = None,
) -> tuple[list[SourceFile], list[Diagnostic], dict[str, Path]]:
    """Read files: (the sources, the read errors, shown path -> file on disk); ``snapshots``
    gets each file as read (for the check before a fix replaces it)."""
    sources, errors, shown = [], [], {}
    for f in paths:
        name = display_path(f, cwd)
        shown[name] = f
        src, err = read_source(f, name, overrides, snapshots)
        if err:
            errors.append(err)
        else:
            sources.append(src)
    return sources, errors, shown


def is_sql_path(path: Path) -> bool:
    """A `.sql` file, a Prisma migrations folder, or a folder of `.sql` files (no `.prisma`)."""
    if path.is_file():
        return path.suffix == ".sql"
    if path.is_dir():
        if (path / "migration_lock.toml").exists() or any(path.glob("*/migration.sql")):
            return True
        return not any(path.rglob("*.prisma")) and any(path.glob("*.sql"))
    return path.suffix == ".sql"


def reparse(loaded: LoadedSchema, texts: dict[str, str]) -> LoadedSchema:
    """The same schema with new texts for its files (fixes applied in memory)."""
    sources = [SourceFile(path, texts[path]) for path in texts]
    for s, f in zip(sources, loaded.schema.files):
        s.bom = f.source.bom
    return LoadedSchema(
        parse_files(sources), loaded.root, loaded.discovered_by, list(loaded.read_errors), dict(loaded.paths), dict(loaded.read_as)
    )


def strip_js_comments(text: str) -> str:
    """``text`` with its ``//`` and ``/* */`` comments blanked (strings kept: a URL's ``//`` in a
    string is not a comment); line breaks stay so positions stay."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _js_string(m: "re.Match[str]") -> str:
    raw = next(g for g in m.groups() if g is not None)
    return re.sub(r"\\(.)", r"\1", raw)


def config_schema_path(text: str, folder: Path) -> Optional[Path]:
    """The ``schema`` of a prisma.config.ts, read as text (never run): a string literal (relative
    to the config's folder, as Prisma resolves it) or ``path.join``/``path.resolve`` of
    ``__dirname``, ``process.cwd()`` and string literals. None when it is anything else."""
    code = strip_js_comments(text)
    for key in _CONFIG_SCHEMA.finditer(code):
        pos = key.end()
        lit = _STRING.match(code, pos)
        if lit:
            return folder / _js_string(lit)
        call = _CALL.match(code, pos)
        if not call:
            continue
        parts: list[str] = []
        pos = call.end()
        while True:
            arg = _DIRNAME.match(code, pos)
            if arg:
                parts.append(str(folder))
            else:
                arg = _STRING.match(code, pos)
                if not arg:
                    break
                parts.append(_js_string(arg))
            pos = arg.end()
            sep = re.compile(r"\s*([,)])").match(code, pos)
            if not sep:
                break
            pos = sep.end()
            if sep.group(1) == ")":
                if not parts:
                    break
                # node's join concatenates (an absolute part does not restart); resolve restarts
                joined = "/".join(parts) if call.group(1) == "join" else os.path.join(str(folder), *parts)
                return Path(os.path.normpath(joined if os.path.isabs(joined) else os.path.join(folder, joined)))
    return None


def _outside(path: Path, project: Path, written: str) -> Optional[str]:
    """A warning when a configured schema path (``written`` as in the config) leaves the project."""
    try:
        path.resolve().relative_to(project.resolve())
    except ValueError:
        return f"the configured schema path {written} is outside the project folder ({path.resolve()})"
    return None


def discover_schema(cwd: Path, warnings: Optional[list[str]] = None) -> tuple[Path, str]:
    """Find the schema the way the Prisma CLI does; returns (path, how it was found). A
    configured path that leaves the project adds a line to ``warnings``."""
    config = cwd / "prisma.config.ts"
    if config.is_file():
        try:
            configured = config_schema_path(read_bytes(config, 1 << 20)[0].decode("utf-8", "replace"), cwd)
        except (OSError, _NotReadable):
            configured = None
        if configured is not None and configured.exists():
            note = _outside(configured, cwd, str(configured))
            if note and warnings is not None:
                warnings.append(note)
            return configured, "the `schema` path in prisma.config.ts"
    pkg = cwd / "package.json"
    if pkg.is_file():
        try:
            data = json.loads(read_bytes(pkg, 8 << 20)[0].decode("utf-8"))
        except (ValueError, OSError, _NotReadable):
            data = None
        schema = data.get("prisma", {}).get("schema") if isinstance(data, dict) and isinstance(data.get("prisma"), dict) else None
        if isinstance(schema, str) and (cwd / schema).exists():
            note = _outside(cwd / schema, cwd, schema)
            if note and warnings is not None:
                warnings.append(note)
            return cwd / schema, '`"prisma": {"schema"}` in package.json'
    for rel in ("prisma/schema.prisma", "prisma/schema", "schema.prisma"):
        candidate = cwd / rel
        if (candidate.is_file() and rel.endswith(".prisma")) or (candidate.is_dir() and schema_files_in(candidate)):
            return candidate, f"the default location {rel}"
    raise SchemaNotFound(
        "no schema found: pass a path, or use --schema PATH (looked for prisma.config.ts, package.json "
        '"prisma.schema", prisma/schema.prisma, prisma/schema/ and schema.prisma)'
    )
