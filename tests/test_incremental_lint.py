"""The language server's incremental path (issue #10): after each change, the blocks the edit
did not touch are moved (not copied) from the last parse, and the models built from them are
reused. Whatever is reused, a series of edits must give exactly what a fresh load and lint of
the same text give: the model graph, every finding (with its fix) and every diagnostic."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prisma_lint import records
from prisma_lint.config import Config
from prisma_lint.engine import Engine, load_inputs
from prisma_lint.frontends.prisma.syntax import Block
from prisma_lint.model.schema import Model, Relation
from prisma_lint.rule_cache import FindingsCache
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile, Span

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import synthetic_schema

REGISTRY = load_registry()
ENGINE = Engine(REGISTRY, Config())


def graph(value, seen_models: bool = False):
    """The model graph as plain values: spans as (file, start, end, line, column), models met
    again (relation targets, join tables) by name, AST nodes by their span."""
    if isinstance(value, Span):
        return ("span", value.file.path, value.start, value.end, value.line, value.column, value.text)
    if isinstance(value, SourceFile):
        return ("file", value.path, value.text)
    if isinstance(value, (list, tuple)):
        return [graph(x, seen_models) for x in value]
    if isinstance(value, dict):
        return {k: graph(v, seen_models) for k, v in value.items()}
    if isinstance(value, Block):
        return ("block", graph(value.span))
    if isinstance(value, Model) and seen_models:
        return ("model", value.name)
    if isinstance(value, Relation) and seen_models:
        return ("relation", value.name, value.model, value.field)
    if records.is_record(value) and type(value).__module__.startswith("prisma_lint.model"):
        inner = seen_models or isinstance(value, (Model, Relation))
        return (type(value).__name__, [(f.name, graph(getattr(value, f.name), inner)) for f in records.fields(value) if not f.name.startswith("_") and f.name != "files"])
    if records.is_record(value):  # an AST node (an attribute): where it is
        span = getattr(value, "span", None)
        return (type(value).__name__, graph(span) if span is not None else None)
    return value


def lint_result(inputs, cache=None):
    r = ENGINE.lint(inputs, cache)
    findings = [
        (f.rule, f.severity, f.message, f.span.file.path, f.span.start, f.span.end, f.span.line, f.span.column,
         None if f.fix is None else (f.fix.title, f.fix.applicability, [(e.file.path, e.start, e.end, e.text) for e in f.fix.edits]))
        for f in r.findings
    ]
    diagnostics = [(d.code, d.severity, d.message, d.file, d.span.start if d.span else None) for d in r.diagnostics]
    return findings, diagnostics


def loaded(tmp_path: Path, text: str):
    """``text`` written as the schema in ``tmp_path`` and loaded: (its path, its key in the
    overrides, the inputs)."""
    path = tmp_path / "schema.prisma"
    key = str(path.resolve())
    path.write_text(text)
    return path, key, load_inputs(path, tmp_path, {key: text})


def check_series(tmp_path: Path, text: str, edits, stats: Optional[list] = None, graph_each_step: bool = True) -> int:
    """Load ``text``, apply ``edits`` (start, end, insert) one after the other as the language
    server does (each load given the last one, each lint with the findings kept from the last
    one), and compare each step with a fresh load and lint. Returns how many models were reused
    over the series; ``stats`` gets how many models kept their findings at each step.
    ``graph_each_step`` False: the model graphs are compared after the last edit only (the
    findings after each one); a large schema's graph takes a second to compare."""
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    lint_result(current, cache)
    reused = 0
    for step, (start, end, insert) in enumerate(edits, 1):
        text = text[:start] + insert + text[end:]
        before = {id(m) for m in current.unit.schema.models.values()}
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        reused += sum(1 for m in current.unit.schema.models.values() if id(m) in before)
        fresh = load_inputs(path, tmp_path, {key: text})
        if graph_each_step or step == len(edits):
            assert graph(current.unit.schema.models) == graph(fresh.unit.schema.models)
            assert graph(current.unit.schema.relations) == graph(fresh.unit.schema.relations)
            assert graph(current.unit.schema.enums) == graph(fresh.unit.schema.enums)
            assert graph(current.unit.schema.join_tables) == graph(fresh.unit.schema.join_tables)
        assert lint_result(current, cache) == lint_result(fresh)
        if stats is not None:
            stats.append(cache.reused)
    return reused


