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
from typing import TYPE_CHECKING, Optional

from .frontends.prisma.loader import NotReadable, SchemaNotFound, read_bytes, schema_files_in
from .paths import as_given, clean, name, parents, real, relative_to, suffix
from .records import field, record

if TYPE_CHECKING:  # the app-file search builds Paths; everything a plain check runs is str (paths.py)
    from pathlib import Path

    from .paths import P, StrPath

# Compiled where they are used (re's cache keeps them): each compile is ~0.5 M instructions, and a
# plain check needs only the one for bytes.
_DATASOURCE = r"(?m)^[ \t]*datasource[ \t]+\w+[ \t]*\{"
_DATASOURCE_BYTES = re.compile(_DATASOURCE.encode())
_MIGRATION_FOLDER = r"^\d+_"
# the `schema:` property of prisma.config.ts (comments blanked out first): a string, or
# path.join/path.resolve (also bare join/resolve) of __dirname, process.cwd() and strings.
# Compiled when a prisma.config.ts is read (re's cache keeps them): compiling the five at
# import cost 3 M instructions, 1% of every cold check, and most projects have no such file.
_CONFIG_SCHEMA = r"(?<![\w$.])schema\s*:\s*"
_STRING = r"""\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`([^`$\\]*)`)"""
_CALL = r"\s*(?:path\s*\.\s*)?(join|resolve)\s*\("
_DIRNAME = r"\s*(?:__dirname|import\s*\.\s*meta\s*\.\s*dirname|process\s*\.\s*cwd\s*\(\s*\))"
_ARG_END = r"\s*([,)])"
_LOCK_PROVIDER = r"""(?m)^\s*provider\s*=\s*["']([^"']+)["']"""


def has_datasource(path: StrPath, open_texts: Optional[dict[str, str]] = None) -> bool:
    """Whether the file (or its unsaved text) has a ``datasource`` block. Read as bytes: a
    sibling of the linted file may be large, and decoding it is most of the cost."""
    if open_texts:
        text = open_texts.get(os.path.realpath(path))
        if text is not None:
            return bool(re.search(_DATASOURCE, text))
    try:  # only a regular file, never blocking on a FIFO (read_bytes); as bytes (decoding is the cost)
        return bool(_DATASOURCE_BYTES.search(read_bytes(path)[0]))
    except (OSError, NotReadable):
        return False  # the loader reports it, with the reason


