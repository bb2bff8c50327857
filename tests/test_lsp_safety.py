"""Issue #11 items 3 and 12: a language server that cannot misapply an edit, and answers every
JSON-RPC message as the specification says.

The stale quick fix goes through pytest-lsp with a client that lacks ``documentChanges``; the
protocol cases write raw bytes to the server's stdin (pytest-lsp cannot send garbage)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from test_lsp import actions_for, apply_edits, change, codes, edits_for, open_doc, wait_for

from prisma_lint.lsp.protocol import split_frames

REPO = Path(__file__).resolve().parent.parent
e2e = pytest.mark.asyncio(loop_scope="module")
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "prisma_lint.lsp.server"],
    server_env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
)

SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int    @id
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([authorId])
  @@index([title])
  @@index([title, id])
}
"""


def caps(document_changes: bool) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True, data_support=True),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=["", "quickfix", "source"])
                ),
                data_support=True,
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=document_changes)
        ),
    )


# a long debounce: after a first change, the next one is linted only a minute later, so the
# server certainly has not linted it when the code action arrives (deterministic, no sleep)
SLOW = {"debounceMs": 60_000}


async def _session(lsp_client: LanguageClient, tmp_path_factory, document_changes: bool):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps(document_changes), initialization_options=SLOW,
                               root_uri=tmp_path_factory.mktemp("ws").as_uri())
    )


@pytest_lsp.fixture(scope="module", config=SERVER)
async def plain_client(lsp_client: LanguageClient, tmp_path_factory):
    await _session(lsp_client, tmp_path_factory, document_changes=False)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(scope="module", config=SERVER)
async def versioned_client(lsp_client: LanguageClient, tmp_path_factory):
    await _session(lsp_client, tmp_path_factory, document_changes=True)
    yield
    await lsp_client.shutdown_session()


async def stale_setup(client: LanguageClient, path: Path):
    """Open, change once (linted: a second redundant index appears), then insert two `///` lines
    above `Post` (not linted for a minute); returns the uri, the text now, and Post's
    redundant-index diagnostic of before the insert."""
    uri = open_doc(client, path, SCHEMA)
    await wait_for(client, uri, lambda d: codes(d).count("redundant-index") == 1)
    v2 = SCHEMA + "\nmodel Extra {\n  id   Int    @id\n  name String\n\n  @@index([name])\n  @@index([name, id])\n}\n"
    change(client, uri, 2, [types.TextDocumentContentChangeWholeDocument(text=v2)])
    diags = await wait_for(client, uri, lambda d: codes(d).count("redundant-index") == 2)
    stale = min((d for d in diags if d.code == "redundant-index"), key=lambda d: d.range.start.line)
    now = v2.replace("model Post {", "/// Blog posts.\n/// Written by users.\nmodel Post {")
    change(client, uri, 3, [types.TextDocumentContentChangeWholeDocument(text=now)])
    return uri, now, stale


@e2e
async def test_stale_quick_fix_is_not_offered_for_the_old_position(plain_client: LanguageClient, tmp_path):
    uri, now, stale = await stale_setup(plain_client, tmp_path / "schema.prisma")
    actions = await actions_for(plain_client, uri, stale, only=[types.CodeActionKind.QuickFix])
    for action in actions or []:  # whatever is offered must be right for the text as it is now
        fixed = apply_edits(now, edits_for(action.edit, uri))
        assert "author   User   @relation(fields: [authorId], references: [id])" in fixed, action.title
    assert not [a for a in actions or [] if a.title.startswith("Remove the redundant")]
    # the server linted the new text first: the fresh diagnostic gets the right fix
    diags = await wait_for(plain_client, uri, lambda d: any(x.code == "redundant-index" and x.range.start.line == stale.range.start.line + 2 for x in d))
    fresh = next(d for d in diags if d.code == "redundant-index" and d.range.start.line == stale.range.start.line + 2)
    actions = await actions_for(plain_client, uri, fresh, only=[types.CodeActionKind.QuickFix])
    remove = next(a for a in actions if a.title.startswith("Remove the redundant"))
    assert remove.edit.changes and not remove.edit.document_changes  # the client cannot take them
    fixed = apply_edits(now, edits_for(remove.edit, uri))
    assert fixed == now.replace("  @@index([title])\n", "", 1)


