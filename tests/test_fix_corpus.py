"""``check --fix`` / ``--unsafe-fixes`` on the whole corpus, and the fix engine on small schemas.

On a temporary copy of every corpus schema (one CLI process per round, every schema a target):

* the fixed schema still parses without errors (a schema with errors is never written);
* Prisma's validator accepts the fixed schema whenever it accepted the original;
* a second ``--fix`` changes nothing and reports no fixable finding;
* only ``@@index(...)``/``@@unique(...)`` lines differ, or `@unique` leaves an `@id` field (added, removed or rewritten; an added line may bring one
  blank line); CRLF files stay CRLF and a BOM stays (every corpus schema is also fixed as a
  CRLF + BOM variant, which must give the same result byte for byte, line endings aside).

Then the fix engine on hand-written schemas: where a new ``@@index`` goes and how it is indented,
how findings that touch the same index are combined, ``--diff``, schemas with syntax errors, and
file modes.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_entries, manifest_rows, need, run_cli

from prisma_lint.frontends.prisma.loader import load_schema

BOM = b"\xef\xbb\xbf"
ENTRIES = [e.name for e in corpus_entries()]
# the schemas Prisma 7 accepts (MANIFEST; tests/test_oracle_agreement.py checks the column)
ACCEPTED = [n for n in ENTRIES if manifest_rows().get(n, {}).get("prisma7_validates") == "yes"]
MODES = {
    "fix": ("--fix",),
    "unsafe": ("--fix", "--unsafe-fixes"),
}
ALLOWED = {"fix": {"safe"}, "unsafe": {"safe", "unsafe"}}


def schema_files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.rglob("*.prisma"))


def snapshot(path: Path) -> dict[str, bytes]:
    return {str(f.relative_to(path.parent)): f.read_bytes() for f in schema_files(path)}


def to_crlf_bom(data: bytes) -> bytes:
    assert b"\r" not in data
    return BOM + data.replace(b"\n", b"\r\n")


# ---------------------------------------------------------------------------------------------
# the corpus, fixed twice per mode (one CLI process per round)
# ---------------------------------------------------------------------------------------------
class Run:
    """One mode: the corpus copied to ``base``, fixed twice."""

    def __init__(self, base: Path, flags: tuple[str, ...], names: list[str]) -> None:
        self.base = base
        self.flags = flags
        self.names = names
        self.original = {n: snapshot(base / n) for n in names}
        self.before = self._round(("--exit-zero",))  # the findings of the original schemas
        self.round1 = self._round()
        self.after1 = {n: snapshot(base / n) for n in names}
        self.round2 = self._round()
        self.after2 = {n: snapshot(base / n) for n in names}

    def _round(self, flags: tuple[str, ...] | None = None) -> dict:
        flags = self.flags if flags is None else flags
        proc = run_cli("check", *flags, "--format", "json", *self.names, cwd=self.base)
        assert proc.returncode in (0, 1, 2), proc.stderr
        doc = json.loads(proc.stdout)
        return {"proc": proc, "doc": doc}

    def findings(self, round_: dict, name: str) -> list[dict]:
        return [f for f in round_["doc"]["findings"] if f["file"].split("/")[0] == name]


@pytest.fixture(scope="module")
def runs(corpus, tmp_path_factory) -> dict[str, Run]:
    out = {}
    for mode, flags in MODES.items():
        base = tmp_path_factory.mktemp(f"corpus_{mode}")
        for entry in corpus:
            if entry.is_dir():
                shutil.copytree(entry, base / entry.name)
                for f in (base / entry.name).rglob("*"):  # the corpus is read-only (0444); --fix refuses those
                    f.chmod(f.stat().st_mode | 0o200)
            else:
                shutil.copyfile(entry, base / entry.name)
        out[mode] = Run(base, flags, [e.name for e in corpus])
    # every schema again, as CRLF with a BOM, with the unsafe fixes
    base = tmp_path_factory.mktemp("corpus_crlf_bom")
    for entry in corpus:
        for f in schema_files(entry):
            target = base / entry.name / f.relative_to(entry) if entry.is_dir() else base / entry.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(to_crlf_bom(f.read_bytes()))
    out["crlf"] = Run(base, MODES["unsafe"], [e.name for e in corpus])
    return out


@functools.cache
def original_has_errors(name: str) -> bool:
    return load_schema(CORPUS / name).has_errors


def test_the_corpus_is_there_and_gets_fixed(runs):
    changed = [n for n in ENTRIES if runs["fix"].after1[n] != runs["fix"].original[n]]
    assert len(changed) >= 20, "the corpus has fixable findings in many schemas"
    unsafe_only = [n for n in ENTRIES if runs["unsafe"].after1[n] != runs["fix"].after1[n]]
    assert unsafe_only, "--unsafe-fixes changes more than --fix somewhere"


SINGLE = [
    "calcom__cal.com__packages__prisma__schema.prisma",
    "dubinc__dub__apps__web__prisma__schema",
    "formbricks__formbricks__packages__database__schema",
]


@pytest.mark.parametrize("name", SINGLE)
def test_one_target_at_a_time_gives_the_same_fix(runs, corpus, tmp_path, name):
    """The corpus is fixed with many targets per process; one at a time gives the same bytes."""
    entry = next((e for e in corpus if e.name == name), None)
    need(entry is not None, f"{name} in the corpus")
    target = tmp_path / name
    if entry.is_dir():
        shutil.copytree(entry, target)
        for f in target.rglob("*"):  # the corpus is read-only (0444); --fix refuses those
            f.chmod(f.stat().st_mode | 0o200)
    else:
        shutil.copyfile(entry, target)
    proc = run_cli("check", *MODES["unsafe"], name, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert snapshot(target) == runs["unsafe"].after1[name]


@pytest.mark.parametrize("mode", list(MODES) + ["crlf"])
@pytest.mark.parametrize("name", ENTRIES)
def test_fixed_schema_parses(runs, mode, name):
    run = runs[mode]
    if original_has_errors(name):
        assert run.after1[name] == run.original[name], "a schema with errors was written"
        return
    loaded = load_schema(run.base / name)
    assert not loaded.has_errors, [d.render() for d in loaded.diagnostics if d.severity == "error"][:5]


@pytest.mark.parametrize("mode", list(MODES) + ["crlf"])
@pytest.mark.parametrize("name", ENTRIES)
def test_second_fix_changes_nothing(runs, mode, name):
    run = runs[mode]
    assert run.after2[name] == run.after1[name], "a second --fix changed the schema again"
    if original_has_errors(name):
        return  # never fixed: its fixable findings stay
    left = [
        f
        for f in run.findings(run.round2, name)
        if f["fix"] is not None and f["fix"]["applicability"] in ALLOWED["unsafe" if mode == "crlf" else mode]
    ]
    assert not left, [(f["rule"], f["file"], f["line"], f["fix"]["title"], f["fix"]["edits"]) for f in left]


INDEX_LINE = re.compile(r"^[ \t]*@@(index|unique)\(.*\)[ \t]*(//.*)?$")
# redundant-unique's fix takes `@unique` off an `@id` field
FIELD_UNIQUE = re.compile(r"[ \t]+@unique(\([^)]*\))?(?=[ \t\r\n]|$)")


def _unique_removed(old_line: str, new_line: str) -> bool:
    return "@id" in old_line and FIELD_UNIQUE.sub("", old_line, count=1) == new_line


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _brace_split(removed: list[str], added: list[str]) -> tuple[list[str], list[str]]:
    """A block closed on its last member's line (``  a Int}``) gets an @@index by splitting that
    line: ``  a Int``, the @@index line, ``}``. Such a removed line and the two parts it became
    are taken out of ``removed`` and ``added`` (the rest is judged as usual)."""
    removed, added = list(removed), list(added)
    for line in list(removed):
        body = line.rstrip("\r\n")
        brace = body.rfind("}")
        if brace < 0:
            continue
        head, tail = body[:brace].rstrip(), body[brace:].strip()
        if not head.strip() or tail.startswith("}}"):
            continue
        heads = [x for x in added if x.rstrip("\r\n").rstrip() == head]
        tails = [x for x in added if x.strip() == tail]
        if heads and tails:
            removed.remove(line)
            added.remove(heads[0])
            added.remove(tails[0])
    return removed, added


def diff_problems(old: bytes, new: bytes) -> list[str]:
    """What differs between ``old`` and ``new`` besides @@index/@@unique lines (and blank lines
    added with them) and `@unique` taken off an `@id` field, plus line-ending and BOM changes."""
    problems = []
    if old.startswith(BOM) != new.startswith(BOM):
        problems.append("the BOM was added or removed")
    a = _lines(old.removeprefix(BOM).decode("utf-8"))
    b = _lines(new.removeprefix(BOM).decode("utf-8"))
    # an inserted line ends as most lines of the file do (the lines kept are compared whole,
    # endings included: a file that mixed endings before the fix may still mix them)
    crlf = sum(x.endswith("\r\n") for x in a) > sum(x.endswith("\n") and not x.endswith("\r\n") for x in a)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        removed, added = a[i1:i2], b[j1:j2]
        for line in added:
            if line.endswith("\n") and line.endswith("\r\n") != crlf:
                problems.append(f"line ending changed: {line!r}")
        if len(removed) == len(added) and all(_unique_removed(x, y) for x, y in zip(removed, added)):
            continue
        removed, added = _brace_split(removed, added)
        if not any(INDEX_LINE.match(x.rstrip("\r\n")) for x in removed + added):
            problems.append(f"{op} without an @@index line: -{removed!r} +{added!r}")
        for x in removed:
            if not INDEX_LINE.match(x.rstrip("\r\n")):
                problems.append(f"removed a line that is not an @@index: {x!r}")
        for x in added:
            s = x.rstrip("\r\n")
            if not INDEX_LINE.match(s) and s.strip():
                problems.append(f"added a line that is not an @@index: {x!r}")
    return problems


@pytest.mark.parametrize("mode", list(MODES) + ["crlf"])
@pytest.mark.parametrize("name", ENTRIES)
def test_only_index_lines_change(runs, mode, name):
    run = runs[mode]
    problems = {}
    for path, old in run.original[name].items():
        new = run.after1[name][path]
        if new != old:
            p = diff_problems(old, new)
            if p:
                problems[path] = p
    assert not problems, problems


def test_diff_problems_judges_the_endings_of_inserted_lines_only():
    """A file that already mixed endings keeps its odd line as it was (a corruption test found
    a stray CR before a newline flagged although the fix never touched that line); an inserted
    line must end as most lines do, and a kept line must keep its ending."""
    old = b"model A {\n  id Int @id\n  b  Int\r\n  c  Int\n}\n"
    assert diff_problems(old, old.replace(b"  c  Int\n", b"  c  Int\n\n  @@index([b])\n")) == []
    wrong = diff_problems(old, old.replace(b"  c  Int\n", b"  c  Int\n\n  @@index([b])\r\n"))
    assert wrong == ["line ending changed: '  @@index([b])\\r\\n'"]
    assert diff_problems(old, old.replace(b"b  Int\r\n", b"b  Int\n"))  # an existing line's ending changed


def test_diff_problems_allows_the_split_of_a_closing_brace_line():
    """`--fix` puts an @@index before a `}` that closes the block on its last member's line by
    splitting that line (a corruption test made such a line); anything else changed there is
    still a problem."""
    old = b"model A {\n  id Int @id\n  b  Int}\n"
    fixed = b"model A {\n  id Int @id\n  b  Int\n  @@index([b])\n}\n"
    assert diff_problems(old, fixed) == []
    assert diff_problems(old, fixed.replace(b"b  Int\n", b"b  Intx\n"))
    assert diff_problems(old, fixed.removesuffix(b"}\n"))


POSTGRESQL_ACCEPTED = [n for n in ACCEPTED if manifest_rows()[n]["provider"] in ("postgresql", "postgres")]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", POSTGRESQL_ACCEPTED)
def test_a_fix_creates_no_finding_the_original_lacked(runs, mode, name):
    """The property of issue #12: a fixed schema has no finding (by rule, model and columns)
    that the original did not have — 17 new ones over the corpus before the global plan."""
    run = runs[mode]

    def keys(round_):
        return {(f["rule"], f["model"], tuple(f["fields"])) for f in run.findings(round_, name)}

    new = keys(run.round1) - keys(run.before)
    assert not new, sorted(new)


@pytest.mark.parametrize("name", ENTRIES)
def test_crlf_and_bom_give_the_same_fix(runs, name):
    lf, crlf = runs["unsafe"], runs["crlf"]
    assert set(crlf.after1[name]) == set(lf.after1[name])
    for path, fixed in lf.after1[name].items():
        assert crlf.after1[name][path] == to_crlf_bom(fixed), f"{path}: the CRLF+BOM copy was fixed differently"


@pytest.fixture(scope="module")
def verdicts(oracle, runs, corpus) -> dict[str, dict]:
    paths = [e for e in corpus]
    for mode in MODES:
        paths += [runs[mode].base / n for n in runs[mode].names]
    results = oracle.validate_many(paths)
    return {str(Path(k)): v for k, v in results.items()}


# (not the CRLF + BOM copies: Prisma's parser rejects a BOM; test_crlf_and_bom_give_the_same_fix
# shows they get the very fixes of the plain copies)
@pytest.mark.oracle
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", ACCEPTED)
def test_prisma_accepts_the_fixed_schema(verdicts, runs, corpus, mode, name):
    original = next(e for e in corpus if e.name == name)
    before = verdicts[str(original)]
    assert before["ok"], "MANIFEST says Prisma 7 accepts this schema"
    run = runs[mode]
    after = verdicts[str(run.base / name)]
    messages = [e.get("message", "")[:300] for e in after.get("errors", [])]
    assert after["ok"], f"Prisma rejects the fixed schema: {messages}"


# =============================================================================================
# the fix engine on small schemas
# =============================================================================================
HEAD = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id    Int    @id\n  posts Post[]\n}\n\n'


def fix_file(tmp_path: Path, text: str, *flags: str, name: str = "schema.prisma", data: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    proc = run_cli("check", *(flags or ("--fix",)), "--no-color", name, cwd=tmp_path)
    return path, proc


POST_INDENT4 = """\
model Post {
    id       Int    @id
    authorId Int
    title    String
    slug     String
    author   User   @relation(fields: [authorId], references: [id])

    @@unique([slug])
    @@index([title])
    @@map("posts")
}
"""


def test_new_index_goes_after_the_last_index_attribute_with_the_model_indentation(tmp_path):
    path, proc = fix_file(tmp_path, HEAD + POST_INDENT4)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = HEAD + POST_INDENT4.replace("    @@index([title])\n", "    @@index([title])\n    @@index([authorId])\n")
    assert path.read_text(encoding="utf-8") == expected


def test_new_index_in_a_model_indented_with_tabs(tmp_path):
    post = POST_INDENT4.replace("    ", "\t")
    path, proc = fix_file(tmp_path, HEAD + post)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = HEAD + post.replace("\t@@index([title])\n", "\t@@index([title])\n\t@@index([authorId])\n")
    assert path.read_text(encoding="utf-8") == expected


def test_new_index_in_a_crlf_file_with_a_bom(tmp_path):
    text = HEAD + POST_INDENT4
    path, proc = fix_file(tmp_path, "", data=to_crlf_bom(text.encode("utf-8")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = text.replace("    @@index([title])\n", "    @@index([title])\n    @@index([authorId])\n")
    assert path.read_bytes() == to_crlf_bom(expected.encode("utf-8"))


def test_new_index_takes_the_dominant_line_ending_not_the_first(tmp_path):
    """A stray CR at the top of an LF file (the random corruption test found it on a corpus
    schema): the inserted line ends in LF, as the file's other lines do."""
    text = HEAD + POST_INDENT4
    path, proc = fix_file(tmp_path, "\r" + text)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = text.replace("    @@index([title])\n", "    @@index([title])\n    @@index([authorId])\n")
    assert path.read_bytes() == ("\r" + expected).encode("utf-8")


