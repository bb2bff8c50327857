"""Where the time of one change goes, for ``benchmarks/lsp_bench.py --phases`` (issue #10).

Off unless ``prisma-lint lsp`` is started with ``PRISMA_LINT_LSP_TIMING`` naming a file (read
once, by :func:`~prisma_lint.lsp.server.main`): then each lint appends one JSON line to it,
``{"uri": ..., "version": ..., "marks": [[phase, ns, cpu_ns], ...]}``, ``ns`` being
``time.perf_counter_ns()``: on Linux CLOCK_MONOTONIC, the same clock in every process, so the
bench can put its own send and receive times on the same line; ``cpu_ns`` the thread's CPU
time (less noisy on a shared machine: a phase that waits or is descheduled shows it).

Marks of one change, in order (a phase's time is the gap to the mark before it):
``read`` (the reader thread handed the frame to the event loop), ``parsed`` (JSON), ``structured``
(lsprotocol/cattrs made the params), ``changed`` (the change applied to pygls' and our document),
``fired`` (the debounce timer ran), ``loaded`` (load_inputs: parse, relocate, build), ``linted``
(the rules), ``records`` (findings -> diagnostics), ``merged`` (one document's diagnostics merged
and sorted), ``sent`` (serialised and written). ``gc`` (ns spent collecting garbage during the
change, any phase) and ``collections`` (the generations collected) come with them.
"""

from __future__ import annotations

import gc
import json
import time
from typing import Any, Optional


class Timing:
    """Marks of the change being handled; written out when its lint has published."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.marks: list[tuple[str, int, int]] = []
        self.version: Optional[int] = None
        self.uri: Optional[str] = None
        self.gc_ns = 0
        self.collections: list[int] = []
        self._gc_start = 0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter_ns()
        else:
            self.gc_ns += time.perf_counter_ns() - self._gc_start
            self.collections.append(info.get("generation", -1))

    def start(self, name: str, ns: Optional[int] = None) -> None:
        """The first mark of a message (kept only if the message turns out to be a change)."""
        self.marks = [(name, time.perf_counter_ns() if ns is None else ns, time.thread_time_ns())]
        self.gc_ns, self.collections = 0, []

    def mark(self, name: str) -> None:
        self.marks.append((name, time.perf_counter_ns(), time.thread_time_ns()))

    def change(self, uri: str, version: Any) -> None:
        self.uri, self.version = uri, version

    def flush(self) -> None:
        if self.version is None:
            return
        entry = {"uri": self.uri, "version": self.version, "marks": self.marks, "gc": self.gc_ns, "collections": self.collections}
        line = json.dumps(entry)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        self.version, self.uri, self.marks = None, None, []
