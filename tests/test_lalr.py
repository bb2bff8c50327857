"""The parser runs Lark's LALR tables with a small driver (``lalr.py``); these tests hold it to Lark.

* The stored tables (``prisma_lint/frontends/prisma/_tables.py``) are exactly what Lark computes from the
  grammar as it is now, whatever the hash seed.
* Parsing with the driver and parsing with Lark's own runtime give the same AST (every node,
  every span) and the same syntax errors: on every corpus schema and fixture, and on random
  edits of them and of generated schemas (hypothesis).
* A grammar edited without rewriting the tables still parses (the tables are recomputed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_parser_properties import apply_edits, edits, rendered_schemas

from prisma_lint import records
from prisma_lint.frontends.prisma import parser as parser_module
from prisma_lint.frontends.prisma.grammar_tables import compile_tables, tables_text
from prisma_lint.frontends.prisma.grammar_tables import main as tables_main
from prisma_lint.frontends.prisma.lalr import LalrParser, ParseError, load_tables, stored_tables
from prisma_lint.frontends.prisma.lexer import Tok
from prisma_lint.frontends.prisma.parser import PrismaParser, _Builder
from prisma_lint.source import SourceFile, Span

GRAMMAR = REPO / "grammars" / "prisma.lark"
TABLES = REPO / "prisma_lint" / "frontends" / "prisma" / "_tables.py"

TABLE_PARSER = PrismaParser()
TABLE_PARSER.fast_from = 0  # its fast path on every text, small ones too (fastpath.py)
LARK_PARSER = PrismaParser(engine="lark")


def dump(node):
    """A node as nested tuples: every field, spans as (start, end)."""
    if isinstance(node, Span):
        return ("span", node.start, node.end)
    if isinstance(node, SourceFile):
        return ("file", node.path)
    if records.is_record(node):
        return (type(node).__name__,) + tuple((f.name, dump(getattr(node, f.name))) for f in records.fields(node))
    if isinstance(node, (list, tuple)):
        return [dump(x) for x in node]
    if isinstance(node, Tok):
        return ("tok", node.type, node.value, node.start_pos, node.end_pos)
    return node


def assert_same_parse(text: str, path: str = "schema.prisma") -> None:
    source = SourceFile(path, text)
    ours = TABLE_PARSER.parse(source)
    larks = LARK_PARSER.parse(source)
    assert [d.render() for d in ours.diagnostics] == [d.render() for d in larks.diagnostics]
    assert dump(ours) == dump(larks)


# -- the tables ------------------------------------------------------------------------------
def test_stored_tables_are_what_lark_computes_from_the_grammar():
    grammar = GRAMMAR.read_text(encoding="utf-8")
    assert TABLES.read_text(encoding="utf-8") == tables_text(compile_tables(grammar)), (
        "_tables.py is stale: run python -m prisma_lint.frontends.prisma.grammar_tables"
    )
    assert tables_main(["--check"]) == 0


def test_tables_do_not_depend_on_the_hash_seed():
    program = (
        "from prisma_lint.frontends.prisma.grammar_tables import compile_tables, tables_text;"
        "print(tables_text(compile_tables(open('grammars/prisma.lark', encoding='utf-8').read())), end='')"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        proc = subprocess.run([sys.executable, "-c", program], cwd=REPO, env=env, capture_output=True, text=True, check=True)
        outputs.add(proc.stdout)
    assert outputs == {TABLES.read_text(encoding="utf-8")}


def test_tables_only_serve_the_grammar_they_were_computed_from():
    grammar = GRAMMAR.read_text(encoding="utf-8")
    stored = stored_tables()
    assert stored is not None and load_tables(stored, grammar) is not None
    assert load_tables(stored, grammar + "\n// edited\n") is None
    assert load_tables({**stored, "format": 99}, grammar) is None
    assert load_tables(None, grammar) is None


def test_an_edited_grammar_without_new_tables_still_parses(tmp_path, monkeypatch):
    grammars = tmp_path / "grammars"
    shutil.copytree(REPO / "grammars", grammars)
    (grammars / "prisma.lark").write_text(GRAMMAR.read_text(encoding="utf-8") + "\n// a comment added\n", encoding="utf-8")
    monkeypatch.setattr(parser_module, "resource_path", lambda kind, name: grammars / name)
    fresh = PrismaParser()
    text = (FIXTURES / "seeds" / "seed000" / "schema.prisma").read_text(encoding="utf-8")
    source = SourceFile("schema.prisma", text)
    assert dump(fresh.parse(source)) == dump(TABLE_PARSER.parse(source))


def test_the_driver_reports_what_the_state_expected():
    tables = compile_tables(GRAMMAR.read_text(encoding="utf-8"))
    driver = LalrParser(tables, _Builder())
    tokens = [Tok("MODEL", "model", 0, 5), Tok("IDENT", "A", 6, 7), Tok("RBRACE", "}", 8, 9)]
    with pytest.raises(ParseError) as caught:
        driver.parse(tokens)
    assert caught.value.token is tokens[2]
    assert caught.value.expected == {"LBRACE"}
    with pytest.raises(ParseError) as caught:
        driver.parse(tokens[:2])
    assert caught.value.token.type == "$END"
    assert caught.value.expected == {"LBRACE"}


def test_a_rule_without_a_builder_method_is_refused():
    tables = compile_tables(GRAMMAR.read_text(encoding="utf-8"))

    class Partial(_Builder):
        model = None  # type: ignore[assignment]

    with pytest.raises(ValueError, match="'model'"):
        LalrParser(tables, Partial())


# -- the same results as Lark's runtime --------------------------------------------------------
def test_corpus_and_fixtures_parse_the_same_as_with_lark(corpus_texts):
    count = 0
    for texts in corpus_texts:
        for path, text in texts.items():
            assert_same_parse(text, str(path))
            count += 1
    for path in sorted(FIXTURES.rglob("*.prisma")) + sorted((REPO / "tests").rglob("*.prisma")):
        assert_same_parse(path.read_text(encoding="utf-8"), str(path))
        count += 1
    assert count > 60


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), edit_list=edits)
def test_edited_corpus_parses_the_same_as_with_lark(corpus_texts, data, edit_list):
    assert_same_parse(*edited_corpus_text(corpus_texts, data, edit_list))


def edited_corpus_text(corpus_texts, data, edit_list) -> tuple[str, str]:
    """(text, path) of a corpus file drawn by ``data``, with ``edit_list`` applied."""
    # draw positions, not texts: a failure then prints two numbers, not a whole schema
    texts = corpus_texts[data.draw(st.integers(0, len(corpus_texts) - 1), label="schema")]
    paths = sorted(texts)
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="file")]
    return apply_edits(texts[path], edit_list), str(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=rendered_schemas(), edit_list=st.one_of(st.just([]), edits))
def test_generated_schemas_parse_the_same_as_with_lark(generated, edit_list):
    _, text = generated
    assert_same_parse(apply_edits(text, edit_list))


def test_a_parser_that_may_learn_few_stacks_parses_the_same(corpus_texts, monkeypatch):
    # past max_stacks learnt, a block is parsed from the tables alone (after forgetting): the
    # same AST and errors, whichever way each block went
    parser = PrismaParser()
    monkeypatch.setattr(parser._parser, "max_stacks", 5)
    parser._parser._forget()
    texts = [text for texts in corpus_texts[:5] for text in texts.values()]
    texts.append("model A {\n  a Int @x(" + "([{" * 30 + "\n  b Int\n}\n")
    for text in texts:
        source = SourceFile("schema.prisma", text)
        ours = parser.parse(source)
        larks = LARK_PARSER.parse(source)
        assert [d.render() for d in ours.diagnostics] == [d.render() for d in larks.diagnostics]
        assert dump(ours) == dump(larks)
    assert len(parser._parser._stacks) <= 5
