"""Positions are exact whatever the file looks like.

One schema is written with LF, CRLF, lone CR and mixed line endings, with and without a UTF-8
byte order mark, and with tabs instead of spaces. It has non-ASCII identifiers (``Café``,
``naïve``, ``Ñandú``), strings (with a character outside the BMP) and comments (Japanese).
Every variant must give the same graph, and every position must be right:

* lines and columns are 1-based and counted in characters (a tab is one column, the BOM none);
* ``start_byte`` / ``end_byte`` are offsets in the bytes of the file (the BOM counted);
* a syntax error's ``line:col`` points at the offending character.

Expected positions are computed here from the list of lines the file was written from, not
with prisma_lint's own line index.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli

from prisma_lint.config import Config
from prisma_lint.emit.graph import graph_json
from prisma_lint.engine import lint
from prisma_lint.fix.edits import apply_edits
from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.frontends.prisma.parser import parse_source
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile

REGISTRY = load_registry()
BOM = b"\xef\xbb\xbf"

# fmt: off
LINES = [
    "// prisma-lint: positions",                                                            # 1
    "datasource db {",                                                                      # 2
    '  provider = "postgresql"',                                                            # 3
    '  url      = env("DATABASE_URL")',                                                     # 4
    "}",                                                                                    # 5
    "",                                                                                     # 6
    "/// 日本語のドキュメント：カフェ",                                                     # 7
    "model Café {",                                                                         # 8
    "  id    Int    @id @default(autoincrement())",                                        # 9
    '  naïve String @default("héllo wörld 🎉") /* 注釈 */',                                # 10
    "  posts Post[]",                                                                       # 11
    "  notes Note[]",                                                                       # 12
    "",                                                                                     # 13
    '  @@map("cafés")',                                                                     # 14
    "}",                                                                                    # 15
    "",                                                                                     # 16
    "/* 複数行の",                                                                          # 17
    "   コメント */",                                                                       # 18
    "model Post {",                                                                         # 19
    "  id     Int    @id",                                                                  # 20
    '  título String @default("ça") @db.VarChar(255) // ça va',                            # 21
    "  cafeId Int",                                                                         # 22
    "  cafe   Café   @relation(fields: [cafeId], references: [id], onDelete: Cascade)",   # 23
    "",                                                                                     # 24
    "  @@index([cafeId, título(sort: Desc)])",                                              # 25
    "}",                                                                                    # 26
    "",                                                                                     # 27
    "model Note {",                                                                         # 28
    "  id     Int  @id",                                                                    # 29
    "  cafeId Int",                                                                         # 30
    "  café   Café @relation(fields: [cafeId], references: [id])",                         # 31
    "}",                                                                                    # 32
    "",                                                                                     # 33
    "  enum Ñandú {",                                                                       # 34
    '    ÉTÉ  @map("été")',                                                                 # 35
    "    HIVER",                                                                            # 36
    "  }",                                                                                  # 37
]
# fmt: on


def tabs(line: str) -> str:
    """Indentation (two spaces) and alignment runs of spaces become tabs."""
    stripped = line.lstrip(" ")
    lead = len(line) - len(stripped)
    return "\t" * (lead // 2) + " " * (lead % 2) + re.sub(r" {2,}", "\t", stripped)


class Variant:
    def __init__(self, name: str, endings, bom: bool = False, transform: Callable[[str], str] = lambda s: s):
        self.name = name
        self.endings = endings  # one ending, or a list cycled over the lines
        self.bom = bom
        self.transform = transform

    def lines(self, base: list[str] = LINES) -> list[str]:
        return [self.transform(line) for line in base]

    def ending(self, i: int) -> str:
        return self.endings if isinstance(self.endings, str) else self.endings[i % len(self.endings)]

    def text(self, base: list[str] = LINES) -> str:
        return "".join(line + self.ending(i) for i, line in enumerate(self.lines(base)))

    def data(self, base: list[str] = LINES) -> bytes:
        return (BOM if self.bom else b"") + self.text(base).encode("utf-8")

    def byte_offset(self, line_no: int, col: int, base: list[str] = LINES) -> int:
        """Byte offset in the file of 1-based (line, column), computed from the lines."""
        lines = self.lines(base)
        before = "".join(lines[i] + self.ending(i) for i in range(line_no - 1))
        return (3 if self.bom else 0) + len((before + lines[line_no - 1][: col - 1]).encode("utf-8"))

    def __repr__(self) -> str:
        return self.name


VARIANTS = [
    Variant("lf", "\n"),
    Variant("crlf", "\r\n"),
    Variant("cr", "\r"),
    Variant("mixed", ["\r\n", "\n", "\r"]),  # never "\r" then "\n" (that is one CRLF)
    Variant("bom-lf", "\n", bom=True),
    Variant("bom-crlf", "\r\n", bom=True),
    Variant("bom-cr", "\r", bom=True),
    Variant("tabs", "\n", transform=tabs),
    Variant("tabs-bom-crlf", "\r\n", bom=True, transform=tabs),
]
IDS = [v.name for v in VARIANTS]


def write(tmp_path: Path, variant: Variant, base: list[str] = LINES, name: str | None = None) -> Path:
    path = tmp_path / (name or f"{variant.name}.prisma")
    path.write_bytes(variant.data(base))
    return path


def strip_locations(obj):
    """The graph without where things are (``location``, ``files``)."""
    if isinstance(obj, dict):
        return {k: strip_locations(v) for k, v in obj.items() if k not in ("location", "files")}
    if isinstance(obj, list):
        return [strip_locations(x) for x in obj]
    return obj


def block(schema_file, name):
    return next(b for b in schema_file.blocks if b.name == name)


def field(schema_file, model, name):
    return next(f for f in block(schema_file, model).fields if f.name == name)


def attr(node, name):
    return next(a for a in node.attributes if a.name == name)


# (1-based line, the text the node covers, how to find the node in a parsed file, whole):
# ``whole`` False when the marker is only the start of the node's text (a block).
MARKERS = [
    (8, "model Café {", lambda f: block(f, "Café").span, False),
    (8, "Café", lambda f: block(f, "Café").name_span, True),
    (10, "naïve", lambda f: field(f, "Café", "naïve").name_span, True),
    (10, '"héllo wörld 🎉"', lambda f: attr(field(f, "Café", "naïve"), "default").args[0].value.span, True),
    (10, '@default("héllo wörld 🎉")', lambda f: attr(field(f, "Café", "naïve"), "default").span, True),
    (10, "/* 注釈 */", lambda f: next(c for c in f.comments if "注釈" in c.text).span, True),
    (14, '@@map("cafés")', lambda f: attr(block(f, "Café"), "map").span, True),
    (15, "}", lambda f: block(f, "Café").close_span, True),
    (19, "model Post {", lambda f: block(f, "Post").span, False),
    (21, "título", lambda f: field(f, "Post", "título").name_span, True),
    (21, "String", lambda f: field(f, "Post", "título").type.span, True),
    (21, "@db.VarChar(255)", lambda f: attr(field(f, "Post", "título"), "db.VarChar").span, True),
    (21, "255", lambda f: attr(field(f, "Post", "título"), "db.VarChar").args[0].value.span, True),
    (21, "// ça va", lambda f: next(c for c in f.comments if c.text == "ça va").span, True),
    (23, "Café", lambda f: field(f, "Post", "cafe").type.span, True),
    (23, "Cascade", lambda f: attr(field(f, "Post", "cafe"), "relation").arg("onDelete").span, True),
    (25, "@@index([cafeId, título(sort: Desc)])", lambda f: attr(block(f, "Post"), "index").span, True),
    (25, "título(sort: Desc)", lambda f: attr(block(f, "Post"), "index").args[0].value.items[1].span, True),
    (25, "Desc", lambda f: attr(block(f, "Post"), "index").args[0].value.items[1].args[0].value.span, True),
    (31, "café", lambda f: field(f, "Note", "café").name_span, True),
    (31, "@relation(fields: [cafeId], references: [id])", lambda f: attr(field(f, "Note", "café"), "relation").span, True),
    (34, "enum Ñandú {", lambda f: block(f, "Ñandú").span, False),
    (34, "Ñandú", lambda f: block(f, "Ñandú").name_span, True),
    (35, "ÉTÉ", lambda f: block(f, "Ñandú").values[0].name_span, True),
    (35, '"été"', lambda f: block(f, "Ñandú").values[0].attributes[0].args[0].value.span, True),
    (36, "HIVER", lambda f: block(f, "Ñandú").values[1].name_span, True),
    (37, "}", lambda f: block(f, "Ñandú").close_span, True),
]


@pytest.fixture(scope="module")
def reference_graph(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("ref"), VARIANTS[0])
    loaded = load_schema(path)
    assert [d.render() for d in loaded.diagnostics] == []
    return strip_locations(graph_json(loaded.schema))


def test_the_reference_graph_has_the_non_ascii_names(reference_graph):
    models = {m["name"]: m for m in reference_graph["models"]}
    assert list(models) == ["Café", "Post", "Note"]
    assert models["Café"]["db_name"] == "cafés"
    assert models["Café"]["documentation"] == "日本語のドキュメント：カフェ"
    assert [f["name"] for f in models["Café"]["fields"]] == ["id", "naïve", "posts", "notes"]
    assert models["Café"]["fields"][1]["default"] == '"héllo wörld 🎉"'
    assert models["Post"]["fields"][1]["native_type"] == "VarChar(255)"
    assert reference_graph["enums"] == [
        {"name": "Ñandú", "db_name": "Ñandú", "values": [{"name": "ÉTÉ", "db_name": "été"}, {"name": "HIVER", "db_name": "HIVER"}], "schema": None}
    ]
    index = models["Post"]["indexes"][-1]
    assert index["fields"] == ["cafeId", "título"] and index["sort"] == [None, "Desc"]


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_same_graph_in_every_variant(variant, tmp_path, reference_graph):
    loaded = load_schema(write(tmp_path, variant))
    assert [d.render() for d in loaded.diagnostics] == []
    assert loaded.schema.files[0].source.bom == variant.bom
    assert strip_locations(graph_json(loaded.schema)) == reference_graph


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_line_index_of_every_line(variant):
    src = SourceFile.from_bytes("schema.prisma", variant.data())
    lines = variant.lines()
    assert src.text == variant.text()  # the BOM is not part of the text
    assert src.line_count == len(lines) + 1  # the file ends with a line break
    for i, line in enumerate(lines, start=1):
        assert src.line_text(i) == line
        start = src.offset(i, 1)
        assert src.position(start) == (i, 1)
        assert src.position(start + len(line)) == (i, len(line) + 1)
        assert src.byte_offset(start) == variant.byte_offset(i, 1)


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_node_positions(variant, tmp_path):
    loaded = load_schema(write(tmp_path, variant))
    schema_file = loaded.schema.files[0]
    lines = variant.lines()
    data = variant.data()
    for line_no, marker, get, whole in MARKERS:
        line = lines[line_no - 1]
        assert line.count(marker) == 1, (line, marker)
        expected_col = line.index(marker) + 1
        span = get(schema_file)
        where = f"{variant.name}: {marker!r}"
        assert (span.line, span.column) == (line_no, expected_col), where
        assert span.start_byte == variant.byte_offset(line_no, expected_col), where
        assert data[span.start_byte :].startswith(marker.encode("utf-8")), where
        if whole:
            assert span.text == marker, where
            assert (span.end_line, span.end_column) == (line_no, expected_col + len(marker)), where
            assert span.end_byte == span.start_byte + len(marker.encode("utf-8")), where
            assert data[span.start_byte : span.end_byte].decode("utf-8") == marker, where


def test_known_columns_in_the_plain_file():
    """A few positions written out, so that the computed expectations are checked too."""
    schema_file = parse_source(SourceFile.from_bytes("schema.prisma", VARIANTS[0].data()))
    naive = field(schema_file, "Café", "naïve")
    assert (naive.name_span.line, naive.name_span.column, naive.name_span.end_column) == (10, 3, 8)
    comment = next(c for c in schema_file.comments if "注釈" in c.text).span
    # `  naïve String @default("héllo wörld 🎉") ` is 41 characters (the emoji is one)
    assert (comment.line, comment.column) == (10, 42)
    assert comment.start_byte - VARIANTS[0].byte_offset(10, 1) == len('  naïve String @default("héllo wörld 🎉") '.encode())
    enum = block(schema_file, "Ñandú")
    assert (enum.span.line, enum.span.column, enum.name_span.column) == (34, 3, 8)
    multi = next(c for c in schema_file.comments if "複数行" in c.text).span
    assert (multi.line, multi.column, multi.end_line, multi.end_column) == (17, 1, 18, 11)

    bom_tabs = parse_source(SourceFile.from_bytes("schema.prisma", VARIANTS[-1].data()))
    naive = field(bom_tabs, "Café", "naïve")
    assert (naive.name_span.line, naive.name_span.column) == (10, 2)  # one tab, one column
    assert naive.name_span.start_byte == VARIANTS[-1].byte_offset(10, 2)
    cafe = block(bom_tabs, "Café")
    assert cafe.doc == "日本語のドキュメント：カフェ"
    first = bom_tabs.comments[0].span
    assert (first.line, first.column, first.start_byte) == (1, 1, 3)  # the BOM is no column, but 3 bytes


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_multiline_comment_span(variant):
    src = SourceFile.from_bytes("schema.prisma", variant.data())
    schema_file = parse_source(src)
    span = next(c for c in schema_file.comments if "複数行" in c.text).span
    lines = variant.lines()
    assert (span.line, span.column) == (17, 1)
    assert (span.end_line, span.end_column) == (18, len(lines[17]) + 1)
    assert span.text == lines[16] + variant.ending(16) + lines[17]


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_graph_locations(variant, tmp_path):
    loaded = load_schema(write(tmp_path, variant))
    graph = graph_json(loaded.schema)
    lines = variant.lines()
    models = {m["name"]: m for m in graph["models"]}
    path = str(tmp_path / f"{variant.name}.prisma")
    assert models["Café"]["location"] == {"file": path, "line": 8, "column": 1}
    assert models["Post"]["location"] == {"file": path, "line": 19, "column": 1}
    assert models["Note"]["location"] == {"file": path, "line": 28, "column": 1}
    index = next(i for i in models["Post"]["indexes"] if not i["on_field"])
    assert index["location"] == {"file": path, "line": 25, "column": lines[24].index("@@index") + 1}
    pk = next(i for i in models["Post"]["indexes"] if i["kind"] == "id")
    assert pk["location"]["line"] == 20 and pk["location"]["column"] == lines[19].index("@id") + 1


# ---------------------------------------------------------------------------------------------
# syntax errors point at the right character
# ---------------------------------------------------------------------------------------------
BROKEN = list(LINES)
BROKEN[9] = '  naïve String @default("héllo wörld 🎉") )'  # a stray `)` after the emoji string
BROKEN_AT_TOP = ["oops"] + LINES[1:]  # stray text on line 1 (after the BOM, if any)


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_syntax_error_position(variant, tmp_path):
    path = write(tmp_path, variant, BROKEN)
    lines = variant.lines(BROKEN)
    col = len(lines[9])  # the last character of line 10
    assert lines[9][col - 1] == ")"
    loaded = load_schema(path)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    assert len(errors) == 1, [d.render() for d in errors]
    d = errors[0]
    assert (d.span.line, d.span.column) == (10, col)
    assert d.span.start_byte == variant.byte_offset(10, col, BROKEN)
    assert variant.data(BROKEN)[d.span.start_byte : d.span.start_byte + 1] == b")"
    assert re.fullmatch(rf"{re.escape(str(path))}:10:{col}: error: expected .+, found `\)`", d.render()), d.render()
    # the rest of the schema is still there
    assert {m.name for m in loaded.schema.models.values()} == {"Café", "Post", "Note"}

    proc = run_cli("check", path.name, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(10, col)]
    proc = run_cli("check", path.name, cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{path.name}:10:{col}: error: expected " in proc.stdout + proc.stderr


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_syntax_error_on_the_first_line(variant, tmp_path):
    path = write(tmp_path, variant, BROKEN_AT_TOP)
    loaded = load_schema(path)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    assert len(errors) == 1, [d.render() for d in errors]
    span = errors[0].span
    assert (span.line, span.column, span.end_column) == (1, 1, 5)  # the BOM is not a column
    assert span.start_byte == (3 if variant.bom else 0)
    assert errors[0].render().startswith(f"{path}:1:1: error: expected a block")
    assert "found `oops`" in errors[0].message


# ---------------------------------------------------------------------------------------------
# findings and their fixes: positions in characters, edits in bytes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_finding_position_and_fix_bytes(variant, tmp_path):
    path = write(tmp_path, variant)
    lines = variant.lines()
    marker = "@relation(fields: [cafeId], references: [id])"
    col = lines[30].index(marker) + 1

    proc = run_cli("check", path.name, "--format", "json", "--select", "missing-fk-index", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    (finding,) = report["findings"]
    assert (finding["model"], finding["line"], finding["column"]) == ("Note", 31, col)
    assert (finding["end_line"], finding["end_column"]) == (31, col + len(marker))

    data = variant.data()
    edits = finding["fix"]["edits"]
    assert edits, finding
    # apply the edits to the file's bytes with their byte offsets (last first)
    fixed = data
    for e in sorted(edits, key=lambda e: e["start_byte"], reverse=True):
        fixed = fixed[: e["start_byte"]] + e["content"].encode("utf-8") + fixed[e["end_byte"] :]
    # ... which must give what applying them to the text by character offsets gives
    loaded = load_schema(path)
    result = lint(loaded, REGISTRY, Config(), ["missing-fk-index"])
    (f,) = result.findings
    src = loaded.schema.files[0].source
    text, applied = apply_edits(src.text, f.fix.edits)
    assert len(applied) == len(edits)
    assert fixed == (BOM if variant.bom else b"") + text.encode("utf-8")
    for e, fe in zip(sorted(edits, key=lambda e: e["start_byte"]), sorted(f.fix.edits, key=lambda e: e.start)):
        assert (e["line"], e["column"]) == src.position(fe.start)
        assert e["start_byte"] == variant.byte_offset(*src.position(fe.start))
    # the fixed file keeps its BOM and line endings and is clean
    assert fixed.startswith(BOM) == variant.bom
    fixed_text = fixed.decode("utf-8")
    assert "@@index([cafeId])" in fixed_text
    if isinstance(variant.endings, str):
        for e in edits:
            assert set(re.findall(r"\r\n|\r|\n", e["content"])) <= {variant.endings}, repr(e["content"])
    path.write_bytes(fixed)
    again = load_schema(path)
    assert [d.render() for d in again.diagnostics] == []
    assert lint(again, REGISTRY, Config(), ["missing-fk-index"]).findings == []


# ---------------------------------------------------------------------------------------------
# a multi-file schema: each thing is located in its own file
# ---------------------------------------------------------------------------------------------
USER_FILE = """datasource db {
  provider = "postgresql"
}

