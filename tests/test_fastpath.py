"""The whole-file parse reads the commonest blocks straight from the text (``fastpath.py``); what
it reads must be exactly what the lexer and the LALR driver build: every node, every span, every
comment and diagnostic. These tests parse each text twice, with and without the fast path (and
the LALR tests compare the fast-path parser with Lark's runtime too), on the corpus, on random
edits of it, on generated schemas, and on line shapes picked to sit at the fast path's edges.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lalr import dump, edited_corpus_text
from test_parser_properties import apply_edits, edits, rendered_schemas

from prisma_lint.frontends.prisma import fastpath
from prisma_lint.frontends.prisma.parser import FAST_PATH_FROM, PrismaParser
from prisma_lint.source import SourceFile

FAST = PrismaParser()
FAST.fast_from = 0  # a small text too (a plain check takes the fast path from FAST_PATH_FROM characters)
SLOW = PrismaParser()
SLOW.fast_from = None


def parsed_both_ways(text: str, path: str = "schema.prisma"):
    source = SourceFile(path, text)
    fast, slow = FAST.parse(source), SLOW.parse(source)
    assert [d.render() for d in fast.diagnostics] == [d.render() for d in slow.diagnostics]
    assert dump(fast) == dump(slow)
    return fast


def fast_blocks(monkeypatch, text: str) -> int:
    """How many blocks of ``text`` the fast path read (and the parse is the same both ways)."""
    read = []
    real = fastpath.parse_block

    def counting(*args):
        result = real(*args)
        read.append(result is not None)
        return result

    monkeypatch.setattr(fastpath, "parse_block", counting)
    parsed_both_ways(text)
    return sum(read)


COMMON = """\
/// An account.
model Account {
  id        String    @id @default(uuid()) @db.Uuid
  email     String    @unique
  name      String?   @db.VarChar(255)
  status    Status    @default(ACTIVE)
  tags      String[]
  budget    Decimal   @db.Decimal(12, 2) // a trailing comment
  ownerId   String
  owner     Account   @relation("own", fields: [ownerId], references: [id], onDelete: Cascade)

  // a comment line
  /// the docs of a field
  createdAt DateTime  @default(now()) @map("created_at")
  @@index([status, createdAt(sort: Desc)])
  @@unique([email, name], map: "u")
  @@map("accounts")
}

enum Status {
  ACTIVE
  PAUSED @map("paused") // trailing
  @@map("status")
}

type Address {
  street String
}

