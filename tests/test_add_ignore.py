"""``check --add-ignore``: a suppression comment for every finding, to adopt the linter on an
existing schema.

* On hand-written schemas: where the comment goes (end of the line; merged into the line's own
  directive, reason kept; on a line above when the line ends with another comment), CRLF, tabs,
  a BOM and a last line without a line ending; a second run adds nothing; --diff writes nothing;
  usage errors; SQL migrations are never edited; a schema with errors is never written.
* On every corpus schema (a copy of it): afterwards prisma-lint reports nothing, and for every
  schema Prisma accepts, Prisma still accepts it and its DMMF (models, fields, documentation) is
  exactly what it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import corpus_entries, manifest_rows, prisma7_copy, run_cli
from helpers import lint_text

from prisma_lint.fix.edits import apply_edits
from prisma_lint.frontends.prisma.loader import parse_files
from prisma_lint.source import SourceFile
from prisma_lint.suppressions import ignore_edits

HEAD = 'datasource db {\n  provider = "postgresql"\n}\n\n'
SCHEMA = HEAD + """\
model User {
  id     String  @id
  email  String  @unique
  active Boolean
  posts  Post[]

  @@index([email])
  @@index([active]) // the admin filter
}

model Post {
  id       Int    @id
  authorId String
  author   User   @relation(fields: [authorId], references: [id]) // prisma-lint-ignore boolean-index -- kept on purpose
  /// the author's draft
  draftOf  String
}
"""


def add_ignores(text: str, path: str = "schema.prisma") -> str:
    findings = lint_text(text)
    schema = parse_files([SourceFile(path, text)])
    edits = ignore_edits(findings, schema.files)
    return apply_edits(schema.files[0].source.text, edits)[0]


def test_comments_go_where_the_findings_are():
    out = add_ignores(SCHEMA)
    assert "  @@index([email]) // prisma-lint-ignore redundant-index\n" in out
    # the line ends with a comment of its own: the directive goes on a line above
    assert "  // prisma-lint-ignore boolean-index\n  @@index([active]) // the admin filter\n" in out
    # the line's own directive takes the new rule id; its reason stays
    assert (
        "@relation(fields: [authorId], references: [id]) "
        "// prisma-lint-ignore boolean-index, missing-fk-index -- kept on purpose\n"
    ) in out
    # nothing left but the user's own suppression that never suppressed anything (of the
    # rules it names, boolean-index still has nothing to suppress on that line): never deleted
    (left,) = lint_text(out)
    assert left.rule == "unused-suppression" and left.message == "boolean-index in this suppression suppresses nothing"
    assert add_ignores(out) == out


def test_two_findings_on_one_line_share_one_comment():
    text = HEAD + "model A {\n  id Int @id\n  flag Boolean\n  name String\n\n  @@index([flag, name])\n  @@index([flag])\n}\n"
    on_line = sorted(f.rule for f in lint_text(text) if f.span.line == 11)
    assert on_line == ["boolean-index", "redundant-index"]
    out = add_ignores(text)
    assert "  @@index([flag]) // prisma-lint-ignore boolean-index, redundant-index\n" in out
    assert lint_text(out) == []


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("  ", "\t"), id="tabs"),
        pytest.param(lambda t: t.rstrip("\n"), id="no-final-newline"),
    ],
)
def test_layouts_are_kept(transform):
    text = transform(SCHEMA)
    out = add_ignores(text)
    assert [f.rule for f in lint_text(out)] == ["unused-suppression"]
    if "\r\n" in text:
        assert out.count("\r\n") == out.count("\n"), "a bare LF was added to a CRLF file"
    if "\t" in text:
        assert "\t// prisma-lint-ignore boolean-index\n\t@@index([active])" in out
    # only comments were added: the schema without them is the original
    assert _without_directives(out) == _without_directives(text)


def _without_directives(text: str) -> str:
    import re

    text = re.sub(r"(?m)^[ \t]*// prisma-lint-ignore [^\r\n]*\r?\n", "", text)
    text = re.sub(r" // prisma-lint-ignore [^\r\n]*", "", text)
    return re.sub(r"boolean-index, missing-fk-index", "boolean-index", text)


def write(tmp_path: Path, text: str, name: str = "schema.prisma", data: bytes | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    return path


def test_cli_adds_then_reports_nothing(tmp_path):
    path = write(tmp_path, SCHEMA, data=b"\xef\xbb\xbf" + SCHEMA.encode("utf-8"))
    proc = run_cli("check", "--add-ignore", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Added 3 prisma-lint-ignore comments." in proc.stderr
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "the BOM was lost"
    assert data.decode("utf-8-sig") == add_ignores(SCHEMA)
    again = run_cli("check", "schema.prisma", cwd=tmp_path)
    assert again.returncode == 0 and "warning" not in again.stdout  # only the user's unused one (info)
    twice = run_cli("check", "--add-ignore", "schema.prisma", cwd=tmp_path)
    assert twice.returncode == 0 and "Added 0 prisma-lint-ignore comments." in twice.stderr
    assert path.read_bytes() == data


def test_cli_diff_writes_nothing(tmp_path):
    path = write(tmp_path, SCHEMA)
    proc = run_cli("check", "--add-ignore", "--diff", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 1
    assert "+  @@index([email]) // prisma-lint-ignore redundant-index" in proc.stdout
    assert "3 prisma-lint-ignore comments would be added." in proc.stderr
    assert path.read_text(encoding="utf-8") == SCHEMA


def test_cli_honours_select(tmp_path):
    path = write(tmp_path, SCHEMA)
    proc = run_cli("check", "--add-ignore", "--select", "missing-fk-index", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = path.read_text(encoding="utf-8")
    assert out.count("prisma-lint-ignore") == 1  # only the one that was there, now with missing-fk-index
    assert "boolean-index, missing-fk-index -- kept on purpose" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (("--add-ignore", "--fix"), "--add-ignore cannot be combined with --fix"),
        (("--add-ignore", "--unsafe-fixes"), "--add-ignore cannot be combined with --fix"),
        (("--add-ignore", "--stdin-filename", "schema.prisma", "-"), "cannot read the schema from stdin"),
    ],
)
def test_cli_usage_errors(tmp_path, args, message):
    path = write(tmp_path, SCHEMA)
    proc = run_cli("check", *args, *([] if "-" in args else ["schema.prisma"]), cwd=tmp_path, input=SCHEMA)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert path.read_text(encoding="utf-8") == SCHEMA


def test_a_schema_with_errors_is_not_written(tmp_path):
    broken = SCHEMA.replace("  draftOf  String\n", "  draftOf  String @@\n")
    path = write(tmp_path, broken)
    proc = run_cli("check", "--add-ignore", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not adding ignore comments" in proc.stderr
    assert path.read_text(encoding="utf-8") == broken


def test_sql_migrations_are_never_edited(tmp_path):
    path = write(tmp_path, "CREATE INDEX idx_a ON sessions (user_id) WHERE expires_at > 'now'::timestamptz;\n", name="m.sql")
    before = path.read_bytes()
    proc = run_cli("check", "--add-ignore", "m.sql", cwd=tmp_path)
    assert proc.returncode == 1
    assert "frozen-time-literal" in proc.stdout
    assert "2 findings in SQL migrations left as they are" in proc.stderr  # and create-index-non-concurrently
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------------------------
ENTRIES = [e for e in corpus_entries()]
ACCEPTED = {n for n, row in manifest_rows().items() if row.get("prisma7_validates") == "yes"}


@pytest.fixture(scope="module")
def corpus_run(corpus, tmp_path_factory):
    base = tmp_path_factory.mktemp("add-ignore")
    before_dir = base / "before"
    after_dir = base / "after"
    names = []
    for entry in corpus:
        prisma7_copy(entry, before_dir)
        prisma7_copy(entry, after_dir)
        names.append(entry.name)
    proc = run_cli("check", "--add-ignore", "--format", "json", *names, cwd=after_dir)
    assert proc.returncode in (0, 1, 2), proc.stderr
    again = run_cli("check", "--format", "json", *names, cwd=after_dir)
    return before_dir, after_dir, names, json.loads(again.stdout)


def test_corpus_reports_nothing_after_adding_ignores(corpus_run):
    before_dir, after_dir, names, doc = corpus_run
    left = [f for f in doc["findings"]]
    # a schema with syntax errors is left unchanged (and still reports): only those may remain
    broken = {d["file"].split("/")[0] for d in doc["errors"] if d.get("severity", "error") == "error" and d.get("file")}
    assert [f for f in left if f["file"].split("/")[0] not in broken] == []
    changed = [n for n in names if _read(after_dir / n) != _read(before_dir / n)]
    assert len(changed) > 30


def _read(path: Path) -> dict:
    files = [path] if path.is_file() else sorted(path.rglob("*.prisma"))
    return {str(f.relative_to(path.parent)): f.read_bytes() for f in files}


@pytest.mark.oracle
def test_prisma_reads_the_same_schema_after_adding_ignores(corpus_run, oracle):
    before_dir, after_dir, names, _ = corpus_run
    accepted = [n for n in names if n in ACCEPTED]
    assert len(accepted) > 30
    results = oracle.validate_many([before_dir / n for n in accepted] + [after_dir / n for n in accepted])
    by_path = {str(Path(k)): v for k, v in results.items()}
    for n in accepted:
        before, after = by_path[str(before_dir / n)], by_path[str(after_dir / n)]
        assert before["ok"], n
        assert after["ok"], (n, [e.get("message", "")[:300] for e in after.get("errors", [])])
        assert after["dmmf"] == before["dmmf"], f"{n}: Prisma reads the schema differently after the comments"