@e2e
async def test_quick_fix_edits_carry_the_document_version(versioned_client: LanguageClient, tmp_path):
    uri, _now, _stale = await stale_setup(versioned_client, tmp_path / "schema.prisma")
    await actions_for(versioned_client, uri, _stale)  # makes the server lint version 3 now
    diags = await wait_for(versioned_client, uri, lambda d: any(x.code == "redundant-index" and x.range.start.line == _stale.range.start.line + 2 for x in d))
    fresh = next(d for d in diags if d.code == "redundant-index" and d.range.start.line == _stale.range.start.line + 2)
    actions = await actions_for(versioned_client, uri, fresh, only=[types.CodeActionKind.QuickFix])
    remove = next(a for a in actions if a.title.startswith("Remove the redundant"))
    assert remove.edit.document_changes and not remove.edit.changes
    assert [dc.text_document.version for dc in remove.edit.document_changes] == [3]


# -- the protocol, over raw stdio -------------------------------------------------------------------
def frame(body, length=None) -> bytes:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return f"Content-Length: {len(data) if length is None else length}\r\n\r\n".encode() + data


INIT = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
INITIALIZED = frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
HOVER = {"textDocument": {"uri": "file:///x.prisma"}, "position": {"line": 0, "character": 0}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 90, "method": "shutdown"}


def talk(*chunks: bytes, want_ids=(), timeout: float = 20.0) -> tuple[dict, subprocess.Popen]:
    """Send ``chunks`` to a fresh server; collect responses until every id in ``want_ids`` (and
    one ``id: null`` per None) is answered. Returns (responses by id, the process)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "prisma_lint.lsp.server"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    for c in chunks:
        proc.stdin.write(c)
    proc.stdin.flush()
    got: dict = {}
    nulls = []
    buf = bytearray()
    deadline = time.monotonic() + timeout
    wanted = [w for w in want_ids if w is not None]
    null_count = sum(1 for w in want_ids if w is None)
    while time.monotonic() < deadline and (not all(w in got for w in wanted) or len(nulls) < null_count):
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            for body in split_frames(buf):
                msg = json.loads(body)
                if "id" in msg and "method" not in msg:
                    if msg["id"] is None:
                        nulls.append(msg)
                    else:
                        got[msg["id"]] = msg
    got[None] = nulls
    return got, proc


def finish(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()


def test_request_before_initialize_is_error_32002():
    got, proc = talk(frame({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": HOVER}), want_ids=[7])
    finish(proc)
    assert got[7]["error"]["code"] == -32002


def test_bad_params_get_invalid_params():
    got, proc = talk(
        INIT, INITIALIZED,
        frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {"foo": 1}}),
        frame({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": 5}),
        frame(SHUTDOWN),
        want_ids=[1, 2, 3, 90],
    )
    finish(proc)
    assert got[2]["error"]["code"] == -32602 and got[3]["error"]["code"] == -32602
    assert got[90]["result"] is None  # and the server goes on


def test_broken_json_gets_a_parse_error_and_the_server_goes_on():
    got, proc = talk(
        INIT, INITIALIZED,
        frame(b'{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{'),
        frame(b"\xff\xfe not utf-8"),
        frame(SHUTDOWN),
        want_ids=[1, None, None, 90],
    )
    finish(proc)
    assert [e["error"]["code"] for e in got[None]] == [-32700, -32700]
    assert got[90]["result"] is None


@pytest.mark.parametrize(
    "bad",
    [
        b"Content-Length: abc\r\n\r\n{}",
        b"Content-Type: application/vscode-jsonrpc\r\n\r\n{}",
        frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}, length=10),  # too short
    ],
)
def test_after_a_bad_content_length_the_server_answers_again(bad):
    got, proc = talk(INIT, INITIALIZED, bad, frame(SHUTDOWN), want_ids=[1, None, 90])
    finish(proc)
    assert got[None] and got[None][0]["error"]["code"] == -32700
    assert got[90]["result"] is None


def test_requests_after_shutdown_are_invalid_requests_and_exit_is_0():
    got, proc = talk(
        INIT, INITIALIZED, frame(SHUTDOWN),
        frame({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": HOVER}),
        want_ids=[90, 3],
    )
    assert got[90]["result"] is None
    assert got[3]["error"]["code"] == -32600
    proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.flush()
    assert proc.wait(timeout=20) == 0


def test_exit_without_shutdown_exits_1():
    _got, proc = talk(INIT, INITIALIZED, frame({"jsonrpc": "2.0", "method": "exit"}), want_ids=[1])
    assert proc.wait(timeout=20) == 1


def test_split_frames_resyncs_after_garbage():
    buf = bytearray(b"Content-Length: 2\r\n\r\n{}" b"junk}Content-Length: x\r\n\r\n" + frame(b"[1]") + b"Content-Len")
    assert split_frames(buf) == [b"{}", None, b"[1]"]
    assert bytes(buf) == b"Content-Len"  # kept until the rest arrives
    buf += b"gth: 1\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n1"
    assert split_frames(buf) == [b"1"] and buf == b""
