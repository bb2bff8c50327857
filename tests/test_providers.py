"""Migrations of other dialects: read by migration_lock.toml (or the datasource provider).

fixtures/providers/{mysql,sqlite} are Prisma projects with Prisma's own migrations (the SQL
`prisma migrate dev` writes for each provider: backquoted MySQL with inline INDEX clauses,
SQLite with AUTOINCREMENT and inline constraints). Before, each MySQL statement was a syntax
error ("syntax error at or near "`""), the run exited 2 and every table was a false schema-drift.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

PROJECTS = ["mysql", "sqlite"]


@pytest.fixture
def project(tmp_path, request) -> Path:
    target = tmp_path / request.param
    shutil.copytree(FIXTURES / "providers" / request.param, target)
    return target


def _json(proc) -> dict:
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _one_note(doc: dict) -> dict:
    notes = doc["errors"]
    assert len(notes) == 1, notes
    (note,) = notes
    assert note["severity"] == "info" and note["code"] == "sql-dialect-skipped"
    assert doc["summary"]["errors"] == 0
    return note


@pytest.mark.parametrize("project", PROJECTS, indirect=True)
def test_schema_with_other_dialect_migrations_lints_with_one_note(project):
    doc = _json(run_cli("check", "--format", "json", "prisma/schema.prisma", cwd=project))
    note = _one_note(doc)
    assert note["file"] == "prisma/migrations"
    assert not [f for f in doc["findings"] if f["rule"] == "schema-drift"]
    # the schema itself is still linted
    assert [f["rule"] for f in doc["findings"]] == (["boolean-index"] if project.name == "mysql" else [])


@pytest.mark.parametrize("project", PROJECTS, indirect=True)
@pytest.mark.parametrize("what", ["prisma/migrations", "prisma/migrations/20240101000000_init/migration.sql"])
def test_other_dialect_sql_checked_on_its_own_is_skipped_with_a_note(project, what):
    proc = run_cli("check", "--no-color", what, cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "migrations are not read" in proc.stdout
    assert "error" not in proc.stdout
    _one_note(_json(run_cli("check", "--format", "json", what, cwd=project)))


@pytest.mark.parametrize("project", PROJECTS, indirect=True)
def test_pre_commit_passing_schema_and_migrations_is_not_blocked(project):
    files = ["prisma/schema.prisma"] + sorted(
        str(p.relative_to(project)) for p in (project / "prisma" / "migrations").glob("*/migration.sql")
    )
    proc = run_cli("check", "--no-color", *files, cwd=project)
    assert proc.returncode == (1 if project.name == "mysql" else 0), proc.stdout + proc.stderr
    assert "syntax error" not in proc.stdout


@pytest.mark.parametrize("project", ["mysql"], indirect=True)
def test_without_a_lock_file_the_datasource_provider_decides(project):
    (project / "prisma" / "migrations" / "migration_lock.toml").unlink()
    doc = _json(run_cli("check", "--format", "json", "prisma/schema.prisma", cwd=project))
    _one_note(doc)
    loose = project / "prisma" / "extra.sql"
    loose.write_text("CREATE INDEX `Post_title_idx` ON `Post`(`title`);\n", encoding="utf-8")
    proc = run_cli("check", "--no-color", "prisma/extra.sql", cwd=project)
    assert proc.returncode == 0 and "MySQL migrations are not read" in proc.stdout, proc.stdout


def test_postgresql_lock_file_is_still_read(tmp_path):
    mig = tmp_path / "migrations"
    (mig / "1_init").mkdir(parents=True)
    (mig / "migration_lock.toml").write_text('provider = "postgresql"\n', encoding="utf-8")
    (mig / "1_init" / "migration.sql").write_text(
        'CREATE TABLE "t" ("id" INT PRIMARY KEY, "a" INT);\nCREATE INDEX "t_a_idx" ON "t" ("a");\nCREATE INDEX "t_a2_idx" ON "t" ("a");\n',
        encoding="utf-8",
    )
    doc = _json(run_cli("check", "--format", "json", "migrations", cwd=tmp_path))
    assert doc["errors"] == []
    assert "redundant-index" in {f["rule"] for f in doc["findings"]}


def test_the_note_is_a_notice_on_github_and_a_note_in_sarif(tmp_path):
    shutil.copytree(FIXTURES / "providers" / "sqlite", tmp_path / "p")
    gh = run_cli("check", "--format", "github", "prisma/migrations", cwd=tmp_path / "p")
    assert gh.returncode == 0 and gh.stdout.startswith("::notice "), gh.stdout
    sarif = json.loads(run_cli("check", "--format", "sarif", "prisma/migrations", cwd=tmp_path / "p").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["note"]
