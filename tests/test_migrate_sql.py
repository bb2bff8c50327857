"""Migration SQL text: Prisma's layout, quoting, providers; every PostgreSQL statement parses."""

import pglast
import pytest
from conftest import REPO, run_cli
from helpers import datasource, edited_templates, load_text

from prisma_lint.migrate.sql import MigrationError, diff, ops_sql, render, reverse, statements

BEFORE = """
model User {
  id     Int      @id
  email  String   @unique
  name   String
  tags   String[]
  data   Json
  @@index([email])
  @@index([name], map: "old_name")
  @@map("users")
}
"""
AFTER = """
model User {
  id     Int      @id
  email  String   @unique
  name   String
  tags   String[]
  data   Json
  @@index([name], map: "new_name")
  @@index([tags(ops: ArrayOps)], type: Gin)
  @@index([data(ops: JsonbPathOps)], type: Gin)
  @@index([name(sort: Desc), email])
  @@map("users")
}
"""


def migration(before: str, after: str, provider: str = "postgresql"):
    return diff(load_text(datasource(provider) + before).schema, load_text(datasource(provider) + after).schema)


def test_postgres_text_matches_prisma_layout():
    # what `prisma migrate diff` prints for the same two schemas (checked with Prisma 7.10)
    assert render(migration(BEFORE, AFTER)) == (
        '-- DropIndex\nDROP INDEX "users_email_idx";\n\n'
        '-- CreateIndex\nCREATE INDEX "users_tags_idx" ON "users" USING GIN ("tags" array_ops);\n\n'
        '-- CreateIndex\nCREATE INDEX "users_data_idx" ON "users" USING GIN ("data" jsonb_path_ops);\n\n'
        '-- CreateIndex\nCREATE INDEX "users_name_email_idx" ON "users"("name" DESC, "email");\n\n'
        '-- RenameIndex\nALTER INDEX "old_name" RENAME TO "new_name";\n'
    )


def test_every_statement_parses_with_pglast():
    m = migration(BEFORE, AFTER)
    for sql in statements(m) + statements(reverse(m)) + statements(m, concurrently=True):
        assert len(pglast.parse_sql(sql)) == 1, sql


def test_down_reverses_up():
    m = migration(BEFORE, AFTER)
    down = render(reverse(m))
    assert 'ALTER INDEX "new_name" RENAME TO "old_name";' in down
    assert 'CREATE INDEX "users_email_idx" ON "users"("email");' in down
    assert 'DROP INDEX "users_tags_idx";' in down


def test_identifiers_with_quotes_are_escaped():
    before = 'model A {\n  id Int @id\n  b  Int\n  @@map("we\\"ird")\n}\n'
    after = before.replace("  @@map", "  @@index([b])\n  @@map")
    sql = render(migration(before, after))
    assert 'CREATE INDEX "we""ird_b_idx" ON "we""ird"("b");' in sql
    assert pglast.parse_sql(sql)[0].stmt.relation.relname == 'we"ird'


@pytest.mark.parametrize(
    "ops,sql",
    [
        ("JsonbPathOps", "jsonb_path_ops"),
        ("ArrayOps", "array_ops"),
        ("Int4MinMaxOps", "int4_minmax_ops"),
        ("TimestampTzMinMaxOps", "timestamptz_minmax_ops"),
        ("TextPatternOps", "text_pattern_ops"),
        ('raw("gin_trgm_ops")', "gin_trgm_ops"),
    ],
)
def test_operator_classes(ops, sql):
    assert ops_sql(ops) == sql


def test_multi_schema_names_are_qualified():
    before = 'model A {\n  id Int @id\n  b  Int\n  @@schema("auth")\n}\n'
    text = datasource().replace("}", '  schemas = ["auth"]\n}') + before
    old = load_text(text).schema
    new = load_text(text.replace("  @@schema", "  @@index([b])\n  @@schema")).schema
    sql = render(diff(old, new))
    assert sql == '-- CreateIndex\nCREATE INDEX "A_b_idx" ON "auth"."A"("b");\n'
    assert 'DROP INDEX "auth"."A_b_idx";' in render(reverse(diff(old, new)))