def check_edit_series(tmp_path: Path, texts: list[str], make_edits, rng: random.Random) -> int:
    """:func:`check_series` on each of ``texts`` with the edits ``make_edits(tmp_path, text,
    rng)`` gives it (a text it gives none is skipped), each in a folder of its own; returns how
    many texts were checked. A large schema's model graph is compared after its last edit only."""
    checked = 0
    for text in texts:
        edits = make_edits(tmp_path, text, rng)
        if edits:
            series = tmp_path / f"s{checked}"
            series.mkdir()
            check_series(series, text, edits, graph_each_step=len(text) < 30_000)
            checked += 1
    return checked


SNIPPETS = [
    " x", "\n", "// c\n", "/// doc\n", "  extra String?\n", "  @@index([id])\n", "}", "{", "@", '"',
    "model Added {\n  id Int @id\n}\n", "enum Mood {\n  HAPPY\n}\n", "  mood Mood?\n",
    "  other Account0 @relation(fields: [otherId], references: [id])\n  otherId String @db.Uuid\n",
]


LINE_SNIPPETS = ["// c\n", "/// doc\n", "  extra String?\n", "  @@index([id])\n", "\n", "  mood Mood?\n"]


def typing_series(text: str, rng: random.Random, n: int) -> list[tuple[int, int, str]]:
    """Edits as typed: a line inserted at the start of a line (in a block or between blocks),
    a line deleted, or a character typed that breaks the syntax and is deleted again."""
    edits = []
    for _ in range(n):
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"][:-1]
        at = rng.choice(starts)
        kind = rng.random()
        if kind < 0.6:
            edits.append((at, at, rng.choice(LINE_SNIPPETS)))
        elif kind < 0.8:
            edits.append((at, text.index("\n", at) + 1, ""))
        else:
            edits += [(at, at, "@"), (at, at + 1, "")]
        for start, end, insert in edits[-2 if kind >= 0.8 else -1 :]:
            text = text[:start] + insert + text[end:]
    return edits


def test_edits_of_the_benchmark_schema_lint_as_a_fresh_load(tmp_path):
    """The benchmark's schema, typed at random lines (in comments, models, enums, between
    blocks; syntax errors and their repair): the same models, findings and diagnostics."""
    text = synthetic_schema(600).replace("enum Status0 {", "enum Mood {\n  HAPPY\n}\n\nenum Status0 {")
    assert check_series(tmp_path, text, typing_series(text, random.Random(10), 30)) > 100


def test_an_edit_reuses_the_models_it_does_not_touch(tmp_path):
    text = synthetic_schema(300)
    at = text.index("  title     String")  # inside Project0
    n_models = text.count("\nmodel ")
    # typing on the first line (a comment): every model is reused, and its findings
    kept: list[int] = []
    assert check_series(tmp_path, text, [(len(text.split("\n", 1)[0]), len(text.split("\n", 1)[0]), " x")], kept) == n_models
    assert kept == [n_models]
    # a field added to Project0: every model but Project0 is reused; the findings of those
    # above it are kept (the lines below it moved: their messages may quote lines)
    kept = []
    assert check_series(tmp_path, text, [(at, at, "  extra String?\n")], kept) == n_models - 1
    assert kept == [0]  # Project0 changed, Account0 above it is related to it
    at = text.index("  title     String", at + 1)  # inside Project1
    kept = []
    assert check_series(tmp_path, text, [(at, at, "  extra String?\n")], kept) == n_models - 1
    assert kept == [2]  # Account0 and Project0; Account1 is related to Project1
    at = text.index("  title     String")
    kept = []
    assert check_series(tmp_path, text, [(at + 2, at + 7, "name ")], kept) == n_models - 1  # typed on a line
    assert kept == [n_models - 2]  # not Project0's, nor its relation's other end's (Account0)
    # a doc comment above a model: that model is built again (its doc changed)
    at = text.index("model Project1 {")
    assert check_series(tmp_path, text, [(at, at, "/// documented\n")]) == n_models - 1
    # a new enum: no field has its name as type, every model is reused
    assert check_series(tmp_path, text, [(len(text), len(text), "enum Fresh {\n  A\n}\n")]) == n_models