def test_new_index_after_the_fields_with_a_blank_line(tmp_path):
    post = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
    path, proc = fix_file(tmp_path, HEAD + post)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = post.replace("[id])\n}", "[id])\n\n  @@index([authorId])\n}")
    assert path.read_text(encoding="utf-8") == HEAD + expected


def test_new_index_before_map_when_map_is_the_only_block_attribute(tmp_path):
    post = (
        "model Post {\n  id       Int  @id\n  authorId Int  @map(\"author_id\")\n"
        "  author   User @relation(fields: [authorId], references: [id])\n\n  @@map(\"posts\")\n}\n"
    )
    path, proc = fix_file(tmp_path, HEAD + post)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = post.replace('  @@map("posts")', '  @@index([authorId])\n  @@map("posts")')
    assert path.read_text(encoding="utf-8") == HEAD + expected


TWO_RELATIONS = """\
datasource db {
  provider = "postgresql"
}

model User {
  id      Int    @id
  x       Int
  y       Int
  written Post[] @relation("written")
  owned   Post[] @relation("owned")
  pairsAb Pair[] @relation("ab")
  pairsBa Pair[] @relation("ba")

  @@unique([x, y])
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation("written", fields: [authorId], references: [id])
  owner    User @relation("owned", fields: [authorId], references: [id], map: "Post_owner_fkey")
}

model Pair {
  id Int  @id
  a  Int
  b  Int
  ab User @relation("ab", fields: [a, b], references: [x, y])
  ba User @relation("ba", fields: [b, a], references: [y, x], map: "Pair_ba_fkey")
}
"""


