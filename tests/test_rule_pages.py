"""Every rule has a page in rules/; its examples lint as the page claims; options match."""

from pathlib import Path

import pytest
from conftest import REPO
from helpers import REGISTRY, lint_text

from prisma_lint.config import Config
from prisma_lint.docs import parse_page, rule_page
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.frontends.sql.replay import load_sql


def lint_example(example: dict, tmp_path, rule_id: str = "") -> list:
    """Lint a page's example: a schema, a SQL migration, a schema with its migrations, or a
    schema with the app's code (read by the app front end). A rule that is off by default is
    selected too."""
    rule = REGISTRY.rules.get(rule_id)
    select = ["all", rule_id] if rule is not None and not rule.default_enabled else None
    app = example.get("ts") or example.get("js")
    if app is not None:
        from prisma_lint.frontends.app.read import read_app

        tmp_path.mkdir(parents=True, exist_ok=True)
        schema = tmp_path / "schema.prisma"
        schema.write_text(example["prisma"])
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / ("app.ts" if "ts" in example else "app.js")).write_text(app)
        loaded = load_schema(schema)
        queries = read_app(loaded, [str(tmp_path / "src")], Config(), cache_dir=None, schema_path=schema)
        result = lint(loaded, REGISTRY, Config(), select, queries=queries)
        assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
        return result.findings
    if "prisma" in example and "sql" not in example:
        return lint_text(example["prisma"], select)
    tmp_path.mkdir(parents=True, exist_ok=True)
    if "prisma" not in example:
        path = tmp_path / "migration.sql"
        path.write_text(example["sql"])
        result = lint(load_sql(path), REGISTRY, Config())
    else:
        schema = tmp_path / "schema.prisma"
        schema.write_text(example["prisma"])
        folder = tmp_path / "migrations" / "20240101000000_init"
        folder.mkdir(parents=True)
        (folder / "migration.sql").write_text(example["sql"])
        result = lint(load_schema(schema), REGISTRY, Config(), migrations=load_sql(tmp_path / "migrations"))
    assert not [d for d in result.diagnostics if d.severity == "error"], [d.render() for d in result.diagnostics]
    return result.findings

RULE_IDS = sorted(REGISTRY.rules)


def test_every_page_is_a_rule_and_every_rule_has_a_page():
    pages = sorted(p.stem for p in (REPO / "rules").glob("*.md") if p.name != "README.md")
    assert pages == RULE_IDS


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_page_table_matches_the_rule(rule_id):
    text = rule_page(rule_id)
    rule = REGISTRY.rules[rule_id]
    assert text.startswith(f"# {rule_id}\n")
    assert f"| Default severity | {rule.severity} |" in text
    assert f"| Fixable | {rule.fixable} |" in text


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_page_options_are_the_declared_options(rule_id):
    page = parse_page(rule_id, rule_page(rule_id))
    assert sorted(page.options) == sorted(o.name for o in REGISTRY.rules[rule_id].options)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_bad_example_triggers_the_rule(rule_id, tmp_path):
    page = parse_page(rule_id, rule_page(rule_id))
    assert page.bad_examples, "the page has no example"
    for k, example in enumerate(page.bad_examples):
        findings = lint_example(example, tmp_path / f"bad{k}", rule_id)
        assert rule_id in {f.rule for f in findings}, example


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fixed_example_is_clean(rule_id, tmp_path):
    page = parse_page(rule_id, rule_page(rule_id))
    assert page.good_examples, "the page has no fixed example"
    for k, example in enumerate(page.good_examples):
        findings = lint_example(example, tmp_path / f"good{k}", rule_id)
        assert [f.rule for f in findings] == [], example


def test_rule_command_prints_the_page(tmp_path):
    from conftest import run_cli

    proc = run_cli("rule", "missing-fk-index")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# missing-fk-index")
    assert "## Why is this bad?" in proc.stdout
    proc = run_cli("rule", "no-such-rule")
    assert proc.returncode == 2 and "unknown rule" in proc.stderr


def test_rule_tables_are_generated_from_the_registry():
    """README.md and rules/README.md list every rule as the registry says (`python -m prisma_lint.docs`)."""
    from prisma_lint import docs

    assert docs.main(["--check"]) == 0
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for rule_id, rule in REGISTRY.rules.items():
        assert f"[`{rule_id}`](rules/{rule_id}.md) | {rule.severity}" in readme