def test_kept_findings_are_handed_out_again_while_their_block_stays(tmp_path):
    """A kept finding is copied once and that copy handed out again while its block's anchor
    is the same object (its span moves with the anchor); one with fix edits (absolute offsets
    into the file of one load) is copied for each load. Either way it reads as a fresh lint's."""
    text = synthetic_schema(300).replace("model Project1 {\n", "model Project1 {\n  @@index([id])\n", 1)
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    ENGINE.lint(current, cache)
    handed: list[list] = []
    first_line = len(text.split("\n", 1)[0])
    for at, insert in ((len(text), "// x\n"), (len(text), "// y\n"), (first_line, " x")):  # nothing moves, then every block
        text = text[:at] + insert + text[at:]
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        handed.append(ENGINE.lint(current, cache).findings)
        assert lint_result(current, cache) == lint_result(load_inputs(path, tmp_path, {key: text}))
    with_edits = [f for f in handed[2] if f.fix is not None and f.fix.edits and f.rule == "redundant-index"]
    without = [f for f in handed[2] if f.fix is None and f.rule == "boolean-index"]
    assert with_edits and without
    for before in handed[:2]:
        ids = {id(f) for f in before}
        assert all(id(f) in ids for f in without) and not any(id(f) in ids for f in with_edits)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edit_series_lint_as_a_fresh_load(tmp_path, corpus_texts, data):
    files = data.draw(st.sampled_from([f for f in corpus_texts if len(f) == 1]))
    ((_, text),) = files.items()
    edits = []
    t = text
    for _ in range(data.draw(st.integers(1, 5))):
        start = data.draw(st.integers(0, len(t)))
        end = data.draw(st.integers(start, min(len(t), start + 40)))
        insert = data.draw(st.sampled_from(SNIPPETS + [""]))
        edits.append((start, end, insert))
        t = t[:start] + insert + t[end:]
    check_series(tmp_path, text, edits)


# -- the language server's own state: didChange after didChange, against a fresh didOpen -----


class _Transport:
    """What the server state calls on pygls' server: published diagnostics are kept (as
    lsprotocol's PublishDiagnosticsParams)."""

    def __init__(self) -> None:
        self.published: list = []
        self.workspace = type("W", (), {"position_encoding": "utf-16"})()
        self.protocol = type("P", (), {"client_capabilities": None, "send_text": self.send_text})()

    def send_text(self, body: str) -> None:
        import json

        from lsprotocol import converters, types

        message = json.loads(body)
        assert message["method"] == "textDocument/publishDiagnostics"
        self.published.append(converters.get_converter().structure(message["params"], types.PublishDiagnosticsParams))

    def window_log_message(self, params) -> None:
        raise AssertionError(params.message)


def _state(folder: Path):
    import asyncio

    if not os.environ.get("CI"):  # on CI a missing piece fails (as in conftest.py); locally, skip
        pytest.importorskip("pygls")
    from lsprotocol import types
    from pygls.uris import from_fs_path, to_fs_path

    from prisma_lint.lsp.server import ServerState

    transport = _Transport()
    state = ServerState(transport, types, from_fs_path, to_fs_path, asyncio)
    state.cwd = folder
    return state, transport, types


def _diagnostics(params) -> list:
    return sorted(
        (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.code, d.message, d.severity)
        for d in params.diagnostics
    )


def test_the_servers_diagnostics_after_changes_are_a_fresh_open(tmp_path):
    """Changes (incremental ranges, as an editor sends them) go through the parse that moves
    blocks, the reused models and the kept findings; after each one the published diagnostics
    are those of a server that opens the resulting text fresh."""
    text = synthetic_schema(400)
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    state, transport, types = _state(tmp_path)
    uri = path.as_uri()
    edits = typing_series(text, random.Random(12), 12)

    _server_series(state, transport, types, tmp_path, uri, text, edits)
    cache = state.units[state.doc_unit[uri]].findings_cache
    assert cache is not None and cache.entries  # the findings were kept between lints


def _server_series(state, transport, types, folder: Path, uri: str, text: str, edits) -> None:
    """``text`` opened in the server ``state``, then each edit sent as an incremental change
    (UTF-16 positions) and linted: after each, the published diagnostics are a fresh open's."""
    import asyncio

    async def run() -> None:
        state.did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="prisma", version=1, text=text)))
        current = text
        for version, (start, end, insert) in enumerate(edits, 2):
            a, b = _utf16_position(current, start), _utf16_position(current, end)
            change = types.TextDocumentContentChangePartial(range=types.Range(start=types.Position(line=a[0], character=a[1]), end=types.Position(line=b[0], character=b[1])), text=insert)
            state.did_change(types.DidChangeTextDocumentParams(text_document=types.VersionedTextDocumentIdentifier(version=version, uri=uri), content_changes=[change]))
            state.lint_now(state.doc_unit[uri])
            current = current[:start] + insert + current[end:]
            assert state.docs[uri].text == current
            fresh_state, fresh, _ = _state(folder)
            fresh_state.did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="prisma", version=version, text=current)))
            assert transport.published[-1].version == version
            assert _diagnostics(transport.published[-1]) == _diagnostics(fresh.published[-1])

    asyncio.run(run())