def test_other_providers_quote_their_way():
    before = "model A {\n  id Int @id\n  b  Int\n  c  String\n}\n"
    after = before.replace("}", "  @@index([b, c(sort: Desc)])\n}")
    assert render(migration(before, after, "mysql")) == "-- CreateIndex\nCREATE INDEX `A_b_c_idx` ON `A`(`b`, `c` DESC);\n"
    assert render(migration(before, after, "sqlite")) == '-- CreateIndex\nCREATE INDEX "A_b_c_idx" ON "A"("b", "c" DESC);\n'
    ss = render(migration(before, after, "sqlserver"))
    assert ss.startswith("BEGIN TRY\n\nBEGIN TRAN;\n\n-- CreateIndex\nCREATE NONCLUSTERED INDEX [A_b_c_idx] ON [dbo].[A]([b], [c] DESC);\n\nCOMMIT TRAN;")
    assert ss.rstrip().endswith("END CATCH")


def test_sqlite_renames_by_drop_and_create():
    before = 'model A {\n  id Int @id\n  b  Int\n  @@index([b], map: "x")\n}\n'
    after = before.replace('map: "x"', 'map: "y"')
    assert [s.action for s in migration(before, after, "sqlite").steps] == ["drop", "create"]
    assert [s.action for s in migration(before, after, "postgresql").steps] == ["rename"]


def test_unsupported_provider_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="mongodb"):
        migration("model A {\n  id String @id @map(\"_id\")\n}\n", "model A {\n  id String @id @map(\"_id\")\n}\n", "mongodb")
    p = tmp_path / "s.prisma"
    p.write_text(datasource("mongodb") + "model A {\n  id String @id @map(\"_id\")\n  b String\n  c B @relation(fields: [b], references: [id])\n}\nmodel B {\n  id String @id @map(\"_id\")\n  a A[]\n}\n")
    proc = run_cli("migrate", "--stdout", str(p))
    assert proc.returncode == 2 and "not supported" in proc.stderr and "Traceback" not in proc.stderr


def test_migrate_command_writes_a_prisma_migration_folder(tmp_path):
    schema = tmp_path / "prisma" / "schema.prisma"
    schema.parent.mkdir()
    schema.write_text(datasource() + "model User {\n  id    Int    @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n")
    before = schema.read_bytes()
    proc = run_cli("migrate", str(schema), "--name", "Add FK indexes")
    assert proc.returncode == 0, proc.stderr
    (folder,) = (tmp_path / "prisma" / "migrations").iterdir()
    assert folder.name.endswith("_add_fk_indexes") and len(folder.name.split("_")[0]) == 14
    assert (folder / "migration.sql").read_text() == '-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"("authorId");\n'
    assert (folder / "down.sql").read_text() == '-- DropIndex\nDROP INDEX "Post_authorId_idx";\n'
    assert schema.read_bytes() == before  # without --write-schema the schema is left alone
    assert "check --fix" in proc.stderr
    proc = run_cli("migrate", str(schema), "--stdout", "--write-schema")
    assert "@@index([authorId])" in schema.read_text()
    proc = run_cli("migrate", str(schema), "--stdout")
    assert proc.returncode == 0 and proc.stdout == "" and "nothing to migrate" in proc.stderr


def test_concurrently_creates_each_replacement_before_dropping_what_it_replaces():
    before = "model T {\n  id Int @id\n  a  Int\n  b  Boolean\n  @@index([b, a])\n  @@index([a], map: \"keep_name\")\n}\n"
    after = "model T {\n  id Int @id\n  a  Int\n  b  Boolean\n  @@index([a, b])\n  @@index([a, b], map: \"keep_name\")\n}\n"
    m = migration(before, after)
    # Prisma's own order (one transaction): drops first
    assert [s.action for s in m.steps] == ["drop", "drop", "create", "create"]
    parts = statements(m, concurrently=True)
    assert parts == [
        '-- CreateIndex\nCREATE INDEX CONCURRENTLY "T_a_b_idx" ON "T"("a", "b");\n',
        '-- DropIndex\nDROP INDEX CONCURRENTLY "T_b_a_idx";\n',
        '-- DropIndex\nDROP INDEX CONCURRENTLY "keep_name";\n',
        # the same name cannot exist twice: this create waits for its drop
        '-- CreateIndex\nCREATE INDEX CONCURRENTLY "keep_name" ON "T"("a", "b");\n',
    ]


