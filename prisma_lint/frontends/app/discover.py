"""Where the app is: its root above the schema, and the source files below it.

Default root: the nearest folder above the schema with a workspace file (`pnpm-workspace.yaml`,
`turbo.json`, a `package.json` with `workspaces`), else the nearest `package.json`, else the git
root. Skipped always: dependencies and build output (`node_modules`, `dist`, `build`, `.next`,
`out`, ...), generated code, declaration and minified files. Skipped by default and configurable
(`app-exclude`): tests, seeds and scripts, which query the database in ways no index should be
built for.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
from pathlib import Path
from typing import Iterable, Optional

from .extract import EXTENSIONS

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


def project_root(schema_path: Path) -> Optional[Path]:
    """The app's root above ``schema_path`` (a file or folder), or None."""
    start = schema_path.resolve()
    if not start.is_dir():
        start = start.parent
    folders = [start, *start.parents]
    nearest_package = None
    for folder in folders:
        if (folder / "pnpm-workspace.yaml").is_file() or (folder / "turbo.json").is_file():
            return folder
        pkg = folder / "package.json"
        if pkg.is_file():
            if nearest_package is None:
                nearest_package = folder
            try:
                if "workspaces" in json.loads(pkg.read_text(encoding="utf-8")):
                    return folder
            except (OSError, ValueError, UnicodeDecodeError):
                pass
    if nearest_package is not None:
        return nearest_package
    for folder in folders:
        if (folder / ".git").exists():
            return folder
    return None


def _excluded(rel_parts: tuple[str, ...], rel: str, patterns: Iterable[str]) -> bool:
    for pat in patterns:
        if "/" in pat:
            if fnmatch.fnmatch(rel, pat.strip("/")) or fnmatch.fnmatch(rel, pat.strip("/") + "/*"):
                return True
        elif any(fnmatch.fnmatch(part, pat) for part in rel_parts):
            return True
    return False


def is_source(name: str) -> bool:
    return name.endswith(EXTENSIONS) and not name.endswith((".d.ts", ".d.mts", ".d.cts", ".min.js"))


def app_files(paths: Iterable[str | Path], exclude: Iterable[str] = DEFAULT_APP_EXCLUDE, base: Optional[Path] = None) -> list[Path]:
    """The source files under ``paths`` (folders, files or globs; relative ones from ``base``),
    sorted, each once. A file named outright is read even when an exclude matches it."""
    base = base or Path.cwd()
    patterns = list(exclude)
    out: dict[str, Path] = {}
    for raw in paths:
        p = Path(raw)
        if not p.is_absolute():
            p = base / p
        s = str(p)
        if any(ch in s for ch in "*?["):
            for hit in sorted(glob.glob(s, recursive=True)):
                hp = Path(hit)
                if hp.is_dir():
                    _walk(hp, patterns, out)
                elif is_source(hp.name) and not (set(hp.parts) & ALWAYS_SKIP_DIRS) and not _excluded((hp.name,), hp.name, patterns):
                    out.setdefault(os.path.abspath(hp), hp)
        elif p.is_dir():
            _walk(p, patterns, out)
        elif p.is_file():
            out.setdefault(os.path.abspath(p), p)
    return [out[k] for k in sorted(out)]


def _walk(folder: Path, patterns: list[str], out: dict[str, Path]) -> None:
    root = str(folder)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_parts = () if rel_dir == "." else tuple(Path(rel_dir).parts)
        keep = []
        for d in sorted(dirnames):
            if d in ALWAYS_SKIP_DIRS or d.startswith("."):
                continue
            rel = "/".join((*rel_parts, d))
            if patterns and _excluded((d,), rel, patterns):
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            if not is_source(f):
                continue
            rel = "/".join((*rel_parts, f))
            if patterns and _excluded((f,), rel, patterns):
                continue
            full = os.path.join(dirpath, f)
            # keyed by the absolute path, not realpath: resolving links cost 0.3 s (27k lstat
            # calls) on inbox-zero's 2,777 files; os.walk does not follow folder links anyway
            out.setdefault(os.path.abspath(full), Path(full))