def _utf16_position(text: str, offset: int) -> tuple[int, int]:
    """The LSP position (UTF-16) of ``offset`` in ``text`` (lines ending at ``\\n``)."""
    line = text.count("\n", 0, offset)
    return line, len(text[text.rfind("\n", 0, offset) + 1 : offset].encode("utf-16-le")) // 2


# -- the model builder's invalidation rule (model/builder.py ``_reusable``, builder_relations.py
# ``relations``): edits that change what other models and relations are built from ----------


def _parsed(tmp_path: Path, text: str):
    """The schema of ``text`` (a fresh load), to find where the next edit goes."""
    probe = tmp_path / "probe"
    probe.mkdir(exist_ok=True)
    return loaded(probe, text)[2].unit.schema


def _id_field(m: Model) -> Optional[tuple[str, str]]:
    """(name, type) of a model's one-field id, if it has one."""
    pk = m.primary_key
    if pk is None or len(pk.columns) != 1 or pk.columns[0].field not in m.fields:
        return None
    f = m.fields[pk.columns[0].field]
    return (f.name, f.type) if f.kind == "scalar" else None


def _models(schema) -> list[Model]:
    return [m for m in schema.models.values() if m.kind == "model" and m.block is not None]


def semantic_edits(tmp_path: Path, text: str, rng: random.Random) -> list[tuple[int, int, str]]:
    """A handful of edits, one after the other, that change what more than one block is built
    from: a field's type changed (to another scalar, then to a model's name), `@@map` changed
    or added, a relation added (one side, then the other), a model renamed (its declaration,
    then each field that names it), a model nobody names deleted, then one that others name."""
    edits: list[tuple[int, int, str]] = []

    def apply(start: int, end: int, insert: str) -> None:
        nonlocal text
        edits.append((start, end, insert))
        text = text[:start] + insert + text[end:]

    models = _models(_parsed(tmp_path, text))
    if len(models) < 2:
        return edits
    # a field's type: a scalar to another scalar, then to a model's name (a relation field
    # with no opposite: an error, and back)
    m = rng.choice(models)
    scalars = [f for f in m.block.fields if f.type is not None and f.type.name in ("String", "Int", "DateTime", "Boolean") and not f.attributes]
    if scalars:
        f = rng.choice(scalars)
        start = f.type.span.start
        apply(start, start + len(f.type.name), "Float")
        apply(start, start + len("Float"), rng.choice(models).name)
        apply(start, start + len(text[start:].split("?")[0].split("\n")[0].split(" ")[0]), f.type.name)
    # @@map: changed where there is one, else added
    m = rng.choice(_models(_parsed(tmp_path, text)))
    mapped = [a for a in m.block.attributes if a.name == "map"]
    if mapped:
        value = mapped[0].args[0].value
        apply(value.span.start, value.span.end, '"renamed_table"')
    else:
        at = m.block.close_span.start
        apply(at, at, '  @@map("renamed_table")\n')
    # a relation from one model to another, one side at a time
    schema = _parsed(tmp_path, text)
    targets = [m for m in _models(schema) if _id_field(m) is not None]
    if targets:
        target = rng.choice(targets)
        holder = rng.choice(_models(schema))
        id_name, id_type = _id_field(target)  # type: ignore[misc]
        at = holder.block.close_span.start
        apply(at, at, f'  xRel {target.name}? @relation("XRel", fields: [xRelId], references: [{id_name}])\n  xRelId {id_type}?\n')
        target = _parsed(tmp_path, text).models[target.name]
        at = target.block.close_span.start
        apply(at, at, f'  xBack {holder.name}[] @relation("XRel")\n')
    # a model renamed: its declaration, then each field whose type it is, one by one (one
    # that few fields name: each step is compared with a fresh load)
    schema = _parsed(tmp_path, text)
    uses = {m.name: sum(f.type == m.name for o in schema.models.values() for f in o.fields.values()) for m in _models(schema)}
    m = schema.models[rng.choice(sorted(uses, key=lambda n: (uses[n] == 0, uses[n]))[:3])]
    old, new = m.name, m.name + "Renamed"
    apply(m.name_span.start, m.name_span.end, new)
    while True:
        users = [
            f.type.span.start
            for other in _models(_parsed(tmp_path, text))
            for f in other.block.fields
            if f.type is not None and f.type.name == old
        ]
        if not users:
            break
        apply(users[0], users[0] + len(old), new)
    # a model deleted: first one no other model names, then any
    schema = _parsed(tmp_path, text)
    named = {f.type for m in schema.models.values() for f in m.fields.values() if f.model != f.type}
    alone = [m for m in _models(schema) if m.name not in named]
    for pick in (alone, _models(schema)):
        if pick:
            m = rng.choice(pick)
            apply(m.block.span.start, m.block.span.end, "")
            schema = _parsed(tmp_path, text)
    return edits


