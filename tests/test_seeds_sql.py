"""The SQL index plans of the seeds (002, 003) and seed 004's migration: golden findings."""

import json

import pytest
from conftest import FIXTURES
from helpers import REGISTRY

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.sql.replay import load_sql

SEEDS = FIXTURES / "seeds"
CASES = {
    "seed002": "indexes.sql",
    "seed003": "indexes.sql",
}


def _findings(path):
    loaded = load_sql(path)
    result = lint(loaded, REGISTRY, Config())
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, [d.render() for d in errors]
    statements = loaded.schema.sql_statements
    out = []
    for f in result.findings:
        st = next(s for s in statements if s.span.start <= f.span.start < s.span.end)
        out.append((f, st.index))
    return out


def _matches(findings, entry) -> bool:
    """The finding of `entry`'s rule on `entry`'s index (the index of the statement it is in)."""
    return any(f.rule == entry["rule"] and f.model == entry["model"] and index == entry["index"] for f, index in findings)


@pytest.mark.parametrize("seed", sorted(CASES))
def test_sql_seed_must_report(seed):
    path = SEEDS / seed / CASES[seed]
    findings = _findings(path)
    expected = json.loads((SEEDS / seed / "expected.json").read_text())
    missing = [e for e in expected["must_report"] if not _matches(findings, e)]
    assert not missing, "\n".join(f"{e['rule']} {e['model']} {e.get('index')}: {e['why']}" for e in missing)


@pytest.mark.parametrize("seed", sorted(CASES))
def test_sql_seed_must_not_report(seed):
    path = SEEDS / seed / CASES[seed]
    findings = _findings(path)
    expected = json.loads((SEEDS / seed / "expected.json").read_text())
    wrong = [e for e in expected["must_not_report"] if _matches(findings, e)]
    assert not wrong, "\n".join(f"{e['rule']} {e['model']} {e.get('index')}: {e['why']}" for e in wrong)


def test_seed003_current_date_predicate():
    findings = [f for f, _ in _findings(SEEDS / "seed003" / "indexes.sql") if f.rule == "non-immutable-index-expression"]
    assert len(findings) == 1
    assert "CURRENT_DATE" in findings[0].message and findings[0].span.text == "CURRENT_DATE"


def test_seed002_now_and_current_timestamp():
    findings = [f for f, _ in _findings(SEEDS / "seed002" / "indexes.sql") if f.rule == "non-immutable-index-expression"]
    assert {f.span.text.upper() for f in findings} == {"NOW()", "CURRENT_TIMESTAMP"}


def test_seed004_migration():
    findings = [f for f, _ in _findings(SEEDS / "seed004" / "migration.sql")]
    pinned = {(f.model, tuple(f.fields)) for f in findings if f.rule == "constant-index-column"}
    assert ("lesson_progress", ("progressId", "completed")) in pinned
    dropped = [f for f in findings if f.rule == "drop-index-non-concurrently"]
    assert {f.message.split("`")[1] for f in dropped} >= {"users_email_idx", "courses_slug_idx", "certificates_certificateNo_idx"}


def test_seed004_schema_constant_column_from_where():
    """The rebuilt Prisma schema of seed 004 carries the plan's partial indexes as `where: raw(...)`."""
    from prisma_lint.frontends.prisma.loader import load_schema

    result = lint(load_schema(SEEDS / "seed004" / "schema.prisma"), REGISTRY, Config())
    expected = json.loads((SEEDS / "seed004" / "expected.json").read_text())
    want = {(e["model"], tuple(e["fields"])) for e in expected["must_report"] if e["rule"] == "constant-index-column"}
    got = {(f.model, tuple(f.fields)) for f in result.findings if f.rule == "constant-index-column"}
    assert want and want <= got
