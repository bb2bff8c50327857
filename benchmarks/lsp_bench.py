"""The language server's latency: time from sending ``didChange`` to receiving
``publishDiagnostics`` for a 7,600-line schema, warm (target <= 50 ms).

    python benchmarks/lsp_bench.py [--repeat N]

The server runs as a subprocess speaking LSP over stdio (``python -m prisma_lint.lsp.server``); the
client here is a minimal JSON-RPC one on the standard library. Each measured edit is a single
incremental change after a quiet moment (as when a fix is applied or one character is typed
after a pause); the time is taken when the reader thread has the notification for that
document version. The edit is typed on the first line (a comment: no block changes) or, with
``where="model"``, in a field's trailing comment in the middle model (that block changes: it
is parsed, built and linted again, with the models related to it). A second number, for the last change of a burst of typing (changes 20 ms
apart), includes the debounce.

``measure(repeat)`` returns the median in seconds, for ``benchmarks/run.py``.

``--phases`` starts the server with ``PRISMA_LINT_LSP_TIMING`` (see ``prisma_lint/lsp/timing.py``)
and prints the median of each phase of the isolated edits (wall and the server's CPU time): the
server's marks and the client's send and receive times are all on CLOCK_MONOTONIC.

Where the time went (issue #10, first-line edits, median ms wall on a quiet machine; model edits
alike, plus 1.9 ms applying the change at line 3,800). Before: reader thread 2.0, JSON and
lsprotocol 0.8-1.1, pygls' own copy of the document 2.4-3.2, the 5 ms timer 5.6-5.8, load (parse,
build) 12.5-14.8, rules 8.8-9.6, diagnostics built 1.7-1.8, old objects freed 0.9, lsprotocol +
cattrs + JSON + write 1.9-2.1: 38-44 ms. After: read 1.1, JSON and lsprotocol 0.5, dispatch 0.4,
change 0.2, timer 0.2, load 12-14, rules 8-9, diagnostics 1.0, sent 0.3: 22-28 ms. What is left
is the load and the rules (about 22 ms of CPU time): building the model (the relations of every
model, again after each change) about 9, the parse 2.6 and the line index of the whole text 1.5,
the rules that are not kept per model about 5.5, the per-model cache about 2 (CPU ms measured
in process after a 0.2 s pause: the same work takes twice the CPU time it takes back to back,
16.5 against 30.5 ms, the caches having gone cold; on a busy 2-core machine the wall time is
about twice the CPU time again).

Then (h-lsp5, median server CPU ms of the phases, 21 isolated edits, load average 2.2-2.5):
first-line load 14.0 -> 8.3 and rules 8.2 -> 3.6; model load 14.9 -> 9.2, rules 9.5 -> 9.2 (before
the last two commits; instructions per change in process, load + lint, callgrind: first-line
99.3 -> 43.0 M, model 102.3 -> 62.6 M). The builder reuses the relations between two reused models
and enums whose block it has; the schema-wide rules keep their findings while the schema is the
same objects at the same lines (rule_cache.py); comments move with the blocks; the line index
and the changed range are worked out from the last text's; a foreign key's index coverage is
kept with its model. Left in a model edit: identifier-too-long (~20% of the profile), the
per-model cache's keys, the segment walk of the incremental parse, the model build.

On this virtual machine, memory touched again after an idle moment is slow, and these edits
come after a 0.2 s pause (2026-11-30, quiet machine, in process): the same incremental reload
of the 7,600-line schema took 5 ms back to back, 25 ms after 50 ms of idle and 80-120 ms after
0.3 s; a loop over 20 MB of existing objects 11 ms, then 150-210 ms after 0.3 s of idle, where
a loop over a few integers took the same time. So the rows read better on a busy machine (its
CPUs never idle) than on a quiet one: h-lsp5 measured 34 / 37 ms at load 2-3, the table read
52 / 58 and 63 / 69 ms at load 0.2. What helps here is touching less memory per change: work
proportional to the edit, not a pass over every model or block, however cheap each step.

Then (h-lsp6, work proportional to the edit): didChange keeps where the document changed since
the last lint (no text compared) and finds the change's lines from that lint's line index; the
parse bisects the change over the blocks' ends carried from the last parse and reuses the runs
of blocks above and below it as slices; the builder's quick path (no block declared, renamed,
deleted or moved) builds only the models and enums of the blocks lexed, with their relation
groups in place; the rule cache keys only those models and the other ends of their relations
(the parse says whether the other blocks kept their lines) and keeps the last signature when
nothing was built; identifier-too-long keeps each model's part (RuleContext.per_object); the
records of findings in blocks not lexed keep their ranges. Instructions per change in process
(benchmarks/lsp_inproc.py: didChange, lint, records and publish; callgrind, 30 changes minus 10):
first line 51.1 -> 11.3 M, in a model 74.0 -> 19.9 M. Phases here, server CPU ms, median of three interleaved runs each, quiet
machine (load 0.02-0.09) in the fast regime: first line loaded 6.6 -> 2.1, linted 2.1 -> 0.95,
records 0.7 -> 0.2, total 11 -> 5 ms; in a model loaded 6.6 -> 2.4, linted 5.2 -> 2.5, records
0.7 -> 0.25, changed 0.5 -> 0.12, total 15 -> 7 ms. In process after a 0.2 s pause in the slow
regime (load 0.4): CPU per change 26 -> 17 ms (first line), 39 -> 25 ms (model).

The server is started in this tree (``python -m`` puts the working directory first on its
``sys.path``, before ``PYTHONPATH``: started from /work/main, another tree's bench measured
main's server).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synth import synthetic_schema  # noqa: E402

LINES = 7600  # the size of the largest real schemas (civitai); the issue measured 151 ms here


class Client:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdin/stdout."""

    def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=REPO)
        self.inbox: "queue.Queue[tuple[float, dict]]" = queue.Queue()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            body = out.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, message: dict) -> float:
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode("utf-8")
        t = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return t

    def notify(self, method: str, params) -> float:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params, timeout: float = 30.0):
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        _, msg = self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def wait(self, pred, timeout: float = 30.0) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message from the server")
            try:
                t, msg = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if msg.get("method") and "id" in msg:  # a request from the server: answer null
                self.send({"id": msg["id"], "result": None})
                continue
            if pred(msg):
                return t, msg

    def wait_diagnostics(self, uri: str, version: int) -> tuple[float, dict]:
        return self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def _start(folder: Path, timing: Optional[Path] = None) -> Client:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("PRISMA_LINT_LSP_TIMING", None)
    if timing is not None:
        env["PRISMA_LINT_LSP_TIMING"] = str(timing)
    client = Client([sys.executable, "-m", "prisma_lint.lsp.server"], env)
    client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": folder.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            },
        },
    )
    client.notify("initialized", {})
    return client