def test_semantic_edits_of_every_corpus_schema_build_and_lint_as_a_fresh_load(tmp_path, corpus_texts):
    """Every (one-file) corpus schema through the edits of :func:`semantic_edits`: after each
    one, the incremental load (models and relations reused from the last one where nothing
    they are built from changed) is the fresh load's model graph, findings and diagnostics."""
    texts = [next(iter(files.values())) for files in corpus_texts if len(files) == 1]
    assert check_edit_series(tmp_path, texts, semantic_edits, random.Random(5)) > 30


def test_relations_between_untouched_models_are_reused(tmp_path):
    """The relations whose two models are both reused are the same objects after an edit; a
    relation touching the edited model is made again; a model name that no field uses, added
    or removed, rebuilds nothing."""
    text = synthetic_schema(300)
    path, key, current = loaded(tmp_path, text)

    def edit(at: int, insert: str, end: Optional[int] = None) -> tuple[set[int], set[int]]:
        nonlocal text, current
        before_models = {id(m) for m in current.unit.schema.models.values()}
        before = {id(r) for r in current.unit.schema.relations}
        text = text[:at] + insert + text[at if end is None else end :]
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        schema = current.unit.schema
        assert graph(schema.relations) == graph(load_inputs(path, tmp_path, {key: text}).unit.schema.relations)
        fresh = {r.name for r in schema.relations if id(r) not in before}
        rebuilt = {m.name for m in schema.models.values() if id(m) not in before_models}
        return fresh, rebuilt

    at = text.index("  title     String")  # inside Project0
    fresh, rebuilt = edit(at, "  extra String?\n")
    assert rebuilt == {"Project0"}
    touching = {r.name for r in current.unit.schema.relations if "Project0" in (r.model, r.target)}
    assert touching and fresh == touching
    fresh, rebuilt = edit(len(text), "model Lonely {\n  id Int @id\n}\n")  # a new name no field uses
    assert fresh == set() and rebuilt == {"Lonely"}
    at = text.index("model Lonely")
    fresh, rebuilt = edit(at, "", len(text))
    assert fresh == set() and rebuilt == set()


def test_schema_wide_findings_are_kept_while_the_schema_is_the_same(tmp_path):
    """The rules that are not kept per model (they read other models: index names, cascade
    chains) keep their findings while every model, relation and enum is the one of the last
    lint and no block moved to another line: typing in a comment. A model built again, or a
    line added above the blocks, runs them again. Either way the findings are a fresh lint's,
    a missing-fk-index fix included (its edits are made again where the block is now)."""
    text = synthetic_schema(300).replace("  @@index([createdAt(sort: Desc), ownerId])\n  @@unique([ownerId, title])", "  @@unique([title, ownerId])", 1)
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    first = ENGINE.lint(current, cache)
    assert any(f.rule == "missing-fk-index" and f.fix is not None for f in first.findings)
    whole = [r for r in ENGINE.rules_for(current) if r.scope == "schema" and r.id != "unused-suppression" and set(r.needs) <= {"schema", "prisma"}]
    assert {"missing-fk-index", "identifier-too-long", "unindexed-cascade"} <= {r.id for r in whole}
    first_line = len(text.split("\n", 1)[0])
    at_model = text.index("  title     String    // a trailing comment") + len("  title     String    // a trailing comment")
    steps = [
        (first_line, first_line, " x", len(whole)),  # a comment: nothing rebuilt
        (at_model + 2, at_model + 2, " y", 0),  # a comment in a model: that model built again
        (first_line, first_line, " x", len(whole)),
        (0, 0, "// above\n", 0),  # every block one line down: messages may quote lines
        (0, 0, "", len(whole)),
    ]
    for start, end, insert, served in steps:
        if start >= at_model:
            start = end = text.index("// a trailing comment") + len("// a trailing comment")
        text = text[:start] + insert + text[end:]
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        assert lint_result(current, cache) == lint_result(load_inputs(path, tmp_path, {key: text}))
        assert cache.whole_reused == served


@settings(max_examples=300, deadline=None)
@given(
    old=st.text(alphabet="ab \n\r\ufeff", max_size=40),
    start=st.integers(0, 40),
    length=st.integers(0, 10),
    insert=st.text(alphabet="ab\n\r", max_size=8),
)
def test_an_edited_texts_line_index_is_the_whole_ones(old, start, length, insert):
    """The line index the language server works out from the last one after an edit
    (frontends/prisma/incremental.py ``edited_line_starts``) is the one of the whole text."""
    from prisma_lint.frontends.prisma.incremental import edited_line_starts

    start = min(start, len(old))
    text = old[:start] + insert + old[min(len(old), start + length) :]
    before = SourceFile("s.prisma", old)
    assert SourceFile("s.prisma", text, line_starts=edited_line_starts(before, text)).line_starts == SourceFile("s.prisma", text).line_starts


