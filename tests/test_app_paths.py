"""App files among `check`'s paths (issue #13): pre-commit passes the changed `.ts`/`.js` files;
each stands for the schema whose app reads it, and the findings citing it are reported."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

from prisma_lint import discovery

SCHEMA = """datasource db {
  provider = "postgresql"
}

model User {
  id       Int       @id
  email    String    @unique
  sessions Session[]
  posts    Post[]
}

model Session {
  id        Int      @id
  userId    Int
  expiresAt DateTime
  user      User     @relation(fields: [userId], references: [id])

  @@index([userId])
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""
CLIENT = 'import { PrismaClient } from "@prisma/client";\nexport const prisma = new PrismaClient();\n'
CLEANUP = (
    'import { prisma } from "./db";\n'
    "export async function cleanup() {\n"
    "  return prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });\n"
    "}\n"
)


def project(root: Path, schema: str = SCHEMA) -> Path:
    """package.json + prisma/schema.prisma + src/db.ts (the client) + src/auth.ts (an unindexed
    query on Session.expiresAt). The schema also has a finding no app file causes
    (missing-fk-index on Post.authorId)."""
    (root / "prisma").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "package.json").write_text('{"name": "app"}')
    (root / "prisma" / "schema.prisma").write_text(schema)
    (root / "src" / "db.ts").write_text(CLIENT)
    (root / "src" / "auth.ts").write_text(CLEANUP)
    return root


def check(root: Path, *args: str):
    env = {"XDG_CACHE_HOME": str(root.parent / "xdg")}
    return run_cli("check", "--format", "json", *args, cwd=root, env=env)


def rules(proc) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["file"]) for f in json.loads(proc.stdout)["findings"])


def test_an_app_file_reports_the_findings_that_cite_it(tmp_path):
    root = project(tmp_path / "p")
    proc = check(root, "src/auth.ts")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] == []
    (finding,) = doc["findings"]  # not the schema's missing-fk-index on Post: no app file cites it
    assert finding["rule"] == "unindexed-query" and finding["file"] == "prisma/schema.prisma"
    assert finding["fields"] == ["expiresAt"]
    assert [(e["file"], e["line"], e["column"]) for e in finding["evidence"]] == [("src/auth.ts", 3, 10)]
    # the client module cites nothing: nothing to report, and not an error
    proc = check(root, "src/db.ts")
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == [], proc.stderr
    assert "skipped" not in proc.stderr  # it belongs to the schema's app: linted, nothing found
    # the text output names the call site
    proc = run_cli("check", "src/auth.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert "prisma/schema.prisma:12:7: warning[unindexed-query]" in proc.stdout
    assert "= note: prisma.session.deleteMany at src/auth.ts:3" in proc.stdout


def test_schema_and_app_files_together_lint_the_unit_once(tmp_path):
    root = project(tmp_path / "p")
    both = rules(check(root, "src/auth.ts", "prisma/schema.prisma", "src/db.ts", "./src/auth.ts"))
    assert both == [("missing-fk-index", "prisma/schema.prisma"), ("unindexed-query", "prisma/schema.prisma")]
    assert rules(check(root, "prisma/schema.prisma")) == both
    (target,) = discovery.group_paths([root / "src" / "auth.ts", root / "prisma" / "schema.prisma", root / "src" / "db.ts"])
    assert target.only is None and target.app_files == {str((root / "src" / p).resolve()) for p in ("auth.ts", "db.ts")}


def test_an_app_file_of_a_multi_file_schema_with_one_of_its_files(tmp_path):
    root = tmp_path / "p"
    (root / "prisma" / "schema").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "package.json").write_text("{}")
    head, models = SCHEMA.split("model User", 1)
    (root / "prisma" / "schema" / "base.prisma").write_text(head)
    (root / "prisma" / "schema" / "models.prisma").write_text("model User" + models)
    (root / "src" / "db.ts").write_text(CLIENT)
    (root / "src" / "auth.ts").write_text(CLEANUP)
    assert rules(check(root, "src/auth.ts")) == [("unindexed-query", "prisma/schema/models.prisma")]
    # base.prisma passed too: its findings (none) and the ones citing auth.ts
    assert rules(check(root, "prisma/schema/base.prisma", "src/auth.ts")) == [("unindexed-query", "prisma/schema/models.prisma")]