def _prisma_files_here(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(p for p in (os.path.join(folder, n) for n in names) if suffix(p) == ".prisma" and os.path.isfile(p))


def _in_subfolders(folder: str, file_name: str) -> list[str]:
    """``Path(folder).glob(f"*/{file_name}")``: the file in each sub-folder (hidden ones too)."""
    if not os.path.isdir(folder):
        return []
    try:
        with os.scandir(folder) as entries:
            subfolders = [e.name for e in entries if _is_dir(e)]
    except PermissionError:
        return []
    return [p for p in (os.path.join(folder, d, file_name) for d in subfolders) if os.path.exists(p)]


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def schema_root(file: P, open_texts: Optional[dict[str, str]] = None) -> P:
    """The schema a ``.prisma`` file belongs to: a multi-file schema folder, or the file (a
    folder of the type ``file`` is: ``str`` or ``Path``).

    ``open_texts`` maps resolved paths to an editor's unsaved text (a datasource typed but not
    saved counts)."""
    if not os.path.isfile(file):
        return file  # a new file not saved yet: on its own
    known: dict[str, bool] = {}  # each file is read once: the walk up and the count below both ask

    def datasource_in(p: str) -> bool:
        key = os.path.realpath(p)
        if key not in known:
            known[key] = has_datasource(p, open_texts)
        return known[key]

    resolved = real(file)
    folder = os.path.dirname(resolved)
    while True:
        here = _prisma_files_here(folder)
        with_datasource = sum(1 for p in here if datasource_in(p))
        if with_datasource > 1:
            return file  # several schemas side by side
        up = os.path.dirname(folder)
        if with_datasource or up == folder or not _prisma_files_here(up):
            break
        folder = up
    files = schema_files_in(folder)
    if len(files) <= 1 or resolved not in {os.path.realpath(f) for f in files}:
        return file  # alone, or in a folder the walk skips (node_modules)
    if sum(1 for f in files if datasource_in(f)) <= 1:
        return as_given(file, folder)
    return file


def migrations_root(file: P) -> P:
    """``<dir>/<timestamp>_<name>/migration.sql`` belongs to the migrations folder ``<dir>``."""
    parent = os.path.dirname(real(file))
    if name(file) != "migration.sql":
        return file
    folder = os.path.dirname(parent)
    if (
        re.match(_MIGRATION_FOLDER, os.path.basename(parent))
        or os.path.exists(os.path.join(folder, "migration_lock.toml"))
        or len(_in_subfolders(folder, "migration.sql")) > 1
    ):
        return as_given(file, folder)
    return file


def unit_root(path: P, open_texts: Optional[dict[str, str]] = None) -> P:
    """The file or folder to lint for ``path``: a schema, a migrations folder, or itself."""
    if suffix(path) == ".prisma":
        return schema_root(path, open_texts)
    if suffix(path) == ".sql":
        return migrations_root(path)
    return path


def is_sql_path(path: StrPath) -> bool:
    """A `.sql` file, a Prisma migrations folder, or a folder of `.sql` files (no `.prisma`)."""
    if os.path.isfile(path):
        return suffix(path) == ".sql"
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "migration_lock.toml")) or _in_subfolders(os.fspath(path), "migration.sql"):
            return True
        # as Path.rglob/glob: any entry's name (hidden ones too), symlinked folders not entered
        if any(n.endswith(".prisma") for _, dirs, files in os.walk(path) for n in dirs + files):
            return False
        try:
            return any(n.endswith(".sql") for n in os.listdir(path))
        except PermissionError:
            return False
    return suffix(path) == ".sql"


def migrations_dir(datasource_file: P) -> P:
    """Prisma keeps migrations in ``migrations/`` next to the file with the datasource block."""
    return as_given(datasource_file, os.path.join(os.path.dirname(real(datasource_file)), "migrations"))


def has_migrations(folder: StrPath) -> bool:
    try:
        return bool(_in_subfolders(os.fspath(folder), "migration.sql"))
    except OSError:
        return False


