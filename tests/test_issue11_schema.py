"""Issue #11 items 7-11: quadratic missing-fk-index, deep nesting, migrate with errors,
@@ignore models, NUL in a name. Each test takes the issue's reproduction as its input."""

from __future__ import annotations

import sys

import pytest
from conftest import REPO, run_cli
from helpers import USER_POST, lint_text, load_text

from prisma_lint.frontends.prisma.lexer import MAX_NESTING

sys.path.insert(0, str(REPO / "benchmarks"))
from synth import unindexed_fk_schema

PG = 'datasource db {\n  provider = "postgresql"\n}\n'


# -- 7. missing-fk-index is linear: the work per finding does not grow with the schema -----------
def test_missing_fk_index_work_is_linear_in_the_findings(monkeypatch):
    """The names taken are collected once per namespace and check, not once per finding (that
    made 20,000 findings 217 s). Counted, not timed: the benchmark table has the times."""
    from prisma_lint.rules import missing_fk_index

    calls = []
    real = missing_fk_index._taken_names
    monkeypatch.setattr(missing_fk_index, "_taken_names", lambda *a: calls.append(a) or real(*a))
    findings = lint_text(unindexed_fk_schema(400), select=["missing-fk-index"])
    assert len(findings) == 399
    assert len(calls) == 1


def test_relations_are_mapped_by_model_once():
    schema = load_text(unindexed_fk_schema(50)).schema
    assert [r.model for r in schema.foreign_keys_of("Node7")] == ["Node7"]
    assert schema.foreign_keys_of("Node0") == []  # the chain's first model holds no key
    assert schema.foreign_keys_of("Node7") is schema._foreign_keys["Node7"]


# -- 8. deep nesting: a syntax diagnostic at the place, never RecursionError ----------------------
def _nested_call(n: int) -> str:
    return "f(" * n + ")" * n


@pytest.mark.parametrize(
    "line",
    [
        f"  id Int @id @default({_nested_call(250)})",
        f"  id Int @id @default({_nested_call(5000)})",
        "  id Int @id\n  x Int\n  @@index([x], where: " + "{ a: " * 500 + "1" + " }" * 500 + ")",
        "  id Int @id\n  x Int[] @default(" + "[" * 400 + "]" * 400 + ")",
    ],
)
def test_deep_nesting_is_a_syntax_error_at_the_place(tmp_path, line):
    p = tmp_path / "schema.prisma"
    p.write_text(PG + "\nmodel A {\n" + line + "\n}\n")
    proc = run_cli("check", "--no-color", str(p))
    assert proc.returncode == 2
    assert "RecursionError" not in proc.stderr and "internal error" not in proc.stderr
    first = proc.stdout.splitlines()[0]
    assert f"error: nested too deeply: more than {MAX_NESTING} levels" in first
    # the position is the opening bracket one past the limit
    lineno, col = (int(x) for x in first.split(":")[1:3])
    text = p.read_text().splitlines()[lineno - 1]
    assert text[col - 1] in "([{"
    assert sum(text[: col - 1].count(c) for c in "([{") - sum(text[: col - 1].count(c) for c in ")]}") == MAX_NESTING


def test_nesting_up_to_the_limit_still_parses():
    depth = MAX_NESTING - 1  # plus @default's own parenthesis
    loaded = load_text(PG + f"\nmodel A {{\n  id Int @id @default({_nested_call(depth)})\n}}\n")
    assert not loaded.has_errors, [d.message for d in loaded.diagnostics]


# -- 9. migrate refuses SQL while identifier errors make it wrong -------------------------------
COLLIDING = PG + """
model Account {
  id                                              Int    @id
  aVeryLongColumnNameThatGoesOnAndOnForeverMore   String
  aVeryLongColumnNameThatGoesOnAndOnForeverMore2  String
  aVeryLongColumnNameThatGoesOnAndOnForeverMore3  String

  @@index([aVeryLongColumnNameThatGoesOnAndOnForeverMore, aVeryLongColumnNameThatGoesOnAndOnForeverMore2])
  @@index([aVeryLongColumnNameThatGoesOnAndOnForeverMore, aVeryLongColumnNameThatGoesOnAndOnForeverMore3])
  @@index([aVeryLongColumnNameThatGoesOnAndOnForeverMore])
}
"""


