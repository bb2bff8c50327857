"""The language server, end to end: pytest-lsp starts ``python -m prisma_lint.lsp.server`` and talks
LSP to it over stdio, as an editor does.

Open a document and get its diagnostics (exact ranges, in UTF-16 code units past an emoji);
ask for a code action, apply its workspace edit as the editor would (incremental changes) and
see the diagnostic go; hover shows the rule page; an edit into a syntax error gives a syntax
diagnostic and the server lives on; a multi-file schema gives each open file its own
diagnostics; closing a document clears them. Plus the position arithmetic on its own (no pygls).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

if not os.environ.get("CI"):  # on CI a missing piece fails (as in conftest.py); locally, skip
    pytest.importorskip("pytest_lsp")
    pytest.importorskip("pygls")

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from prisma_lint import discovery
from prisma_lint.lsp import positions as lsp_positions
from prisma_lint.lsp import server as lsp

REPO = Path(__file__).resolve().parent.parent
# every end-to-end test shares the module's server and event loop
e2e = pytest.mark.asyncio(loop_scope="module")

SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "prisma_lint.lsp.server"],
    server_env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
)


def capabilities(encodings=None) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True, code_description_support=True, data_support=True
            ),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=["", "quickfix", "source"])
                ),
                is_preferred_support=True,
                data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities(), root_uri=root.as_uri())
    )
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    yield
    await lsp_client.shutdown_session()


# -- helpers ---------------------------------------------------------------------------------------

SCHEMA = """\
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}

// 😀 a comment with an emoji
model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  /* 😀 */ author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
  @@index([title])
  @@index([title, id])
}
"""


async def wait_for(client: LanguageClient, uri: str, pred, timeout: float = 10.0):
    """The diagnostics of ``uri`` once ``pred`` holds for them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        diags = client.diagnostics.get(uri)
        diags = None if diags is None else list(diags)
        if diags is not None and pred(diags):
            return diags
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out; diagnostics of {uri}: {diags!r}")
        await asyncio.sleep(0.01)


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def open_doc(client: LanguageClient, path: Path, text: str, language: str = "prisma") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, changes) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes,
        )
    )


def whole(text: str):
    return [types.TextDocumentContentChangeWholeDocument(text=text)]


