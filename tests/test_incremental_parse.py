"""Parse once: after an edit, only the top-level blocks it touched are parsed again (issue #10).

The incremental parse must give exactly what a whole parse gives (every node, every span, the
docs and comments), or decline and let the whole parse run. Checked on every corpus schema with
edits a fix or a person makes, on random edits (hypothesis), and by counting parsed blocks in a
fix round.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prisma_lint import records
from prisma_lint.config import Config
from prisma_lint.engine import Engine, load_inputs
from prisma_lint.frontends.prisma.incremental import changed_range
from prisma_lint.frontends.prisma.parser import PrismaParser, get_parser
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile, Span

REGISTRY = load_registry()


def dump(node, source: SourceFile):
    """Every field of the AST, spans as (start, end); a span into another file fails."""
    if isinstance(node, Span):
        assert node.file is source, "a span points into the old text"
        return ("span", node.start, node.end)
    if isinstance(node, (list, tuple)):
        return [dump(x, source) for x in node]
    if records.is_record(node):
        return (type(node).__name__, [(f.name, dump(getattr(node, f.name), source)) for f in records.fields(node) if f.name != "source"])
    return node


def same_as_whole(old_text: str, new_text: str, path: str = "schema.prisma") -> bool:
    """Incremental and whole parse agree, both when the unchanged blocks are copied (fix rounds)
    and when they are moved (the language server); the copy leaves the old parse as it was.
    Returns whether the incremental path was taken."""
    parser = PrismaParser()
    before = parser.parse(SourceFile(path, old_text))
    before_dump = dump(before.blocks, before.source)
    src = SourceFile(path, new_text)
    counted = parser.blocks_parsed
    inc = parser.parse(src, before)
    if new_text == old_text:  # nothing changed: the same parsed file
        assert inc is before
        return True
    incremental_blocks = parser.blocks_parsed - counted
    whole_src = SourceFile(path, new_text)
    whole = PrismaParser().parse(whole_src)
    assert_same_parse(inc, whole)
    assert dump(before.blocks, before.source) == before_dump  # a copy: the old parse still reads right
    moved_src = SourceFile(path, new_text)
    moved = parser.parse(moved_src, parser.parse(SourceFile(path, old_text)), move=True)
    assert_same_parse(moved, whole)
    return incremental_blocks < len(whole.blocks)


def assert_same_parse(inc, whole) -> None:
    assert [d.message for d in inc.diagnostics] == [d.message for d in whole.diagnostics]
    assert [(d.span.start, d.span.end) for d in inc.diagnostics if d.span] == [(d.span.start, d.span.end) for d in whole.diagnostics if d.span]
    assert dump(inc.blocks, inc.source) == dump(whole.blocks, whole.source)
    assert dump(inc.comments, inc.source) == dump(whole.comments, whole.source)


@pytest.fixture(scope="module")
def texts(corpus_texts) -> list[tuple[str, str]]:
    """(file name, text) of every file of every corpus schema."""
    return [(path.name, text) for files in corpus_texts for path, text in files.items()]


@pytest.fixture(scope="module")
def corpus_texts_sample(texts) -> list[tuple[str, str]]:
    return random.Random(12).sample(texts, 12)


def edits_for(text: str, rng: random.Random) -> list[str]:
    """Edits of the kinds a fix or a person makes, at places drawn from the text."""
    lines = text.splitlines(keepends=True)
    closes = [i for i, line in enumerate(lines) if line.strip() == "}"]
    models = [i for i, line in enumerate(lines) if line.startswith("model ")]
    out = []
    if closes:
        i = rng.choice(closes)
        out.append("".join(lines[:i] + ["  @@index([id])\n"] + lines[i:]))  # a fix adds an index
        out.append("".join(lines[:i] + lines[i:]).replace("}", "} // closed", 1))  # a trailing comment
    if models:
        i = rng.choice(models)
        out.append("".join(lines[:i] + ["/// documented\n"] + lines[i:]))  # a doc comment above a block
        body = [k for k in range(i + 1, min(i + 30, len(lines))) if lines[k].startswith("  ") and "@@" not in lines[k]]
        if body:
            k = rng.choice(body)
            out.append("".join(lines[:k] + lines[k + 1 :]))  # a field removed
            out.append("".join(lines[:k] + ["  newField String?\n"] + lines[k:]))  # a field added
            out.append("".join(lines[:k] + ["  broken String @@\n"] + lines[k:]))  # a syntax error: whole parse
    out.append(text + "\nmodel Added {\n  id Int @id\n}\n")  # a block appended
    out.append("\n" + text)  # everything moves
    out.append(text.replace("model ", "/* x */ model ", 1))  # a block comment at the top level
    return out


def test_every_corpus_schema_edited_parses_as_a_whole_parse(texts):
    rng = random.Random(10)
    taken = 0
    tried = 0
    for name, text in texts:
        for new in edits_for(text, rng):
            tried += 1
            taken += same_as_whole(text, new, name)
    assert tried > 300
    assert taken > tried / 2, (taken, tried)  # the incremental path is the usual one


SNIPPETS = ["\n", "  ", "//", "/// doc\n", "}", "{", "model X {\n  id Int @id\n}\n", "@@index([a])\n", '"', "/*", "*/", "x", "\r\n"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_parse_as_a_whole_parse(corpus_texts_sample, data):
    name, text = data.draw(st.sampled_from(corpus_texts_sample))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 80)))
    insert = data.draw(st.sampled_from(SNIPPETS + [""]))
    same_as_whole(text, text[:start] + insert + text[end:], name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_series_of_moved_parses_reads_as_a_whole_parse(corpus_texts_sample, data):
    """The language server parses each change from the last one, moving the unchanged blocks
    (their anchors) again and again: after every edit of a series, the tree is a whole parse's."""
    name, text = data.draw(st.sampled_from(corpus_texts_sample))
    parser = PrismaParser()
    current = parser.parse(SourceFile(name, text))
    for _ in range(data.draw(st.integers(1, 6))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        text = text[:start] + data.draw(st.sampled_from(SNIPPETS + ["", "  x Int\n", "/// d\n"])) + text[end:]
        current = parser.parse(SourceFile(name, text), current, move=True)
        assert_same_parse(current, PrismaParser().parse(SourceFile(name, text)))


def test_changed_range():
    assert changed_range("abcdef", "abXdef") == (2, 3, 3)
    assert changed_range("abc", "abc") == (3, 3, 3)
    assert changed_range("aaa", "aaaa") == (3, 3, 4)
    assert changed_range("", "x") == (0, 0, 1)
    for old, new in [("model A {}", "model B {}"), ("xx", ""), ("abab", "ab")]:
        a, e1, e2 = changed_range(old, new)
        assert old[:a] == new[:a] and old[e1:] == new[e2:] and a <= e1 and a <= e2


def test_a_fix_round_parses_only_the_blocks_it_changed(tmp_path, corpus):
    """cal.com: the fixes touch a few models; the rounds parse those blocks, not the file."""
    entry = next(e for e in corpus if "cal.com" in e.name)
    schema = tmp_path / "schema.prisma"
    schema.write_text(entry.read_text(encoding="utf-8"))
    inputs = load_inputs(schema)
    blocks = len(inputs.unit.schema.files[0].blocks)
    parser = get_parser()
    before = parser.blocks_parsed
    fixed = Engine(REGISTRY, Config()).fix(inputs, unsafe=True)
    parsed = parser.blocks_parsed - before
    changed_models = sum(
        1 for b in fixed.inputs.unit.schema.files[0].blocks if b.kind == "model" and b.name in _changed_models(inputs, fixed)
    )
    assert fixed.texts, "cal.com has fixable findings"
    assert parsed <= 2 * changed_models, (parsed, changed_models, blocks)
    assert parsed < blocks, (parsed, blocks)  # less than one whole parse for every round together
    # and the result is what a whole parse of the fixed text gives
    again = Engine(REGISTRY, Config()).lint(load_inputs(_write(tmp_path / "whole.prisma", next(iter(fixed.texts.values())))))
    assert [(f.rule, f.span.line, f.span.column, f.message) for f in fixed.result.findings] == [
        (f.rule, f.span.line, f.span.column, f.message.replace("whole.prisma", "schema.prisma")) for f in again.findings
    ]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _changed_models(inputs, fixed) -> set[str]:
    old = {b.name: b.span.text for f in inputs.unit.schema.files for b in f.blocks}
    return {b.name for f in fixed.inputs.unit.schema.files for b in f.blocks if old.get(b.name) != b.span.text}


def test_findings_are_the_same_after_an_incremental_parse(texts):
    """Every corpus schema: the findings after an edit equal those of a fresh load."""
    from prisma_lint.engine import lint
    from prisma_lint.frontends.prisma.loader import LoadedSchema, parse_files

    rng = random.Random(11)
    for name, text in texts:
        first = parse_files([SourceFile(name, text)])
        new = edits_for(text, rng)[0]
        inc = parse_files([SourceFile(name, new)], first)
        whole = parse_files([SourceFile(name, new)])
        a = lint(LoadedSchema(inc, name), REGISTRY, Config())
        b = lint(LoadedSchema(whole, name), REGISTRY, Config())
        assert [(f.rule, f.span.start, f.span.end, f.message) for f in a.findings] == [
            (f.rule, f.span.start, f.span.end, f.message) for f in b.findings
        ], name


def _fixed_texts(entry: Path, unsafe: bool) -> tuple[dict[str, str], dict[str, str]]:
    """(the texts of a corpus schema's files, those texts with every fix of the first lint
    applied at once: many edits spread over the file, as a fix round makes)."""
    from prisma_lint.fix.planner import _apply, applicable, edits_of

    inputs = load_inputs(entry)
    texts = inputs.unit.texts()
    if inputs.unit.has_errors:
        return texts, texts
    result = Engine(REGISTRY, Config()).lint(inputs)
    edits = edits_of(applicable(result.findings, unsafe))
    return texts, (_apply(texts, edits) if edits else texts)


def test_every_corpus_schema_with_all_its_fixes_parses_as_a_whole_parse(corpus):
    """The edits of a fix round, all at once (every safe fix, then every unsafe one, of each
    corpus schema): the incremental parse (copied and moved) is a whole parse of the fixed text,
    and lexes and parses less than the whole file."""
    tried = taken = 0
    for entry in corpus:
        for unsafe in (False, True):
            old, new = _fixed_texts(entry, unsafe)
            for path in old:
                if old[path] != new[path]:
                    tried += 1
                    taken += same_as_whole(old[path], new[path], path)
    assert tried > 40, tried
    assert taken > tried * 0.9, (taken, tried)


def test_a_fix_round_lexes_and_parses_only_what_it_changed(tmp_path, corpus):
    """cal.com's safe fixes (52 `@@index` lines in 34 of 112 blocks): the incremental parse
    lexes only the edited blocks' lines from the first one changed, and parses only the new
    lines; everything else is reused."""
    entry = next(e for e in corpus if "cal.com" in e.name)
    old, new = _fixed_texts(entry, False)
    path = next(iter(old))
    parser = PrismaParser()
    before = parser.parse(SourceFile(path, old[path]))
    blocks, chars, lines = parser.blocks_parsed, parser.chars_lexed, parser.lines_parsed
    after = parser.parse(SourceFile(path, new[path]), before)
    old_blocks = {b.span.text for b in before.blocks}
    edited = [b for b in after.blocks if b.span.text not in old_blocks]
    added_lines = sum(1 for line in new[path].splitlines() if line.strip()) - sum(1 for line in old[path].splitlines() if line.strip())
    assert 20 <= len(edited) < len(after.blocks) / 2, len(edited)
    assert parser.blocks_parsed - blocks == len(edited)
    assert parser.lines_parsed - lines == added_lines  # every other line of the edited blocks was copied
    # of each edited block, the lines from the first one that changed to its `}`, nothing else
    old_by_name = {b.name: b for b in before.blocks}
    expected = 0
    for b in edited:
        was, now = old_by_name[b.name].span.text, b.span.text
        first = next(i for i in range(len(now)) if i >= len(was) or was[i] != now[i])
        expected += len(now) - (now.rfind("\n", 0, first) + 1)
    assert parser.chars_lexed - chars == expected < len(new[path]) * 0.03, (parser.chars_lexed - chars, expected)
    assert_same_parse(after, PrismaParser().parse(SourceFile(path, new[path])))


def test_fixing_with_give_up_moves_the_blocks_and_gives_the_same_result(tmp_path, corpus):
    """``Engine.fix(give_up=True)`` (check --fix) moves the unchanged blocks and models of each
    parse into the next: the same fixed texts and findings as with copies, and the first lint's
    findings still read their original positions."""
    engine = Engine(REGISTRY, Config())
    compared = 0
    for entry in corpus:
        copied_inputs = load_inputs(entry)
        if copied_inputs.unit.has_errors:
            continue
        copied = engine.fix(copied_inputs, unsafe=True)
        moved_inputs = load_inputs(entry)
        before = engine.lint(moved_inputs)
        positions = [(f.rule, f.file, f.line, f.column, f.span.start, f.span.end) for f in before.findings]
        moved = engine.fix(moved_inputs, unsafe=True, before=before, give_up=True)
        assert moved.texts == copied.texts, entry.name
        assert [f.as_dict() for f in moved.result.findings] == [f.as_dict() for f in copied.result.findings], entry.name
        assert [(f.rule, f.file, f.line, f.column, f.span.start, f.span.end) for f in before.findings] == positions
        compared += bool(moved.texts)
    assert compared >= 20


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_many_random_edits_at_once_parse_as_a_whole_parse(corpus_texts_sample, data):
    """Several edits far apart in one change (as a fix round makes, or a search and replace):
    the walk over the old blocks finds its place again after each one."""
    name, text = data.draw(st.sampled_from(corpus_texts_sample))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=8)))
    parts, last = [], 0
    for i in range(0, len(cuts) - 1, 2):
        start, end = cuts[i], min(cuts[i + 1], cuts[i] + 40)
        parts += [text[last:start], data.draw(st.sampled_from(SNIPPETS + ["", "  x Int\n", "  @@index([id])\n", "/// d\n"]))]
        last = end
    same_as_whole(text, "".join(parts) + text[last:], name)


