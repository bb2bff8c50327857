"""Which files form a unit to lint, in one place for the CLI, pre-commit grouping and the editor.

* :func:`find_schema` — no path given: the schema the Prisma CLI would use.
* :func:`unit_root` — a ``.prisma`` file belongs to a multi-file schema folder, or stands alone;
  a ``migration.sql`` belongs to its migrations folder.
* :func:`migrations_dir` — where a schema's migrations are (next to the datasource's file).
* :func:`migration_provider` — the provider ``migration_lock.toml`` names.
* :func:`app_units` — an app file (``.ts``, ``.js``...) belongs to the schemas whose app reads it.
* :func:`group_paths` — the paths given on the command line (or by pre-commit), grouped by unit.

Rule for a ``.prisma`` file: from its folder, go up while the folder's own ``.prisma`` files have
no ``datasource`` block and the parent folder holds ``.prisma`` files. The folder reached is the
schema when, with everything below it, it holds several ``.prisma`` files and at most one
datasource between them; files that each have their own datasource are separate schemas.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Optional

from .frontends.prisma.loader import NotReadable, SchemaNotFound, read_bytes, schema_files_in
from .records import field, record

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


# (schema unit, app file: a real path) -> whether linting that schema reads the file as app code
AppReads = Callable[[Path, Path], bool]
# folders never searched for a project's schemas (besides dependencies, build output and hidden
# folders): a test fixture's schema is not the project's
_NOT_PROJECTS = frozenset({"test", "tests", "__tests__", "__mocks__", "e2e", "fixtures", "examples", "example"})


def is_app_path(path: Path) -> bool:
    """A TypeScript/JavaScript file (``.ts .tsx .js .jsx .mts .cts .mjs .cjs``): app code, or
    a declaration or bundle the app front end skips."""
    from .frontends.app.discover import EXTENSIONS  # the one list

    return path.name.endswith(EXTENSIONS)


def _repository(folder: Path, memo: dict[Path, Optional[Path]]) -> Optional[Path]:
    """The nearest folder at or above ``folder`` with ``.git`` (``memo``: per folder)."""
    if folder not in memo:
        memo[folder] = folder if (folder / ".git").exists() else (None if folder.parent == folder else _repository(folder.parent, memo))
    return memo[folder]


def _found_schema(folder: Path) -> Optional[Path]:
    """The unit of the schema Prisma would use from ``folder``, or None."""
    try:
        found, _ = find_schema(folder)
    except SchemaNotFound:
        return None
    if found.suffix == ".prisma" and found.is_file():
        found = schema_root(found)
    return found.resolve()


def _project_schemas(top: Path) -> list[Path]:
    """The schemas of the projects under ``top``: what the Prisma CLI finds (prisma.config.ts,
    package.json ``prisma.schema``, the default locations) from ``top`` and from every folder
    below it holding a package.json or a prisma.config.ts (a workspace package), skipping
    dependencies, build output, hidden folders and test fixtures."""
    from .frontends.app.discover import ALWAYS_SKIP_DIRS

    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in ALWAYS_SKIP_DIRS and d not in _NOT_PROJECTS and not d.startswith("."))
        folder = Path(dirpath)
        if folder == top or "package.json" in filenames or "prisma.config.ts" in filenames:
            found = _found_schema(folder)
            if found is not None and found not in out:
                out.append(found)
    return out


@record(eq=False)
class AppSearch:
    """How :func:`app_units` decides, and what it found, kept across the files of one run: the
    schemas under each repository (or project) and above a file. ``reads``: whether linting a
    schema reads a file (the CLI's, with its options); None: with no config, no ``--app``."""

    reads: Optional[AppReads] = None
    under: dict[Path, list[Path]] = field(default_factory=dict)
    above: dict[Path, Optional[Path]] = field(default_factory=dict)
    scopes: dict[Path, object] = field(default_factory=dict)
    repository: dict[Path, Optional[Path]] = field(default_factory=dict)
    candidates: dict[Path, list[Path]] = field(default_factory=dict)  # per folder of app files
    real_dirs: dict[str, str] = field(default_factory=dict)  # folder -> its real path

    def schema_reads(self, schema: Path, file: Path) -> bool:
        if self.reads is not None:
            return self.reads(schema, file)
        if schema not in self.scopes:
            from .frontends.app.discover import app_scope

            self.scopes[schema] = app_scope(schema)
        scope = self.scopes[schema]
        return scope is not None and scope.holds(str(file))  # type: ignore[attr-defined]


def app_units(file: Path, search: Optional[AppSearch] = None) -> list[Path]:
    """The schema units whose app ``file`` (a ``.ts``, ``.js``... file) belongs to.

    Candidates: the schemas of the repository the file is in (the git root; outside one, the
    project root above the file: workspace file, else nearest package.json), found as Prisma
    finds one from the repository's folder and from each package folder in it, and outside a
    repository from each folder above the file too. A candidate is kept when linting it reads
    the file as app code (``search.reads``: its default app root, or the config's ``app``,
    ``--app``, less ``app-exclude``) — the same decision as the engine's, so the findings that
    cite the file are the ones that schema's lint gives. A file in node_modules, build output,
    a test or a script (by default) belongs to none."""
    return _app_units(Path(os.path.realpath(file)), search or AppSearch())


def _app_units(file: Path, search: AppSearch) -> list[Path]:
    """:func:`app_units` of a real path (whether it is a file is the scope's to say)."""
    if not is_app_path(file):
        return []
    folder = file.parent
    if folder not in search.candidates:  # the files of a commit share folders
        search.candidates[folder] = _candidates(folder, search)
    return [s for s in search.candidates[folder] if search.schema_reads(s, file)]


def _real(path: Path, real_dirs: dict[str, str]) -> str:
    """``os.path.realpath(path)``, resolving each folder once (a commit's files share folders:
    a realpath is an lstat per folder above the file)."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(os.path.abspath(path))
    if folder not in real_dirs:
        real_dirs[folder] = os.path.realpath(folder)
    return os.path.join(real_dirs[folder], name)


def _candidates(folder: Path, search: AppSearch) -> list[Path]:
    """The schemas an app file in ``folder`` may belong to (see :func:`app_units`)."""
    from .frontends.app.discover import project_root

    repo = _repository(folder, search.repository)
    top = repo or project_root(folder) or folder
    if top not in search.under:
        search.under[top] = _project_schemas(top)
    candidates = list(search.under[top])
    if repo is None:  # outside a repository a project above may hold the file's schema
        for above in [folder, *folder.parents]:
            if above not in search.above:
                search.above[above] = _found_schema(above) if (above / "package.json").exists() or (above / "prisma.config.ts").exists() else None
            found = search.above[above]
            if found is not None and found not in candidates:
                candidates.append(found)
    return candidates


@record(eq=False)
class Target:
    """A unit to lint: its root, how it was found (when no path was given), and what to report.

    ``only``: the files to report on (None: all; pre-commit passes some files of a schema or
    migrations folder). ``app_files``: app files given that belong to the unit; findings whose
    evidence (call sites) is in one of them are reported too."""

    root: Path
    found_by: Optional[str] = None
    only: Optional[set[str]] = None
    app_files: set[str] = field(default_factory=set)

    def reports(self, finding_file: str, evidence_files: list[str]) -> bool:
        """Whether a finding (its file, its evidence's files: resolved paths) is reported."""
        if self.only is None or finding_file in self.only:
            return True
        return any(e in self.app_files for e in evidence_files)


def group_paths(
    paths: list[Path],
    overrides: Optional[dict[str, str]] = None,
    search: Optional[AppSearch] = None,
    skipped: Optional[list[Path]] = None,
) -> list[Target]:
    """Group the paths given by the user (or pre-commit) by the unit each belongs to; each unit
    once.

    A file of a multi-file schema or a migration of a migrations folder is linted with its whole
    unit (relations across files, the replayed migrations) and only what concerns the files
    named is reported. An app file (``.ts``, ``.js``...) stands for the schemas whose app reads
    it (:func:`app_units`): those are linted and the findings citing the file reported; one
    that belongs to no schema is added to ``skipped``."""
    groups: dict[str, Target] = {}
    out: list[Target] = []
    search = search or AppSearch()

    def unit(root: Path, resolved: bool = False) -> Target:
        key = str(root if resolved else root.resolve())
        if key not in groups:
            groups[key] = Target(root, only=set())
            out.append(groups[key])
        return groups[key]

    for p in paths:
        if not p.exists() and not (overrides and str(p.resolve()) in overrides):
            out.append(Target(p))  # the loader says what is wrong with it
            continue
        if p.is_dir():
            target = unit(p)
            target.root, target.only = p, None
            continue
        if is_app_path(p):
            real = _real(p, search.real_dirs)
            roots = _app_units(Path(real), search)
            for root in roots:  # resolved already
                unit(root, resolved=True).app_files.add(real)
            if not roots and skipped is not None:
                skipped.append(p)
            continue
        root = unit_root(p, overrides)
        target = unit(root)
        if root == p or root.resolve() == p.resolve():
            target.root, target.only = p, None  # the whole unit, as named
        elif target.only is not None:
            target.only.add(str(p.resolve()))
    return out


def narrow_to_schema(
    schema: Path,
    paths: list[Path],
    overrides: Optional[dict[str, str]] = None,
    search: Optional[AppSearch] = None,
    skipped: Optional[list[Path]] = None,
) -> list[Target]:
    """``--schema SCHEMA PATH...`` (pre-commit with ``args: [--schema, ...]`` appends the changed
    files): the schema is the unit, and the paths say what to report — its files among them,
    and the findings citing the app files its app reads; a path that is neither is added to
    ``skipped``. No target when nothing concerns the schema."""
    search = search or AppSearch()
    root = unit_root(schema, overrides).resolve() if schema.suffix == ".prisma" else schema.resolve()
    target = Target(schema, only=set())
    for p in paths:
        if is_app_path(p):
            real = _real(p, search.real_dirs)
            if search.schema_reads(root, Path(real)):
                target.app_files.add(real)
            elif skipped is not None:
                skipped.append(p)
            continue
        resolved = p.resolve()
        if resolved == root or (p.exists() and not p.is_dir() and unit_root(p, overrides).resolve() == root):
            if resolved == root or resolved == schema.resolve():
                target.only = None  # the schema itself: all of it
            elif target.only is not None:
                target.only.add(str(resolved))
        elif skipped is not None:
            skipped.append(p)
    return [target] if target.only is None or target.only or target.app_files else []

