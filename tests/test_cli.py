"""The command line: formats, exit codes, discovery, graph."""

import json

import pytest
from conftest import REPO, run_cli

from prisma_lint import __version__

EXAMPLE = REPO / "examples" / "schema.prisma"

CLEAN = """datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])

  @@index([authorId])
}
"""


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_text_output_format():
    proc = run_cli("check", "--no-color", "examples/schema.prisma")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    # the worst first: the missing foreign-key indexes (by delete fan-out), then by position
    heads = [line.split(": warning")[0] for line in lines if ": warning[" in line]
    assert heads[:3] == ["examples/schema.prisma:45:22", "examples/schema.prisma:55:26", "examples/schema.prisma:35:3"]
    k = lines.index(next(line for line in lines if line.startswith("examples/schema.prisma:35:3: warning[redundant-index] ")))
    assert lines[k + 2].startswith("35 |   @@index([email])")
    assert lines[k + 3] == "   |   " + "^" * len("@@index([email])")
    assert lines[k + 4].startswith("   = help: remove `@@index([email])`")
    assert lines[-1].startswith("Found 7 problems (7 warnings).")
    assert "\x1b[" not in proc.stdout  # no colour when not a terminal


def test_json_contract():
    proc = run_cli("check", "--format", "json", "examples/schema.prisma")
    doc = json.loads(proc.stdout)
    assert doc["version"] == 1
    assert set(doc) == {"version", "findings", "errors", "summary"}
    f = doc["findings"][0]
    assert set(f) >= {"rule", "severity", "file", "line", "column", "end_line", "end_column", "message", "model", "fields", "fix"}
    assert f["file"] == "examples/schema.prisma"  # relative to the working directory
    assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (35, 3, 35, 19)
    fk = next(x for x in doc["findings"] if x["rule"] == "missing-fk-index")
    assert fk["fix"]["applicability"] == "safe"
    assert fk["fix"]["schema_line"] == "@@index([userId])"
    assert fk["fix"]["edits"][0]["content"].endswith("@@index([userId])")
    assert doc["summary"]["findings"] == len(doc["findings"]) == 7
    assert doc["summary"]["by_rule"]["redundant-index"] == 2


def test_clean_schema_exits_0(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(CLEAN)
    proc = run_cli("check", str(p))
    assert proc.returncode == 0
    assert proc.stdout.strip() == "All checks passed."


def test_exit_zero_quiet_statistics():
    assert run_cli("check", "--exit-zero", str(EXAMPLE)).returncode == 0
    quiet = run_cli("check", "-q", str(EXAMPLE))
    assert len(quiet.stdout.splitlines()) == 8  # 7 findings + summary
    stats = run_cli("check", "--statistics", "-q", str(EXAMPLE))
    assert "2  redundant-index" in stats.stdout


def test_missing_path_is_a_usage_error(tmp_path):
    proc = run_cli("check", str(tmp_path / "nope.prisma"))
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    proc = run_cli("check", "--format", "xml", str(EXAMPLE))
    assert proc.returncode == 2


def test_multi_file_folder(tmp_path):
    folder = tmp_path / "prisma" / "schema"
    folder.mkdir(parents=True)
    (folder / "main.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (folder / "user.prisma").write_text("model User {\n  id    Int    @id\n  posts Post[]\n}\n")
    (folder / "nested").mkdir()
    (folder / "nested" / "post.prisma").write_text(
        "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
    )
    proc = run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path)
    (f,) = json.loads(proc.stdout)["findings"]
    assert f["file"] == "prisma/schema/nested/post.prisma" and f["line"] == 4


@pytest.mark.parametrize(
    "setup,expected",
    [
        ({"prisma/schema.prisma": CLEAN}, "prisma/schema.prisma"),
        ({"prisma/schema/a.prisma": CLEAN}, "prisma/schema"),
        ({"schema.prisma": CLEAN}, "schema.prisma"),
        ({"db/custom.prisma": CLEAN, "package.json": '{"prisma": {"schema": "db/custom.prisma"}}'}, "db/custom.prisma"),
        (
            {
                "db/main.prisma": CLEAN,
                "prisma/schema.prisma": "garbage",
                "prisma.config.ts": 'import { defineConfig } from "prisma/config";\nexport default defineConfig({\n  schema: "db/main.prisma",\n});\n',
            },
            "db/main.prisma",
        ),
    ],
)
def test_discovery(tmp_path, setup, expected):
    for name, text in setup.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Using the schema at" in proc.stderr and expected in proc.stderr


def test_discovery_finds_nothing(tmp_path):
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 2 and "no schema found" in proc.stderr


def test_schema_option(tmp_path):
    p = tmp_path / "x.prisma"
    p.write_text(CLEAN)
    assert run_cli("check", "--schema", str(p)).returncode == 0


def test_graph_json():
    proc = run_cli("graph", str(EXAMPLE))
    doc = json.loads(proc.stdout)
    assert doc["provider"] == "postgresql" and doc["relation_mode"] == "foreignKeys"
    user = next(m for m in doc["models"] if m["name"] == "User")
    assert user["db_name"] == "users"
    created = next(f for f in user["fields"] if f["name"] == "createdAt")
    assert created["db_name"] == "created_at" and created["type"] == "DateTime"
    kinds = {(i["kind"], tuple(i["fields"]), i["db_name"]) for i in user["indexes"]}
    assert ("unique", ("email",), "users_email_key") in kinds
    assert ("id", ("id",), "users_pkey") in kinds
    assert ("index", ("active",), "users_active_idx") in kinds
    rel = next(r for r in doc["relations"] if r["model"] == "Session")
    assert rel["fields"] == ["userId"] and rel["references"] == ["id"] and rel["on_delete"] == "Cascade"
    assert rel["db_name"] == "sessions_user_id_fkey"
    assert {e["name"]: len(e["values"]) for e in doc["enums"]} == {"Role": 2, "OrderStatus": 4}


def test_graph_mermaid_and_dot():
    mermaid = run_cli("graph", "--format", "mermaid", str(EXAMPLE)).stdout
    assert mermaid.startswith("erDiagram\n")
    assert "Session }o--o| User" in mermaid
    dot = run_cli("graph", "--format", "dot", str(EXAMPLE)).stdout
    assert dot.startswith("digraph prisma {") and '"Order" -> "User"' in dot


def test_graph_of_a_broken_schema_exits_2(tmp_path):
    p = tmp_path / "s.prisma"
    p.write_text("model A {\n  id Int @id @default(\n}\n")
    proc = run_cli("graph", str(p))
    assert proc.returncode == 2 and "error: expected" in proc.stderr


def test_rules_listing():
    proc = run_cli("rules")
    assert proc.returncode == 0
    for rid in ("missing-fk-index", "redundant-index", "boolean-index", "low-cardinality-index", "composite-order"):
        assert rid in proc.stdout
    rows = json.loads(run_cli("rules", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["redundant-index"]["fixable"] == "unsafe"
    assert by_id["low-cardinality-index"]["options"][0]["name"] == "max-enum-values"


def test_python_m_and_console_script_agree():
    proc = run_cli("check", "-q", str(EXAMPLE))
    assert proc.returncode == 1