def test_migrate_refuses_while_truncated_names_collide(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(COLLIDING)
    check = run_cli("check", "--select", "identifier-too-long", str(p))
    assert "collides with the index" in check.stdout  # the reproduction: Prisma rejects it
    for args in (["--stdout"], ["--out", str(tmp_path / "migrations")], ["--write-schema"]):
        proc = run_cli("migrate", "--unsafe-fixes", str(p), *args)
        assert proc.returncode == 2, proc.stderr
        assert "not writing migration SQL" in proc.stderr
        assert "error[identifier-too-long]" in proc.stderr and "collides with the index" in proc.stderr
        # where the original schema has it, though the fixes (dropping line 13) moved its block on
        assert f"{p}:12:3: error[identifier-too-long]" in proc.stderr
        assert "ALTER INDEX" not in proc.stdout and "DROP INDEX" not in proc.stdout
    assert not (tmp_path / "migrations").exists()
    assert p.read_text() == COLLIDING


def test_migrate_reports_a_blocking_error_once_where_the_file_has_it(tmp_path):
    """A fix above the error (an @@index added to Post) moves the erroring block in the fixed
    text: the error is still shown once, at its line in the file on disk."""
    schema = USER_POST + COLLIDING[len(PG) :]
    p = tmp_path / "schema.prisma"
    p.write_text(schema)
    line = next(n for n, text in enumerate(schema.splitlines(), 1) if text.strip().startswith("@@index([aVeryLongColumnNameThatGoesOnAndOnForeverMore, aVeryLongColumnNameThatGoesOnAndOnForeverMore3"))
    proc = run_cli("migrate", "--stdout", str(p))
    assert proc.returncode == 2, proc.stderr
    errors = [x for x in proc.stderr.splitlines() if "error[identifier-too-long]" in x]
    assert len(errors) == 1 and f"{p}:{line}:3:" in errors[0], proc.stderr


def test_migrate_still_writes_for_a_clean_schema(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(PG + "\nmodel A {\n  id Int @id\n  b String\n\n  @@index([b])\n  @@index([b, id])\n}\n")
    proc = run_cli("migrate", "--unsafe-fixes", "--stdout", str(p))
    assert proc.returncode == 0, proc.stderr
    assert 'DROP INDEX "A_b_idx";' in proc.stdout


# -- 10. @@ignore models: fixes and migrations agree --------------------------------------------
IGNORED = PG + """
model Legacy {
  id    Int    @id
  email String @unique

  @@index([email])
  @@ignore
}
"""


def test_ignored_model_fix_and_migration_agree(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(IGNORED)
    proc = run_cli("migrate", "--unsafe-fixes", "--stdout", str(p))
    assert proc.returncode == 0, proc.stderr
    assert 'DROP INDEX "Legacy_email_idx";' in proc.stdout
    fixed = run_cli("check", "--unsafe-fixes", str(p))
    assert fixed.returncode in (0, 1)
    assert "@@index([email])" not in p.read_text()  # the fix removed what the migration drops


@pytest.mark.postgres
@pytest.mark.oracle
def test_ignored_model_prisma_sees_no_drift_after_the_migration(tmp_path, postgres, oracle):
    original = tmp_path / "original" / "schema.prisma"
    fixed = tmp_path / "fixed" / "schema.prisma"
    for f in (original, fixed):
        f.parent.mkdir()
        f.write_text(IGNORED)
    assert run_cli("check", "--unsafe-fixes", str(fixed)).returncode in (0, 1)
    migration = run_cli("migrate", str(original), "--stdout", "--unsafe-fixes")
    assert migration.returncode == 0 and migration.stdout.strip(), migration.stderr
    db = postgres.new_database()
    url = postgres.url(db)
    prisma_sql = oracle.run("migrate-diff.js", "--from-empty", "--to-schema", str(original), "--url", url)
    assert prisma_sql.returncode == 0, prisma_sql.stderr
    assert "Legacy_email_idx" in prisma_sql.stdout  # Prisma creates the ignored model's index
    with postgres.connect(db) as conn:
        conn.execute(prisma_sql.stdout)
        conn.execute(migration.stdout)
    drift = oracle.run("migrate-diff.js", "--from-db", "--to-schema", str(fixed), "--url", url, "--exit-code")
    assert drift.returncode == 0, drift.stdout + drift.stderr


# -- 11. NUL in a name ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        'model A {\n  id Int @id\n  b String\n\n  @@index([b], map: "a\\u0000b")\n}',
        'model A {\n  id Int @id\n  b String @map("b\\u0000c")\n}',
        'model A {\n  id Int @id\n\n  @@map("t\\u0000")\n}',
    ],
)
@pytest.mark.parametrize("provider", ["postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb"])
def test_nul_in_a_name_is_an_identifier_error(tmp_path, model, provider):
    p = tmp_path / "schema.prisma"
    p.write_text(f'datasource db {{\n  provider = "{provider}"\n}}\n\n{model}\n')
    findings = [f for f in lint_text(p.read_text()) if f.rule == "identifier-too-long"]
    assert len(findings) == 1 and "contains a NUL character" in findings[0].message
    assert findings[0].severity == "error"
    proc = run_cli("migrate", "--stdout", "--unsafe-fixes", str(p))
    assert proc.returncode == 2 and "\x00" not in proc.stdout
    assert "NUL character" in proc.stderr