def test_two_relations_needing_the_same_index_get_one_line(tmp_path):
    path, proc = fix_file(tmp_path, TWO_RELATIONS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = path.read_text(encoding="utf-8")
    assert text.count("@@index([authorId])") == 1
    assert text.count("@@index(") == 2  # one for Post, one for Pair ([a, b] serves [b, a] too)
    pair = text[text.index("model Pair") :]
    assert re.search(r"@@index\(\[(a, b|b, a)\]\)", pair)


PUBLISHED_FIRST = """\
model Post {
  id        Int     @id
  authorId  Int
  published Boolean
  author    User    @relation(fields: [authorId], references: [id])

  @@index([published, authorId])
}
"""


def test_no_new_index_when_a_reorder_covers_the_foreign_key(tmp_path):
    path, proc = fix_file(tmp_path, HEAD + PUBLISHED_FIRST, "--fix", "--unsafe-fixes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = PUBLISHED_FIRST.replace("@@index([published, authorId])", "@@index([authorId, published])")
    assert path.read_text(encoding="utf-8") == HEAD + expected


def test_safe_fixes_never_reorder_an_index(tmp_path):
    """The reorder is a guess without the app's queries: --fix adds the key's index instead."""
    path, proc = fix_file(tmp_path, HEAD + PUBLISHED_FIRST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = PUBLISHED_FIRST.replace(
        "  @@index([published, authorId])\n", "  @@index([published, authorId])\n  @@index([authorId])\n"
    )
    assert path.read_text(encoding="utf-8") == HEAD + expected


SCORE_FIRST = """\
model Post {
  id       Int   @id
  authorId Int
  score    Float
  author   User  @relation(fields: [authorId], references: [id])

  @@index([score, authorId])
}
"""


def test_planner_drops_the_add_fix_when_composite_order_reorders(tmp_path):
    """With Float as a range type, composite-order reorders [score, authorId]; missing-fk-index
    proposes a new @@index([authorId]). With --unsafe-fixes the plan makes the reorder and not
    the new index, which the reordered one would make redundant."""
    (tmp_path / "prisma-lint.toml").write_text('[rules.composite-order]\nrange-types = ["DateTime", "Float"]\n')
    (tmp_path / "schema.prisma").write_text(HEAD + SCORE_FIRST, encoding="utf-8")
    doc = json.loads(run_cli("check", "--format", "json", "schema.prisma", cwd=tmp_path).stdout)
    fixes = {f["rule"]: f["fix"]["title"] for f in doc["findings"] if f["fix"]}
    assert fixes.get("missing-fk-index", "").startswith("Add @@index([authorId])"), fixes
    assert fixes.get("composite-order", "").startswith("Reorder"), fixes
    path, proc = fix_file(tmp_path, HEAD + SCORE_FIRST, "--fix", "--unsafe-fixes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = SCORE_FIRST.replace("@@index([score, authorId])", "@@index([authorId, score])")
    assert path.read_text(encoding="utf-8") == HEAD + expected


COVERED_BY_A_REORDERED_INDEX = """\
enum Status {
  DRAFT
  LIVE
}

model Post {
  id       Int    @id
  authorId Int
  status   Status
  author   User   @relation(fields: [authorId], references: [id])

  @@index([status])
  @@index([status, authorId])
}
"""


def test_redundant_index_is_kept_when_its_cover_is_reordered_away(tmp_path):
    (tmp_path / "schema.prisma").write_text(HEAD + COVERED_BY_A_REORDERED_INDEX, encoding="utf-8")
    doc = json.loads(run_cli("check", "--format", "json", "schema.prisma", cwd=tmp_path).stdout)
    rules = {f["rule"] for f in doc["findings"]}
    assert "redundant-index" in rules, rules  # [status] is a prefix of [status, authorId] ...
    path, proc = fix_file(tmp_path, HEAD + COVERED_BY_A_REORDERED_INDEX, "--fix", "--unsafe-fixes")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    # ... which the fixes turn into [authorId, status]: [status] is no longer redundant
    expected = COVERED_BY_A_REORDERED_INDEX.replace("@@index([status, authorId])", "@@index([authorId, status])")
    assert path.read_text(encoding="utf-8") == HEAD + expected


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    original = HEAD + POST_INDENT4
    path = tmp_path / "schema.prisma"
    path.write_text(original, encoding="utf-8")
    proc = run_cli("check", "--diff", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert path.read_text(encoding="utf-8") == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.prisma"]
    fixed = original.replace("    @@index([title])\n", "    @@index([title])\n    @@index([authorId])\n")
    expected = "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True), fixed.splitlines(keepends=True), "schema.prisma", "schema.prisma"
        )
    )
    assert proc.stdout == expected
    # and nothing to show once fixed
    path.write_text(fixed, encoding="utf-8")
    again = run_cli("check", "--diff", "schema.prisma", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr


BROKEN = HEAD + """\
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}

model Broken {
  id Int @id
  name String @default(
}
"""


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--fix"),
        ("check", "--fix", "--unsafe-fixes"),
        ("check", "--diff"),
        ("migrate", "--write-schema", "--out", "migrations"),
    ],
)
def test_a_schema_with_a_syntax_error_is_never_written(tmp_path, args):
    path = tmp_path / "schema.prisma"
    path.write_text(BROKEN, encoding="utf-8")
    before = path.read_bytes()
    proc = run_cli(*args, "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.prisma"]


def test_a_multi_file_schema_with_an_error_in_one_file_is_not_written(tmp_path):
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "main.prisma").write_text(HEAD + "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n")
    (folder / "other.prisma").write_text("model Other {\n  id Int @id\n  bad String @default(\n}\n")
    before = snapshot(folder)
    proc = run_cli("check", "--fix", "schema", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize("mode", [0o640, 0o755, 0o600])
def test_fix_keeps_the_file_mode(tmp_path, mode):
    path = tmp_path / "schema.prisma"
    path.write_text(HEAD + POST_INDENT4, encoding="utf-8")
    os.chmod(path, mode)
    proc = run_cli("check", "--fix", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "@@index([authorId])" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.prisma"], "a temporary file was left behind"


NAME_IN_USE = HEAD + """\
model Post {
  id       Int    @id
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([title, authorId], map: "Post_authorId_idx")
}
"""


def test_a_new_index_does_not_take_a_name_in_use(tmp_path):
    """Prisma's default name for @@index([authorId]) is `Post_authorId_idx`, which the
    schema already gives to another index: a fix must not add a second index of that name
    (Prisma rejects the schema: "The given constraint name ... has to be unique")."""
    path, proc = fix_file(tmp_path, NAME_IN_USE)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    schema = load_schema(path).schema
    names = [i.db_name for m in schema.models.values() for i in m.indexes]
    assert len(names) == len(set(names)), f"duplicate index names after --fix:\n{path.read_text()}"
    assert '@@index([title, authorId], map: "Post_authorId_idx")' in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# fixes that compose (issue #12)
# ---------------------------------------------------------------------------------------------
TWO_NEW = HEAD.replace("  posts Post[]\n", "  posts Post[]\n  edits Post[] @relation(\"editor\")\n") + """\
model Post {
  id       Int  @id
  authorId Int
  editorId Int
  author   User @relation(fields: [authorId], references: [id])
  editor   User @relation("editor", fields: [editorId], references: [id])
}
"""


def test_new_index_lines_follow_prisma_format_layout(tmp_path, oracle):
    """Two new lines in a model with no block attribute: one blank line before the first,
    none between them, none before `}` — what `prisma format` leaves unchanged."""
    path, proc = fix_file(tmp_path, TWO_NEW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = path.read_text(encoding="utf-8")
    assert text.endswith(
        "  editor   User @relation(\"editor\", fields: [editorId], references: [id])\n\n"
        "  @@index([authorId])\n  @@index([editorId])\n}\n"
    ), text
    proc = oracle.run("format.js", str(path), "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


WIDE_FIRST = """\
datasource db {
  provider     = "mysql"
  relationMode = "prisma"
}

model Program {
  id          String       @id
  alerts      Alert[]
  enrollments Enrollment[]
}

model Enrollment {
  programId String
  partnerId String
  program   Program @relation(fields: [programId], references: [id])
  alerts    Alert[]

  @@id([programId, partnerId])
}

model Alert {
  id         String     @id
  programId  String
  partnerId  String
  program    Program    @relation(fields: [programId], references: [id])
  enrollment Enrollment @relation(fields: [programId, partnerId], references: [programId, partnerId])

  @@index([partnerId])
}
"""


def test_the_widest_new_index_is_added_and_serves_the_narrower_key(tmp_path):
    """dub fraud.prisma got both [programId] and [programId, partnerId]."""
    path, proc = fix_file(tmp_path, WIDE_FIRST)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = path.read_text(encoding="utf-8")
    assert "@@index([programId, partnerId])" in text and "@@index([programId])" not in text, text


LOW_CARDINALITY_KEY = """\
datasource db {
  provider = "postgresql"
}

enum RankType {
  DAY
  WEEK
  MONTH
}

model Rank {
  type    RankType @id
  leaders Leader[]
}

model Leader {
  id       Int      @id
  rankType RankType
  rank     Rank     @relation(fields: [rankType], references: [type])
}
"""


def test_a_fix_whose_result_has_a_new_finding_is_not_applied(tmp_path):
    """civitai: the [rankType] index missing-fk-index adds is one low-cardinality-index flags."""
    path, proc = fix_file(tmp_path, LOW_CARDINALITY_KEY, "--fix", "--format", "json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert path.read_text(encoding="utf-8") == LOW_CARDINALITY_KEY
    (f,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "missing-fk-index"]
    assert f["fix"]["applicability"] == "display" and "would create a new finding" in f["fix"]["title"]
    # with only missing-fk-index selected, the other rules still judge the result
    path, proc = fix_file(tmp_path, LOW_CARDINALITY_KEY, "--fix", "--select", "missing-fk-index")
    assert path.read_text(encoding="utf-8") == LOW_CARDINALITY_KEY


DUPLICATE_AND_MISORDERED = HEAD.replace("  posts Post[]\n", "  posts Post[]\n  handle String @unique\n") + """\
enum Kind {
  A
  B
}

model Post {
  id       Int  @id
  authorId Int
  kind     Kind
  author   User @relation(fields: [authorId], references: [id])

  @@unique([kind, authorId])
  @@index([kind, authorId])
}
"""


def test_an_exact_duplicate_is_removed_not_reordered(tmp_path):
    """cal.com 1854: `@@index([type, value])` equal to `@@unique([type, value])`."""
    path, proc = fix_file(tmp_path, DUPLICATE_AND_MISORDERED, "--fix", "--unsafe-fixes")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    text = path.read_text(encoding="utf-8")
    assert "@@index([kind, authorId])" not in text and "@@index([authorId, kind])" not in text, text
    assert "@@unique([kind, authorId])" in text


IMPLIED_UNIQUE_AND_ITS_PREFIX = HEAD.replace("  posts Post[]\n", "  posts Post[]\n  emails SecondaryEmail[]\n") + """\
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])

  @@index([authorId])
}

model SecondaryEmail {
  id     Int    @id
  userId Int
  email  String
  user   User   @relation(fields: [userId], references: [id])

  @@unique([email])
  @@unique([userId, email])
  @@index([userId])
}
"""


def test_an_implied_unique_goes_first_and_the_index_it_made_redundant_stays(tmp_path):
    """cal.com SecondaryEmail: removing both `@@unique([userId, email])` (implied by [email]) and
    `@@index([userId])` (a prefix of it) would leave the foreign key without an index."""
    path, proc = fix_file(tmp_path, IMPLIED_UNIQUE_AND_ITS_PREFIX, "--fix", "--unsafe-fixes")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    text = path.read_text(encoding="utf-8")
    assert "@@unique([userId, email])" not in text and "@@index([userId])" in text, text


@pytest.mark.oracle
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", ACCEPTED)
def test_prisma_dmmf_of_the_fixed_schema_is_the_planned_one(verdicts, runs, corpus, mode, name):
    """Issue #11: after --fix, Prisma reads the fixed schema as planned: its DMMF has the models,
    fields, composite types and enums of the original unchanged, and exactly the indexes of our
    model of the fixed text (the plan; test_oracle_agreement.py shows our model is Prisma's)."""
    from test_oracle_agreement import diff_rows, dmmf_rows, lint_rows

    original = next(e for e in corpus if e.name == name)
    before, after = verdicts[str(original)], verdicts[str(runs[mode].base / name)]
    assert before["ok"] and after["ok"], "test_prisma_accepts_the_fixed_schema says why"
    rows_before, rows_after = dmmf_rows(before["dmmf"]["datamodel"]), dmmf_rows(after["dmmf"]["datamodel"])
    problems = []
    for section in ("models", "fields", "types", "enums"):
        problems += diff_rows(section, rows_before[section], rows_after[section])
    planned = lint_rows(load_schema(runs[mode].base / name).schema)
    problems += diff_rows("indexes", planned["indexes"], rows_after["indexes"])
    assert not problems, f"{name}: Prisma's DMMF after --fix is not the planned one\n" + "\n".join(problems)
