"""Which SQL dialect a migrations folder (or a `.sql` file) is written in.

Prisma writes one dialect per provider, and records it in ``migrations/migration_lock.toml``
(``provider = "mysql"``). Only PostgreSQL's (and CockroachDB's, which Prisma writes in PostgreSQL
syntax) are read here, through pglast; MySQL, SQLite and SQL Server migrations are skipped with
one informational note: parsing them as PostgreSQL gave a syntax error per statement, exit 2 and
false `schema-drift` findings for every table.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ..prisma.syntax import Diagnostic

if TYPE_CHECKING:
    from pathlib import Path

    from ...paths import StrPath

READ_PROVIDERS = frozenset({"postgresql", "cockroachdb"})
_NAMES = {"mysql": "MySQL", "sqlite": "SQLite", "sqlserver": "SQL Server", "mongodb": "MongoDB"}
_DATASOURCE_PROVIDER = re.compile(r'datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"([^"]*)"', re.S)


def normalise(provider: Optional[str]) -> Optional[str]:
    return {"postgres": "postgresql"}.get(provider, provider) if provider else None


def lock_provider(folder: Path) -> Optional[str]:
    """The provider recorded in ``folder/migration_lock.toml``, if there is one."""
    from ...discovery import migration_provider

    return normalise(migration_provider(folder))


def _schema_provider_near(folder: Path) -> Optional[str]:
    """The datasource provider of a schema near a migrations folder (``prisma/schema.prisma`` or
    ``prisma/schema/*.prisma`` for ``prisma/migrations``; up to three levels up for a lone
    ``.sql`` file), read without parsing the schema."""
    from pathlib import Path  # only with SQL to read (a plain check imports no pathlib: paths.py)

    folder = Path(folder)
    candidates: list[Path] = []
    for parent in (folder, *list(folder.parents)[:3]):
        candidates += sorted(parent.glob("*.prisma")) + sorted((parent / "schema").glob("*.prisma"))
    for f in candidates:
        try:
            m = _DATASOURCE_PROVIDER.search(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if m:
            return normalise(m.group(1))
    return None


def migrations_folder_of(path: StrPath) -> Path:
    """The migrations folder a `.sql` path belongs to: itself for a folder, ``<dir>`` for
    ``<dir>/<timestamp>_<name>/migration.sql``, else the file's folder."""
    from pathlib import Path

    from ...discovery import migrations_root

    p = Path(path).resolve()
    if p.is_dir():
        return p
    root = migrations_root(p)
    return root if root != p else p.parent


def sql_provider(path: StrPath, schema_provider: Optional[str] = None) -> Optional[str]:
    """The provider whose SQL ``path`` holds: the lock file's, else the schema's (given, or the
    schema found next to the migrations folder); None when nothing says (read as PostgreSQL)."""
    folder = migrations_folder_of(path)
    return lock_provider(folder) or normalise(schema_provider) or _schema_provider_near(folder)


def is_read(provider: Optional[str]) -> bool:
    return provider is None or provider in READ_PROVIDERS


def skipped_unit(path: StrPath, cwd: Optional[StrPath] = None):
    """An empty unit standing for SQL that is not read (nothing to lint in it)."""
    from ..prisma.loader import LoadedSchema, display_path
    from .replay import read_sql

    return LoadedSchema(read_sql([]), display_path(path, cwd))


def skipped_note(path: str, provider: str) -> Diagnostic:
    """One informational note for SQL that is not read (never an error: exit 0/1 as usual)."""
    name = _NAMES.get(provider, provider)
    return Diagnostic(
        f"{name} migrations are not read (prisma-lint reads PostgreSQL SQL): their indexes are not "
        "checked, and schema-drift does not compare them",
        None,
        severity="info",
        code="sql-dialect-skipped",
        path=path,
    )
