"""Issue #11 proof: random corruptions of real schemas through the CLI.

* 2,000 corruptions per run (hypothesis), each through the real ``check`` command in this
  process (click, as ``prisma-lint`` runs it; a process per case would take ~10 minutes), plus a
  sample through real subprocesses: no exit code other than 0/1/2, never a traceback or an
  "internal error".
* After ``--fix`` / ``--unsafe-fixes`` on any corruption that still parses: every line outside
  the @@index lines the fix edited is byte for byte what it was (and the file is rewritten
  through the safe writer). Prisma's DMMF of the fixed corpus is the planned one:
  tests/test_fix_corpus.py::test_prisma_dmmf_of_the_fixed_schema_is_the_planned_one.
"""

from __future__ import annotations

import contextlib
import gc
import io
import random

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fix_corpus import diff_problems
from test_parser_properties import INSERTABLE, apply_edit, apply_edits, edits

from prisma_lint import cli

FLAGS = [(), ("--format", "json"), ("--format", "sarif"), ("--fix",), ("--fix", "--unsafe-fixes"), ("--add-ignore",)]


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    """``prisma-lint ARGS`` as main() runs it, in this process: (exit code, stdout, stderr).
    An exception other than the CLI's own exit is what main() would print as an internal error."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main_group(args, standalone_mode=False)
        except cli._Exit as e:
            code = e.code
        finally:
            gc.unfreeze()  # _load froze the tree for a one-shot process; this one goes on
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def small_corpus(corpus_texts) -> list[str]:
    """Single-file corpus schemas up to 40 kB (the big ones make a case cost 1 s, not 20 ms)."""
    texts = [next(iter(t.values())) for t in corpus_texts if len(t) == 1]
    return [t for t in texts if len(t) <= 40_000]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("corrupt")


@settings(
    max_examples=int(__import__("os").environ.get("CORRUPTIONS", "2000")),
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), edit_list=edits, flags=st.sampled_from(FLAGS))
def test_random_corruptions_through_the_cli(small_corpus, workdir, data, edit_list, flags):
    text = apply_edits(data.draw(st.sampled_from(small_corpus), label="schema"), edit_list)
    target = workdir / "schema.prisma"
    original = text.encode("utf-8", "surrogatepass")
    target.write_bytes(original)
    code, out, err = run_in_process(["check", "--no-color", *flags, str(target)])
    assert code in (0, 1, 2), (code, err[-2000:])
    assert "Traceback" not in out + err and "internal error" not in err, err[-4000:]
    after = target.read_bytes()
    if "--fix" in flags and after != original:
        assert code in (0, 1), err[-2000:]  # written: the schema had no errors
        problems = diff_problems(original, after)
        assert not problems, problems
    elif "--add-ignore" not in flags:
        assert after == original  # nothing else writes


def test_random_corruptions_through_real_processes(corpus_texts, tmp_path):
    """A sample of the same corruptions through `python -m prisma_lint` (what users run)."""
    rng = random.Random(11)
    single = [next(iter(t.values())) for t in corpus_texts if len(t) == 1]
    for k in range(12):
        text = rng.choice(single)
        for _ in range(rng.randint(1, 8)):
            kind = rng.choice(["delete", "dup", "swap", "insert", "delete_line", "dup_line", "swap_lines", "delete_span", "move_line"])
            text = apply_edit(text, (kind, rng.randrange(10**6), rng.choice(INSERTABLE) if kind == "insert" else rng.randrange(10**6)))
        target = tmp_path / f"c{k}.prisma"
        original = text.encode("utf-8", "surrogatepass")
        target.write_bytes(original)
        flags = FLAGS[k % len(FLAGS)]
        proc = run_cli("check", "--no-color", *flags, str(target), cwd=tmp_path)
        assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stdout + proc.stderr and "internal error" not in proc.stderr, proc.stderr[-4000:]
        if "--fix" in flags and target.read_bytes() != original:
            assert not diff_problems(original, target.read_bytes())
