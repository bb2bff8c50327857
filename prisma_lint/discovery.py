"""Which files form a unit to lint, in one place for the CLI, pre-commit grouping and the editor.

* :func:`find_schema` — no path given: the schema the Prisma CLI would use.
* :func:`unit_root` — a ``.prisma`` file belongs to a multi-file schema folder, or stands alone;
  a ``migration.sql`` belongs to its migrations folder.
* :func:`migrations_dir` — where a schema's migrations are (next to the datasource's file).
* :func:`migration_provider` — the provider ``migration_lock.toml`` names.
* :func:`group_paths` — the paths given on the command line (or by pre-commit), grouped by unit.

Rule for a ``.prisma`` file: from its folder, go up while the folder's own ``.prisma`` files have
no ``datasource`` block and the parent folder holds ``.prisma`` files. The folder reached is the
schema when, with everything below it, it holds several ``.prisma`` files and at most one
datasource between them; files that each have their own datasource are separate schemas.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from .frontends.prisma.loader import NotReadable, SchemaNotFound, read_bytes, schema_files_in
from .records import record

_DATASOURCE = re.compile(r"(?m)^[ \t]*datasource[ \t]+\w+[ \t]*\{")
_DATASOURCE_BYTES = re.compile(rb"(?m)^[ \t]*datasource[ \t]+\w+[ \t]*\{")
_MIGRATION_FOLDER = re.compile(r"^\d+_")
# the `schema:` property of prisma.config.ts (comments blanked out first): a string, or
# path.join/path.resolve (also bare join/resolve) of __dirname, process.cwd() and strings.
# Compiled when a prisma.config.ts is read (re's cache keeps them): compiling the five at
# import cost 3 M instructions, 1% of every cold check, and most projects have no such file.
_CONFIG_SCHEMA = r"(?<![\w$.])schema\s*:\s*"
_STRING = r"""\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`$\\]*)`)"""
_CALL = r"\s*(?:path\s*\.\s*)?(join|resolve)\s*\("
_DIRNAME = r"\s*(?:__dirname|import\s*\.\s*meta\s*\.\s*dirname|process\s*\.\s*cwd\s*\(\s*\))"
_ARG_END = r"\s*([,)])"
_LOCK_PROVIDER = re.compile(r"""(?m)^\s*provider\s*=\s*["']([^"']+)["']""")


def has_datasource(path: Path, open_texts: Optional[dict[str, str]] = None) -> bool:
    """Whether the file (or its unsaved text) has a ``datasource`` block. Read as bytes: a
    sibling of the linted file may be large, and decoding it is most of the cost."""
    if open_texts:
        text = open_texts.get(str(path.resolve()))
        if text is not None:
            return bool(_DATASOURCE.search(text))
    try:  # only a regular file, never blocking on a FIFO (read_bytes); as bytes (decoding is the cost)
        return bool(_DATASOURCE_BYTES.search(read_bytes(path)[0]))
    except (OSError, NotReadable):
        return False  # the loader reports it, with the reason


def _prisma_files_here(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".prisma" and p.is_file())
    except OSError:
        return []


def schema_root(file: Path, open_texts: Optional[dict[str, str]] = None) -> Path:
    """The schema a ``.prisma`` file belongs to: a multi-file schema folder, or the file.

    ``open_texts`` maps resolved paths to an editor's unsaved text (a datasource typed but not
    saved counts)."""
    if not file.is_file():
        return file  # a new file not saved yet: on its own
    known: dict[Path, bool] = {}  # each file is read once: the walk up and the count below both ask

    def datasource_in(p: Path) -> bool:
        key = p.resolve()
        if key not in known:
            known[key] = has_datasource(p, open_texts)
        return known[key]

    folder = file.resolve().parent
    while True:
        here = _prisma_files_here(folder)
        with_datasource = sum(1 for p in here if datasource_in(p))
        if with_datasource > 1:
            return file  # several schemas side by side
        if with_datasource or folder.parent == folder or not _prisma_files_here(folder.parent):
            break
        folder = folder.parent
    files = schema_files_in(folder)
    if len(files) <= 1 or file.resolve() not in {f.resolve() for f in files}:
        return file  # alone, or in a folder the walk skips (node_modules)
    if sum(1 for f in files if datasource_in(f)) <= 1:
        return folder
    return file


def migrations_root(file: Path) -> Path:
    """``<dir>/<timestamp>_<name>/migration.sql`` belongs to the migrations folder ``<dir>``."""
    parent = file.resolve().parent
    if file.name != "migration.sql":
        return file
    folder = parent.parent
    if (
        _MIGRATION_FOLDER.match(parent.name)
        or (folder / "migration_lock.toml").exists()
        or len(list(folder.glob("*/migration.sql"))) > 1
    ):
        return folder
    return file


def unit_root(path: Path, open_texts: Optional[dict[str, str]] = None) -> Path:
    """The file or folder to lint for ``path``: a schema, a migrations folder, or itself."""
    if path.suffix == ".prisma":
        return schema_root(path, open_texts)
    if path.suffix == ".sql":
        return migrations_root(path)
    return path


def is_sql_path(path: Path) -> bool:
    """A `.sql` file, a Prisma migrations folder, or a folder of `.sql` files (no `.prisma`)."""
    if path.is_file():
        return path.suffix == ".sql"
    if path.is_dir():
        if (path / "migration_lock.toml").exists() or any(path.glob("*/migration.sql")):
            return True
        return not any(path.rglob("*.prisma")) and any(path.glob("*.sql"))
    return path.suffix == ".sql"


def migrations_dir(datasource_file: Path) -> Path:
    """Prisma keeps migrations in ``migrations/`` next to the file with the datasource block."""
    return datasource_file.resolve().parent / "migrations"


def has_migrations(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(folder.glob("*/migration.sql"))
    except OSError:
        return False


def migration_provider(folder: Path) -> Optional[str]:
    """The provider ``migration_lock.toml`` in a migrations folder names (``postgresql``, ...)."""
    try:
        text = (folder / "migration_lock.toml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = _LOCK_PROVIDER.search(text)
    return m.group(1) if m else None


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
    config_schema, string, call_re, dirname, arg_end = map(re.compile, (_CONFIG_SCHEMA, _STRING, _CALL, _DIRNAME, _ARG_END))
    for key in config_schema.finditer(code):
        pos = key.end()
        lit = string.match(code, pos)
        if lit:
            return folder / _js_string(lit)
        call = call_re.match(code, pos)
        if not call:
            continue
        parts: list[str] = []
        pos = call.end()
        while True:
            arg = dirname.match(code, pos) or string.match(code, pos)
            if arg is None:
                break
            parts.append(str(folder) if arg.re is dirname else _js_string(arg))
            pos = arg.end()
            sep = arg_end.match(code, pos)
            if not sep:
                break
            pos = sep.end()
            if sep.group(1) == ")":
                if not parts:
                    break
                # node's join concatenates (an absolute part does not restart); resolve restarts
                joined = "/".join(parts) if call.group(1) == "join" else os.path.join(str(folder), *parts)
                return Path(os.path.normpath(os.path.join(folder, joined)))
    return None


def _outside(path: Path, project: Path, written: str) -> Optional[str]:
    """A warning when a configured schema path (``written`` as in the config) leaves the project."""
    try:
        path.resolve().relative_to(project.resolve())
    except ValueError:
        return f"the configured schema path {written} is outside the project folder ({path.resolve()})"
    return None


def find_schema(cwd: Path, warnings: Optional[list[str]] = None) -> tuple[Path, str]:
    """Find the schema the way the Prisma CLI does; returns (path, how it was found). A
    configured path that leaves the project adds a line to ``warnings``."""
    config = cwd / "prisma.config.ts"
    if config.is_file():
        try:
            configured = config_schema_path(read_bytes(config, 1 << 20)[0].decode("utf-8", "replace"), cwd)
        except (OSError, NotReadable):
            configured = None
        if configured is not None and configured.exists():
            note = _outside(configured, cwd, str(configured))
            if note and warnings is not None:
                warnings.append(note)
            return configured, "the `schema` path in prisma.config.ts"
    pkg = cwd / "package.json"
    if pkg.is_file():
        import json  # here: most runs have no package.json to read

        try:
            data = json.loads(read_bytes(pkg, 8 << 20)[0].decode("utf-8"))
        except (ValueError, OSError, NotReadable):
            data = None
        prisma = data.get("prisma") if isinstance(data, dict) else None
        schema = prisma.get("schema") if isinstance(prisma, dict) else None
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


@record(eq=False)
class Target:
    """A unit to lint: its root, how it was found (when no path was given), and the files to
    report on (None: all; pre-commit passes some files of a schema or migrations folder)."""

    root: Path
    found_by: Optional[str] = None
    only: Optional[set[str]] = None


def group_paths(paths: list[Path], overrides: Optional[dict[str, str]] = None) -> list[Target]:
    """Group the paths given by the user (or pre-commit) by the unit each belongs to.

    A file of a multi-file schema or a migration of a migrations folder is linted with its whole
    unit (relations across files, the replayed migrations) and only what concerns the files
    named is reported."""
    groups: dict[str, Target] = {}
    out: list[Target] = []
    for p in paths:
        if p.is_dir() or (not p.exists() and not (overrides and str(p.resolve()) in overrides)):
            out.append(Target(p))
            continue
        root = unit_root(p, overrides)
        if root == p or root.resolve() == p.resolve():
            out.append(Target(p))
            continue
        key = str(root)
        if key not in groups:
            groups[key] = Target(root, only=set())
            out.append(groups[key])
        only = groups[key].only
        assert only is not None
        only.add(str(p.resolve()))
    return out
