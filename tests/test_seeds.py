"""The hand-written index plans in ../shared/seeds, rebuilt as fixtures: golden findings."""

import json

import pytest
from conftest import FIXTURES
from helpers import REGISTRY, lint_loaded

from prisma_lint.frontends.prisma.loader import load_schema

SEEDS = FIXTURES / "seeds"
# (000-app is an app fixture with its own tests: tests/test_advice_seed000.py)
SCHEMA_SEEDS = sorted(p.name for p in SEEDS.iterdir() if p.name.startswith("seed") and (p / "schema.prisma").is_file())


def _expected(seed: str) -> dict:
    return json.loads((SEEDS / seed / "expected.json").read_text())


def _lint(seed: str):
    loaded = load_schema(SEEDS / seed / "schema.prisma")
    return lint_loaded(loaded)


def _key(entry) -> tuple:
    return (entry["rule"], entry["model"], tuple(entry["fields"]))


def _schema_rules(expected: dict, key: str) -> list[dict]:
    # rules of the SQL front end (constant-index-column) are checked with the SQL fixtures
    return [e for e in expected[key] if REGISTRY.get(e["rule"]) and "sql" not in REGISTRY.get(e["rule"]).needs]


def test_every_schema_seed_is_here():
    assert SCHEMA_SEEDS == ["seed000", "seed001", "seed004"]


@pytest.mark.parametrize("seed", SCHEMA_SEEDS)
def test_seed_must_report(seed):
    found = {(f.rule, f.model, tuple(f.fields)) for f in _lint(seed)}
    missing = [e for e in _schema_rules(_expected(seed), "must_report") if _key(e) not in found]
    assert not missing, "\n".join(f"{e['rule']} {e['model']} {e['fields']}: {e['why']}" for e in missing)


@pytest.mark.parametrize("seed", SCHEMA_SEEDS)
def test_seed_must_not_report(seed):
    found = {(f.rule, f.model, tuple(f.fields)) for f in _lint(seed)}
    wrong = [e for e in _expected(seed)["must_not_report"] if _key(e) in found]
    assert not wrong, "\n".join(f"{e['rule']} {e['model']} {e['fields']}: {e['why']}" for e in wrong)


def test_seed000_findings_are_exactly_the_plans_mistakes():
    found = sorted((f.rule, f.model, tuple(f.fields)) for f in _lint("seed000"))
    assert found == [
        ("missing-fk-index", "TwoFactor", ("userId",)),
        ("redundant-index", "Account", ("userId",)),
        ("redundant-index", "Session", ("userId",)),
        ("redundant-index", "User", ("email",)),
    ]


def test_seed004_reports_the_unique_duplicates_and_booleans():
    found = {(f.rule, f.model, tuple(f.fields)) for f in _lint("seed004")}
    for model, field in [("User", "email"), ("Course", "slug"), ("Transaction", "providerTxnId"), ("Certificate", "certificateNo")]:
        assert ("redundant-index", model, (field,)) in found, (model, field)
    assert ("boolean-index", "LessonProgress", ("completed",)) in found
    assert ("boolean-index", "Course", ("published", "featured")) in found


def test_seed001_model_with_21_indexes():
    (f,) = [f for f in _lint("seed001") if f.rule == "too-many-indexes"]
    # 21 @@index lines; 3 of them are the first index of a foreign key (not counted)
    assert f.model == "Task" and "18 optional indexes" in f.message