def bench_schema(folder: Path, where: str) -> tuple[Path, str, list[str], int]:
    """The 7,600-line schema written into ``folder``: (its path, its text, its lines, the line
    the edits are typed at: :func:`edit_line`)."""
    path = folder / "schema.prisma"
    text = synthetic_schema(LINES)
    path.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    return path, text, lines, edit_line(lines, where)


def edit_line(lines: list[str], where: str) -> int:
    """The line the edits are typed at the end of: the first (a comment), or with ``"model"``
    a field's with a trailing comment in the middle model."""
    if where != "model":
        return 0
    commented = [i for i, line in enumerate(lines) if "// a trailing comment" in line]
    return commented[len(commented) // 2]


def _session(
    repeat: int, burst: int, where: str = "first-line", phases: Optional[dict[str, list[tuple[float, float]]]] = None
) -> tuple[list[float], list[float]]:
    """(isolated-edit latencies, end-of-burst latencies) in seconds; with ``phases``, the time of
    each phase of the isolated edits (ms) is appended to it."""
    with tempfile.TemporaryDirectory(prefix="prisma-lint-lsp-bench-") as tmp:
        folder = Path(tmp)
        path, text, lines, line_no = bench_schema(folder, where)
        uri = path.as_uri()
        timing = folder / "timing.jsonl" if phases is not None else None
        client = _start(folder, timing)
        # no collection in this process while measuring: benchmarks/run.py calls measure() with
        # a large heap, and a full collection in the reader thread lands inside the latency
        collecting = gc.isenabled()
        gc.disable()
        measured: dict[int, tuple[float, float]] = {}  # version -> (sent, received)
        try:
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "prisma", "version": 1, "text": text}},
            )
            client.wait_diagnostics(uri, 1)
            version = 1
            column = len(lines[line_no])

            def edit() -> float:
                nonlocal version, column
                version += 1
                pos = {"line": line_no, "character": column}
                column += 2
                return client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"range": {"start": pos, "end": pos}, "text": " x"}],
                    },
                )

            for _ in range(2):  # warm up
                time.sleep(0.2)
                edit()
                client.wait_diagnostics(uri, version)
            isolated = []
            for _ in range(repeat):
                time.sleep(0.2)  # a quiet moment, longer than the debounce
                sent = edit()
                got, _ = client.wait_diagnostics(uri, version)
                isolated.append(got - sent)
                measured[version] = (sent, got)
            bursts = []
            for _ in range(burst):
                time.sleep(0.2)
                for _ in range(5):
                    sent = edit()
                    time.sleep(0.02)
                got, _ = client.wait_diagnostics(uri, version)
                bursts.append(got - sent)
            return isolated, bursts
        finally:
            if collecting:
                gc.enable()
            client.close()
            if timing is not None and phases is not None and timing.exists():
                _add_phases(timing, measured, phases)