@settings(max_examples=200, deadline=None)
@given(common=st.integers(0, 9000), old=st.text(alphabet="ab", max_size=6), new=st.text(alphabet="ab", max_size=6), tail=st.integers(0, 9000))
def test_the_changed_range_is_the_longest_common_prefix_and_suffix(common, old, new, tail):
    """changed_range compares thousands of characters at a time: across chunk edges, it still
    finds the longest common prefix, then the longest common suffix of the rest."""
    from prisma_lint.frontends.prisma.incremental import changed_range

    a, b = "x" * common + old + "y" * tail, "x" * common + new + "y" * tail
    start, old_end, new_end = changed_range(a, b)
    prefix = next((i for i, (p, q) in enumerate(zip(a, b)) if p != q), min(len(a), len(b)))
    assert start == prefix
    rest = min(len(a), len(b)) - prefix
    suffix = next((i for i in range(rest) if a[len(a) - 1 - i] != b[len(b) - 1 - i]), rest)
    assert (old_end, new_end) == (len(a) - suffix, len(b) - suffix)


LONG = "aVeryLongColumnNameThatGoesOnAndOnForeverMore"


def _long_names_schema(n: int) -> str:
    """Models whose default index names are cut to 63 bytes and collide (within a model and
    across models of one table namespace), names over the limit, names with a NUL."""
    out = ['datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n']
    for i in range(n):
        out.append(
            f"model M{i} {{\n  id Int @id\n  {LONG} String\n  {LONG}2 String @map(\"{'c' * 70}\")\n"
            f"  b String @map(\"b\\u0000{i}\")\n\n  @@index([{LONG}, {LONG}2])\n  @@index([{LONG}])\n"
            f"  @@map(\"{'t' * 64}{i}\")\n}}\n"
        )
    out.append(f'model Other {{\n  id Int @id\n  x String\n\n  @@index([x], map: "{"i" * 70}")\n  @@index([x], map: "n\\u0000")\n}}\n')
    return "\n".join(out)


def test_identifier_too_long_keeps_each_models_part_and_checks_collisions_again(tmp_path):
    """identifier-too-long keeps each model's own findings while the model is the same object
    (RuleContext.per_object), and works out the collisions of cut default names across models
    at every lint: edits that make and unmake a collision with an unchanged model, that change a
    name, that move the blocks below, read as a fresh lint."""
    text = _long_names_schema(4)
    extra = "model Extra {\n  id Int @id\n  " + LONG + " String\n\n  @@index([" + LONG + "])\n  @@map(\"" + "t" * 64 + "x\")\n}\n\n"

    def at(t: str, what: str, after: str = "") -> int:
        return t.index(what, t.index(after) if after else 0)

    edits = [  # each a function of the text it edits: (start, end, insert)
        lambda t: (0, 0, "// x\n"),  # every block moves a line down
        lambda t: (at(t, f"  @@index([{LONG}])", "model M1 {"),) * 2 + ("  @@index([id])\n",),  # M1 built again
        lambda t: (at(t, "model M2 {"),) * 2 + (extra,),  # collides with M0..M3
        lambda t: (at(t, "model Extra {"), at(t, "model Extra {") + len("model Extra {"), "model Extra2 {"),  # renamed
        lambda t: (at(t, "model Extra2 {"), at(t, "model M2 {"), ""),  # deleted again
        lambda t: (at(t, "tttt", "model M0 {"), at(t, "tttt", "model M0 {") + 1, ""),  # M0's table: no longer cut, no collision
    ]
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    first = ENGINE.lint(current, cache).findings
    findings_before = [f for f in first if f.rule == "identifier-too-long"]
    assert any("collides" in f.message for f in findings_before) and any("NUL" in f.message for f in findings_before)
    assert any("over the 63-byte limit" in f.message for f in findings_before)
    memo = cache.memos["identifier-too-long"]
    assert len(memo) == 5  # one result per model
    for edit in edits:
        start, end, insert = edit(text)
        text = text[:start] + insert + text[end:]
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        assert not current.diagnostics
        assert lint_result(current, cache) == lint_result(load_inputs(path, tmp_path, {key: text}))
    # typing in the body of one model: the other models' findings are the same objects
    typed = at(text, "  id Int @id", "model M3 {") + len("  id Int @id")
    previous = {id(f): f for f in ENGINE.lint(current, cache).findings if f.rule == "identifier-too-long"}  # (held: ids not reused)
    text = text[:typed] + " // x" + text[typed:]
    current = load_inputs(path, tmp_path, {key: text}, previous=current)
    now = [f for f in ENGINE.lint(current, cache).findings if f.rule == "identifier-too-long"]
    assert lint_result(current, cache) == lint_result(load_inputs(path, tmp_path, {key: text}))
    same = [f for f in now if id(f) in previous]
    assert {f.model for f in now if "collides" not in f.message} - {f.model for f in same} == {"M3"}