def utf16_offset(text: str, line: int, character: int) -> int:
    """Reference conversion (independent of the server's): LSP position -> str index."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    start = starts[line]
    units = 0
    i = start
    while units < character:
        units += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


def apply_edits(text: str, edits) -> str:
    spans = sorted(
        ((utf16_offset(text, e.range.start.line, e.range.start.character), utf16_offset(text, e.range.end.line, e.range.end.character), e.new_text) for e in edits),
        reverse=True,
    )
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


async def actions_for(client: LanguageClient, uri: str, diag, only=None):
    """The code actions the server offers for one diagnostic."""
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag], only=only),
        )
    )


def edits_for(edit: types.WorkspaceEdit, uri: str):
    if edit.document_changes:
        return [e for dc in edit.document_changes if dc.text_document.uri == uri for e in dc.edits]
    return list((edit.changes or {}).get(uri, []))


# -- end to end ------------------------------------------------------------------------------------


@e2e
async def test_open_gives_diagnostics_with_exact_utf16_ranges(client: LanguageClient, tmp_path):
    uri = open_doc(client, tmp_path / "schema.prisma", SCHEMA)
    diags = await wait_for(client, uri, lambda d: len(d) >= 2)
    assert codes(diags) == ["missing-fk-index", "redundant-index"]
    fk = next(d for d in diags if d.code == "missing-fk-index")
    # `  /* 😀 */ author   User   @relation(...)`: the emoji is 2 UTF-16 code units, so the
    # 27th code point (column 27 in the CLI's 1-based count) is UTF-16 character 27
    line = SCHEMA.splitlines()[19]
    assert fk.range.start == types.Position(line=19, character=27)
    assert fk.range.end == types.Position(line=19, character=len(line) + 1)
    assert fk.severity == types.DiagnosticSeverity.Warning
    assert fk.source == "prisma-lint"
    assert fk.code_description is not None and fk.code_description.href.endswith("missing-fk-index.md")
    red = next(d for d in diags if d.code == "redundant-index")
    assert red.range == types.Range(start=types.Position(line=20, character=2), end=types.Position(line=20, character=18))


@e2e
async def test_code_action_fixes_the_finding(client: LanguageClient, tmp_path):
    text = SCHEMA
    uri = open_doc(client, tmp_path / "schema.prisma", text)
    diags = await wait_for(client, uri, lambda d: "missing-fk-index" in codes(d))
    fk = next(d for d in diags if d.code == "missing-fk-index")
    actions = await actions_for(client, uri, fk)
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert [a.title for a in quick] == ["Add @@index([authorId]) to `Post`", "Ignore missing-fk-index on this line"]
    assert not quick[1].is_preferred
    action = quick[0]
    assert action.is_preferred and list(action.diagnostics) == [fk]
    assert action.edit.document_changes[0].text_document.version == 1
    edits = edits_for(action.edit, uri)
    assert edits
    new_text = apply_edits(text, edits)
    assert "  @@index([authorId])\n}" in new_text
    # the editor applies the edit as incremental changes, last first
    change(client, uri, 2, [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)])
    diags = await wait_for(client, uri, lambda d: "missing-fk-index" not in codes(d))
    assert codes(diags) == ["redundant-index"]
    # the unsafe fix is offered too, not preferred, and says so
    red = diags[0]
    actions = await actions_for(client, uri, red, only=[types.CodeActionKind.QuickFix])
    assert [a.title for a in actions] == ["Remove the redundant `@@index([title])` (unsafe)", "Ignore redundant-index on this line"]
    assert not actions[0].is_preferred
    new_text = apply_edits(new_text, edits_for(actions[0].edit, uri))
    change(client, uri, 3, whole(new_text))
    await wait_for(client, uri, lambda d: d == [])


@e2e
async def test_code_action_ignores_the_finding_on_its_line(client: LanguageClient, tmp_path):
    text = SCHEMA.replace("\n", "\r\n")
    uri = open_doc(client, tmp_path / "schema.prisma", text)
    diags = await wait_for(client, uri, lambda d: "missing-fk-index" in codes(d))
    fk = next(d for d in diags if d.code == "missing-fk-index")
    actions = await actions_for(client, uri, fk, only=[types.CodeActionKind.QuickFix])
    (ignore,) = [a for a in actions if a.title == "Ignore missing-fk-index on this line"]
    new_text = apply_edits(text, edits_for(ignore.edit, uri))
    line = new_text.split("\r\n")[fk.range.start.line]
    assert line.endswith("onDelete: Cascade) // prisma-lint-ignore missing-fk-index")
    assert new_text.count("\r\n") == new_text.count("\n")
    change(client, uri, 2, whole(new_text))
    diags = await wait_for(client, uri, lambda d: "missing-fk-index" not in codes(d))
    assert codes(diags) == ["redundant-index"]  # and no unused-suppression


FIX_ALL = """\
datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id
  posts Post[]
}

