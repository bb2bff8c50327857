"""Configuration files, inline suppressions and unused-suppression."""

import json

import pytest
from conftest import run_cli
from helpers import PG, lint_text

SCHEMA = PG + """
model User {
  id     Int     @id
  email  String  @unique
  active Boolean
  posts  Post[]

  @@index([email])
  @@index([active])
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""


def write(tmp_path, text=SCHEMA, name="schema.prisma"):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def rules_of(proc) -> list[str]:
    return sorted(f["rule"] for f in json.loads(proc.stdout)["findings"])


def test_config_in_pyproject_found_by_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.prisma-lint]\nignore = ["boolean-index"]\n')
    p = write(tmp_path, name="prisma/schema.prisma")
    proc = run_cli("check", "--format", "json", str(p), cwd=tmp_path)
    assert rules_of(proc) == ["missing-fk-index", "redundant-index"]


@pytest.mark.parametrize("name", ["prisma-lint.toml", ".prisma-lint.toml"])
def test_config_files(tmp_path, name):
    (tmp_path / name).write_text('select = ["boolean-index"]\n[severity]\nboolean-index = "error"\n')
    p = write(tmp_path)
    proc = run_cli("check", "--format", "json", str(p), cwd=tmp_path)
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("boolean-index", "error")]
    assert proc.returncode == 1


def test_fail_on_and_per_rule_severity(tmp_path):
    (tmp_path / "prisma-lint.toml").write_text(
        'fail-on = "error"\n[rules.boolean-index]\nseverity = "info"\n'
    )
    p = write(tmp_path)
    proc = run_cli("check", "--format", "json", str(p), cwd=tmp_path)
    assert proc.returncode == 0  # only warnings and infos, fail-on error
    assert "boolean-index" in rules_of(proc)
    proc = run_cli("check", "--fail-on", "info", str(p), cwd=tmp_path)
    assert proc.returncode == 1


@pytest.mark.parametrize(
    "content,message",
    [
        ("colour = 1\n", "unknown key `colour`"),
        ('select = ["no-such-rule"]\n', "unknown rule `no-such-rule`"),
        ("[rules.boolean-index]\nmax-enum-values = 3\n", "`rules.boolean-index.max-enum-values`: unknown option"),
        ('max-enum-values = "five"\n', "`max-enum-values` must be a non-negative integer"),
        ('fail-on = "fatal"\n', "`fail-on` must be one of"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_config_errors_name_the_key_and_exit_2(tmp_path, content, message):
    (tmp_path / "prisma-lint.toml").write_text(content)
    p = write(tmp_path)
    proc = run_cli("check", str(p), cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_exclude(tmp_path):
    (tmp_path / "prisma-lint.toml").write_text('exclude = ["legacy/*"]\n')
    p = write(tmp_path, name="legacy/schema.prisma")
    proc = run_cli("check", str(p), cwd=tmp_path)
    assert proc.returncode == 0


def test_cli_select_and_ignore(tmp_path):
    p = write(tmp_path)
    assert rules_of(run_cli("check", "--format", "json", "--select", "redundant-index", str(p))) == ["redundant-index"]
    assert rules_of(run_cli("check", "--format", "json", "--ignore", "redundant-index,boolean-index", str(p))) == ["missing-fk-index"]
    proc = run_cli("check", "--select", "nope", str(p))
    assert proc.returncode == 2 and "unknown rule `nope`" in proc.stderr


# -- suppressions ------------------------------------------------------------------------------------
def test_trailing_suppression():
    text = SCHEMA.replace("@@index([active])", "@@index([active]) // prisma-lint-ignore boolean-index -- we query the rare value")
    assert "boolean-index" not in [f.rule for f in lint_text(text)]


def test_suppression_on_the_line_above():
    text = SCHEMA.replace("  @@index([email])", "  // prisma-lint-ignore redundant-index\n  @@index([email])")
    assert "redundant-index" not in [f.rule for f in lint_text(text)]


def test_file_suppression():
    text = "// prisma-lint-ignore-file missing-fk-index, boolean-index\n" + SCHEMA
    assert sorted(f.rule for f in lint_text(text)) == ["redundant-index"]


def test_npm_prisma_lint_comments():
    text = SCHEMA.replace("model Post {\n", "model Post {\n  /// prisma-lint-ignore-model\n")
    assert "missing-fk-index" not in [f.rule for f in lint_text(text)]
    text = SCHEMA.replace("model User {\n", "model User {\n  /// prisma-lint-ignore-model boolean-index\n")
    assert sorted(f.rule for f in lint_text(text)) == ["missing-fk-index", "redundant-index"]
    # a rule of the npm linter is not ours to judge: no unused-suppression
    text = SCHEMA.replace("model User {\n", "model User {\n  /// prisma-lint-ignore-model require-field-index\n")
    assert "unused-suppression" not in [f.rule for f in lint_text(text)]
    text = SCHEMA.replace("  authorId Int\n", "  /// prisma-lint-ignore-field missing-fk-index\n  authorId Int\n")
    # the field's finding is on the @relation line; the field-level comment matches by field name
    assert "missing-fk-index" not in [f.rule for f in lint_text(text)]


def test_unused_suppression_is_reported():
    text = SCHEMA.replace("@@index([email])", "@@index([email]) // prisma-lint-ignore boolean-index")
    findings = lint_text(text)
    unused = [f for f in findings if f.rule == "unused-suppression"]
    assert len(unused) == 1 and unused[0].severity == "info"
    assert "boolean-index" in unused[0].message
    assert unused[0].span.line == text.splitlines().index("  @@index([email]) // prisma-lint-ignore boolean-index") + 1


def test_suppression_with_an_unknown_rule_is_reported():
    text = SCHEMA.replace("@@index([active])", "@@index([active]) // prisma-lint-ignore boolean-indx")
    findings = lint_text(text)
    assert any(f.rule == "unused-suppression" and "unknown rule" in f.message for f in findings)
    assert "boolean-index" in [f.rule for f in findings]