def in_block_edits(tmp_path: Path, text: str, rng: random.Random) -> list[tuple[int, int, str]]:
    """Edits inside blocks that declare, rename, delete and move no block (the model builder's
    quick path, model/builder.py ``_quick``): a scalar field's type changed and back, an
    ``@@index`` added and removed, a relation's ``onDelete`` set, a relation field renamed,
    a relation named on one side and then the other (grouped otherwise meanwhile), an
    ``@unique`` added, ``@@map`` changed (index and foreign key names change), an index given
    another model's index name (an error) and back, a field documented, an enum value added,
    a trailing comment typed."""
    edits: list[tuple[int, int, str]] = []

    def apply(start: int, end: int, insert: str) -> None:
        nonlocal text
        edits.append((start, end, insert))
        text = text[:start] + insert + text[end:]

    def models():
        return _models(_parsed(tmp_path, text))

    if len(models()) < 2:
        return edits
    m = rng.choice(models())
    scalars = [f for f in m.block.fields if f.type is not None and f.type.name in ("String", "Int", "DateTime", "Boolean")]
    if scalars:
        f = rng.choice(scalars)
        start = f.type.span.start
        apply(start, start + len(f.type.name), "Float")
        apply(start, start + len("Float"), f.type.name)
        at = m.block.close_span.start
        apply(at, at, f"  @@index([{f.name}])\n")
        apply(at, at + len(f"  @@index([{f.name}])\n"), "")
        end = f.span.end
        apply(end, end, " @unique")
        apply(end, end, " // typed")
        apply(f.span.start, f.span.start, "/// documented\n  ")
    relations = [(m, f) for m in models() for f in m.block.fields for a in f.attributes if a.name == "relation" and a.arg("fields") is not None]
    if relations:
        m, f = rng.choice(relations)
        attr = next(a for a in f.attributes if a.name == "relation")
        if attr.arg("onDelete") is None:
            apply(attr.span.end - 1, attr.span.end - 1, ", onDelete: Cascade")
        m, f = rng.choice(relations)
        apply(f.name_span.start, f.name_span.end, f.name + "Renamed")
    schema = _parsed(tmp_path, text)
    pairs = [(m, f) for m in _models(schema) for f in m.block.fields if f.type is not None and f.type.name in schema.models and not any(a.name == "relation" and a.args and a.args[0].name is None for a in f.attributes)]
    if pairs:
        m, f = rng.choice(pairs)
        other = schema.models[f.type.name]
        back = [g for g in other.block.fields if g.type is not None and g.type.name == m.name and g is not f]
        if len(back) == 1 and sum(1 for g in m.block.fields if g.type is not None and g.type.name == f.type.name) == 1:
            attr = next((a for a in f.attributes if a.name == "relation"), None)
            if attr is None:
                apply(f.span.end, f.span.end, ' @relation("Named")')
            else:
                apply(attr.span.start + len("@relation("), attr.span.start + len("@relation("), '"Named", ')
            g = _parsed(tmp_path, text).models[other.name].block.fields[other.block.fields.index(back[0])]
            gattr = next((a for a in g.attributes if a.name == "relation"), None)
            if gattr is None:
                apply(g.span.end, g.span.end, ' @relation("Named")')
            else:
                apply(gattr.span.start + len("@relation("), gattr.span.start + len("@relation("), '"Named", ')
    m = rng.choice(models())
    mapped = [a for a in m.block.attributes if a.name == "map"]
    if mapped:
        value = mapped[0].args[0].value
        apply(value.span.start, value.span.end, '"remapped"')
    schema = _parsed(tmp_path, text)
    indexed = [(m, i) for m in _models(schema) for i in m.indexes if i.kind == "index" and not i.synthetic]
    if len(indexed) > 1:
        (m1, i1), (m2, i2) = rng.sample(indexed, 2)
        if m1.name != m2.name and i2.map is None and m1.schema == m2.schema:
            at = i2.span.end - 1
            apply(at, at, f', map: "{i1.db_name}"')
            apply(at, at + len(f', map: "{i1.db_name}"'), "")
    enums = [e for e in schema.enums.values() if e.values]
    if enums:
        e = rng.choice(enums)
        at = e.values[-1].span.end
        apply(at, at, "\n  ADDED_VALUE")
    return edits