def test_app_files_no_schema_reads_are_skipped_with_a_note(tmp_path):
    root = project(tmp_path / "p")
    for rel in ("node_modules/lib/index.ts", "src/auth.test.ts", "scripts/seed.ts", "dist/auth.js", "src/types.d.ts"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(CLEANUP)
    other = tmp_path / "elsewhere"  # a folder of no project with a schema
    other.mkdir()
    (other / "x.js").write_text("console.log(1)\n")
    paths = ["node_modules/lib/index.ts", "src/auth.test.ts", "scripts/seed.ts", "dist/auth.js", "src/types.d.ts", str(other / "x.js")]
    proc = check(root, *paths)
    assert proc.returncode == 0, proc.stderr  # as for a run with nothing to lint (all excluded)
    assert json.loads(proc.stdout)["findings"] == []
    (note,) = proc.stderr.splitlines()  # one line, not an error
    assert note.startswith("prisma-lint: note: skipped node_modules/lib/index.ts, src/auth.test.ts") and "and 1 more" in note
    assert "Traceback" not in proc.stderr
    proc = run_cli("check", "src/auth.test.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert proc.returncode == 0 and proc.stdout == "All checks passed.\n"
    # with the app file that matters among them: reported as alone
    assert rules(check(root, "src/auth.test.ts", "src/auth.ts")) == [("unindexed-query", "prisma/schema.prisma")]
    # the config's app-exclude decides: scripts read, src/auth.ts not
    (root / "prisma-lint.toml").write_text('app-exclude = ["src/auth.*"]\n')
    assert rules(check(root, "scripts/seed.ts")) == [("unindexed-query", "prisma/schema.prisma")]
    proc = check(root, "src/auth.ts")
    assert proc.returncode == 0 and "skipped src/auth.ts" in proc.stderr
    # --no-app: no app is read, so no app file belongs to a schema
    (root / "prisma-lint.toml").unlink()
    proc = check(root, "--no-app", "src/auth.ts")
    assert proc.returncode == 0 and "skipped src/auth.ts" in proc.stderr


def test_an_app_file_of_a_sibling_project_without_a_schema(tmp_path):
    repo = tmp_path / "repo"
    project(repo / "api")
    (repo / ".git").mkdir()
    (repo / "web" / "src").mkdir(parents=True)
    (repo / "web" / "package.json").write_text('{"name": "web"}')
    (repo / "web" / "src" / "page.ts").write_text(CLEANUP.replace("./db", "../../api/src/db"))
    # api's schema reads api/ (its nearest package.json): web/ is another project
    proc = check(repo, "web/src/page.ts", "api/src/auth.ts")
    assert rules(proc) == [("unindexed-query", "api/prisma/schema.prisma")]
    assert "skipped web/src/page.ts" in proc.stderr


def test_a_workspace_package_schema_owns_the_other_packages_files(tmp_path):
    repo = tmp_path / "mono"
    (repo / ".git").mkdir(parents=True)
    (repo / "package.json").write_text('{"workspaces": ["apps/*", "packages/*"]}')
    db = repo / "packages" / "db"
    (db / "prisma").mkdir(parents=True)
    (db / "package.json").write_text('{"name": "@repo/db"}')
    (db / "prisma" / "schema.prisma").write_text(SCHEMA)
    (db / "index.ts").write_text(CLIENT)
    web = repo / "apps" / "web" / "src"
    web.mkdir(parents=True)
    (repo / "apps" / "web" / "package.json").write_text('{"name": "web"}')
    (web / "auth.ts").write_text(CLEANUP.replace("./db", "@repo/db"))
    # a fixture schema of a test folder is not the project's
    (repo / "apps" / "web" / "tests" / "fixtures").mkdir(parents=True)
    (repo / "apps" / "web" / "tests" / "fixtures" / "schema.prisma").write_text(SCHEMA)
    (repo / "apps" / "web" / "tests" / "fixtures" / "package.json").write_text("{}")
    proc = check(repo / "apps" / "web", "src/auth.ts")
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["file"], f["evidence"][0]["file"]) for f in findings] == [
        ("unindexed-query", str((db / "prisma" / "schema.prisma").resolve()), "src/auth.ts")  # outside the cwd: absolute
    ]
    assert discovery.app_units(web / "auth.ts") == [(db / "prisma" / "schema.prisma").resolve()]


def test_prisma_config_pointer_is_honoured(tmp_path):
    root = tmp_path / "p"
    (root / "db").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "db" / "main.prisma").write_text(SCHEMA)
    (root / "package.json").write_text('{"name": "app"}')
    (root / "prisma.config.ts").write_text('import path from "node:path";\nexport default { schema: path.join("db", "main.prisma") };\n')
    (root / "src" / "db.ts").write_text(CLIENT)
    (root / "src" / "auth.ts").write_text(CLEANUP)
    assert rules(check(root, "src/auth.ts")) == [("unindexed-query", "db/main.prisma")]
    # and a package.json pointer, outside any repository or workspace
    (root / "prisma.config.ts").unlink()
    (root / "package.json").write_text('{"prisma": {"schema": "db/main.prisma"}}')
    assert rules(check(root, "src/auth.ts")) == [("unindexed-query", "db/main.prisma")]


