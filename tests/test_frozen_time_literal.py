"""frozen-time-literal, checked against PostgreSQL itself.

The rule says PostgreSQL accepts ``'now'``, ``'today'``, ``'tomorrow'`` and ``'yesterday'`` in an
index predicate or expression and stores the moment the statement ran in their place. The real
server (``conftest.postgres``) decides: each statement below is created, and the index definition
the server keeps (``pg_get_indexdef``) is read back. A definition is *frozen* when it holds a date
within a day of the server's clock that the statement never wrote. The rule must flag exactly the
frozen ones. Then the schema side: a partial index in a Prisma schema (``where: raw(...)``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import REGISTRY, lint_text
from test_sql_postgres import SYNTHETIC_TABLES

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.sql.replay import load_sql

RULE = "frozen-time-literal"

# (index name, statement, frozen by the server?)
CASES: list[tuple[str, str, bool]] = [
    ("fr_now_tz", "CREATE INDEX fr_now_tz ON events (owner) WHERE starts_at > 'now'::timestamptz", True),
    ("fr_now_untyped", "CREATE INDEX fr_now_untyped ON events (owner) WHERE starts_at > 'now'", True),
    ("fr_now_spaced", "CREATE INDEX fr_now_spaced ON events (owner) WHERE starts_at > ' NOW '::timestamp with time zone", True),
    ("fr_today", "CREATE INDEX fr_today ON events (owner) WHERE day >= 'today'::date", True),
    ("fr_date_prefix", "CREATE INDEX fr_date_prefix ON events (owner) WHERE day < DATE 'tomorrow'", True),
    ("fr_timestamp_prefix", "CREATE INDEX fr_timestamp_prefix ON events (owner) WHERE local_at > TIMESTAMP 'yesterday'", True),
    ("fr_between", "CREATE INDEX fr_between ON events (owner) WHERE day BETWEEN 'yesterday' AND 'tomorrow'", True),
    ("fr_in", "CREATE INDEX fr_in ON events (owner) WHERE day IN ('today', '2020-01-01')", True),
    ("fr_reversed", "CREATE INDEX fr_reversed ON events (owner) WHERE 'today' <= day", True),
    ("fr_expression", "CREATE INDEX fr_expression ON events ((starts_at > 'now'::timestamptz))", True),
    ("fr_nested", "CREATE INDEX fr_nested ON events (owner) WHERE active AND (amount > 0 OR starts_at < 'now')", True),
    # constants that are not "the current moment"
    ("ok_date", "CREATE INDEX ok_date ON events (owner) WHERE day >= '2024-01-01'", False),
    ("ok_epoch", "CREATE INDEX ok_epoch ON events (owner) WHERE starts_at > 'epoch'::timestamptz", False),
    ("ok_infinity", "CREATE INDEX ok_infinity ON events (owner) WHERE starts_at < 'infinity'", False),
    ("ok_text_now", "CREATE INDEX ok_text_now ON events (owner) WHERE name = 'now'", False),
    ("ok_text_today", "CREATE INDEX ok_text_today ON events (owner) WHERE owner IN ('today', 'later')", False),
    ("ok_plain", "CREATE INDEX ok_plain ON events (starts_at)", False),
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _frozen(indexdef: str, statement: str, today: dt.date) -> bool:
    near = {(today + dt.timedelta(days=d)).isoformat() for d in (-1, 0, 1)}
    return any(d in near and d not in statement for d in _DATE.findall(indexdef))


@pytest.fixture(scope="module")
def server_and_lint(postgres, tmp_path_factory):
    path = tmp_path_factory.mktemp("frozen") / "migration.sql"
    path.write_text(SYNTHETIC_TABLES + "\n" + "".join(f"{sql};\n" for _, sql, _ in CASES), encoding="utf-8")
    result = lint(load_sql(path), REGISTRY, Config(), select=[RULE])
    assert not [d for d in result.diagnostics if d.severity == "error"]
    lines = path.read_text(encoding="utf-8").splitlines()
    flagged = {name: [] for name, _, _ in CASES}
    for f in result.findings:
        name = re.search(r"CREATE INDEX (\w+)", lines[f.span.line - 1]).group(1)
        flagged[name].append(f)
    db = postgres.new_database()
    stored = {}
    with postgres.connect(db) as conn:
        conn.execute(SYNTHETIC_TABLES)
        (today,) = conn.execute("SELECT current_date").fetchone()
        for name, sql, _ in CASES:
            conn.execute(sql)
            (stored[name],) = conn.execute("SELECT pg_get_indexdef(%s::regclass)", [name]).fetchone()
    return flagged, stored, today


@pytest.mark.postgres
@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_flagged_exactly_when_the_server_freezes_the_value(server_and_lint, name):
    flagged, stored, today = server_and_lint
    sql, expected = next((c[1], c[2]) for c in CASES if c[0] == name)
    frozen = _frozen(stored[name], sql, today)
    assert frozen is expected, f"the table's expectation is wrong for {name}: the server keeps {stored[name]}"
    assert bool(flagged[name]) is frozen, f"{name}: the server keeps {stored[name]}; prisma-lint: {[f.message for f in flagged[name]]}"


@pytest.mark.postgres
def test_each_literal_is_reported_where_it_is_written(server_and_lint):
    flagged, _, _ = server_and_lint
    (between_low, between_high) = flagged["fr_between"]
    assert between_low.span.text == "'yesterday'" and between_high.span.text == "'tomorrow'"
    (tz,) = flagged["fr_now_tz"]
    assert tz.span.text == "'now'::timestamptz"
    assert "'now'::timestamptz" in tz.message and "predicate" in tz.message
    (prefix,) = flagged["fr_date_prefix"]
    assert prefix.span.text == "DATE 'tomorrow'"
    (expr,) = flagged["fr_expression"]
    assert "expression" in expr.message


@pytest.mark.postgres
def test_a_query_with_now_cannot_use_the_frozen_index(postgres):
    """The page's claim: the planner cannot prove `expires_at > now()` implies the frozen
    predicate, so the index is never used for it (even with sequential scans disabled)."""
    db = postgres.new_database()
    with postgres.connect(db) as conn:
        conn.execute("CREATE TABLE sessions (id serial PRIMARY KEY, user_id int, expires_at timestamptz)")
        conn.execute(
            "INSERT INTO sessions (user_id, expires_at) "
            "SELECT g % 1000, now() + (g % 100 - 50) * interval '1 day' FROM generate_series(1, 20000) g"
        )
        conn.execute("CREATE INDEX idx_active ON sessions (user_id) WHERE expires_at > 'now'::timestamptz")
        conn.execute("ANALYZE sessions")
        conn.execute("SET enable_seqscan = off")

        def plan(condition: str) -> str:
            rows = conn.execute(f"EXPLAIN SELECT * FROM sessions WHERE user_id = 5 AND {condition}").fetchall()
            return "\n".join(r[0] for r in rows)

        assert "idx_active" not in plan("expires_at > now()")
        assert "idx_active" in plan("expires_at > 'now'::timestamptz")  # only the frozen moment itself


SCHEMA = """
datasource db {
  provider = "postgresql"
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["partialIndexes"]
}

model Session {
  id        String   @id
  userId    String
  status    String
  expiresAt DateTime @map("expires_at")

  @@index([userId], where: raw("expires_at > 'now'::timestamptz"))
  @@index([status], where: raw("status <> 'now'"))
  @@index([expiresAt], where: raw("expires_at > '2025-01-01'"))
}
"""


def test_partial_index_in_a_schema():
    findings = lint_text(SCHEMA, [RULE])
    assert [(f.model, f.fields) for f in findings] == [("Session", ["userId"])]
    assert findings[0].span.text.startswith("@@index([userId]")
