"""Where the app is: its root above the schema, and the source files below it.

Default root: the nearest folder above the schema with a workspace file (`pnpm-workspace.yaml`,
`turbo.json`, a `package.json` with `workspaces`), else the nearest `package.json`, else the git
root. Skipped always: dependencies and build output (`node_modules`, `dist`, `build`, `.next`,
`out`, ...), generated code, declaration and minified files. Skipped by default and configurable
(`app-exclude`): tests, seeds and scripts, which query the database in ways no index should be
built for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Optional

# in discovery.py, which a plain check imports anyway (this module only when there is an app)
from ...discovery import EXTENSIONS, project_root

# pathlib, glob and fnmatch only when there is an app (a plain check imports none: paths.py)
if TYPE_CHECKING:
    from pathlib import Path

    from ...paths import StrPath

ALWAYS_SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".git",
        "dist",
        "build",
        ".next",
        "out",
        "coverage",
        "generated",
        "__generated__",
        ".turbo",
        ".vercel",
        ".output",
        ".nuxt",
        ".svelte-kit",
        "storybook-static",
        ".prisma-lint-cache",
        "bower_components",
        "jspm_packages",
        "venv",
        "site-packages",
        "__pycache__",
    }
)
# Patterns without a "/" match any one folder or file name; with a "/" the path relative to the
# app folder (fnmatch: `*` crosses folders).
DEFAULT_APP_EXCLUDE = (
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "e2e",
    "playwright",
    "cypress",
    "fixtures",
    "seed",
    "seeds",
    "scripts",
    "*.test.*",
    "*.spec.*",
    "*.e2e.*",
    "*.stories.*",
    "seed.*",
)
MAX_FILE_BYTES = 1_000_000  # a bigger .js file is a bundle, not source


class _Excludes:
    """The exclude patterns compiled into two regexes (one for names, one for relative paths):
    16 fnmatch calls per entry were 50 ms of a warm run over 2,800 files."""

    def __init__(self, patterns: Iterable[str]) -> None:
        import fnmatch

        names = [fnmatch.translate(p) for p in patterns if "/" not in p]
        paths = [fnmatch.translate(p.strip("/")) for p in patterns if "/" in p]
        paths += [fnmatch.translate(p.strip("/") + "/*") for p in patterns if "/" in p]
        self.name = re.compile("|".join(names)).match if names else None
        self.path = re.compile("|".join(paths)).match if paths else None

    def __call__(self, name: str, rel: str) -> bool:
        return bool((self.name and self.name(name)) or (self.path and self.path(rel)))


def app_paths_for(schema_path: Optional[StrPath], paths: Iterable[str], config) -> tuple[list[StrPath], Optional[StrPath]]:
    """The folders/globs to read, and the base they are relative to: ``--app`` (from the working
    directory), else the config's ``app`` (from the config's folder), else the project root
    (of the type ``schema_path`` is)."""
    paths = list(paths)
    configured: Optional[list[str]] = getattr(config, "app", None)
    if paths or configured:
        from pathlib import Path

        if paths:
            return [Path(p) for p in paths], Path.cwd()
        base = Path(config.path).parent if config.path is not None else Path.cwd()
        return [Path(p) for p in configured or ()], base
    if schema_path is None:
        return [], None
    root = project_root(schema_path)
    return ([root] if root is not None else []), root


def find_app_files(schema_path: Optional[StrPath], paths: Iterable[str], config) -> tuple[list[str], list[Path]]:
    """The app's source files (absolute, sorted) and the folders or globs they came from.

    Cheap when there is no app: a plain ``check`` calls it before importing the reader, its
    cache and tree-sitter (34 M instructions, a tenth of a cold check, for an app of no files)."""
    roots, base = app_paths_for(schema_path, paths, config)
    if not roots:
        return [], []
    from pathlib import Path

    files = app_file_names(roots, app_exclude(config), base)
    return files, [(Path(base) / r) if base else Path(r) for r in roots]


def app_exclude(config) -> tuple[str, ...]:
    """The config's ``app-exclude``, else the default (tests, seeds, scripts)."""
    exclude = getattr(config, "app_exclude", None)
    return tuple(DEFAULT_APP_EXCLUDE if exclude is None else exclude)


def app_scope(schema_path: StrPath, paths: Iterable[str] = (), config=None) -> Optional["AppScope"]:
    """The files :func:`find_app_files` finds for the schema at ``schema_path`` (with these
    ``--app`` paths and this config), as a test on one file's path (``file in scope``), without
    walking the app; None: no app."""
    roots, base = app_paths_for(schema_path, paths, config)
    return AppScope(roots, app_exclude(config), base) if roots else None


