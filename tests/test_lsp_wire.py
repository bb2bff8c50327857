"""The language server writes ``textDocument/publishDiagnostics`` itself, as plain JSON (issue #10:
building lsprotocol objects and converting them with cattrs cost 3-4 ms of every change on a
7,600-line schema). The JSON must be what lsprotocol's converter made of the same diagnostics:
each message published here is read back into lsprotocol's types and converted again, and the
two texts are compared, for diagnostics of every kind (rule findings with and without fixes, a
tagged unused suppression, syntax errors, a config error), positions after an emoji, with CRLF
line endings and a byte order mark."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

types = pytest.importorskip("lsprotocol.types")
converters = pytest.importorskip("lsprotocol.converters")

SCHEMA = (
    "\ufeffgenerator client {\n"
    '  provider = "prisma-client-js"\n'
    "}\n"
    "\n"
    "datasource db {\n"
    '  provider = "postgresql"\n'
    "}\n"
    "\n"
    "model User {\n"
    "  id    Int    @id @default(autoincrement())\n"
    "  email String @unique\n"
    "  posts Post[]\n"
    "  active Boolean\n"
    "  // prisma-lint-ignore redundant-index\n"
    "  @@index([active])\n"
    "}\n"
    "\n"
    "// 😀 a comment with an emoji\n"
    "model Post {\n"
    "  id       Int    @id @default(autoincrement())\n"
    "  title    String\n"
    "  authorId Int\n"
    "  /* 😀 */ author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)\n"
    "  @@index([title])\n"
    "  @@index([title, id])\n"
    "}\n"
).replace("\n", "\r\n")

BROKEN = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel Broken {\n  id Int @id\n  name 😀 String\n'


class _Protocol:
    """What the state calls on the server's protocol: each message's text is kept."""

    client_capabilities = None

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.sent: list[dict] = []

    def send_text(self, body: str) -> None:
        self.texts.append(body)
        self.sent.append(json.loads(body))


class _Server:
    def __init__(self) -> None:
        self.protocol = _Protocol()
        self.workspace = type("W", (), {"position_encoding": "utf-16"})()

    def window_log_message(self, params) -> None:
        raise AssertionError(params.message)


def _state(folder: Path):
    from pygls.uris import from_fs_path, to_fs_path

    from prisma_lint.lsp.server import ServerState

    server = _Server()
    state = ServerState(server, types, from_fs_path, to_fs_path, asyncio)
    state.cwd = folder
    return state, server.protocol


def _as_lsprotocol_would_write(message: dict) -> str:
    """The message read into lsprotocol's notification and converted back to JSON, as pygls'
    ``notify`` made it."""
    converter = converters.get_converter()
    params = converter.structure(message["params"], types.PublishDiagnosticsParams)
    notification = types.PublishDiagnosticsNotification(method=types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params=params, jsonrpc="2.0")
    return json.dumps(converter.unstructure(notification))


def _open(state, path: Path, text: str) -> str:
    uri = path.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="prisma", version=1, text=text)
    state.did_open(types.DidOpenTextDocumentParams(text_document=item))
    return uri


def test_published_json_is_lsprotocols(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "badconfig").mkdir()
    (tmp_path / "badconfig" / "prisma-lint.toml").write_text("[rules]\nno-such-table = 3\n")
    state, protocol = _state(tmp_path)

    async def run() -> None:
        good = _open(state, tmp_path / "good" / "schema.prisma", SCHEMA)
        broken = _open(state, tmp_path / "broken" / "schema.prisma", BROKEN)
        _open(state, tmp_path / "badconfig" / "schema.prisma", SCHEMA.replace("\r\n", "\n"))
        # a change: kept findings (the rule cache) publish the same JSON as fresh ones
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)), text="  // x\r\n"
        )
        state.did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=good, version=2), content_changes=[change]
            )
        )
        state.lint_now(state.doc_unit[good])
        # typed in a comment (no line moves): the findings the rule cache kept keep their
        # records (the same id and JSON)
        at = types.Position(line=18, character=len("// 😀 a comment with an emoji") + 1)
        typed = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text=" y")
        state.did_change(types.DidChangeTextDocumentParams(text_document=types.VersionedTextDocumentIdentifier(uri=good, version=3), content_changes=[typed]))
        state.lint_now(state.doc_unit[good])
        # closing clears the document's diagnostics (a message without a version)
        state.did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=broken)))

    asyncio.run(run())
    seen: dict[str, set] = {"codes": set(), "fields": set()}
    assert protocol.texts
    for text, message in zip(protocol.texts, protocol.sent):
        assert text == _as_lsprotocol_would_write(message)
        for d in message["params"]["diagnostics"]:
            seen["codes"].add(d.get("code"))
            seen["fields"] |= set(d)
    # every kind of diagnostic went through the comparison
    assert {"missing-fk-index", "redundant-index", "unused-suppression", "config-error"} <= seen["codes"]
    assert any(c and c not in state.registry.rules and c != "config-error" for c in seen["codes"]), seen["codes"]  # a syntax error
    assert {"range", "message", "severity", "code", "codeDescription", "source", "tags", "data"} <= seen["fields"]
    good_sent = [m for m in protocol.sent if m["params"]["uri"].endswith("good/schema.prisma")]
    boolean = [next(d for d in m["params"]["diagnostics"] if d["code"] == "boolean-index") for m in good_sent[-2:]]
    assert boolean[0] == boolean[1]  # the same record: the same id
    last = good_sent[-1]
    assert last["params"]["version"] == 3
    fk = next(d for d in last["params"]["diagnostics"] if d["code"] == "missing-fk-index")
    # after the BOM (one UTF-16 unit on the first line only), CRLF and the emoji (two units),
    # the line inserted by the change: line 23, UTF-16 character 27
    assert fk["range"]["start"] == {"line": 23, "character": 27}
    assert fk["data"]["fix"] == "safe"
    assert "version" not in protocol.sent[-1]["params"] and protocol.sent[-1]["params"]["diagnostics"] == []
