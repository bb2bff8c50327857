"""Issue #11 item 4: discovery reads only regular schema files and never prints what is not one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli

from prisma_lint.discovery import config_schema_path
from prisma_lint.discovery import find_schema as discover_schema

SCHEMA = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n'
SECRET = "DATABASE_URL=postgres://admin:hunter2-very-secret@db.internal/prod"


def package_json(folder: Path, schema: str) -> None:
    (folder / "package.json").write_text(json.dumps({"prisma": {"schema": schema}}))


@pytest.mark.parametrize("fmt", ["text", "sarif", "json"])
def test_proc_environ_is_never_printed(tmp_path, fmt):
    package_json(tmp_path, "/proc/self/environ")
    proc = run_cli("check", "--format", fmt, cwd=tmp_path, env={"CI_SECRET_TOKEN": "s3cr3t-value-123"})
    assert proc.returncode == 2
    assert "s3cr3t-value-123" not in proc.stdout + proc.stderr
    assert "special file system" in proc.stdout + proc.stderr
    assert "outside the project folder" in proc.stderr


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_a_non_schema_file_is_named_not_quoted(tmp_path, fmt):
    (tmp_path / ".env").write_text(SECRET + "\n")
    package_json(tmp_path, ".env")
    proc = run_cli("check", "--format", fmt, cwd=tmp_path)
    assert proc.returncode == 2
    out = proc.stdout + proc.stderr
    assert "not a Prisma schema" in out
    assert "hunter2" not in out and "DATABASE_URL" not in out


def test_dev_zero_is_refused_at_once(tmp_path):
    package_json(tmp_path, "/dev/zero")
    proc = run_cli("check", cwd=tmp_path)  # run_cli's timeout (120 s) would fail a read to the end
    assert proc.returncode == 2
    assert "not a regular file" in proc.stdout + proc.stderr


def test_fifo_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "schema.prisma")
    proc = run_cli("check", str(tmp_path / "schema.prisma"))
    assert proc.returncode == 2
    assert "not a regular file" in proc.stdout + proc.stderr


def test_a_file_over_50_mb_gets_a_clear_error(tmp_path):
    big = tmp_path / "schema.prisma"
    with open(big, "wb") as f:  # sparse: costs no disk
        f.write(b"model A {\n  id Int @id\n}\n")
        f.truncate(51 * 2**20)
    proc = run_cli("check", str(big))
    assert proc.returncode == 2
    assert "the file is 51.0 MB; prisma-lint reads files up to 50 MB" in proc.stdout + proc.stderr


def test_a_schema_outside_the_project_is_read_with_a_warning(tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    (tmp_path / "elsewhere.prisma").write_text(SCHEMA)
    package_json(project, "../elsewhere.prisma")
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "warning: the configured schema path ../elsewhere.prisma is outside the project folder" in proc.stderr


def test_a_schema_inside_the_project_gets_no_warning(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "main.prisma").write_text(SCHEMA)
    package_json(tmp_path, "db/main.prisma")
    warnings: list[str] = []
    found, _how = discover_schema(tmp_path, warnings)
    assert found == tmp_path / "db" / "main.prisma" and warnings == []


CONFIG_COMMENTED = """import path from "node:path";
import { defineConfig } from "prisma/config";

/* the old layout:
  schema: "legacy/schema.prisma",
*/
export default defineConfig({
  // schema: "also/not/this.prisma",
  datasource: { url: "postgres://u@h//db" }, // a `//` inside a string is no comment
  schema: "db/main.prisma",
});
"""


def test_config_schema_inside_comments_is_ignored(tmp_path):
    for rel in ("legacy/schema.prisma", "also/not/this.prisma", "db/main.prisma"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(SCHEMA)
    (tmp_path / "prisma.config.ts").write_text(CONFIG_COMMENTED)
    found, how = discover_schema(tmp_path)
    assert found == (tmp_path / "db" / "main.prisma").resolve() and "prisma.config.ts" in how


@pytest.mark.parametrize(
    "expr, expected",
    [
        ('path.join(__dirname, "prisma", "schema.prisma")', "prisma/schema.prisma"),
        ("path.join(__dirname, 'prisma', 'schema')", "prisma/schema"),
        ('path.resolve(__dirname, "db/main.prisma")', "db/main.prisma"),
        ('path.resolve("prisma", "schema.prisma")', "prisma/schema.prisma"),
        ('join(process.cwd(), "prisma", "schema.prisma")', "prisma/schema.prisma"),
        ('path.join(import.meta.dirname, "prisma/schema.prisma")', "prisma/schema.prisma"),
        ('"./prisma/schema.prisma"', "prisma/schema.prisma"),
        ("`prisma/schema.prisma`", "prisma/schema.prisma"),
    ],
)
def test_config_path_calls_resolve_to_the_file(tmp_path, expr, expected):
    text = f'import path from "node:path";\nexport default defineConfig({{\n  schema: {expr},\n}});\n'
    assert config_schema_path(text, tmp_path) == Path(os.path.normpath(tmp_path / expected))


def test_config_path_join_reaches_the_file_not_the_folder(tmp_path):
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(SCHEMA)
    (tmp_path / "prisma" / "other.prisma").write_text("model Other {\n  id Int @id\n}\n")
    (tmp_path / "prisma.config.ts").write_text(
        'import path from "node:path";\nexport default {\n  schema: path.join(__dirname, "prisma", "schema.prisma"),\n};\n'
    )
    found, _ = discover_schema(tmp_path)
    assert found == tmp_path / "prisma" / "schema.prisma"
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "other.prisma" not in proc.stdout + proc.stderr  # the file, not the folder, was linted
