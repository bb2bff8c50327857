"""The CI formats: GitHub annotations, SARIF 2.1.0, GitLab Code Quality, JUnit; --output."""

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO, run_cli
from helpers import PG, lint_text

from prisma_lint.emit.github import format_github

EXAMPLE = "examples/schema.prisma"


def test_github_annotations():
    proc = run_cli("check", "--format", "github", EXAMPLE)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    first = lines[0]
    assert first.startswith("::warning file=examples/schema.prisma,line=35,endLine=35,col=3,endColumn=19,title=prisma-lint (redundant-index)::")
    assert lines[-1] == "prisma-lint: 7 findings in all (7 warnings)."


def test_github_escaping_and_multiline_spans():
    text = PG + 'model A {\n  id Int @id\n  b  Boolean\n  @@index([b]) // prisma-lint-ignore nothing-here\n}\n'
    findings = lint_text(text)
    f = next(x for x in findings if x.rule == "boolean-index")
    f.message = "50% of rows:\nall, one\r\nvalue"
    f.span.file.path = "dir,with:odd/schema.prisma"
    out = format_github([f], [])
    cmd = out.splitlines()[0]
    assert "file=dir%2Cwith%3Aodd/schema.prisma" in cmd
    assert "::50%25 of rows:%0Aall, one%0D%0Avalue" in cmd
    # a finding that spans lines has no columns
    f.span.end = f.span.file.text.index("}")
    cmd = format_github([f], []).splitlines()[0]
    assert "col=" not in cmd and "endColumn=" not in cmd and "endLine=" in cmd


def test_github_orders_by_severity_and_counts_beyond_ten():
    attrs = "\n".join(f"  b{i} Boolean\n  @@index([b{i}])" for i in range(12))
    text = PG + "model A {\n  id String @id\n  name String\n" + attrs + "\n  @@map(\"" + "x" * 70 + "\")\n}\n"
    findings = lint_text(text)
    out = format_github(findings, []).splitlines()
    assert out[0].startswith("::error ")  # identifier-too-long first
    assert sum(1 for line in out if line.startswith("::warning")) == 13  # 12 boolean-index, too-many-indexes
    errors = sum(1 for f in findings if f.severity == "error")  # the table name, and truncated names that collide
    assert errors >= 1 and all(line.startswith("::error") for line in out[:errors])
    assert out[-1] == (
        f"prisma-lint: {errors + 13} findings in all ({errors} error{'s' if errors > 1 else ''}, 13 warnings). "
        "GitHub shows at most 10 annotations of each level per step."
    )


def test_sarif_is_valid_and_complete(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "report.sarif"
    proc = run_cli("check", "--format", "sarif", "--output", str(out), EXAMPLE)
    assert proc.returncode == 1 and proc.stdout == ""
    doc = json.loads(out.read_text())
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"missing-fk-index", "redundant-index", "schema-drift"}
    fk = next(r for r in rules if r["id"] == "missing-fk-index")
    assert fk["help"]["markdown"].startswith("# missing-fk-index") and fk["defaultConfiguration"]["level"] == "warning"
    results = run["results"]
    assert len(results) == 7
    r = results[0]
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/schema.prisma"
    assert r["locations"][0]["physicalLocation"]["region"]["startLine"] == 35
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    assert any("fixes" in x for x in results)
    # fingerprints are stable across runs and across line shifts
    again = json.loads(run_cli("check", "--format", "sarif", EXAMPLE).stdout)
    assert [x["partialFingerprints"] for x in again["runs"][0]["results"]] == [x["partialFingerprints"] for x in results]
    shifted = tmp_path / "examples" / "schema.prisma"
    shifted.parent.mkdir()
    shifted.write_text("// a new first line\n" + (REPO / EXAMPLE).read_text())
    moved = json.loads(run_cli("check", "--format", "sarif", "examples/schema.prisma", cwd=tmp_path).stdout)
    assert {json.dumps(x["partialFingerprints"]) for x in moved["runs"][0]["results"]} == {
        json.dumps(x["partialFingerprints"]) for x in results
    }


def test_sarif_of_a_syntax_error_is_valid(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    p = tmp_path / "bad.prisma"
    p.write_text("model A {\n  id Int @id @default(\n}\n")
    proc = run_cli("check", "--format", "sarif", str(p))
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text()))
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False and inv["toolExecutionNotifications"][0]["locations"]


def test_gitlab_code_quality():
    items = json.loads(run_cli("check", "--format", "gitlab", EXAMPLE).stdout)
    assert len(items) == 7
    item = items[0]
    assert set(item) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert item["severity"] == "major" and item["location"]["path"] == "examples/schema.prisma"
    assert item["location"]["positions"]["begin"] == {"line": 35, "column": 3}
    assert len({i["fingerprint"] for i in items}) == 7


def test_junit(tmp_path):
    clean = tmp_path / "clean.prisma"
    clean.write_text(PG + "model A {\n  id Int @id\n}\n")
    proc = run_cli("check", "--format", "junit", EXAMPLE, str(clean))
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases[EXAMPLE].find("failure") is not None
    assert "redundant-index" in cases[EXAMPLE].find("failure").text
    assert cases[str(clean)].find("failure") is None