def test_edits_inside_blocks_take_the_builders_quick_path_and_load_as_a_fresh_load(tmp_path, corpus_texts):
    """Every (one-file) corpus schema and the benchmark's through :func:`in_block_edits`: after
    each, the model graph (models, relations in order, join tables, enums), the findings and the
    diagnostics are a fresh load's; and most loads took the builder's quick path."""
    import prisma_lint.model.builder as builder

    quick = {"taken": 0, "asked": 0}
    original = builder.SchemaBuilder._quick

    def counted(self, previous):
        got = original(self, previous)
        quick["asked"] += 1
        quick["taken"] += got is not None
        return got

    texts = [synthetic_schema(600)] + [next(iter(files.values())) for files in corpus_texts if len(files) == 1]
    try:
        builder.SchemaBuilder._quick = counted  # type: ignore[method-assign]
        checked = check_edit_series(tmp_path, texts, in_block_edits, random.Random(9))
    finally:
        builder.SchemaBuilder._quick = original  # type: ignore[method-assign]
    assert checked > 30
    assert quick["taken"] > quick["asked"] / 2, quick


def test_the_servers_diagnostics_after_edits_inside_blocks_are_a_fresh_open(tmp_path):
    """The server's records kept without working their ranges out again (the blocks the parse
    did not lex, their lines and columns kept) after edits inside blocks: after each change the
    published diagnostics are a fresh open's. Non-ASCII text above and in the blocks (UTF-16
    columns differ from code points), and edits that add lines (every block below moves)."""
    text = synthetic_schema(400).replace("// a trailing comment", "// a trailing comment 😀 é")
    text = "// ✓ schema 😀\n" + text
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    state, transport, types = _state(tmp_path)
    uri = path.as_uri()
    first = len(text.split("\n", 1)[0])
    edits = [(first, first, " 😀x"), (0, 0, "// é\n")]
    after = text
    for start, end, insert in edits:
        after = after[:start] + insert + after[end:]
    (tmp_path / "probe").mkdir()
    edits += in_block_edits(tmp_path / "probe", after, random.Random(4))
    assert len(edits) > 8

    _server_series(state, transport, types, tmp_path, uri, text, edits)



def test_the_same_text_linted_with_other_rules_is_a_fresh_lint(tmp_path):
    """A config saved while the schema is unchanged: the same text loaded again (nothing built
    again: the cache's quick signature is the last one), linted with other rules and options
    with the same cache: a fresh lint's findings."""
    text = synthetic_schema(300)
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    ENGINE.lint(current, cache)
    for config in (Config(ignore=["redundant-index"]), Config(), Config(ignore=["missing-fk-index", "boolean-index"])):
        current = load_inputs(path, tmp_path, {key: text}, previous=current)
        engine = Engine(REGISTRY, config)
        got = engine.lint(current, cache)
        fresh = engine.lint(load_inputs(path, tmp_path, {key: text}))
        assert [(f.rule, f.message, f.span.start) for f in got.findings] == [(f.rule, f.message, f.span.start) for f in fresh.findings]


def test_a_migration_that_appears_between_two_edits_is_read_by_every_models_rules(tmp_path):
    """The migrations folder gets its first index (`prisma migrate dev`) between two edits, the
    second typed inside another model (the builder's quick path: that model is the only one
    built again): a model the edit did not touch still has its per-model rules run with the
    migration's index (redundant-index reads them). Before, its findings were kept from the lint
    without migrations."""
    text = (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
        "model Tag {\n  id    Int    @id\n  label String\n\n  @@index([label])\n}\n\n"
        "model Note {\n  id   Int    @id\n  body String // a comment\n}\n"
    )
    path, key, current = loaded(tmp_path, text)
    cache = FindingsCache()
    assert not [f for f in ENGINE.lint(current, cache).findings if f.rule == "redundant-index"]
    folder = tmp_path / "migrations" / "20260101000000_tag"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text('CREATE INDEX "tag_label_id" ON "Tag" ("label", "id");\n')
    at = text.index("// a comment") + len("// a comment")
    text = text[:at] + " x" + text[at:]
    current = load_inputs(path, tmp_path, {key: text}, previous=current)
    assert current.migrations is not None
    got = lint_result(current, cache)
    fresh = lint_result(load_inputs(path, tmp_path, {key: text}))
    assert got == fresh
    assert any(f[0] == "redundant-index" for f in fresh[0])
