"""Database names of constraints and indexes, exactly as Prisma derives them.

Prisma names a constraint from the *database* names (after ``@@map`` / ``@map``):

* primary key  ``{table}_pkey``
* unique       ``{table}_{col1}_{col2}_key``
* index        ``{table}_{col1}_{col2}_idx`` (also ``@@fulltext``)
* foreign key  ``{table}_{col1}_{col2}_fkey``

and keeps it within the provider's identifier limit: the part before the suffix is cut at
the last UTF-8 character boundary at or before ``limit - len(suffix)`` bytes, then the
suffix is appended.
"""

from __future__ import annotations

from collections.abc import Sequence

# The longest identifier each provider accepts, in bytes (Prisma's `max_identifier_length`).
IDENTIFIER_LIMITS = {
    "postgresql": 63,
    "cockroachdb": 63,
    "mysql": 64,
    "sqlserver": 128,
    "sqlite": 10000,
    "mongodb": 127,
}
DEFAULT_LIMIT = 63


def identifier_limit(provider: str | None) -> int:
    return IDENTIFIER_LIMITS.get(provider or "", DEFAULT_LIMIT)


def truncate_bytes(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes, never inside a character."""
    if len(text) <= max_bytes and text.isascii():  # most names: no encoding needed
        return text
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    cut = max_bytes
    while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: step back
        cut -= 1
    return data[:cut].decode("utf-8")


def _with_suffix(prefix: str, suffix: str, limit: int) -> str:
    return truncate_bytes(prefix, limit - len(suffix)) + suffix


def with_suffix(prefix: str, suffix: str, provider: str | None) -> str:
    """``prefix`` cut to fit the provider's limit with ``suffix`` appended (join-table names)."""
    return _with_suffix(prefix, suffix, identifier_limit(provider))


def primary_key_name(table: str, provider: str | None = "postgresql") -> str:
    return _with_suffix(table, "_pkey", identifier_limit(provider))


def unique_index_name(table: str, columns: Sequence[str], provider: str | None = "postgresql") -> str:
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_key", identifier_limit(provider))


def index_name(table: str, columns: Sequence[str], provider: str | None = "postgresql") -> str:
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_idx", identifier_limit(provider))


def foreign_key_name(table: str, columns: Sequence[str], provider: str | None = "postgresql") -> str:
    return _with_suffix(f"{table}_{'_'.join(columns)}", "_fkey", identifier_limit(provider))


def default_name_for(kind: str, table: str, columns: Sequence[str], provider: str | None) -> str:
    """Prisma's default database name for an index of ``kind`` (id, unique, index, fulltext)."""
    if kind == "id":
        return primary_key_name(table, provider)
    if kind == "unique":
        return unique_index_name(table, columns, provider)
    return index_name(table, columns, provider)


def byte_length(name: str) -> int:
    # an ASCII name is as long in bytes (isascii is a flag of the string: no encoding)
    return len(name) if name.isascii() else len(name.encode("utf-8"))