def test_crlf_and_bom_in_the_app_file_do_not_matter(tmp_path):
    root = project(tmp_path / "p")
    (root / "src" / "auth.ts").write_bytes(b"\xef\xbb\xbf" + CLEANUP.replace("\n", "\r\n").encode())
    doc = json.loads(check(root, "src/auth.ts").stdout)
    (finding,) = doc["findings"]
    assert [(e["file"], e["line"], e["column"]) for e in finding["evidence"]] == [("src/auth.ts", 3, 10)]


def test_a_broken_app_file_reports_what_parses(tmp_path):
    root = project(tmp_path / "p")
    (root / "src" / "auth.ts").write_text(
        CLEANUP + "export function broken( {\n  prisma.post.findMany({ where: { authorId: 1 } ;;; )\n"
        "export const ok = () => prisma.session.findFirst({ where: { userId: 1, expiresAt: { gt: new Date() } } });\n"
    )
    proc = check(root, "src/auth.ts")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] == []
    assert [(f["rule"], f["model"], f["fields"]) for f in doc["findings"]] == [("unindexed-query", "Session", ["expiresAt"])]
    # the calls before and after the broken one are read; the broken one (line 6) is not
    proc = run_cli("queries", "--format", "json", "src/auth.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert [(q["line"], q["model"]) for q in json.loads(proc.stdout)["queries"]] == [(3, "Session"), (7, "Session")]


def test_suppression_at_the_call_site_still_works(tmp_path):
    root = project(tmp_path / "p")
    (root / "src" / "auth.ts").write_text(CLEANUP.replace("  return prisma", "  // prisma-lint-ignore unindexed-query\n  return prisma"))
    proc = check(root, "src/auth.ts")
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == [], proc.stdout


def test_fix_with_an_app_file_fixes_only_what_it_reports(tmp_path):
    root = project(tmp_path / "p")
    proc = run_cli("check", "--fix", "src/auth.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (root / "prisma" / "schema.prisma").read_text()
    assert "@@index([expiresAt])" in text  # the query's index
    assert "@@index([authorId])" not in text  # not the fix of a finding no file passed shows


def test_an_app_file_with_the_other_commands(tmp_path):
    root = project(tmp_path / "p")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = run_cli("queries", "--format", "json", "src/auth.ts", cwd=root, env=env)
    assert proc.returncode == 0 and len(json.loads(proc.stdout)["queries"]) == 1, proc.stderr
    (root / "other.ts").write_text("")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.ts").write_text("")
    proc = run_cli("graph", "node_modules/x.ts", cwd=root, env=env)
    assert proc.returncode == 2 and "belongs to no schema" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("check", "--stdin-filename", "src/auth.ts", "-", input=CLEANUP, cwd=root, env=env)
    assert proc.returncode == 2 and "only a schema or SQL file can be read from stdin" in proc.stderr


def test_github_format_annotates_the_schema_with_the_call_site(tmp_path):
    """What the GitHub Action runs (`path: src/auth.ts` works like on the command line)."""
    root = project(tmp_path / "p")
    proc = run_cli("check", "--format", "github", "src/auth.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("::")]
    assert "file=prisma/schema.prisma,line=12" in line and "src/auth.ts:3" in line


def test_app_scope_agrees_with_the_walk(tmp_path):
    from prisma_lint.frontends.app.discover import DEFAULT_APP_EXCLUDE, AppScope, app_files

    names = [
        "src/a.ts", "src/b.tsx", "src/c.mjs", "src/types.d.ts", "src/x.min.js", "node_modules/p/index.js",
        "dist/a.js", ".next/a.js", "src/generated/client.ts", "src/a.test.ts", "tests/t.ts", "scripts/s.ts",
        "prisma/seed.ts", "src/__tests__/y.ts", "src/.hidden/z.ts", "lib/deep/er/w.cts", "README.md",
    ]
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_text("")
    cases = [
        ([tmp_path], DEFAULT_APP_EXCLUDE),
        ([tmp_path], ()),
        ([tmp_path / "src"], ["src/b*", "*.mjs"]),
        ([str(tmp_path / "src" / "*.ts*")], DEFAULT_APP_EXCLUDE),
        ([str(tmp_path / "*")], DEFAULT_APP_EXCLUDE),
        ([tmp_path / "scripts" / "s.ts"], DEFAULT_APP_EXCLUDE),  # named outright: read though excluded
        (["lib"], ["deep"]),
    ]
    for roots, exclude in cases:
        walked = set(app_files(roots, exclude, base=tmp_path))
        scope = AppScope(roots, exclude, base=tmp_path)
        for n in names:
            assert ((tmp_path / n) in walked) == (tmp_path / n in scope), (roots, exclude, n)


def test_project_root_stops_at_the_repository(tmp_path):
    from prisma_lint.frontends.app.discover import project_root

    (tmp_path / "package.json").write_text("{}")  # a stray one above the repository (the home folder)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "prisma").mkdir()
    (repo / "prisma" / "schema.prisma").write_text(SCHEMA)
    assert project_root(repo / "prisma" / "schema.prisma") == repo.resolve()
    assert project_root(tmp_path / "package.json") == tmp_path.resolve()  # outside: as before


def test_fix_with_one_file_of_a_multi_file_schema_fixes_that_file(tmp_path):
    root = tmp_path / "p"
    folder = root / "prisma" / "schema"
    folder.mkdir(parents=True)
    (folder / "base.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id       Int       @id\n  posts    Post[]\n  comments Comment[]\n}\n'
    )
    (folder / "post.prisma").write_text("model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n")
    (folder / "comment.prisma").write_text("model Comment {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n")
    proc = run_cli("check", "--fix", "--no-app", "prisma/schema/post.prisma", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "@@index([authorId])" in (folder / "post.prisma").read_text()
    assert "@@index" not in (folder / "comment.prisma").read_text()  # not passed: left as it is


def test_add_ignore_with_an_app_file_comments_what_it_reports(tmp_path):
    root = project(tmp_path / "p")
    proc = run_cli("check", "--add-ignore", "src/auth.ts", cwd=root, env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (root / "prisma" / "schema.prisma").read_text()
    assert text.count("prisma-lint-ignore") == 1 and "prisma-lint-ignore unindexed-query" in text
    assert rules(check(root, "src/auth.ts")) == []
    assert rules(check(root, "prisma/schema.prisma")) == [("missing-fk-index", "prisma/schema.prisma")]


def test_a_broken_schema_is_reported_for_its_app_files(tmp_path):
    root = project(tmp_path / "p", SCHEMA.replace("model Post {", "model Post {{"))
    proc = check(root, "src/auth.ts")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    assert errors and all(e["file"] == "prisma/schema.prisma" and e["severity"] == "error" for e in errors)


def test_real_paths_through_links(tmp_path):
    import os

    real = tmp_path / "real" / "src"
    real.mkdir(parents=True)
    (real / "a.ts").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (real / "b.ts").symlink_to(real / "a.ts")
    memo: dict[str, str] = {}
    for p in (tmp_path / "link" / "src" / "a.ts", tmp_path / "link" / "src" / "b.ts", real / "a.ts", real / "b.ts"):
        assert discovery._real(p, memo) == os.path.realpath(p), p


def test_schema_option_with_paths_reports_what_concerns_them(tmp_path):
    """pre-commit with `args: [--schema, db/main.prisma]` appends the changed files."""
    root = tmp_path / "p"
    (root / "db").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "package.json").write_text('{"name": "app"}')
    (root / "db" / "main.prisma").write_text(SCHEMA)  # where nothing points at it
    (root / "src" / "db.ts").write_text(CLIENT)
    (root / "src" / "auth.ts").write_text(CLEANUP)
    (root / "scripts").mkdir()
    (root / "scripts" / "x.ts").write_text(CLEANUP)
    schema = ("--schema", "db/main.prisma")
    assert rules(check(root, *schema, "src/auth.ts")) == [("unindexed-query", "db/main.prisma")]
    assert rules(check(root, *schema, "db/main.prisma")) == [("missing-fk-index", "db/main.prisma"), ("unindexed-query", "db/main.prisma")]
    proc = check(root, *schema, "scripts/x.ts", "README.md")
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    assert "skipped scripts/x.ts, README.md: not part of the schema db/main.prisma nor of its app" in proc.stderr
    assert len(rules(check(root, *schema))) == 2  # no path: all of it, as before
    proc = check(root, "--schema", "db/missing.prisma", "src/auth.ts")
    assert proc.returncode == 2 and "db/missing.prisma" in proc.stderr + proc.stdout