model Org {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int    @id
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
  orgId    Int
  org      Org    @relation(fields: [orgId], references: [id])

  @@index([title])
  @@index([title, id])
}
"""


@e2e
async def test_fix_all_source_action(client: LanguageClient, tmp_path):
    uri = open_doc(client, tmp_path / "schema.prisma", FIX_ALL)
    await wait_for(client, uri, lambda d: codes(d) == ["missing-fk-index", "missing-fk-index", "redundant-index"])
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert [a.kind for a in actions] == [lsp.FIX_ALL_KIND]
    assert actions[0].edit is None  # computed on resolve
    resolved = await client.code_action_resolve_async(actions[0])
    fixed = apply_edits(FIX_ALL, edits_for(resolved.edit, uri))
    assert "  @@index([title, id])\n  @@index([authorId])\n  @@index([orgId])\n}" in fixed
    assert "  @@index([title])\n" in fixed  # the unsafe removal is not part of fix-all
    change(client, uri, 2, whole(fixed))
    await wait_for(client, uri, lambda d: codes(d) == ["redundant-index"])


@e2e
async def test_hover_shows_the_rule_page(client: LanguageClient, tmp_path):
    uri = open_doc(client, tmp_path / "schema.prisma", SCHEMA)
    diags = await wait_for(client, uri, lambda d: "missing-fk-index" in codes(d))
    fk = next(d for d in diags if d.code == "missing-fk-index")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=19, character=40))
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.Markdown
    value = hover.contents.value
    assert value.index(fk.message) < value.index("# missing-fk-index")
    assert "## Why is this bad?" in value
    assert hover.range == fk.range
    nothing = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
    )
    assert nothing is None


@e2e
async def test_syntax_error_then_recovery(client: LanguageClient, tmp_path):
    uri = open_doc(client, tmp_path / "schema.prisma", SCHEMA)
    await wait_for(client, uri, lambda d: "missing-fk-index" in codes(d))
    # type `@default(` at the end of `  title    String` (line 17): incremental edit
    line = SCHEMA.splitlines()[17]
    end = types.Position(line=17, character=len(line))
    change(client, uri, 2, [types.TextDocumentContentChangePartial(range=types.Range(start=end, end=end), text=" @default(")])
    diags = await wait_for(client, uri, lambda d: "syntax-error" in codes(d))
    syntax = next(d for d in diags if d.code == "syntax-error")
    assert syntax.severity == types.DiagnosticSeverity.Error
    assert syntax.range.start == types.Position(line=17, character=len(line) + len(" @default("))
    # garbage the lexer rejects, then the empty document: still no crash
    change(client, uri, 3, whole("model A {\n  x Stri€ng 😀\n"))
    diags = await wait_for(client, uri, lambda d: any("€" in x.message for x in d))
    bad = next(d for d in diags if "€" in d.message)
    assert bad.range.start == types.Position(line=1, character=8)
    change(client, uri, 4, whole(""))
    await wait_for(client, uri, lambda d: d == [])
    # and a valid text gives the normal diagnostics again
    change(client, uri, 5, whole(SCHEMA))
    diags = await wait_for(client, uri, lambda d: codes(d) == ["missing-fk-index", "redundant-index"])


@e2e
async def test_crlf_document(client: LanguageClient, tmp_path):
    text = SCHEMA.replace("\n", "\r\n")
    uri = open_doc(client, tmp_path / "schema.prisma", text)
    diags = await wait_for(client, uri, lambda d: len(d) >= 2)
    fk = next(d for d in diags if d.code == "missing-fk-index")
    assert fk.range.start == types.Position(line=19, character=27)
    # incremental edits across a CRLF line end: delete line 17 with its \r\n, then put it back
    line17 = SCHEMA.splitlines()[17]

    def fk_start(d):
        return next((x.range.start for x in d if x.code == "missing-fk-index"), None)

    start, next_line = types.Position(line=17, character=0), types.Position(line=18, character=0)
    change(client, uri, 2, [types.TextDocumentContentChangePartial(range=types.Range(start=start, end=next_line), text="")])
    await wait_for(client, uri, lambda d: fk_start(d) == types.Position(line=18, character=27))
    change(client, uri, 3, [types.TextDocumentContentChangePartial(range=types.Range(start=start, end=start), text=line17 + "\r\n")])
    diags = await wait_for(client, uri, lambda d: fk_start(d) == types.Position(line=19, character=27))
    assert codes(diags) == ["missing-fk-index", "redundant-index"]


@e2e
async def test_multi_file_schema(client: LanguageClient, tmp_path):
    folder = tmp_path / "prisma" / "schema"
    folder.mkdir(parents=True)
    main = 'datasource db {\n  provider = "postgresql"\n}\n'
    users = "model User {\n  id     Int     @id\n  active Boolean\n  posts  Post[]\n\n  @@index([active])\n}\n"
    posts = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
    for name, text in (("schema.prisma", main), ("user.prisma", users), ("post.prisma", posts)):
        (folder / name).write_text(text)
    post_uri = open_doc(client, folder / "post.prisma", posts)
    user_uri = open_doc(client, folder / "user.prisma", users)
    post = await wait_for(client, post_uri, lambda d: len(d) > 0)
    user = await wait_for(client, user_uri, lambda d: len(d) > 0)
    # `User` comes from another file: no "unknown type" error, so the folder is one schema
    assert codes(post) == ["missing-fk-index"]
    assert post[0].range.start.line == 3
    assert codes(user) == ["boolean-index"]
    assert user[0].range.start.line == 5
    # an unsaved edit in one file is seen when linting the other: drop the relation in post.prisma
    change(client, post_uri, 2, whole("model Post {\n  id Int @id\n}\n"))
    user = await wait_for(client, user_uri, lambda d: any(x.code == "schema-error" for x in d))
    await wait_for(client, post_uri, lambda d: d == [])
    # closing clears the closed file's diagnostics, and the other file sees post.prisma from disk
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=post_uri)))
    await wait_for(client, user_uri, lambda d: codes(d) == ["boolean-index"])
    assert list(client.diagnostics[post_uri]) == []


@e2e
async def test_close_clears_diagnostics(client: LanguageClient, tmp_path):
    uri = open_doc(client, tmp_path / "schema.prisma", SCHEMA)
    await wait_for(client, uri, lambda d: len(d) >= 2)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await wait_for(client, uri, lambda d: d == [])


@e2e
async def test_sql_migration(client: LanguageClient, tmp_path):
    folder = tmp_path / "migrations" / "20240101000000_init"
    folder.mkdir(parents=True)
    (folder.parent / "20230101000000_t").mkdir()
    (folder.parent / "20230101000000_t" / "migration.sql").write_text('CREATE TABLE "t" ("id" INT NOT NULL, "x" INT);\n')
    sql = '-- 😀\nCREATE INDEX "t_x_idx" ON "t"("x");\n'
    (folder / "migration.sql").write_text("")
    uri = open_doc(client, folder / "migration.sql", sql, language="sql")
    diags = await wait_for(client, uri, lambda d: len(d) > 0)
    assert codes(diags) == ["create-index-non-concurrently"]
    assert diags[0].range.start == types.Position(line=1, character=0)
    change(client, uri, 2, whole("CREATE INDEX oops ON;\n"))
    await wait_for(client, uri, lambda d: any(x.code == "sql-syntax-error" for x in d))


@e2e
async def test_save_relints_and_finds_the_new_schema_folder(client: LanguageClient, tmp_path):
    posts = "datasource db {\n  provider = \"postgresql\"\n}\n\nmodel Post {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n"
    path = tmp_path / "post.prisma"
    path.write_text(posts)
    uri = open_doc(client, path, posts)
    await wait_for(client, uri, lambda d: "schema-error" in codes(d))  # no model User: alone
    (tmp_path / "user.prisma").write_text("model User {\n  id    Int    @id\n  posts Post[]\n}\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    diags = await wait_for(client, uri, lambda d: "schema-error" not in codes(d))
    assert codes(diags) == ["missing-fk-index"]


@e2e
async def test_saving_an_app_file_relints_the_schemas_whose_app_reads_it(client: LanguageClient, tmp_path):
    schema = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel Session {\n  id        Int      @id\n  expiresAt DateTime\n}\n'
    client_ts = 'import { PrismaClient } from "@prisma/client";\nexport const prisma = new PrismaClient();\n'
    query = 'export const f = () => prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });\n'
    uris = {}
    for name in ("a", "b"):
        project = tmp_path / name
        (project / "src").mkdir(parents=True)
        (project / "package.json").write_text("{}")
        (project / "schema.prisma").write_text(schema)
        (project / "src" / "auth.ts").write_text(client_ts)
        uris[name] = open_doc(client, project / "schema.prisma", schema)
        await wait_for(client, uris[name], lambda d: d == [])
    for name in ("a", "b"):  # both apps change on disk; only a's file is saved
        (tmp_path / name / "src" / "auth.ts").write_text(client_ts + query)
    saved = tmp_path / "a" / "src" / "auth.ts"
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=saved.as_uri())))
    await wait_for(client, uris["a"], lambda d: codes(d) == ["unindexed-query"])
    await asyncio.sleep(0.5)
    assert list(client.diagnostics[uris["b"]]) == []  # b's app does not hold a's file: not read again
    saved = tmp_path / "b" / "src" / "auth.ts"
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=saved.as_uri())))
    await wait_for(client, uris["b"], lambda d: codes(d) == ["unindexed-query"])


@e2e
async def test_config_errors_and_config_reload(client: LanguageClient, tmp_path):
    config = tmp_path / "prisma-lint.toml"
    config.write_text('ignor = ["redundant-index"]\n')
    uri = open_doc(client, tmp_path / "schema.prisma", SCHEMA)
    diags = await wait_for(client, uri, lambda d: "config-error" in codes(d))
    assert "unknown key `ignor`" in next(d for d in diags if d.code == "config-error").message
    assert "missing-fk-index" in codes(diags)  # linted with the defaults meanwhile
    config.write_text('ignore = ["redundant-index"]\n')
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config.as_uri())))
    await wait_for(client, uri, lambda d: codes(d) == ["missing-fk-index"])


@e2e
async def test_the_server_reported_no_errors(client: LanguageClient):
    errors = [m.message for m in client.log_messages + client.messages if m.type == types.MessageType.Error]
    assert errors == []


# -- a client that prefers UTF-8 ---------------------------------------------------------------------


@pytest_lsp.fixture(scope="module", config=SERVER)
async def utf8_client(lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities([types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]))
    )
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    yield
    await lsp_client.shutdown_session()


@e2e
async def test_utf8_positions(utf8_client: LanguageClient, tmp_path):
    uri = open_doc(utf8_client, tmp_path / "schema.prisma", SCHEMA)
    diags = await wait_for(utf8_client, uri, lambda d: "missing-fk-index" in codes(d))
    fk = next(d for d in diags if d.code == "missing-fk-index")
    assert fk.range.start == types.Position(line=19, character=26 + 3)  # 😀 is 4 bytes


# -- the position arithmetic alone --------------------------------------------------------------------


def test_positions_round_trip():
    text = "a😀é\r\nb\rc\n\n€x"
    starts = lsp_positions.line_starts(text)
    assert starts == [0, 5, 7, 9, 10]
    for enc, expected in (("utf-16", (0, 4)), ("utf-8", (0, 7)), ("utf-32", (0, 3))):
        assert lsp_positions.position_of(text, starts, 3, enc) == expected
        assert lsp_positions.offset_of(text, *expected, enc) == 3
    assert lsp_positions.position_of(text, starts, 11, "utf-16") == (4, 1)
    assert lsp_positions.offset_of(text, 0, 99, "utf-16") == 3  # clamped to the line, before \r\n
    assert lsp_positions.offset_of(text, 9, 0, "utf-16") == len(text)
    assert lsp_positions.apply_change(text, (0, 1), (0, 3), "", "utf-16") == "aé\r\nb\rc\n\n€x"
    assert lsp_positions.apply_change(text, (0, 5), (1, 0), " ", "utf-16") == "a😀é b\rc\n\n€x"


def test_offsets_from_a_source_files_line_index():
    """didChange finds the change's offsets from the last lint's line index of the document
    (SourceFile.line_starts: the same line breaks as LSP's): the same offsets as finding the
    lines in the text, with every line ending, on every line, past the ends, in every encoding."""
    import random

    from prisma_lint.source import SourceFile

    rnd = random.Random(8)
    pieces = ["a", "bc", "\n", "\r\n", "\r", "é", "😀", " ", "\n\n"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25)))
        starts = SourceFile("s.prisma", text).line_starts
        for line in range(-1, len(starts) + 3):
            for character in (0, 1, 2, 5, 99):
                for enc in ("utf-16", "utf-8", "utf-32"):
                    found = lsp_positions.offset_of(text, line, character, enc)
                    assert found == lsp_positions.offset_of(text, line, character, enc, starts=starts), (text, line, character, enc)


def test_offsets_of_text_without_carriage_returns():
    """Text with only ``\\n`` line endings takes a faster path (str.find): the same offsets as
    the path for any line ending, on every line, past the ends, in every encoding."""
    import random

    rnd = random.Random(7)
    pieces = ["a", "bc", "\n", "é", "😀", " ", "\n\n"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 25)))
        for line in range(-1, text.count("\n") + 3):
            for character in (0, 1, 2, 5, 99):
                for enc in ("utf-16", "utf-8", "utf-32"):
                    fast = lsp_positions.offset_of(text, line, character, enc)
                    assert fast == lsp_positions.offset_of(text, line, character, enc, crlf=True), (text, line, character, enc)


def test_schema_root(tmp_path):
    folder = tmp_path / "prisma" / "schema"
    (folder / "models").mkdir(parents=True)
    (folder / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (folder / "models" / "a.prisma").write_text("model A {\n  id Int @id\n}\n")
    assert discovery.schema_root(folder / "models" / "a.prisma") == folder
    # two datasources: independent schemas, each file on its own
    (folder / "other.prisma").write_text('datasource db {\n  provider = "mysql"\n}\n')
    assert discovery.schema_root(folder / "other.prisma") == folder / "other.prisma"
    # ... unless the open (unsaved) text says otherwise
    key = str((folder / "other.prisma").resolve())
    assert discovery.schema_root(folder / "other.prisma", {key: "model B {\n  id Int @id\n}\n"}) == folder
    single = tmp_path / "one" / "schema.prisma"
    single.parent.mkdir()
    single.write_text("model A {\n  id Int @id\n}\n")
    assert discovery.schema_root(single) == single
    mig = tmp_path / "m" / "20240101000000_init" / "migration.sql"
    mig.parent.mkdir(parents=True)
    mig.write_text("")
    assert discovery.migrations_root(mig) == tmp_path / "m"
    assert discovery.migrations_root(tmp_path / "x.sql") == tmp_path / "x.sql"


def test_idle_collection_freezes_what_is_left(monkeypatch):
    """After a quiet second the server collects garbage and freezes what is left (the next
    collections walk only newer objects); every 20th time it unfreezes first (all collected)."""
    import gc

    calls: list[str] = []
    for name in ("collect", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, lambda *a, _name=name: calls.append(_name))
    state = lsp.ServerState(None, types, None, None, asyncio)
    for _ in range(20):
        state._idle_collect()
    assert calls[:2] == ["collect", "freeze"]
    assert calls.count("collect") == calls.count("freeze") == 20
    assert calls[-3:] == ["unfreeze", "collect", "freeze"] and calls.count("unfreeze") == 1


def test_combined_edits_bound_where_the_texts_differ():
    """didChange keeps one range for the changes since the last lint (Document.edit): after any
    series of replacements, the text before the range and after it is the linted text's."""
    import random

    rnd = random.Random(11)
    for _ in range(500):
        first = "".join(rnd.choice("ab\n") for _ in range(rnd.randint(0, 30)))
        text, edit = first, None
        for _ in range(rnd.randint(1, 5)):
            a = rnd.randint(0, len(text))
            b = rnd.randint(a, len(text))
            new = "".join(rnd.choice("xy\n") for _ in range(rnd.randint(0, 4)))
            edit = lsp_positions.combined_edit(edit, a, b, len(new))
            text = text[:a] + new + text[b:]
        s, old_end, new_end = edit
        assert 0 <= s <= old_end <= len(first) and s <= new_end <= len(text)
        assert first[:s] == text[:s] and first[old_end:] == text[new_end:], (first, text, edit)