/// ユーザー
model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}
"""

POST_FILE = """// posts live in their own file

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
  comments Comment[]

  @@index([authorId])
}

model Comment {
  id     Int  @id
  postId Int
  post   Post @relation(fields: [postId], references: [id])
}
"""


def test_multi_file_schema_locations(tmp_path):
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "user.prisma").write_bytes(BOM + USER_FILE.replace("\n", "\r\n").encode())
    (folder / "post.prisma").write_text(POST_FILE, encoding="utf-8", newline="")
    post = folder / "post.prisma"
    user = folder / "user.prisma"

    loaded = load_schema(folder)
    assert [d.render() for d in loaded.diagnostics] == []
    graph = graph_json(loaded.schema)
    assert sorted(graph["files"]) == sorted([str(post), str(user)])
    models = {m["name"]: m for m in graph["models"]}
    assert models["User"]["location"] == {"file": str(user), "line": 6, "column": 1}
    assert models["User"]["documentation"] == "ユーザー"
    assert models["Post"]["location"] == {"file": str(post), "line": 3, "column": 1}
    assert models["Comment"]["location"] == {"file": str(post), "line": 12, "column": 1}
    index = next(i for i in models["Post"]["indexes"] if i["kind"] == "index")
    assert index["location"] == {"file": str(post), "line": 9, "column": 3}
    user_pk = next(i for i in models["User"]["indexes"] if i["kind"] == "id")
    assert user_pk["location"] == {"file": str(user), "line": 7, "column": 16}
    relations = {(r["model"], r["target"]) for r in graph["relations"]}
    assert relations == {("Post", "User"), ("Comment", "Post")}

    # the one finding (Comment.postId has no index) is in post.prisma, at its line
    result = lint(loaded, REGISTRY, Config(), ["missing-fk-index"])
    (f,) = result.findings
    assert (f.file, f.line, f.column) == (str(post), 15, 15)

    # the same from the command line, with paths relative to the working directory
    proc = run_cli("check", "schema", "--select", "missing-fk-index", cwd=tmp_path)
    assert proc.returncode == 1
    assert "schema/post.prisma:15:15: " in proc.stdout, proc.stdout
    proc = run_cli("graph", "schema", cwd=tmp_path)
    assert proc.returncode == 0
    exported = json.loads(proc.stdout)
    locations = {m["name"]: m["location"] for m in exported["models"]}
    assert locations["User"] == {"file": "schema/user.prisma", "line": 6, "column": 1}
    assert locations["Post"] == {"file": "schema/post.prisma", "line": 3, "column": 1}


def test_multi_file_syntax_error_names_its_file(tmp_path):
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "user.prisma").write_text(USER_FILE, encoding="utf-8")
    (folder / "post.prisma").write_text(POST_FILE.replace("  authorId Int\n", "  authorId Int @\n"), encoding="utf-8")
    proc = run_cli("check", "schema", cwd=tmp_path)
    assert proc.returncode == 2
    assert "schema/post.prisma:5:16: error: expected an attribute name after `@`" in proc.stdout + proc.stderr
    assert "user.prisma" not in proc.stdout.split("error:")[0]
