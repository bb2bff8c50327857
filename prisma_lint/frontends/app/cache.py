"""The cache of facts read from app files (``.prisma-lint-cache/``, ruff's ``.ruff_cache`` is the
model): an unchanged app costs one stat per file.

One JSON file per prisma-lint version and cache format (a new version never reads an old one's
file). It maps each file to (size, mtime_ns, content hash) and each content hash to the file's
facts: a file whose size and mtime are unchanged is not read; one whose stat changed is hashed,
and re-parsed only when its content changed. The facts do not depend on the schema, so editing
the schema keeps the cache. A corrupt, unreadable or unwritable cache is ignored silently (the
app is then read without it). Writes are atomic (a temporary file, then rename).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

from ... import __version__
from ...config import CACHE_DIR_NAME, default_cache_dir  # noqa: F401  (where every cache lives)
from .extract import FileFacts

FORMAT = 7  # bump when FileFacts or the extractor's output changes


def cache_key() -> str:
    return f"{__version__}-f{FORMAT}"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactsCache:
    def __init__(self, folder: Optional[Path], scope: str = "") -> None:
        self.folder = folder
        # one file per app (its roots): a shared user cache folder holds several projects
        self.scope = hashlib.blake2b(scope.encode(), digest_size=6).hexdigest()
        self.files: dict[str, list] = {}  # path -> [size, mtime_ns, hash]
        self.facts: dict[str, dict] = {}  # hash -> FileFacts.to_json()
        self.dirty = False
        self.hits = 0
        self.seen: set[str] = set()  # files looked up in this run; the others are gone
        if folder is None:
            return
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
            if data.get("key") != cache_key():
                return
            files, facts = data["files"], data["facts"]
            if isinstance(files, dict) and isinstance(facts, dict):
                self.files, self.facts = files, facts
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.files, self.facts = {}, {}

    @property
    def path(self) -> Path:
        assert self.folder is not None
        return self.folder / f"app-{cache_key()}-{self.scope}.json"

    def lookup(self, path: str, size: int, mtime_ns: int) -> Optional[FileFacts]:
        self.seen.add(path)
        entry = self.files.get(path)
        if entry is None or entry[0] != size or entry[1] != mtime_ns:
            return None
        return self._facts(entry[2])

    def by_hash(self, digest: str) -> Optional[FileFacts]:
        return self._facts(digest)

    def _facts(self, digest: str) -> Optional[FileFacts]:
        data = self.facts.get(digest)
        if data is None:
            return None
        try:
            facts = FileFacts.from_json(data)
        except (KeyError, TypeError, ValueError):
            return None
        self.hits += 1
        return facts

    def store(self, path: str, size: int, mtime_ns: int, digest: str, facts: Optional[FileFacts]) -> None:
        if self.folder is None:
            return
        if self.files.get(path) != [size, mtime_ns, digest]:
            self.files[path] = [size, mtime_ns, digest]
            self.dirty = True
        if facts is not None and digest not in self.facts:
            self.facts[digest] = facts.to_json()
            self.dirty = True

    def save(self) -> None:
        if self.folder is None:
            return
        if set(self.files) - self.seen:  # deleted, renamed or now excluded files
            self.files = {k: v for k, v in self.files.items() if k in self.seen}
            self.dirty = True
        if not self.dirty:
            return
        live = {entry[2] for entry in self.files.values()}
        facts = {k: v for k, v in self.facts.items() if k in live}
        from ...fix.write import write_atomically  # temp file + rename, as for schema files

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Automatically created by prisma-lint.\n*\n", encoding="utf-8")
            text = json.dumps({"key": cache_key(), "files": self.files, "facts": facts}, separators=(",", ":"))
            write_atomically(self.path, text, bom=False)
        except OSError:
            pass  # an unwritable cache folder: the next run reads the app again
        self.dirty = False