def is_source(name: str) -> bool:
    return name.endswith(EXTENSIONS) and not name.endswith((".d.ts", ".d.mts", ".d.cts", ".min.js"))


def app_files(paths: Iterable[StrPath], exclude: Iterable[str] = DEFAULT_APP_EXCLUDE, base: Optional[StrPath] = None) -> list[Path]:
    """The source files under ``paths`` (folders, files or globs; relative ones from ``base``),
    sorted, each once. A file named outright is read even when an exclude matches it."""
    from pathlib import Path

    return [Path(f) for f in app_file_names(paths, exclude, base)]


def app_file_names(paths: Iterable[StrPath], exclude: Iterable[str] = DEFAULT_APP_EXCLUDE, base: Optional[StrPath] = None) -> list[str]:
    """``app_files`` as absolute path strings (what the reader uses: no Path per file)."""
    excluded = _Excludes(exclude)
    folders, out = _expand(paths, excluded, base)
    for folder in folders:
        _walk(folder, excluded, out)
    return sorted(out)


def _expand(paths: Iterable[StrPath], excluded: _Excludes, base: Optional[StrPath]) -> tuple[list[str], set[str]]:
    """The folders to walk and the files to read outright (absolute paths) for the app paths:
    folders, files (read even when an exclude matches them) and globs (whose files are
    filtered like a walk's)."""
    import glob
    from pathlib import Path

    base = Path(base) if base else Path.cwd()
    folders: list[str] = []
    files: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if not p.is_absolute():
            p = base / p
        s = str(p)
        if any(ch in s for ch in "*?["):
            for hit in sorted(glob.glob(s, recursive=True)):
                hp = Path(hit)
                if hp.is_dir():
                    folders.append(hit)
                elif is_source(hp.name) and not (set(hp.parts) & ALWAYS_SKIP_DIRS) and not excluded(hp.name, hp.name):
                    files.add(os.path.abspath(hit))
        elif p.is_dir():
            folders.append(s)
        elif p.is_file():
            files.add(os.path.abspath(s))
    return folders, files


class AppScope:
    """The files ``app_files(paths, exclude, base)`` lists, decided one file at a time on the
    file's own path: the same skipped folders and excludes, without walking the app (pre-commit
    passes one changed file; the app it belongs to may hold thousands). The globs are expanded
    once, here."""

    def __init__(self, paths: Iterable[StrPath], exclude: Iterable[str] = DEFAULT_APP_EXCLUDE, base: Optional[StrPath] = None) -> None:
        self.excluded = _Excludes(exclude)
        folders, files = _expand(paths, self.excluded, base)
        self.folders = [os.path.realpath(f) for f in folders]  # real paths of the folders walked
        self.files = {os.path.realpath(f) for f in files}  # and of the files read outright

    def __contains__(self, file: str | Path) -> bool:
        return self.holds(os.path.realpath(file))

    def holds(self, real: str) -> bool:
        """``real in self`` for a path already real (``os.path.realpath``)."""
        if not is_source(os.path.basename(real)) or not os.path.isfile(real):
            return False
        return real in self.files or any(_admits(root, real, self.excluded) for root in self.folders)


def _skips_folder(name: str, rel: str, excluded: _Excludes) -> bool:
    """Whether the walk leaves a folder out (``rel``: its path under the app folder): one rule
    for ``_walk`` and for ``AppScope``, which must agree on every file."""
    return name in ALWAYS_SKIP_DIRS or name.startswith(".") or excluded(name, rel)


def _admits(root: str, target: str, excluded: _Excludes) -> bool:
    """Whether ``_walk(root)`` reaches ``target`` (both real paths): each folder on the way is
    one it descends into, and the file is not excluded."""
    try:
        rel = os.path.relpath(target, root)
    except ValueError:  # another drive (Windows)
        return False
    parts = rel.split(os.sep)
    if parts[0] == os.pardir or os.path.isabs(rel):
        return False
    prefix = ""
    for d in parts[:-1]:
        if _skips_folder(d, prefix + d, excluded):
            return False
        prefix += d + "/"
    return not excluded(parts[-1], prefix + parts[-1])


def _walk(root: str, excluded: _Excludes, out: set[str]) -> None:
    # absolute paths, not realpath: resolving links cost 0.3 s (27k lstat calls) on
    # inbox-zero's 2,777 files; os.walk does not follow folder links anyway
    root = os.path.abspath(root)
    cut = len(root) + 1
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = dirpath[cut:].replace(os.sep, "/")
        prefix = rel_dir + "/" if rel_dir else ""
        dirnames[:] = sorted(d for d in dirnames if not _skips_folder(d, prefix + d, excluded))
        for f in filenames:
            if is_source(f) and not excluded(f, prefix + f):
                out.add(os.path.join(dirpath, f))