def _add_phases(timing: Path, measured: dict[int, tuple[float, float]], phases: dict[str, list[tuple[float, float]]]) -> None:
    """Each phase's (wall, CPU) time in ms of the measured versions: the gap to the mark
    before it (CPU time only between the server's own marks; NaN for the others)."""
    for line in timing.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        times = measured.get(entry["version"])
        if times is None:
            continue
        sent, got = times
        previous, previous_cpu = int(sent * 1e9), None
        for name, ns, cpu in entry["marks"] + [["received by the client", int(got * 1e9), None]]:
            cpu_ms = (cpu - previous_cpu) / 1e6 if cpu is not None and previous_cpu is not None else float("nan")
            phases.setdefault(name, []).append(((ns - previous) / 1e6, cpu_ms))
            previous, previous_cpu = ns, cpu
        collections = entry.get("collections", [])
        phases.setdefault("(gc, inside the phases)", []).append((entry.get("gc", 0) / 1e6, float(max(collections, default=-1))))


def measure(repeat: int = 15, where: str = "first-line") -> float:
    """Median time (s) from didChange to publishDiagnostics, 7,600-line schema, warm."""
    isolated, _ = _session(max(1, repeat), 0, where)
    return statistics.median(isolated)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--where", choices=("first-line", "model"), default="first-line", help="where the edits are typed")
    parser.add_argument("--phases", action="store_true", help="print the median time of each phase (ms)")
    args = parser.parse_args()
    phases: Optional[dict[str, list[tuple[float, float]]]] = {} if args.phases else None
    isolated, bursts = _session(max(1, args.repeat), max(1, args.repeat // 3), args.where, phases)
    if phases:
        print(f"  {'phase':>24}  median wall (min)    median CPU")
        for name, values in phases.items():
            wall, cpu = [v[0] for v in values], [v[1] for v in values]
            print(f"  {name:>24}: {statistics.median(wall):6.2f} ms ({min(wall):5.2f})   {statistics.median(cpu):6.2f} ms")
    print(f"didChange -> publishDiagnostics, {LINES:,} lines (warm, {args.where}): {statistics.median(isolated) * 1000:.0f} ms")
    print(f"  (last change of a typing burst, debounce included: {statistics.median(bursts) * 1000:.0f} ms; "
          f"isolated edits min {min(isolated) * 1000:.0f} / max {max(isolated) * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