def test_concurrently_migration_folders_follow_the_same_order(tmp_path):
    from prisma_lint.migrate.sql import write_migrations

    before = "model T {\n  id Int @id\n  a  Int\n  b  Boolean\n  @@index([b, a])\n}\n"
    after = "model T {\n  id Int @id\n  a  Int\n  b  Boolean\n  @@index([a, b])\n}\n"
    folders = write_migrations(migration(before, after), tmp_path, "reorder", concurrently=True)
    texts = [(f / "migration.sql").read_text() for f in sorted(folders)]
    assert [t.split("\n")[1].split(" ")[0] for t in texts] == ["CREATE", "DROP"]


def test_migrate_keeps_the_compiled_template_between_runs(tmp_path):
    """When jinja2 renders the template (the installed one is not the one ``_templates.py`` was
    generated from: here an edited copy), the first migrate writes jinja2's compiled template
    to the cache folder; the next runs load it (the same SQL; jinja2 keys the file by the
    template's text, so an edit is compiled again), and a cache folder that cannot be written
    costs only the compile. With the generated code nothing is written there."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(datasource() + "model User {\n  id    Int    @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n")
    expected = '-- CreateIndex\nCREATE INDEX "Post_authorId_idx" ON "Post"("authorId");\n'
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    plain = run_cli("migrate", "--stdout", str(schema), env=env)
    assert plain.stdout == expected and not cache.exists()
    templates = edited_templates(tmp_path / "templates")
    first = run_with_templates(templates, "migrate", "--stdout", str(schema), env=env)
    assert first.returncode == 0, first.stderr
    stored = list((cache / "prisma-lint" / "templates").iterdir())
    assert len(stored) == 1 and stored[0].stat().st_size > 0
    mtime = stored[0].stat().st_mtime_ns
    second = run_with_templates(templates, "migrate", "--stdout", str(schema), env=env)
    assert second.stdout == first.stdout == expected
    assert stored[0].stat().st_mtime_ns == mtime  # read, not written again
    # a cache folder that is a file: nothing can be written there, the SQL is the same
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    third = run_with_templates(templates, "migrate", "--stdout", str(schema), env={"XDG_CACHE_HOME": str(blocked)})
    assert third.returncode == 0 and third.stdout == first.stdout and "Traceback" not in third.stderr


def run_with_templates(folder, *args: str, env: dict):
    """The CLI in a subprocess whose templates are the ones in ``folder``."""
    import os
    import subprocess
    import sys

    program = (
        "import sys; from prisma_lint import resources; resources._PLACES['templates'] = (sys.argv.pop(1),); "
        "sys.argv[0] = 'prisma-lint'; from prisma_lint.entry import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", program, str(folder), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        timeout=120,
    )


def test_rendering_through_the_template_cache_gives_the_same_sql(tmp_path, monkeypatch):
    from prisma_lint import resources
    from prisma_lint.migrate import sql

    loaded = load_text(datasource() + BEFORE).schema
    m = diff(loaded, load_text(datasource() + AFTER).schema)
    plain = render(m)
    templates = edited_templates(tmp_path / "templates")
    monkeypatch.setitem(resources._PLACES, "templates", (str(templates),))
    sql._template.cache_clear()
    cache = tmp_path / "cache"
    cached = render(m, cache_dir=cache)
    assert cached == plain and any((cache / "templates").iterdir())
    sql._template.cache_clear()  # a new process: the compiled template comes from the folder
    assert render(m, cache_dir=cache) == plain
    sql._template.cache_clear()


def test_an_index_with_no_sql_stops_the_migration_even_in_a_model_the_fixes_leave(tmp_path):
    """diff compares only the models the fix's parse built again; an index with no SQL form in
    another model still stops the migration, as when every model was compared."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        datasource("sqlite")
        + "model A {\n  id Int @id\n  x  Int\n  @@index([x], type: Hash)\n}\n\n"
        + "model User {\n  id    Int    @id\n  posts Post[]\n}\n\n"
        + "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
    )
    proc = run_cli("migrate", "--stdout", str(schema))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "prisma-lint: error: `A`: index type Hash is not supported for sqlite here\n"
