"""The language server's work per change, in process (no pygls, no pipes): the server state
(``prisma_lint.lsp.server.ServerState``) with a stand-in transport, the 7,600-line benchmark
schema opened, then edits as ``benchmarks/lsp_bench.py`` types them (first line, or in a field's
trailing comment in the middle model), each after a pause (as a user, and as lsp_bench).

    python benchmarks/lsp_inproc.py [--where first-line|model] [--repeat N] [--pause S]
                                    [--phases] [--profile] [--count]

Prints the median CPU and wall time of didChange + lint + publish per change; ``--phases``: the
median CPU time of each phase (``prisma_lint/lsp/timing.py``); ``--profile``: cProfile of the
measured changes. ``--count``: no pauses and no output, for instruction counts: the difference
of ``valgrind --tool=callgrind --callgrind-out-file=/dev/null`` runs with ``--repeat 30`` and
``--repeat 10``, divided by 20, is the instructions per change (the open and the warm-up cancel
out).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from lsp_bench import bench_schema  # noqa: E402


class _Protocol:
    client_capabilities = None

    def __init__(self) -> None:
        self.sent = 0

    def send_text(self, body: str) -> None:
        self.sent += 1


class _Server:
    def __init__(self) -> None:
        self.protocol = _Protocol()
        self.workspace = type("W", (), {"position_encoding": "utf-16"})()

    def window_log_message(self, params) -> None:
        print(params.message, file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--where", choices=("first-line", "model"), default="first-line")
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--pause", type=float, default=0.2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--phases", action="store_true", help="the median CPU ms of each phase (prisma_lint/lsp/timing.py)")
    ap.add_argument("--count", action="store_true", help="no pauses, no timing output (for callgrind)")
    args = ap.parse_args()

    from lsprotocol import types
    from pygls.uris import from_fs_path, to_fs_path

    from prisma_lint.lsp.server import ServerState

    with tempfile.TemporaryDirectory(prefix="prisma-lint-inproc-") as tmp:
        folder = Path(tmp)
        path, text, lines, line_no = bench_schema(folder, args.where)
        uri = path.as_uri()
        server = _Server()
        state = ServerState(server, types, from_fs_path, to_fs_path, asyncio)
        state.cwd = folder
        if args.phases:
            from prisma_lint.lsp.timing import Timing

            state.timing = Timing(str(folder / "timing.jsonl"))
        column = len(lines[line_no])
        version = 1
        # prebuilt params: what pygls hands the handler
        def params(v: int, col: int):
            pos = types.Position(line=line_no, character=col)
            return types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(version=v, uri=uri),
                content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=pos, end=pos), text=" x")],
            )

        cpu: list[float] = []
        wall: list[float] = []

        async def run() -> None:
            nonlocal version, column
            loop = asyncio.get_running_loop()
            state.did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="prisma", version=1, text=text)))
            key = state.doc_unit[uri]
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
            for i in range(2 + args.repeat):
                if not args.count:
                    await asyncio.sleep(args.pause)
                else:
                    await asyncio.sleep(0)
                version += 1
                p = params(version, column)
                column += 2
                measured = i >= 2
                t0, c0 = time.perf_counter(), time.thread_time()
                if profiler is not None and measured:
                    profiler.enable()
                if state.timing is not None:
                    state.timing.start("start")
                state.did_change(p)
                state.pending.pop(key).cancel()
                state.lint_now(key)
                if profiler is not None and measured:
                    profiler.disable()
                t1, c1 = time.perf_counter(), time.thread_time()
                if measured:
                    wall.append((t1 - t0) * 1000)
                    cpu.append((c1 - c0) * 1000)
                await asyncio.sleep(0)  # the release of the old objects (call_soon)
            if profiler is not None:
                import pstats

                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
            del loop

        asyncio.run(run())
        if args.phases:
            import json

            phases: dict[str, list[float]] = {}
            for line in (folder / "timing.jsonl").read_text().splitlines()[3:]:
                marks = json.loads(line)["marks"]
                for (_, _, c0), (name, _, c1) in itertools.pairwise(marks):
                    phases.setdefault(name, []).append((c1 - c0) / 1e6)
            print("  ".join(f"{k} {statistics.median(v):.2f}" for k, v in phases.items()))
        if not args.count:
            print(f"{args.where}: per change median CPU {statistics.median(cpu):.2f} ms (min {min(cpu):.2f}), wall {statistics.median(wall):.2f} ms (min {min(wall):.2f})")
    gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
