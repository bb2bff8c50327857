"""The statistics file and the rules' use of statistics, without a database (the live mode
is tests/test_db.py)."""

from __future__ import annotations

import json

import pytest
from conftest import REPO
from helpers import PG, REGISTRY, load_text

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.db.stats import (
    ColumnStats,
    DatabaseStats,
    IndexStats,
    StatsFileError,
    TableStats,
)

MANY = PG + "model Log {\n  id Int @id\n" + "".join(f"  c{i} Int\n" for i in range(10)) + "".join(
    f"  @@index([c{i}])\n" for i in range(10)
) + "}\n"


def stats_for(rows: float, **columns: ColumnStats) -> DatabaseStats:
    s = DatabaseStats("15.8", 150008, "app", "2025-03-01T00:00:00+00:00", stats_reset="2025-02-01T00:00:00+00:00")
    t = TableStats("public", "Log", rows, True, 4096 * max(rows, 1), 4096)
    t.columns.update(columns)
    t.indexes.append(IndexStats("Log_pkey", ["id"], "CREATE UNIQUE INDEX ...", "btree", True, True, True, 8192, 3, None, "p"))
    t.indexes += [
        IndexStats(f"Log_c{i}_idx", [f"c{i}"], "CREATE INDEX ...", "btree", False, False, True, 8192, 5) for i in range(10)
    ]
    s.tables[t.key] = t
    return s


def run(text: str, stats=None, select=("too-many-indexes",)):
    return lint(load_text(text), REGISTRY, Config(), list(select), stats=stats).findings


def test_too_many_indexes_by_table_size():
    assert [f.rule for f in run(MANY)] == ["too-many-indexes"]
    assert run(MANY, stats_for(900)) == []
    (big,) = run(MANY, stats_for(2_500_000))
    assert "(table `Log`: 2,500,000 rows, 9.5 GB)" in big.message
    assert (big.table_rows, big.table_bytes) == (2_500_000, 4096 * 2_500_000)
    assert big.as_dict()["table_rows"] == 2_500_000
    assert "table_rows" not in run(MANY)[0].as_dict()


def test_min_rows_is_an_option():
    from pathlib import Path

    from prisma_lint.config import load_config

    cfg = load_config(Path("t.toml"), {"rules": {"too-many-indexes": {"min-rows": 100}}}, REGISTRY)
    assert [f.rule for f in lint(load_text(MANY), REGISTRY, cfg, ["too-many-indexes"], stats=stats_for(900)).findings] == [
        "too-many-indexes"
    ]


def test_file_round_trip_and_schema():
    jsonschema = pytest.importorskip("jsonschema")
    s = stats_for(12345, c0=ColumnStats("c0", 0.25, -0.5, [0.1, 0.05]))
    text = s.to_json()
    jsonschema.validate(json.loads(text), json.loads((REPO / "prisma_lint/frontends/db/stats-schema.json").read_text()))
    back = DatabaseStats.from_json(text)
    assert back == s
    assert back.stats_age_days() == 28
    assert back.table(None, "Log").columns["c0"].distinct(12345) == pytest.approx(6172.5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[]", 'x.json: not a prisma-lint statistics file (no "format": "prisma-lint-stats")'),
        ('{"format": "prisma-lint-stats", "version": 1}', "x.json: malformed statistics file: KeyError: 'tables'"),
        (
            '{"format": "prisma-lint-stats", "version": 1, "server_version": "15", "server_version_num": 150000, '
            '"database": "d", "collected_at": "2025-03-01T00:00:00", "tables": []}',
            "x.json: `collected_at` must be an ISO 8601 time with its UTC offset, got '2025-03-01T00:00:00'",
        ),
    ],
)
def test_bad_files(text, message):
    with pytest.raises(StatsFileError) as e:
        DatabaseStats.from_json(text, "x.json")
    assert str(e.value) == message
