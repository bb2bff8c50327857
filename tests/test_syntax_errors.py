"""Syntax errors: clear messages at the right place, exit code 2, never a traceback, and one
broken declaration never hides the rest of the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, need, run_cli

from prisma_lint.config import Config
from prisma_lint.emit.graph import graph_json
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import LoadedSchema, load_schema, parse_files
from prisma_lint.frontends.prisma.parser import parse_text
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile

REGISTRY = load_registry()
EXPECTED_FOUND = re.compile(r"(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): error: expected (?P<what>.+), found (?P<found>.+)")

PG = 'datasource db {\n  provider = "postgresql"\n}\n\n'


def errors_of(text: str, path: str = "schema.prisma") -> list[str]:
    """Every error (parser and model builder) rendered as ``path:line:col: error: message``."""
    schema = parse_files([SourceFile(path, text)])
    return [d.render() for d in schema.all_diagnostics() if d.severity == "error"]


def loaded_of(text: str, path: str = "schema.prisma") -> LoadedSchema:
    return LoadedSchema(parse_files([SourceFile(path, text)]), path)


def check(tmp_path: Path, text: str | bytes, *args: str, name: str = "schema.prisma"):
    target = tmp_path / name
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8", newline="")
    proc = run_cli("check", name, *args, cwd=tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    return proc


# ---------------------------------------------------------------------------------------------
# the message format
# ---------------------------------------------------------------------------------------------
# (schema text, 1-based line, column, what was expected (a fragment), what was found)
EXPECTED_FOUND_CASES = [
    pytest.param("model A {\n  id Int @id\n  name String @default(\n}\n", 3, 24, "`)`", "the end of the line", id="unclosed-parens"),
    pytest.param("model A {\n  id Int @id @default(autoincrement(\n}\n", 2, 37, "`)`", "the end of the line", id="unclosed-call"),
    pytest.param("model {\n  id Int @id\n}\n", 1, 7, "a name", "`{`", id="model-without-name"),
    pytest.param("model A {\n  id Int @id )\n}\n", 2, 14, "a line break", "`)`", id="stray-paren"),
    pytest.param("enum E {\n  A\n  B C\n}\n", 3, 5, "a line break", "`C`", id="two-enum-values-on-a-line"),
    pytest.param('datasource db {\n  provider "postgresql"\n}\n', 2, 12, "`=`", 'string "postgresql"', id="property-without-equals"),
    pytest.param("model A {\n  id Int @id\n  @@index([id,\n  id])\n}\n", 3, 15, "`]`", "the end of the line", id="arguments-across-lines"),
    pytest.param("model A {\n  id Int @id @default(now() now())\n}\n", 2, 29, "`)`", "`now`", id="missing-comma"),
    pytest.param("model A {\n  id Int @relation(fields: [a b])\n}\n", 2, 31, "`]`", "`b`", id="missing-comma-in-list"),
    pytest.param("model A {\n  id Int? ?\n}\n", 2, 11, "a line break", "`?`", id="double-question-mark"),
]


@pytest.mark.parametrize("text,line,col,expected,found", EXPECTED_FOUND_CASES)
def test_expected_found_message_through_the_api(text, line, col, expected, found):
    parsed = parse_text(text)
    assert parsed.diagnostics, "no syntax error reported"
    first = parsed.diagnostics[0]
    m = EXPECTED_FOUND.fullmatch(first.render())
    assert m, first.render()
    assert m["path"] == "schema.prisma"
    assert (int(m["line"]), int(m["col"])) == (line, col), first.render()
    assert (first.span.line, first.span.column) == (line, col)
    assert expected in m["what"], first.render()
    assert m["found"] == found, first.render()
    assert first.severity == "error" and first.code == "syntax-error"


@pytest.mark.parametrize("text,line,col,expected,found", EXPECTED_FOUND_CASES)
def test_expected_found_message_through_the_cli(tmp_path, text, line, col, expected, found):
    proc = check(tmp_path, text)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    lines = [m for m in (EXPECTED_FOUND.fullmatch(x) for x in out.splitlines()) if m]
    assert lines, out
    assert (lines[0]["path"], int(lines[0]["line"]), int(lines[0]["col"])) == ("schema.prisma", line, col), out
    assert lines[0]["found"] == found
    # the text output shows the line and a caret under the error
    source_line = text.splitlines()[line - 1]
    assert f"{line} | {source_line}" in out
    assert re.search(rf"\|\s{{{col}}}\^", out), out


def test_json_output_lists_syntax_errors(tmp_path):
    proc = check(tmp_path, PG + "model A {\n  id Int @id @default(\n}\n", "--format", "json")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    (err,) = report["errors"]
    assert err["code"] == "syntax-error" and err["severity"] == "error"
    assert (err["file"], err["line"], err["column"]) == ("schema.prisma", 6, 23)
    assert err["message"].startswith("expected ") and ", found the end of the line" in err["message"]
    assert report["summary"]["errors"] == 1


def test_errors_come_in_file_order_one_per_line(tmp_path):
    text = "model A {\n  id Int @id\n  a Int @default(\n  b Int )\n  c Int\n}\nstray\nmodel B {\n  id Int @id #\n}\n"
    parsed = parse_text(text)
    lines = [d.span.line for d in parsed.diagnostics]
    assert lines == sorted(lines) == [3, 4, 7, 9]
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    reported = [int(m[1]) for m in re.finditer(r"^schema\.prisma:(\d+):\d+: error: ", proc.stdout, re.M)]
    assert reported == [3, 4, 7, 9]
    assert "4 errors in the input." in proc.stdout


# ---------------------------------------------------------------------------------------------
# recovery: a broken declaration does not hide the rest
# ---------------------------------------------------------------------------------------------
RECOVERY = PG + """model User {
  id    Int    @id
  posts Post[]
}