def test_edits_inside_blocks_between_unchanged_ones():
    """Lines added, removed and changed inside some blocks, a block added and one removed
    between them, docs and comments on the edited lines: each edited block is lexed from its
    first changed line."""
    blocks = [f"model M{i} {{\n  id Int @id\n  /// the name\n  name String // trailing\n  other{i} Int\n\n  @@index([name])\n}}\n" for i in range(8)]
    old = "\n".join(blocks)
    new_blocks = list(blocks)
    new_blocks[1] = new_blocks[1].replace("  @@index([name])\n", "  @@index([name])\n  @@index([other1])\n")
    new_blocks[2] = new_blocks[2].replace("  other2 Int\n", "")
    new_blocks[3] = new_blocks[3].replace("name String // trailing", "name String? /* c */ // trailing")
    new_blocks[4] = new_blocks[4].replace("  id Int @id\n", "  id Int @id\n  /// new doc\n  added Int\n")
    del new_blocks[6]
    new_blocks.insert(6, "enum E {\n  A\n  B\n}\n")
    new_blocks[7] = new_blocks[7].replace("}\n", "  /// end\n}\n")
    assert same_as_whole(old, "\n".join(new_blocks))


def test_migration_with_give_up_writes_the_same_steps(corpus):
    """``Engine.migration(give_up=True)``: the diff reads the original models' indexes, which
    moving their blocks on leaves as they were."""
    from prisma_lint.migrate.sql import MigrationError

    engine = Engine(REGISTRY, Config())
    compared = 0
    for entry in corpus:
        runs = []
        for give_up in (False, True):
            inputs = load_inputs(entry)
            if inputs.unit.has_errors:
                break
            try:
                fixed, migration = engine.migration(inputs, unsafe=True, give_up=give_up)
            except MigrationError:
                break
            runs.append((fixed.texts, [(s.action, s.index, s.old_name) for s in migration.steps]))
        if len(runs) == 2:
            assert runs[0] == runs[1], entry.name
            compared += bool(runs[0][1])
    assert compared >= 20, compared


