"""One engine for every entry point (issue #10).

* The defects that came from each entry point building its own pipeline: ``check --fix`` and
  ``migrate`` linted their fix rounds without the migrations (and added an index the migrations
  already have); the language server and the CLI disagreed on which files form a schema.
* Schema-unit discovery is one function: the CLI, the pre-commit grouping (``group_paths``) and
  the language server resolve the same unit for the same file on several layouts.
* Rules run only when the inputs they declare (``needs``) are present.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from conftest import run_cli

from prisma_lint import discovery
from prisma_lint.config import Config
from prisma_lint.engine import Engine, Inputs, active_rules, load_inputs
from prisma_lint.rules import Rule, load_registry

REPO = Path(__file__).resolve().parent.parent
REGISTRY = load_registry()

DATASOURCE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'

BLOG = DATASOURCE + """
model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}

model Post {
  id       Int  @id @default(autoincrement())
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""

# Prisma's SQL for BLOG, plus an index on ("authorId", "id") written by hand in the migration
BLOG_MIGRATION = """\
-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "authorId" INTEGER NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE INDEX "post_author_plain" ON "Post" ("authorId", "id");
"""


def blog_project(root: Path) -> Path:
    schema = root / "prisma" / "schema.prisma"
    mig = root / "prisma" / "migrations" / "20240101000000_init"
    mig.mkdir(parents=True)
    schema.write_text(BLOG)
    (mig / "migration.sql").write_text(BLOG_MIGRATION)
    (mig.parent / "migration_lock.toml").write_text('provider = "postgresql"\n')
    return schema


# -- defect 1: every fix round reads the migrations ---------------------------------------------


def test_check_fix_sees_the_index_the_migrations_create(tmp_path):
    schema = blog_project(tmp_path)
    before = run_cli("check", str(schema), "--format", "json", cwd=tmp_path)
    rules = {f["rule"] for f in json.loads(before.stdout)["findings"]}
    assert "missing-fk-index" not in rules, before.stdout
    fixed = run_cli("check", str(schema), "--fix", cwd=tmp_path)
    assert schema.read_text() == BLOG, "check --fix added an index the migrations already create"
    assert "Found 1 problem (0 fixed, 1 remaining)." in fixed.stdout, fixed.stdout
    after = run_cli("check", str(schema), "--format", "json", cwd=tmp_path)
    assert not [f for f in json.loads(after.stdout)["findings"] if f["rule"] == "redundant-index"]


def test_migrate_then_check_fix_declares_what_migrate_wrote(tmp_path):
    """`migrate` writes a migration; `check --fix` then writes the same index into the schema
    (schema-drift's safe fix: the name is Prisma's default) and no further SQL is due."""
    schema = blog_project(tmp_path)
    init = schema.parent / "migrations" / "20240101000000_init" / "migration.sql"
    init.write_text(BLOG_MIGRATION.replace('CREATE INDEX "post_author_plain" ON "Post" ("authorId", "id");\n', ""))
    assert run_cli("migrate", str(schema), cwd=tmp_path).returncode == 0
    fixed = run_cli("check", str(schema), "--fix", cwd=tmp_path)
    assert "@@index([authorId])" in schema.read_text(), fixed.stdout + fixed.stderr
    assert fixed.returncode == 0, fixed.stdout
    again = run_cli("migrate", str(schema), "--stdout", cwd=tmp_path)
    assert again.stdout == "" and "No index changes" in again.stderr


def test_migrate_sees_the_index_the_migrations_create(tmp_path):
    schema = blog_project(tmp_path)
    proc = run_cli("migrate", str(schema), "--stdout", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "CREATE INDEX" not in proc.stdout
    assert "No index changes" in proc.stderr


def test_without_the_migrations_the_fix_is_made(tmp_path):
    """The control: the same schema without its migrations folder gets the index."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(BLOG)
    proc = run_cli("migrate", str(schema), "--stdout", cwd=tmp_path)
    assert 'CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");' in proc.stdout, proc.stdout + proc.stderr


def test_engine_fix_rounds_keep_the_inputs(tmp_path):
    schema = blog_project(tmp_path)
    inputs = load_inputs(schema.parent)
    assert inputs.migrations is not None and inputs.kind == "prisma"
    engine = Engine(REGISTRY, Config())
    fixed = engine.fix(inputs)
    assert fixed.texts == {} and fixed.fixed == 0
    # the unsafe fix writes the hand-made index into the schema (schema-drift), no new one
    fixed = engine.fix(inputs, unsafe=True)
    (text,) = fixed.texts.values()
    assert '@@index([authorId, id], map: "post_author_plain")' in text and "@@index([authorId])" not in text
    assert [f.rule for f in fixed.result.findings] == []
    # and with the migrations dropped, the same engine adds the index
    bare = Inputs(inputs.unit, "prisma")
    fixed = engine.fix(bare)
    (text,) = fixed.texts.values()
    assert "@@index([authorId])" in text
    assert fixed.inputs.migrations is None and fixed.result.findings == []


# -- defect 2 and discovery: one answer to "which schema owns this file" -------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


USER = "model User {\n  id    Int    @id\n  posts Post[]\n}\n"
POST = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"

# layout -> (files, {file: the unit it belongs to})
LAYOUTS = {
    "nested datasources": (
        {"schema.prisma": DATASOURCE + "model A {\n  id Int @id\n}\n", "sub/schema.prisma": DATASOURCE + USER, "sub/models.prisma": POST},
        {"sub/models.prisma": "sub", "sub/schema.prisma": "sub", "schema.prisma": "schema.prisma"},
    ),
    "prisma/schema folder": (
        {"prisma/schema/schema.prisma": DATASOURCE, "prisma/schema/models/user.prisma": USER, "prisma/schema/models/post.prisma": POST},
        {"prisma/schema/models/post.prisma": "prisma/schema", "prisma/schema/schema.prisma": "prisma/schema"},
    ),
    "single file": (
        {"prisma/schema.prisma": DATASOURCE + USER + POST},
        {"prisma/schema.prisma": "prisma/schema.prisma"},
    ),
    "two schemas side by side": (
        {"db/a.prisma": DATASOURCE + USER + POST, "db/b.prisma": DATASOURCE + "model B {\n  id Int @id\n}\n"},
        {"db/a.prisma": "db/a.prisma", "db/b.prisma": "db/b.prisma"},
    ),
    "migrations": (
        {"prisma/schema.prisma": DATASOURCE + USER + POST, "prisma/migrations/20240101000000_init/migration.sql": "SELECT 1;\n",
         "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n', "other/x.sql": "SELECT 1;\n"},
        {"prisma/migrations/20240101000000_init/migration.sql": "prisma/migrations", "other/x.sql": "other/x.sql"},
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_one_unit_per_file_for_cli_grouping_and_server(tmp_path, layout):
    files, expected = LAYOUTS[layout]
    _write(tmp_path, files)
    for rel, unit in expected.items():
        path = tmp_path / rel
        want = (tmp_path / unit).resolve()
        assert discovery.unit_root(path).resolve() == want, rel
        (target,) = discovery.group_paths([path])
        assert target.root.resolve() == want, rel
        assert target.only is None if want == path.resolve() else target.only == {str(path.resolve())}
        # the language server's own choice for an open document
        from prisma_lint.lsp.server import ServerState
        from prisma_lint.lsp.state import Document

        kind = "sql" if path.suffix == ".sql" else "schema"
        state = ServerState.__new__(ServerState)
        state.docs = {}
        doc = Document(path.as_uri(), path.read_text(), 1, kind, path.resolve(), kind)
        assert state._unit_key_for(doc)[2].resolve() == want, rel


def test_package_json_and_prisma_config_pointers(tmp_path):
    _write(tmp_path, {"db/schema/main.prisma": DATASOURCE, "db/schema/user.prisma": USER + POST})
    (tmp_path / "package.json").write_text(json.dumps({"prisma": {"schema": "db/schema"}}))
    found, how = discovery.find_schema(tmp_path)
    assert found.resolve() == (tmp_path / "db/schema").resolve() and "package.json" in how
    (tmp_path / "prisma.config.ts").write_text('export default {\n  schema: "db/schema/main.prisma",\n}\n')
    found, how = discovery.find_schema(tmp_path)
    assert "prisma.config.ts" in how
    # the file it names belongs to the folder schema, for every entry point
    assert discovery.unit_root(found) == (tmp_path / "db/schema").resolve()


def test_nested_datasources_cli_reports_the_relation(tmp_path):
    files, _ = LAYOUTS["nested datasources"]
    _write(tmp_path, files)
    proc = run_cli("check", "sub/models.prisma", "--format", "json", cwd=tmp_path)
    out = json.loads(proc.stdout)
    assert not out["errors"], out["errors"]
    assert [f["rule"] for f in out["findings"]] == ["missing-fk-index"]


# -- the language server on the same two defects ------------------------------------------------

pytest_lsp = pytest.importorskip("pytest_lsp") if not os.environ.get("CI") else __import__("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "prisma_lint.lsp.server"],
    server_env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
)
e2e = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=["", "quickfix", "source"])
                ),
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            ),
        ),
    )
    await lsp_client.initialize_session(types.InitializeParams(capabilities=caps, root_uri=root.as_uri()))
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="prisma", version=1, text=path.read_text())
        )
    )
    return uri


async def _diagnostics(client: LanguageClient, uri: str, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while uri not in client.diagnostics:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no diagnostics for {uri}")
        await asyncio.sleep(0.01)
    return list(client.diagnostics[uri])


@e2e
async def test_server_lints_the_nested_schema_as_the_cli_does(client: LanguageClient, tmp_path):
    files, _ = LAYOUTS["nested datasources"]
    _write(tmp_path, files)
    diags = await _diagnostics(client, _open(client, tmp_path / "sub" / "models.prisma"))
    assert sorted(str(d.code) for d in diags) == ["missing-fk-index"]


@e2e
async def test_server_fix_all_sees_the_migrations(client: LanguageClient, tmp_path):
    schema = blog_project(tmp_path)
    uri = _open(client, schema)
    diags = await _diagnostics(client, uri)
    assert "missing-fk-index" not in {str(d.code) for d in diags}
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
        )
    )
    for action in actions or []:
        resolved = await client.code_action_resolve_async(action)
        assert not (resolved.edit and (resolved.edit.changes or resolved.edit.document_changes)), resolved.edit


# -- needs ---------------------------------------------------------------------------------------


def test_rules_run_only_with_the_inputs_they_need():
    def check(ctx):
        yield from ()

    registry = load_registry()
    stats_rule = Rule("needs-stats", "info", "no", "x", check, needs=("schema", "stats"))
    off_rule = Rule("off-by-default", "info", "no", "x", check, needs=("schema",), default_enabled=False)
    registry.rules.update({stats_rule.id: stats_rule, off_rule.id: off_rule})
    ids = lambda inputs, select=None: {r.id for r in active_rules(registry, Config(), select, (), inputs)}  # noqa: E731
    assert "needs-stats" not in ids(["schema", "prisma"])
    assert "needs-stats" in ids(["schema", "prisma", "stats"])
    assert "schema-drift" not in ids(["schema", "prisma"]) and "schema-drift" in ids(["schema", "prisma", "migrations"])
    assert "create-index-non-concurrently" not in ids(["schema", "prisma"])
    assert "create-index-non-concurrently" in ids(["schema", "sql"])
    assert "missing-fk-index" not in ids(["schema", "sql"]) or "schema" in REGISTRY.rules["missing-fk-index"].needs
    assert "off-by-default" not in ids(["schema", "prisma"])
    assert "off-by-default" in ids(["schema", "prisma"], ["off-by-default"])


# -- the language server reads the app as check does ----------------------------------------------

APP_SCHEMA = DATASOURCE + """
model Session {
  id        Int      @id @default(autoincrement())
  token     String
  expiresAt DateTime
}
"""
APP_TS = "import { prisma } from './db'\n\nexport const byToken = (token: string) =>\n  prisma.session.findMany({ where: { token } })\n"
DB_TS = "import { PrismaClient } from '@prisma/client'\n\nexport const prisma = new PrismaClient()\n"


@e2e
async def test_server_advice_from_the_app_and_its_call_sites(client: LanguageClient, tmp_path):
    (tmp_path / "package.json").write_text('{"name": "app"}')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "db.ts").write_text(DB_TS)
    app = tmp_path / "src" / "sessions.ts"
    app.write_text(APP_TS)
    schema = tmp_path / "prisma" / "schema.prisma"
    schema.parent.mkdir()
    schema.write_text(APP_SCHEMA)
    uri = _open(client, schema)
    diags = await _diagnostics(client, uri)
    finding = next(d for d in diags if d.code == "unindexed-query")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=finding.range.start)
    )
    text = hover.contents.value
    assert "call sites:" in text and "sessions.ts:4" in text and app.as_uri() + "#L4" in text, text[:600]
    # the app changes on disk: the query now goes by the primary key, and the advice goes
    app.write_text(APP_TS.replace("{ token }", "{ id: 1 }"))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=app.as_uri(), type=types.FileChangeType.Changed)])
    )
    deadline = asyncio.get_running_loop().time() + 10
    while any(d.code == "unindexed-query" for d in client.diagnostics.get(uri, [])):
        assert asyncio.get_running_loop().time() < deadline, client.diagnostics.get(uri)
        await asyncio.sleep(0.05)