model Broken {
  id    Int    @id
  name  String @default("x" "y")
  age   Int
  ??? what
  email String @unique
}

model Post {
  id     Int  @id
  userId Int
  user   User @relation(fields: [userId], references: [id])
}

enum Role {
  ADMIN
  USER
}
"""


def test_one_broken_model_does_not_hide_the_others():
    loaded = loaded_of(RECOVERY)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    assert [(d.span.line, d.code) for d in errors] == [(12, "syntax-error"), (14, "syntax-error")]
    schema = loaded.schema
    assert list(schema.models) == ["User", "Broken", "Post"]
    assert list(schema.models["Broken"].fields) == ["id", "age", "email"]  # only the broken lines dropped
    assert list(schema.enums) == ["Role"]
    graph = graph_json(schema)
    assert [m["name"] for m in graph["models"]] == ["User", "Broken", "Post"]
    assert [(r["model"], r["target"]) for r in graph["relations"]] == [("Post", "User")]
    # the model after the broken one is still linted
    result = lint(loaded, REGISTRY, Config(), ["missing-fk-index"])
    assert [(f.rule, f.model, f.fields) for f in result.findings] == [("missing-fk-index", "Post", ["userId"])]


def test_one_broken_model_through_the_cli(tmp_path):
    proc = check(tmp_path, RECOVERY, "--format", "json")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(12, "syntax-error"), (14, "syntax-error")]
    assert [(f["rule"], f["model"]) for f in report["findings"]] == [("missing-fk-index", "Post")]
    proc = check(tmp_path, RECOVERY)
    assert proc.returncode == 2
    assert "schema.prisma:12:" in proc.stdout and "schema.prisma:14:3: error: " in proc.stdout
    assert "[missing-fk-index]" in proc.stdout
    # graph refuses a schema with errors, saying why
    graph = run_cli("graph", "schema.prisma", cwd=tmp_path)
    assert graph.returncode == 2 and "Traceback" not in graph.stderr
    assert "schema.prisma:12:" in graph.stderr


def test_unclosed_model_followed_by_another_model(tmp_path):
    text = "model A {\n  id   Int @id\n  name String\n\nmodel B {\n  id Int @id\n  a  Int\n}\n"
    parsed = parse_text(text)
    assert [b.name for b in parsed.blocks] == ["A", "B"]
    assert [f.name for f in parsed.blocks[0].fields] == ["id", "name"]
    assert [f.name for f in parsed.blocks[1].fields] == ["id", "a"]
    (d,) = parsed.diagnostics
    assert d.render() == "schema.prisma:3:14: error: expected `}` to close model A"
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    assert "schema.prisma:3:14: error: expected `}` to close model A" in proc.stdout
    assert "1 error in the input." in proc.stdout


def test_unclosed_enum_followed_by_a_model():
    text = "enum Role {\n  ADMIN\n  USER\nmodel B {\n  id   Int  @id\n  role Role\n}\n"
    loaded = loaded_of(text)
    assert [d.render() for d in loaded.diagnostics] == ["schema.prisma:3:7: error: expected `}` to close enum Role"]
    assert [v.name for v in loaded.schema.enums["Role"].values] == ["ADMIN", "USER"]
    assert loaded.schema.models["B"].fields["role"].kind == "enum"


def test_unclosed_model_at_the_end_of_the_file(tmp_path):
    text = "model A {\n  id Int @id\n  x  Int"
    parsed = parse_text(text)
    (d,) = parsed.diagnostics
    assert d.render() == "schema.prisma:3:9: error: expected `}` to close model A"
    assert [f.name for f in parsed.blocks[0].fields] == ["id", "x"]
    assert check(tmp_path, text).returncode == 2


def test_model_without_a_brace():
    """`model A` with no `{`: one error, saying a `{` was expected (not that a `}` is missing)."""
    text = "model A\nmodel B {\n  id Int @id\n}\n"
    parsed = parse_text(text)
    assert [b.name for b in parsed.blocks] == ["B"]
    rendered = [d.render() for d in parsed.diagnostics]
    assert len(rendered) == 1, rendered
    assert rendered[0].startswith("schema.prisma:1:8: error: expected `{`"), rendered


def test_block_keywords_inside_a_block_are_field_names():
    text = PG + "model A {\n  id    Int    @id\n  type  String\n  model String\n  enum  String\n  view  String\n}\n"
    loaded = loaded_of(text)
    assert [d.render() for d in loaded.diagnostics] == []
    assert list(loaded.schema.models["A"].fields) == ["id", "type", "model", "enum", "view"]


# ---------------------------------------------------------------------------------------------
# lexical errors
# ---------------------------------------------------------------------------------------------
def test_unterminated_string(tmp_path):
    text = 'model A {\n  id   Int    @id\n  name String @default("abc)\n  x    Int\n}\n'
    parsed = parse_text(text)
    (d,) = parsed.diagnostics
    assert d.render() == 'schema.prisma:3:24: error: unterminated string: expected a closing `"` on the same line'
    assert d.span.text.startswith('"abc)')
    assert [f.name for f in parsed.blocks[0].fields] == ["id", "x"]  # the next line is still read
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    assert "schema.prisma:3:24: error: unterminated string" in proc.stdout


def test_unterminated_block_comment(tmp_path):
    text = "model A {\n  id Int @id\n}\n/* never closed\nmodel B {\n  id Int @id\n}\n"
    parsed = parse_text(text)
    assert [b.name for b in parsed.blocks] == ["A"]
    (d,) = parsed.diagnostics
    assert d.render() == "schema.prisma:4:1: error: unterminated block comment: expected `*/`"
    assert check(tmp_path, text).returncode == 2


def test_stray_text_at_the_top_level(tmp_path):
    text = "hello world\nmodel A {\n  id Int @id\n}\nfoo bar\nbaz\nmodel B {\n  id Int @id\n}\n"
    parsed = parse_text(text)
    assert [b.name for b in parsed.blocks] == ["A", "B"]
    rendered = [d.render() for d in parsed.diagnostics]
    prefix = "error: expected a block (`model`, `enum`, `view`, `type`, `datasource` or `generator`), found"
    assert rendered == [
        f"schema.prisma:1:1: {prefix} `hello`",
        f"schema.prisma:5:1: {prefix} `foo` (and 1 more line of it)",
    ]
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    assert f"schema.prisma:5:1: {prefix} `foo`" in proc.stdout


def test_text_after_the_closing_brace():
    text = "model A {\n  id Int @id\n} extra\nmodel B {\n  id Int @id\n}\n"
    parsed = parse_text(text)
    assert [b.name for b in parsed.blocks] == ["A", "B"]
    (d,) = parsed.diagnostics
    assert (d.span.line, d.span.column) == (3, 3)
    assert "found `extra`" in d.message


@pytest.mark.parametrize(
    "line,col,message",
    [
        ("  id Int @", 10, "expected an attribute name after `@`"),
        ("  id Int @id @ @unique", 14, "expected an attribute name after `@`"),
        ("  @@", 3, "expected an attribute name after `@@`"),
        ("  @@ index([id])", 3, "expected an attribute name after `@@`"),
        ("  id Int #", 10, "unexpected character '#'"),
        ("  id Int @id %", 14, "unexpected character '%'"),
        ("  id Int @id ¿", 14, "unexpected character '¿'"),
    ],
)
def test_lone_at_and_stray_characters(tmp_path, line, col, message):
    text = f"model A {{\n{line}\n  ok Int\n}}\n"
    parsed = parse_text(text)
    (d,) = parsed.diagnostics
    assert d.render() == f"schema.prisma:2:{col}: error: {message}"
    assert [f.name for f in parsed.blocks[0].fields] == ["ok"]
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    assert f"schema.prisma:2:{col}: error: {message}" in proc.stdout


# ---------------------------------------------------------------------------------------------
# legacy syntax: parsed, then reported with the fix
# ---------------------------------------------------------------------------------------------
LEGACY = [
    pytest.param("  name String!", (4, 8), "legacy syntax `String!`: fields are required by default, remove the `!`", id="bang"),
    pytest.param("  tags [String]", (4, 8), "legacy syntax `[String]`: write `String[]`", id="brackets"),
    pytest.param("  name: String", (4, 7), "legacy syntax: remove the `:` after `name` (write `name Type`)", id="colon"),
    pytest.param("  tags String[]?", (4, 8), "`String[]?`: a list cannot be optional, write `String[]`", id="optional-list"),
]


@pytest.mark.parametrize("line,position,message", LEGACY)
def test_legacy_forms_are_errors_that_name_the_fix(tmp_path, line, position, message):
    text = f"model A {{\n  id Int @id\n\n{line}\n}}\n"
    parsed = parse_text(text)
    assert parsed.diagnostics == []  # the parser accepts the old form...
    errors = errors_of(text)  # ...and the model builder reports it
    assert errors == [f"schema.prisma:{position[0]}:{position[1]}: error: {message}"]
    proc = check(tmp_path, text)
    assert proc.returncode == 2
    assert f"schema.prisma:{position[0]}:{position[1]}: error: {message}" in proc.stdout


def test_legacy_type_alias(tmp_path):
    text = "type Email = String @db.VarChar(200)\n\nmodel A {\n  id Int @id\n}\n"
    errors = errors_of(text)
    assert len(errors) == 1
    assert errors[0].startswith("schema.prisma:1:1: error: type aliases are not supported")
    assert "replace `type Email = ...`" in errors[0]
    proc = check(tmp_path, text)
    assert proc.returncode == 2 and "type aliases are not supported" in proc.stdout


def test_all_legacy_forms_in_one_model_each_reported():
    text = "model A {\n  id: Int! @id\n  tags [String]\n  more String[]?\n}\n"
    errors = errors_of(text)
    assert errors == [
        "schema.prisma:2:5: error: legacy syntax: remove the `:` after `id` (write `id Type`)",
        "schema.prisma:2:7: error: legacy syntax `Int!`: fields are required by default, remove the `!`",
        "schema.prisma:3:8: error: legacy syntax `[String]`: write `String[]`",
        "schema.prisma:4:8: error: `String[]?`: a list cannot be optional, write `String[]`",
    ]


# ---------------------------------------------------------------------------------------------
# files that are not text, or have nothing in them
# ---------------------------------------------------------------------------------------------
def test_non_utf8_file(tmp_path):
    data = b'model A {\n  id   Int    @id\n  name String @default("caf\xe9")\n}\n'  # Latin-1
    proc = check(tmp_path, data)
    assert proc.returncode == 2
    out = proc.stdout + proc.stderr
    assert "schema.prisma" in out and "not valid UTF-8" in out and "0xe9" in out
    loaded = load_schema(tmp_path / "schema.prisma")
    assert loaded.has_errors
    (d,) = loaded.read_errors
    assert d.code == "io-error" and "not valid UTF-8" in d.message
    json_proc = check(tmp_path, data, "--format", "json")
    assert json_proc.returncode == 2
    (err,) = json.loads(json_proc.stdout)["errors"]
    assert err["file"] == "schema.prisma" and "not valid UTF-8" in err["message"]


def test_non_utf8_file_in_a_folder_does_not_hide_the_other_files(tmp_path):
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "a.prisma").write_text(PG + "model A {\n  id Int @id\n}\n", encoding="utf-8")
    (folder / "b.prisma").write_bytes(b"model B {\n  id Int @id \xff\n}\n")
    loaded = load_schema(folder)
    assert list(loaded.schema.models) == ["A"]
    assert [d.code for d in loaded.diagnostics] == ["io-error"]
    proc = run_cli("check", "schema", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "b.prisma" in proc.stdout and "not valid UTF-8" in proc.stdout


# Where the bad byte is, in the same line:column terms as every other diagnostic: columns in
# characters, lines ended by LF, CRLF or a lone CR, the BOM not a column.
NON_UTF8_POSITIONS = [
    pytest.param(b'model A {\n  id Int @id\n  name String @default("\xff")\n}\n', (3, 25), id="ascii"),
    pytest.param(b'model A {\r\n  id Int @id\r\n  name String @default("\xff")\r\n}\r\n', (3, 25), id="crlf"),
    pytest.param('model A {\n  id Int @id\n  naïve String @default("'.encode() + b'\xff")\n}\n', (3, 26), id="non-ascii-before"),
    pytest.param(b'model A {\r  id Int @id\r  name String @default("\xff")\r}\r', (3, 25), id="lone-cr"),
    pytest.param(b"\xef\xbb\xbfmodel A\xff {\n  id Int @id\n}\n", (1, 8), id="bom"),
]


@pytest.mark.parametrize("data,position", NON_UTF8_POSITIONS)
def test_non_utf8_position_is_in_characters(tmp_path, data, position):
    proc = check(tmp_path, data)
    assert proc.returncode == 2
    line, col = position
    assert f"schema.prisma:{line}:{col}" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("\n\n   \n\t\n", id="blank"),
        pytest.param("\ufeff", id="only-bom"),
        pytest.param("// a comment\n/* a block\n   comment */\n/// a doc comment with nothing after it\n", id="comments"),
        pytest.param("// one\r\n// two\r\n", id="comments-crlf"),
        pytest.param("// no line break at the end", id="comment-no-newline"),
    ],
)
def test_empty_and_comment_only_files_are_fine(tmp_path, text):
    parsed = parse_text(text)
    assert parsed.diagnostics == [] and parsed.blocks == []
    assert errors_of(text) == []
    proc = check(tmp_path, text.encode("utf-8"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stdout + proc.stderr
    assert "All checks passed." in proc.stdout
    graph = run_cli("graph", "schema.prisma", cwd=tmp_path)
    assert graph.returncode == 0 and json.loads(graph.stdout)["models"] == []


# ---------------------------------------------------------------------------------------------
# a file in another dialect (prisma-next's contract language)
# ---------------------------------------------------------------------------------------------
CONTRACT = CORPUS / "prisma__prisma__packages__3-extensions__supabase__src__contract__contract.prisma"


@pytest.fixture
def contract(corpus) -> Path:
    need(CONTRACT in corpus, "contract.prisma in the corpus")
    return CONTRACT


def test_contract_prisma_is_reported_not_crashed_on(contract):
    loaded = load_schema(contract)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    assert errors
    first = errors[0].render()
    assert first.startswith(f"{contract}:4:1: error: expected a block"), first
    assert "found `types`" in first
    for d in errors:
        assert d.span is not None and 0 <= d.span.start <= d.span.end <= len(d.span.file.text)
    graph_json(loaded.schema)  # what did parse can still be exported
    lint(loaded, REGISTRY, Config())


def test_contract_prisma_through_the_cli(contract):
    proc = run_cli("check", str(contract))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{contract}:4:1: error: expected a block" in proc.stdout
    proc = run_cli("check", str(contract), "--format", "json")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert report["errors"] and report["summary"]["errors"] == len(report["errors"])
    proc = run_cli("graph", str(contract))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------------------------
# strings whose escapes are not text
# ---------------------------------------------------------------------------------------------
SURROGATES = [
    pytest.param(r'"\ud800"', id="lone-high-surrogate"),
    pytest.param(r'"ab\udc2d"', id="lone-low-surrogate"),
    pytest.param(r'"\udada\u0041"', id="high-surrogate-then-letter"),
]


def surrogate_schema(literal: str) -> str:
    return PG + f"model A {{\n  id Int @id @map({literal})\n  b  Int @default(0)\n\n  @@index([b], map: {literal})\n}}\n"


@pytest.mark.parametrize("literal", SURROGATES)
def test_lone_surrogate_escape_does_not_crash_the_rules(tmp_path, literal):
    """`\\ud800` escapes no character: it must be reported where it is (or kept as written),
    never crash a rule."""
    text = surrogate_schema(literal)
    loaded = loaded_of(text)
    result = lint(loaded, REGISTRY, Config())
    assert [d.message for d in result.diagnostics if d.code == "rule-crash"] == []
    for d in result.diagnostics:
        assert d.span is not None, d.message
    proc = check(tmp_path, text, "--format", "json")
    json.loads(proc.stdout)
    assert proc.returncode in (0, 1, 2)


@pytest.mark.parametrize("literal", SURROGATES)
def test_lone_surrogate_escape_does_not_crash_the_graph_output(tmp_path, literal):
    text = surrogate_schema(literal)
    (tmp_path / "schema.prisma").write_text(text, encoding="utf-8")
    graph = run_cli("graph", "schema.prisma", cwd=tmp_path)
    assert "Traceback" not in graph.stdout + graph.stderr, graph.stderr[-3000:]
    assert "internal error" not in graph.stderr, graph.stderr[-3000:]
    assert graph.returncode in (0, 2)