def _boundary_edits(text: str, rng: random.Random) -> list[tuple[int, int, str]]:
    """(start, end, insert) edits where the incremental parse's bisection could go wrong: at a
    block's first and last character and just outside them, a whole block inserted, deleted or
    moved, one edit over the end of a block and the start of the next, line breaks added and
    removed (the blocks below change lines)."""
    opens = [i for i in range(len(text)) if text.startswith(("model ", "enum ", "view ", "type ", "generator ", "datasource "), i) and (i == 0 or text[i - 1] in "\n")]
    closes = [i for i, c in enumerate(text) if c == "}" and (i + 1 == len(text) or text[i + 1] in "\r\n")]
    out: list[tuple[int, int, str]] = []
    for _ in range(3):
        if opens:
            a = rng.choice(opens)
            out += [(a, a, "x"), (a, a, "\n"), (max(0, a - 1), a, ""), (a, a, "/// d\n"), (a, a, "model Ins {\n  id Int @id\n}\n\n")]
        if closes:
            c = rng.choice(closes)
            out += [(c, c, " "), (c + 1, c + 1, "\n"), (c, c + 1, "}}"), (c + 1, c + 1, " // t"), (c, c, "  y Int\n")]
            later = [o for o in opens if o > c]
            if later:  # from inside one block to inside the next
                out.append((c - 1, later[0] + 3, "x"))
    if len(opens) > 1:
        k = rng.randrange(len(opens) - 1)
        a, b = opens[k], opens[k + 1]
        out += [(a, b, ""), (b, b, text[a:b])]  # a whole block (with its gap) deleted, duplicated
    return out


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_edits_at_block_boundaries_as_the_server_reads_them(corpus_texts_sample, newline, bom):
    """The server's reads (``edited_source``: the changed range worked out once, with the line
    index) and a parse moved from the last one, edit after edit, then each edit undone: every
    tree is a whole parse's, and what the parse keeps for the next one (where each block ends
    and each comment starts) is where they are."""
    from prisma_lint.frontends.prisma.incremental import _breaks, edited_source

    rng = random.Random(7 if bom else 8)
    for name, text in corpus_texts_sample[:6]:
        text = text.replace("\r\n", "\n").replace("\n", newline)
        if bom:
            text = "\ufeff" + text
        parser = PrismaParser()
        current = parser.parse(SourceFile(name, text))
        history = [text]
        incremental = 0
        for start, end, insert in _boundary_edits(current.source.text, rng):
            old_src = current.source
            body = old_src.text
            if end > len(body):
                continue
            new_body = body[:start] + insert.replace("\n", newline) + body[end:]
            for target in (new_body, body):  # the edit, then undone
                src = edited_source(current.source, name, ("\ufeff" if bom else "") + target)
                current = parser.parse(src, current, move=True)
                assert_same_parse(current, PrismaParser().parse(SourceFile(name, ("\ufeff" if bom else "") + target)))
                if current.ends is not None:
                    incremental += 1
                    assert current.ends == [b.span.end for b in current.blocks]
                    assert current.comment_starts == [c.span.start for c in current.comments]
                    assert current.breaks == _breaks(current.source.text, current.blocks, current.ends)
                history.append(target)
        assert len(history) > 20
        assert incremental > len(history) / 2, (incremental, len(history))  # the incremental path is the usual one
