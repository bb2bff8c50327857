"""Read a live PostgreSQL's catalog and statistics, read-only by construction.

One connection, one transaction: ``SET TRANSACTION READ ONLY`` first, a short
``statement_timeout`` and ``lock_timeout``, then only ``SELECT``s on ``pg_catalog`` and the
statistics views (nothing is created, not even a temporary table). A role with
``pg_read_all_stats`` and ``SELECT`` on the tables sees everything used here (``pg_stats`` shows
a column only to a role that may read it). psycopg 3 is imported only here, only when called.
"""

from __future__ import annotations

import re
from typing import Optional
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from ...records import record
from .stats import ColumnStats, DatabaseStats, ForeignKey, IndexStats, TableStats

# Parameters of Prisma's connection URLs that libpq does not know (libpq refuses an unknown
# one): dropped before connecting; `schema` names the default schema.
_PRISMA_ONLY = frozenset(
    {
        "schema",
        "connection_limit",
        "pool_timeout",
        "pgbouncer",
        "statement_cache_size",
        "socket_timeout",
        "sslaccept",
        "sslidentity",
        "max_connection_lifetime",
        "max_idle_connection_lifetime",
    }
)
# All the catalog queries of a 300-table, 1,050-index database take ~120 ms (connect 9 ms,
# indexes 71 ms, tables 39 ms; benchmarks/run.py); 30 s is for servers under load, not a budget.
# Waiting on a lock held by a migration is worse than failing.
STATEMENT_TIMEOUT = "30s"
LOCK_TIMEOUT = "2s"
_SYSTEM = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'"


class DatabaseError(Exception):
    """The database cannot be read; the message is one line, without the password."""


@record(frozen=True)
class Target:
    conninfo: str  # what libpq gets
    host: str
    database: str
    default_schema: str
    password: Optional[str]


def parse_url(url: str) -> Target:
    """The libpq connection string for a (Prisma-style) URL, with what error messages show."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise DatabaseError("the database URL must start with postgresql:// (or postgres://)")
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        password = unquote(parts.password) if parts.password else None
        hostname = parts.hostname
        port = parts.port
    except ValueError as e:
        raise DatabaseError(f"the database URL cannot be read: {e}") from None
    params = dict(query)
    kept = [(k, v) for k, v in query if k not in _PRISMA_ONLY]
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
    host = params.get("host") or hostname or "localhost"
    if port and "host" not in params:
        host = f"{host}:{port}"
    database = unquote(parts.path.lstrip("/")) or params.get("dbname") or (unquote(parts.username or "") or "postgres")
    return Target(conninfo, host, database, params.get("schema") or "public", password)


_LIBPQ_PREFIX = re.compile(r"^(connection failed: )?(connection to server (at|on) .*? failed: )?((FATAL|ERROR):\s+)?")


def _one_line(target: Target, error: BaseException) -> str:
    """libpq's message, one line: the server's (or the network's) reason for each address
    tried, without libpq's prefixes and hints (the host and database are said once, first)."""
    reasons: list[str] = []
    for line in str(error).splitlines():
        reason = _LIBPQ_PREFIX.sub("", line.strip())
        if reason and not reason.startswith("Is the server running") and reason not in reasons:
            reasons.append(reason)
    message = f"cannot read the database {target.database!r} on {target.host}: {'; '.join(reasons) or type(error).__name__}"
    if target.password:
        message = message.replace(target.password, "***")
    return message


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            "reading a database needs psycopg 3: pip install 'prisma-lint[db]' (or use --stats FILE)"
        ) from None
    return psycopg


_SERVER = """
SELECT current_setting('server_version'), current_setting('server_version_num')::int, current_database(),
       now(), (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()),
       pg_postmaster_start_time()
"""

_TABLES = f"""
SELECT n.nspname, c.relname, c.reltuples::float8, s.n_live_tup,
       pg_total_relation_size(c.oid), pg_relation_size(c.oid),
       s.seq_scan, s.seq_tup_read, s.idx_scan, s.n_tup_upd, s.n_tup_hot_upd
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p') AND {_SYSTEM}
"""

# frequencies only: most_common_vals and histogram_bounds are row values and are never read
_COLUMNS = f"""
SELECT n.nspname, s.tablename, s.attname, s.null_frac::float8, s.n_distinct::float8,
       s.most_common_freqs::float8[]
FROM pg_stats s
JOIN pg_namespace n ON n.nspname = s.schemaname
WHERE NOT s.inherited AND {_SYSTEM}
"""

_INDEXES = f"""
SELECT n.nspname, t.relname, ic.relname, pg_get_indexdef(i.indexrelid), am.amname,
       i.indisunique, i.indisprimary, i.indisvalid, pg_relation_size(i.indexrelid), s.idx_scan,
       pg_get_expr(i.indpred, i.indrelid),
       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord),
       (SELECT con.contype::text FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x') LIMIT 1)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
WHERE t.relkind IN ('r', 'p') AND {_SYSTEM}
ORDER BY ic.relname
"""

_FOREIGN_KEYS = f"""
SELECT n.nspname, t.relname, con.conname,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord),
       rn.nspname || '.' || r.relname
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class r ON r.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE con.contype = 'f' AND {_SYSTEM}
ORDER BY con.conname
"""


def _iso(value) -> Optional[str]:
    return value.isoformat() if value is not None else None


def read_database(url: str, default_schema: Optional[str] = None) -> DatabaseStats:
    """Everything the rules use, from one read-only transaction."""
    target = parse_url(url)
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(target.conninfo, connect_timeout=10, application_name="prisma-lint")
    except psycopg.Error as e:
        raise DatabaseError(_one_line(target, e)) from None
    try:
        # the first statement of the transaction: every later one is read-only
        conn.execute("SET TRANSACTION READ ONLY")
        conn.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        version, version_num, database, now, reset, started = conn.execute(_SERVER).fetchone()
        stats = DatabaseStats(
            server_version=version,
            server_version_num=version_num,
            database=database,
            collected_at=_iso(now) or "",
            default_schema=default_schema or target.default_schema,
            stats_reset=_iso(reset),
            server_started=_iso(started),
        )
        tables = stats.tables
        for schema, name, reltuples, live, total, size, seq, seq_read, idx, upd, hot in conn.execute(_TABLES):
            analyzed = reltuples >= 0  # -1: never analyzed nor vacuumed (PostgreSQL 14+)
            rows = reltuples if analyzed else float(live or 0)
            t = TableStats(schema, name, rows, analyzed, total, size, seq, seq_read, idx, upd, hot)
            tables[t.key] = t
        for schema, name, column, null_frac, n_distinct, freqs in conn.execute(_COLUMNS):
            owner = tables.get(f"{schema}.{name}")
            if owner is not None:
                owner.columns[column] = ColumnStats(column, null_frac, n_distinct, list(freqs or []))
        for row in conn.execute(_INDEXES):
            schema, name, index, definition, method, unique, primary, valid, size, scans, pred, cols, con = row
            owner = tables.get(f"{schema}.{name}")
            if owner is not None:
                owner.indexes.append(
                    IndexStats(index, list(cols), definition, method, unique, primary, valid, size, scans, pred, con)
                )
        for schema, name, constraint, cols, references in conn.execute(_FOREIGN_KEYS):
            owner = tables.get(f"{schema}.{name}")
            if owner is not None:
                owner.foreign_keys.append(ForeignKey(constraint, list(cols), references))
        conn.rollback()  # nothing to keep: end the transaction without a commit
    except psycopg.Error as e:
        raise DatabaseError(_one_line(target, e)) from None
    finally:
        conn.close()
    return stats