def migration_provider(folder: StrPath) -> Optional[str]:
    """The provider ``migration_lock.toml`` in a migrations folder names (``postgresql``, ...)."""
    try:
        with open(os.path.join(folder, "migration_lock.toml"), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(_LOCK_PROVIDER, text)
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


def config_schema_path(text: str, folder: P) -> Optional[P]:
    """The ``schema`` of a prisma.config.ts, read as text (never run): a string literal (relative
    to the config's folder, as Prisma resolves it) or ``path.join``/``path.resolve`` of
    ``__dirname``, ``process.cwd()`` and string literals. None when it is anything else."""
    code = strip_js_comments(text)
    config_schema, string, call_re, dirname, arg_end = map(re.compile, (_CONFIG_SCHEMA, _STRING, _CALL, _DIRNAME, _ARG_END))
    for key in config_schema.finditer(code):
        pos = key.end()
        lit = string.match(code, pos)
        if lit:
            return as_given(folder, clean(os.path.join(folder, _js_string(lit))))
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
                return as_given(folder, clean(os.path.normpath(os.path.join(folder, joined))))
    return None


def _outside(path: StrPath, project: StrPath, written: str) -> Optional[str]:
    """A warning when a configured schema path (``written`` as in the config) leaves the project."""
    real = os.path.realpath(path)
    if relative_to(real, os.path.realpath(project)) is None:
        return f"the configured schema path {written} is outside the project folder ({real})"
    return None


def find_schema(cwd: P, warnings: Optional[list[str]] = None) -> tuple[P, str]:
    """Find the schema the way the Prisma CLI does; returns (path, how it was found), the path
    of the type ``cwd`` is (``str`` or ``Path``). A configured path that leaves the project adds
    a line to ``warnings``."""
    here = clean(str(cwd))
    config = os.path.join(here, "prisma.config.ts")
    if os.path.isfile(config):
        try:
            configured = config_schema_path(read_bytes(config, 1 << 20)[0].decode("utf-8", "replace"), here)
        except (OSError, NotReadable):
            configured = None
        if configured is not None and os.path.exists(configured):
            note = _outside(configured, here, str(configured))
            if note and warnings is not None:
                warnings.append(note)
            return as_given(cwd, configured), "the `schema` path in prisma.config.ts"
    pkg = os.path.join(here, "package.json")
    if os.path.isfile(pkg):
        import json  # here: most runs have no package.json to read

        try:
            data = json.loads(read_bytes(pkg, 8 << 20)[0].decode("utf-8"))
        except (ValueError, OSError, NotReadable):
            data = None
        prisma = data.get("prisma") if isinstance(data, dict) else None
        schema = prisma.get("schema") if isinstance(prisma, dict) else None
        configured = clean(os.path.join(here, schema)) if isinstance(schema, str) else None
        if configured is not None and os.path.exists(configured):
            note = _outside(configured, here, str(schema))
            if note and warnings is not None:
                warnings.append(note)
            return as_given(cwd, configured), '`"prisma": {"schema"}` in package.json'
    for rel in ("prisma/schema.prisma", "prisma/schema", "schema.prisma"):
        candidate = clean(os.path.join(here, rel))
        if (os.path.isfile(candidate) and rel.endswith(".prisma")) or (os.path.isdir(candidate) and schema_files_in(candidate)):
            return as_given(cwd, candidate), f"the default location {rel}"
    raise SchemaNotFound(
        "no schema found: pass a path, or use --schema PATH (looked for prisma.config.ts, package.json "
        '"prisma.schema", prisma/schema.prisma, prisma/schema/ and schema.prisma)'
    )


# app code: the one list (frontends/app reads these)
EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")
# (schema unit, app file: a real path) -> whether linting that schema reads the file as app code
AppReads = Callable[["Path", "Path"], bool]
# folders never searched for a project's schemas (besides dependencies, build output and hidden
# folders): a test fixture's schema is not the project's
_NOT_PROJECTS = frozenset({"test", "tests", "__tests__", "__mocks__", "e2e", "fixtures", "examples", "example"})


def is_app_path(path: StrPath) -> bool:
    """A TypeScript/JavaScript file (``.ts .tsx .js .jsx .mts .cts .mjs .cjs``): app code, or
    a declaration or bundle the app front end skips."""
    return name(path).endswith(EXTENSIONS)


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
    from pathlib import Path

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


def project_root(schema_path: P) -> Optional[P]:
    """The app's root above ``schema_path`` (a file or folder), or None; of the type
    ``schema_path`` is (``str`` or ``Path``)."""
    start = real(schema_path)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    folders = parents(start)
    # never above the repository: a stray ~/package.json made a repo without one read the
    # whole home folder
    git = next((i for i, f in enumerate(folders) if os.path.exists(os.path.join(f, ".git"))), None)
    if git is not None:
        folders = folders[: git + 1]
    nearest_package = None
    for folder in folders:
        if os.path.isfile(os.path.join(folder, "pnpm-workspace.yaml")) or os.path.isfile(os.path.join(folder, "turbo.json")):
            return as_given(schema_path, folder)
        pkg = os.path.join(folder, "package.json")
        if os.path.isfile(pkg):
            if nearest_package is None:
                nearest_package = folder
            import json  # here: a schema with no package.json above it never needs it

            try:
                with open(pkg, encoding="utf-8") as f:
                    if "workspaces" in json.loads(f.read()):
                        return as_given(schema_path, folder)
            except (OSError, ValueError, UnicodeDecodeError):
                pass
    if nearest_package is not None:
        return as_given(schema_path, nearest_package)
    return as_given(schema_path, folders[-1]) if git is not None else None


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
    from pathlib import Path

    return _app_units(Path(os.path.realpath(file)), search or AppSearch())


def _app_units(file: Path, search: AppSearch) -> list[Path]:
    """:func:`app_units` of a real path (whether it is a file is the scope's to say)."""
    if not is_app_path(file):
        return []
    folder = file.parent
    if folder not in search.candidates:  # the files of a commit share folders
        search.candidates[folder] = _candidates(folder, search)
    return [s for s in search.candidates[folder] if search.schema_reads(s, file)]


def _real(path: StrPath, real_dirs: dict[str, str]) -> str:
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

    root: StrPath  # as given (the CLI's are str); the units of app files are resolved Paths
    found_by: Optional[str] = None
    only: Optional[set[str]] = None
    app_files: set[str] = field(default_factory=set)

    def reports(self, finding_file: str, evidence_files: list[str]) -> bool:
        """Whether a finding (its file, its evidence's files: resolved paths) is reported."""
        if self.only is None or finding_file in self.only:
            return True
        return any(e in self.app_files for e in evidence_files)


def group_paths(
    paths: list[StrPath],
    overrides: Optional[dict[str, str]] = None,
    search: Optional[AppSearch] = None,
    skipped: Optional[list[StrPath]] = None,
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

    def unit(root: StrPath, resolved: bool = False) -> Target:
        key = os.fspath(root) if resolved else os.path.realpath(root)
        if key not in groups:
            groups[key] = Target(root, only=set())
            out.append(groups[key])
        return groups[key]

    for p in paths:
        if not os.path.exists(p) and not (overrides and os.path.realpath(p) in overrides):
            out.append(Target(p))  # the loader says what is wrong with it
            continue
        if os.path.isdir(p):
            target = unit(p)
            target.root, target.only = p, None
            continue
        if is_app_path(p):
            from pathlib import Path

            real = _real(p, search.real_dirs)
            roots = _app_units(Path(real), search)
            for root in roots:  # resolved already
                unit(root, resolved=True).app_files.add(real)
            if not roots and skipped is not None:
                skipped.append(p)
            continue
        root = unit_root(p, overrides)
        target = unit(root)
        if root == p or os.path.realpath(root) == os.path.realpath(p):
            target.root, target.only = p, None  # the whole unit, as named
        elif target.only is not None:
            target.only.add(os.path.realpath(p))
    return out


def narrow_to_schema(
    schema: StrPath,
    paths: list[StrPath],
    overrides: Optional[dict[str, str]] = None,
    search: Optional[AppSearch] = None,
    skipped: Optional[list[StrPath]] = None,
) -> list[Target]:
    """``--schema SCHEMA PATH...`` (pre-commit with ``args: [--schema, ...]`` appends the changed
    files): the schema is the unit, and the paths say what to report — its files among them,
    and the findings citing the app files its app reads; a path that is neither is added to
    ``skipped``. No target when nothing concerns the schema."""
    search = search or AppSearch()
    root = os.path.realpath(unit_root(schema, overrides) if suffix(schema) == ".prisma" else schema)
    target = Target(schema, only=set())
    for p in paths:
        if is_app_path(p):
            from pathlib import Path

            real = _real(p, search.real_dirs)
            if search.schema_reads(Path(root), Path(real)):
                target.app_files.add(real)
            elif skipped is not None:
                skipped.append(p)
            continue
        resolved = os.path.realpath(p)
        if resolved == root or (os.path.exists(p) and not os.path.isdir(p) and os.path.realpath(unit_root(p, overrides)) == root):
            if resolved == root or resolved == os.path.realpath(schema):
                target.only = None  # the schema itself: all of it
            elif target.only is not None:
                target.only.add(resolved)
        elif skipped is not None:
            skipped.append(p)
    return [target] if target.only is None or target.only or target.app_files else []

