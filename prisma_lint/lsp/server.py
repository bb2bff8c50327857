"""The language server: ``prisma-lint lsp`` (needs the ``[lsp]`` extra, pygls), over stdio.

* Diagnostics are published when a document opens, when it is saved, and after it changes
  (debounced, see :data:`DEBOUNCE`). Every lint takes the text of every open document (unsaved
  buffers included) and publishes for every open file of the schema, clearing the files that no
  longer have any problem.
* Code actions: one quick fix per fix of a finding ("Add @@index([userId]) to `Session`"), as a
  workspace edit, preferred when safe and marked "(unsafe)" otherwise; and
  ``source.fixAll.prisma-lint``, every safe fix of the document planned together as ``--fix``
  does (computed on ``codeAction/resolve`` when the client supports it).
* Hover over a diagnostic: the finding's message, then the rule's documentation page.

Which unit a file belongs to (a multi-file schema folder, a migrations folder, or the file
alone) is decided by ``discovery.unit_root``, as for ``check``; a schema is linted with its
migrations (``migrations/`` next to the datasource's file) through the same engine.

Positions: our spans are code-point offsets; LSP positions are 0-based lines and, by default,
UTF-16 code units. The encoding is negotiated (``general.positionEncodings``: the client's
first choice among UTF-16, UTF-8 and UTF-32). Lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as in
the LSP specification and :class:`~prisma_lint.source.SourceFile`. Open documents are kept
here, with incremental changes applied by the same rules (pygls' own document store splits
lines as Python's ``str.splitlines`` does, on more characters than LSP).

Importing this module is cheap: pygls and lsprotocol (~0.5 s) are imported by
:func:`create_server` only, so the pure helpers here can be used and tested without them.
"""

from __future__ import annotations

import logging
import os
import sys

from .actions import Actions
from .state import FIX_ALL_KIND


class ServerState(Actions):
    """Everything the server keeps between messages: the state and plumbing (``state.py``),
    linting (``linting.py``), documents and scheduling (``workspace.py``), code actions and
    hover (``actions.py``)."""


def create_server():
    """The pygls LanguageServer with every feature registered (imports pygls)."""
    import asyncio

    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.protocol import LanguageServerProtocol, lsp_method
    from pygls.uris import from_fs_path, to_fs_path

    from .. import __version__

    class Protocol(LanguageServerProtocol):
        """pygls' protocol without pygls' own copy of the open documents: the state keeps them
        (with LSP's line endings, see positions.py) and nothing reads pygls' copy, which cost
        2.4-3.6 ms of every change on the 7,600-line benchmark schema (it splits the document
        into lines and joins them again)."""

        def _ours(self, method: str, params):
            handler = self.fm.features.get(method)
            if handler is not None:
                yield handler, (params,), None

        @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
        def lsp_text_document__did_open(self, params):
            yield from self._ours(types.TEXT_DOCUMENT_DID_OPEN, params)

        @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
        def lsp_text_document__did_change(self, params):
            yield from self._ours(types.TEXT_DOCUMENT_DID_CHANGE, params)

        @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
        def lsp_text_document__did_close(self, params):
            yield from self._ours(types.TEXT_DOCUMENT_DID_CLOSE, params)

        def send_text(self, body: str) -> None:
            """Write a message that is JSON text already, framed as ``_send_data`` frames one
            (the diagnostics: see Linting._publish)."""
            if self.writer is None:
                logging.getLogger("prisma_lint.lsp").error("cannot send: no transport")
                return
            data = body.encode(self.CHARSET)
            header = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            self.writer.write(header.encode(self.CHARSET) + data)  # stdio: pygls' StdoutWriter writes at once

    server = LanguageServer(
        "prisma-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental, protocol_cls=Protocol
    )
    state = ServerState(server, types, from_fs_path, to_fs_path, asyncio)
    state.env = dict(os.environ)  # the app cache folder (XDG_CACHE_HOME, HOME): read once, here

    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams):
        state.initialize(params)

    @server.feature(types.INITIALIZED)
    def initialized(ls, params):
        state.guard(state.initialized)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        state.guard(state.did_open, params)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        state.guard(state.did_change, params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        state.guard(state.did_save, params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        state.guard(state.did_close, params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls, params: types.DidChangeWatchedFilesParams):
        state.guard(state.watched_files_changed, params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=True,
        ),
    )
    def code_action(ls, params: types.CodeActionParams):
        return state.guard(state.code_actions, params, default=None)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls, action: types.CodeAction):
        return state.guard(state.resolve_code_action, action, default=action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: types.HoverParams):
        return state.guard(state.hover, params, default=None)

    server.prisma_lint_state = state  # for debugging
    return server


def main() -> None:
    """Run the language server over stdio until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="prisma-lint lsp: %(levelname)s: %(message)s")
    from .protocol import start_io

    server = create_server()
    timing_path = os.environ.get("PRISMA_LINT_LSP_TIMING")
    if timing_path:  # the bench's --phases (see timing.py)
        from .timing import Timing

        server.prisma_lint_state.timing = Timing(timing_path)
    # pygls' own stdio loop leaves protocol errors unanswered (see protocol.py)
    sys.exit(start_io(server))


if __name__ == "__main__":
    main()