view V {
  id Int @unique
}
"""


def test_the_common_shapes_are_read_by_the_fast_path(monkeypatch):
    assert fast_blocks(monkeypatch, COMMON) == 4
    for ending in ("\r\n", "\r"):
        assert fast_blocks(monkeypatch, COMMON.replace("\n", ending)) == 4
    assert fast_blocks(monkeypatch, "\ufeff" + COMMON.replace("  ", "\t")) == 4


def test_a_plain_parser_reads_only_large_texts_fast(monkeypatch):
    """The fast path's regular expressions cost more to compile than they save on a small
    schema: a plain parser takes it from FAST_PATH_FROM characters, the same tree either way."""
    read = []
    real = fastpath.parse_block
    monkeypatch.setattr(fastpath, "parse_block", lambda *args: read.append(1) or real(*args))
    plain = PrismaParser()
    small = plain.parse(SourceFile("schema.prisma", COMMON))
    assert read == [] and dump(small) == dump(SLOW.parse(SourceFile("schema.prisma", COMMON)))
    large_text = COMMON + "\n" * (FAST_PATH_FROM - len(COMMON))
    large = plain.parse(SourceFile("schema.prisma", large_text))
    assert len(read) == 4 and dump(large) == dump(SLOW.parse(SourceFile("schema.prisma", large_text)))


@pytest.mark.parametrize(
    "line",
    [
        "a Int",
        "a\tInt\t?",
        "a Int ?",
        "a Int [ ]",
        "a Int[]?",
        "a Int!",
        "a [Int]",
        "a: Int",
        "a",
        "a @id",
        "2fa Int",
        "12 Int",
        "a 1.5",
        "a-b Int-c @x-y",
        "a.b Int",
        "a Int.",
        "a Int @db.",
        "a Int @",
        "a Int @@id",
        "a Int @id@unique",
        "a Int @x() @y (1) @z( a: , b: 2, )",
        "a Int @x(,)",
        "a Int @x(a,,b)",
        "a Int @x(a b)",
        "a Int @x(a: b: c)",
        "a Int @x([])",
        'a Int @x(a: now(), b: [c, d], e: "f", g: 1, h: i, j: k(), l: m(n), o: [p(q: r)])',
        "a Int @x(now(), [c], d(), e(f: g))",
        "a Int @x([a, b,])",
        "a Int @x([a,, b])",
        "a Int @x([[a], [b(c: [d])]])",
        "a Int @x(f(g(h(i(j(k(l(m(n(o(p()))))))))))",
        "a Int @x(-1, 2.5, -0.5, 3x)",
        "a Int @x(-)",
        'a Int @x("s", "a\\"b", "\\u00e9")',
        'a Int @x("unterminated)',
        "a Int @x({ a: 1 })",
        "a Int @x(a:)",
        "a Int @x(a:",
        "a Int @x(",
        "a Int @x(a) b",
        "a Int /* c */",
        "a Int // c /* d",
        "a Int @x(/* c */)",
        'a Int Unsupported("x")',
        'a Unsupported("x")?',
        "model B {",
        "type B",
        "@@index([a])",
        "@@index ([a])",
        "@@",
        "@@@x",
        "@@x @@y",
        "}",
        "a Int }",
        "a\u00a0Int\u3000@id",
        'é Ünïcode @map("ß")',
    ],
)
def test_line_shapes_parse_the_same_both_ways(line):
    for kind in ("model", "enum", "type", "view"):
        parsed_both_ways(f"{kind} A {{\n  id Int @id\n  {line}\n  b String\n}}\n")
        parsed_both_ways(f"{kind} A {{ // c\n  {line}\n}}")
        parsed_both_ways(f"{kind} A {{\n  {line}")


@pytest.mark.parametrize(
    "text",
    [
        "model A {}\n",
        "model A {\n}\n",
        "model A {\n}",
        "model A {\n} model B {\n  a Int\n} // after\n",
        "model A {\n}\nmodel A {\n  a Int\n}\n",
        "model A { a Int }\n",
        "model A {\n  a Int\n",
        "model A {\n  a Int\nmodel B {\n  b Int\n}\n",
        "model 1 {\n}\n",
        "model A B {\n}\n",
        "model A { /* c */\n}\n",
        "model\nA {\n}\n",
        "model A\n{\n}\n",
        "type A = B\n",
        "model A {\n\n\n  // c\n\n  a Int\n\n}\n",
        "// top\nmodel A {\n  a Int\n}\n/// doc\nenum E {\n  /// v doc\n  X\n}\n",
        'datasource db {\n  provider = "postgresql"\n}\n',
        "model A {\n  a Int @x(\n  b Int\n}\n",
    ],
)
def test_block_shapes_parse_the_same_both_ways(text):
    parsed_both_ways(text)


def test_corpus_parses_the_same_both_ways(corpus_texts):
    for texts in corpus_texts:
        for path, text in texts.items():
            parsed_both_ways(text, str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), edit_list=edits)
def test_edited_corpus_parses_the_same_both_ways(corpus_texts, data, edit_list):
    parsed_both_ways(*edited_corpus_text(corpus_texts, data, edit_list))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=rendered_schemas(), edit_list=st.one_of(st.just([]), edits))
def test_generated_schemas_parse_the_same_both_ways(generated, edit_list):
    _, text = generated
    parsed_both_ways(apply_edits(text, edit_list))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab1 \t\r\n@()[]{},:?."\\/*-é\u00a0', max_size=80))
def test_random_lines_in_a_model_parse_the_same_both_ways(body):
    parsed_both_ways("model A {\n  " + body + "\n}\n")
    parsed_both_ways("enum E {\n  " + body + "\n}\n")


@pytest.mark.parametrize("kind", ["model", "enum"])
def test_a_member_on_the_first_line_of_a_documented_block_has_its_doc(kind):
    member = "a Int" if kind == "model" else "a"
    schema = parsed_both_ways(f"/// the doc\n{kind} E {{{member}\n  b\n}}\n")
    block = schema.blocks[0]
    first = (block.fields or block.values)[0]
    assert (block.doc, first.doc) == ("the doc", "the doc")
