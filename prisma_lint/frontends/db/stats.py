"""Database statistics as plain data, and the statistics file (``prisma-lint stats -o FILE``).

What the rules read from a PostgreSQL database: per table the row estimate, sizes and scan
counters; per column ``null_frac``, ``n_distinct`` and the *frequencies* of the most common values
(never the values: no ``most_common_vals``, no histogram bounds, nothing from a row); per index
its definition, validity, size and ``idx_scan``; the foreign keys; the server version and when
the statistics were reset. ``check --stats FILE`` reads the same data back, so it gives the
findings the live mode gives without touching a database.

The file is JSON, ``{"format": "prisma-lint-stats", "version": 1, ...}``; its JSON Schema is
``stats-schema.json`` next to this module (documented in the README). A file of another major
version is refused with a clear message.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from ...records import asdict, field, record

FORMAT = "prisma-lint-stats"
VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("stats-schema.json")


class StatsFileError(Exception):
    """A statistics file that cannot be read; the message names the file and the problem."""


@record
class ColumnStats:
    name: str
    null_frac: float
    # > 0: distinct values; < 0: minus the fraction of rows that are distinct (pg_stats' convention)
    n_distinct: float
    # the frequencies of the most common values, largest first (never the values)
    mcv_freqs: list[float] = field(default_factory=list)

    def distinct(self, rows: float) -> float:
        """The estimated number of distinct non-null values in a table of ``rows`` rows."""
        return self.n_distinct if self.n_distinct >= 0 else -self.n_distinct * rows


@record
class IndexStats:
    name: str
    columns: list[Optional[str]]  # key columns; None for an expression
    definition: str  # pg_get_indexdef
    method: str  # btree, gin, ...
    unique: bool
    primary: bool
    valid: bool  # indisvalid: false after a failed CREATE INDEX CONCURRENTLY
    size_bytes: int
    scans: Optional[int]  # pg_stat_user_indexes.idx_scan (None: no statistics)
    predicate: Optional[str] = None  # a partial index's WHERE
    constraint: Optional[str] = None  # p (primary key), u (unique), x (exclusion) when it backs one


@record
class ForeignKey:
    name: str
    columns: list[str]
    references: str  # "schema.table"


@record
class TableStats:
    schema: str
    name: str
    rows: float  # pg_class.reltuples (n_live_tup when never analyzed)
    analyzed: bool
    total_bytes: int  # with indexes and TOAST
    table_bytes: int
    seq_scan: Optional[int] = None
    seq_tup_read: Optional[int] = None
    idx_scan: Optional[int] = None
    n_tup_upd: Optional[int] = None
    n_tup_hot_upd: Optional[int] = None
    columns: dict[str, ColumnStats] = field(default_factory=dict)
    indexes: list[IndexStats] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@record
class DatabaseStats:
    server_version: str
    server_version_num: int
    database: str
    collected_at: str  # ISO 8601, the server's now()
    # the schema of tables whose model has no @@schema (the URL's `schema` parameter, else public)
    default_schema: str = "public"
    stats_reset: Optional[str] = None  # pg_stat_database.stats_reset (None: never reset)
    server_started: Optional[str] = None  # pg_postmaster_start_time()
    tables: dict[str, TableStats] = field(default_factory=dict)  # "schema.table" -> stats

    def table(self, schema: Optional[str], name: str) -> Optional[TableStats]:
        return self.tables.get(f"{schema or self.default_schema}.{name}")

    def stats_age_days(self) -> Optional[float]:
        """How long the usage counters have been counting, in days, at collection time. Never
        reset: since at least the server's start (counters survive a clean restart)."""
        since = self.stats_reset or self.server_started
        if since is None:
            return None
        delta = datetime.fromisoformat(self.collected_at) - datetime.fromisoformat(since)
        return delta.total_seconds() / 86400

    # ------------------------------------------------------------------ the file
    def to_json(self) -> str:
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        body = asdict(self)
        body["tables"] = [body["tables"][k] for k in sorted(body["tables"])]
        for t in body["tables"]:
            t["columns"] = [t["columns"][k] for k in sorted(t["columns"])]
        doc.update(body)
        return json.dumps(doc, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "<stats>") -> "DatabaseStats":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise StatsFileError(f"{where}:{e.lineno}:{e.colno}: not JSON: {e.msg}") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise StatsFileError(f"{where}: not a prisma-lint statistics file (no \"format\": \"{FORMAT}\")")
        if doc.get("version") != VERSION:
            raise StatsFileError(
                f"{where}: statistics file version {doc.get('version')!r}; this prisma-lint reads version {VERSION} "
                "(write it again with `prisma-lint stats`)"
            )
        try:
            tables = {}
            for t in doc["tables"]:
                table = TableStats(
                    **{k: v for k, v in t.items() if k not in ("columns", "indexes", "foreign_keys")},
                    columns={c["name"]: ColumnStats(**c) for c in t.get("columns", ())},
                    indexes=[IndexStats(**i) for i in t.get("indexes", ())],
                    foreign_keys=[ForeignKey(**f) for f in t.get("foreign_keys", ())],
                )
                tables[table.key] = table
            body = {k: v for k, v in doc.items() if k not in ("format", "version", "tables")}
            stats = cls(**body, tables=tables)
        except (KeyError, TypeError, AttributeError) as e:
            raise StatsFileError(f"{where}: malformed statistics file: {type(e).__name__}: {e}") from None
        for key in ("collected_at", "stats_reset", "server_started"):
            value = getattr(stats, key)
            try:
                when = datetime.fromisoformat(value) if value is not None else None
            except (TypeError, ValueError):
                when = None
            if (value is not None and when is None) or (when is not None and when.tzinfo is None):
                raise StatsFileError(f"{where}: `{key}` must be an ISO 8601 time with its UTC offset, got {value!r}")
        return stats


def read_stats(path: Path) -> DatabaseStats:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StatsFileError(f"{path}: cannot read the statistics file: {getattr(e, 'strerror', None) or e}") from None
    return DatabaseStats.from_json(text, str(path))
