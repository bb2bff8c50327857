"""JSON-RPC over stdio as the LSP specification says, where pygls 2.1 does not (issue #11 item 12).

What pygls' own stdio loop (``pygls.io_.run_async``) does, measured with raw messages:

* a request whose params do not fit the method's type, or whose body is not JSON, gets no
  response at all (the error goes to ``window/showMessage``; the client waits forever);
* after a header with a bad ``Content-Length`` (``abc``) the loop never finds a frame again;
* requests after ``shutdown`` are dropped unanswered; a request before ``initialize`` is
  answered ``null``;
* ``exit`` without ``shutdown`` exits 0: pygls raises ``SystemExit(1)`` and then swallows it.

This module reads the frames itself and answers each case with the error the specification
names: -32700 parse error (``id: null``: a body that is not JSON, a header without a valid
length, after which the reader finds the next ``Content-Length:`` and goes on), -32600 invalid
request (after ``shutdown``; not a JSON-RPC 2.0 object), -32602 invalid params, -32002 server
not initialized. Well-formed messages go to pygls' protocol unchanged; ``exit`` exits 1 unless
``shutdown`` came first.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, Optional

logger = logging.getLogger("prisma_lint.lsp")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002

_HEADER = re.compile(rb"(?i)content-length[ \t]*:")
_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$")
_MAX_JUNK = 1 << 20  # bytes kept while waiting for a header before they are dropped


def split_frames(buf: bytearray) -> list[Optional[bytes]]:
    """Take every complete frame out of ``buf``: its body, or None for a header block without a
    valid ``Content-Length`` (reported as a parse error). Bytes before a ``Content-Length:``
    (the tail of a body whose length was too short, garbage) are dropped: the reader finds the
    next header and goes on. An incomplete frame stays in ``buf``. (Other headers, which may
    come before ``Content-Length``, are dropped too: only ``Content-Type`` exists, and utf-8
    is the only charset.)"""
    out: list[Optional[bytes]] = []
    while buf:
        m = _HEADER.search(buf)
        if m is None:
            end = buf.find(b"\r\n\r\n")
            if end >= 0 or len(buf) > _MAX_JUNK:  # a header block with no length, or only junk
                cut = end + 4 if end >= 0 else len(buf)
                if bytes(buf[:cut]).strip():
                    out.append(None)
                del buf[:cut]
                continue
            break
        if m.start():
            if b"\r\n\r\n" in buf[: m.start()] and not re.fullmatch(
                rb"(?is)\s*content-type[^\r\n]*\r\n\r\n", bytes(buf[: m.start()])
            ):
                out.append(None)  # a whole header block without a length went by
            del buf[: m.start()]
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            break  # the header block is not complete yet
        length = _LENGTH.search(bytes(buf[:end]) + b"\r\n")
        if length is None:
            out.append(None)
            del buf[: end + 4]
            continue
        n = int(length.group(1))
        if len(buf) < end + 4 + n:
            break  # the body is not complete yet
        out.append(bytes(buf[end + 4 : end + 4 + n]))
        del buf[: end + 4 + n]
    return out


class Dispatcher:
    """Checks each message against the protocol state before pygls handles it."""

    def __init__(self, protocol, timing=None) -> None:
        self.protocol = protocol
        self.initialized = False
        self.timing = timing  # timing.Timing when the phases are measured, else None

    def error(self, msg_id: Any, code: int, message: str) -> None:
        self.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def body(self, body: Optional[bytes]) -> None:
        if body is None:
            self.error(None, PARSE_ERROR, "Parse error: a header without a valid Content-Length")
            return
        try:
            data = json.loads(body)
        except ValueError as e:  # UnicodeDecodeError is a ValueError too
            self.error(None, PARSE_ERROR, f"Parse error: {e}")
            return
        if self.timing is not None:
            self.timing.mark("parsed")
        self.message(data)

    def message(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
            msg_id = data.get("id") if isinstance(data, dict) else None
            self.error(msg_id if isinstance(msg_id, (int, str)) else None, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message")
            return
        method = data.get("method")
        request = "id" in data and isinstance(method, str)
        if isinstance(method, str) and method != "exit":
            if self.protocol._shutdown:
                if request:
                    self.error(data["id"], INVALID_REQUEST, f"Invalid Request: {method} after shutdown")
                return  # notifications after shutdown are dropped
            if not self.initialized and method != "initialize":
                if request:
                    self.error(data["id"], SERVER_NOT_INITIALIZED, f"Server not initialized: {method} before initialize")
                return  # notifications before initialize are dropped (the spec)
        try:
            message = self.protocol.structure_message(data)
        except Exception as e:  # pygls' JsonRpcInvalidParams / JsonRpcInternalError
            if request:
                self.error(data["id"], INVALID_PARAMS, f"Invalid params for {method}: {type(e).__name__}")
            else:
                logger.warning("dropped %s: its params do not fit (%s)", method, type(e).__name__)
            return
        if method == "initialize" and request:
            self.initialized = True
        if self.timing is not None:
            self.timing.mark("structured")
        self.protocol.handle_message(message)


def _wake(ready) -> None:
    if not ready.done():
        ready.set_result(None)


def _fd_reader(loop, stdin):
    """A coroutine function giving the next bytes of ``stdin`` read on the event loop (woken
    by the selector when the pipe has data), or None when ``stdin`` cannot be watched so (a
    regular file, no file descriptor, a Windows pipe): then a thread reads it. Reading on the
    loop saves the hand-off from the reader thread, 1-2 ms of a change on a busy machine."""
    import os

    try:
        fd = stdin.fileno()
        loop.add_reader(fd, lambda: None)
        loop.remove_reader(fd)
    except (AttributeError, OSError, ValueError, NotImplementedError):
        return None
    # (nothing reads stdin's buffer before this: no bytes wait above the file descriptor)

    async def read() -> bytes:
        while True:
            ready = loop.create_future()
            loop.add_reader(fd, _wake, ready)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
            try:
                return os.read(fd, 65536)
            except BlockingIOError:  # woken for nothing (a non-blocking descriptor): wait again
                continue

    return read


async def serve(server, stdin=None) -> None:
    """Read stdin until it closes or the server stops; handle each frame in turn."""
    import asyncio

    stdin = stdin or sys.stdin.buffer
    loop = asyncio.get_running_loop()
    timing = getattr(getattr(server, "prisma_lint_state", None), "timing", None)
    dispatcher = Dispatcher(server.protocol, timing)
    buf = bytearray()
    read = getattr(stdin, "read1", stdin.read)
    read_on_loop = _fd_reader(loop, stdin)
    while not server._stop_event.is_set():
        if read_on_loop is not None:
            chunk = await read_on_loop()
        else:
            chunk = await loop.run_in_executor(server.thread_pool, read, 65536)
        if not chunk:
            break
        buf += chunk
        for body in split_frames(buf):
            if timing is not None:
                timing.start("read")
            try:
                dispatcher.body(body)
            except (SystemExit, KeyboardInterrupt):
                raise
            except Exception as e:  # a bug of ours or pygls': log it, keep serving
                logger.exception("prisma-lint: a message failed")
                server.report_server_error(e, Exception)


def _widen_pipe(stream, size: int = 1 << 20) -> None:
    """Make the pipe to the client hold a whole publishDiagnostics (Linux only; best effort): the
    7,600-line benchmark schema's is 73 kB, over the default 64 kB, so its write waited until
    the client had read the first part."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # not a pipe, not Linux, or over /proc/sys/fs/pipe-max-size


def start_io(server) -> int:
    """Serve over stdio; returns the exit code (0 after shutdown then exit, else 1)."""
    import asyncio
    from threading import Event

    from pygls.io_ import StdoutWriter

    server._stop_event = Event()
    _widen_pipe(sys.stdout)
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    code = 0 if server.protocol._shutdown else 1
    try:
        asyncio.run(serve(server))
    except SystemExit as e:  # pygls' exit handler: 0 after shutdown, else 1
        code = e.code if isinstance(e.code, int) else 1
    except (BrokenPipeError, KeyboardInterrupt):
        code = 1
    else:  # stdin closed without `exit`
        code = 0 if server.protocol._shutdown else 1
    finally:
        server.shutdown()
    return code
