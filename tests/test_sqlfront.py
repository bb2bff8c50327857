"""The SQL front end: replaying migrations into the model, SQL rules, schema + migrations."""

import json
import textwrap

import pytest
from conftest import run_cli
from helpers import PG, REGISTRY

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.frontends.sql.replay import load_sql, read_sql
from prisma_lint.source import SourceFile


def model_of(sql: str):
    return read_sql([SourceFile("m.sql", textwrap.dedent(sql))])


def lint_sql_text(sql: str, tmp_path, select=None):
    p = tmp_path / "m.sql"
    p.write_text(textwrap.dedent(sql))
    result = lint(load_sql(p), REGISTRY, Config(), select)
    return result


def rules(result) -> list[tuple]:
    return sorted((f.rule, f.model, tuple(f.fields)) for f in result.findings)


def test_replay_tables_keys_indexes_and_enums():
    s = model_of(
        """
        CREATE TYPE "Status" AS ENUM ('A', 'B');
        ALTER TYPE "Status" ADD VALUE 'C';
        CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "status" "Status" NOT NULL,
            "tags" TEXT[], CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
        CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "authorId" INTEGER NOT NULL, "at" TIMESTAMP(3));
        CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
        CREATE INDEX "Post_at_idx" ON "Post" USING BRIN ("at");
        ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
        INSERT INTO "User" VALUES (1, 'a', 'A');
        """
    )
    user, post = s.models["User"], s.models["Post"]
    assert [(f.name, f.type, f.kind, f.optional, f.list) for f in user.fields.values()] == [
        ("id", "Int", "scalar", False, False),
        ("email", "String", "scalar", False, False),
        ("status", "Status", "enum", False, False),
        ("tags", "String", "scalar", True, True),
    ]
    assert [v.name for v in s.enums["Status"].values] == ["A", "B", "C"]
    assert {(i.kind, i.db_name, tuple(i.fields)) for i in user.indexes} == {("id", "User_pkey", ("id",)), ("unique", "User_email_key", ("email",))}
    assert [(i.type, i.db_name) for i in post.indexes if i.kind == "index"] == [("Brin", "Post_at_idx")]
    (r,) = s.relations
    assert (r.model, r.fields, r.target, r.references, r.on_delete, r.db_name) == ("Post", ["authorId"], "User", ["id"], "Cascade", "Post_authorId_fkey")


def test_replay_renames_and_drops():
    s = model_of(
        """
        CREATE TABLE a (id int PRIMARY KEY, x int, y int, z int);
        CREATE INDEX a_x ON a (x);
        CREATE INDEX a_y ON a (y);
        ALTER INDEX a_x RENAME TO a_x2;
        DROP INDEX a_y;
        ALTER TABLE a RENAME COLUMN x TO xx;
        ALTER TABLE a DROP COLUMN z;
        ALTER TABLE a RENAME TO b;
        CREATE INDEX IF NOT EXISTS a_x2 ON b (y);
        """
    )
    assert list(s.models) == ["b"]
    b = s.models["b"]
    assert list(b.fields) == ["id", "y", "xx"] or set(b.fields) == {"id", "xx", "y"}
    assert [(i.db_name, i.fields) for i in b.indexes if i.kind == "index"] == [("a_x2", ["xx"])]


def test_partial_expression_and_method_details():
    s = model_of(
        """
        CREATE INDEX i ON t (lower(email) DESC NULLS LAST, created_at) INCLUDE (id) WHERE deleted_at IS NULL;
        CREATE INDEX g ON t USING gin (data jsonb_path_ops);
        """
    )
    t = s.models["t"]
    assert t.origin == "sql-inferred"
    i, g = t.indexes
    assert i.columns[0].field == "(lower(email))" and i.columns[0].sort == "Desc NullsLast"
    assert i.where == "deleted_at IS NULL"
    assert (g.type, g.columns[0].ops) == ("Gin", "jsonb_path_ops")


def test_parse_error_has_a_position_and_the_rest_is_checked(tmp_path):
    result = lint_sql_text(
        """
        CREATE INDEX ok1 ON t (a) WHERE a > now();
        CREATE INDEXX broken ON t (b);
        CREATE INDEX ok2 ON t (c) WHERE c < CURRENT_DATE;
        """,
        tmp_path,
        ["non-immutable-index-expression"],
    )
    (err,) = [d for d in result.diagnostics if d.severity == "error"]
    assert err.render().startswith(f"{tmp_path / 'm.sql'}:3:8: error: SQL syntax error: syntax error at or near \"INDEXX\"")
    assert len(result.findings) == 2


@pytest.mark.parametrize(
    "predicate,bad",
    [
        ("created_at > NOW()", "now()"),
        ("created_at > now() - interval '30 days'", "now()"),
        ("d >= CURRENT_DATE", "CURRENT_DATE"),
        ("ts < CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("ts < LOCALTIMESTAMP", "LOCALTIMESTAMP"),
        ("random() < 0.5", "random()"),
        ("ts > clock_timestamp()", "clock_timestamp()"),
        ("owner = current_user", "CURRENT_USER"),
    ],
)
def test_non_immutable(predicate, bad, tmp_path):
    result = lint_sql_text(f"CREATE INDEX CONCURRENTLY i ON t (x) WHERE {predicate};", tmp_path)
    assert [f.rule for f in result.findings] == ["non-immutable-index-expression"]
    assert bad in result.findings[0].message


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE INDEX CONCURRENTLY i ON t (x) WHERE created_at > '2024-01-01';",
        "CREATE INDEX CONCURRENTLY i ON t (lower(email));",
        "CREATE INDEX CONCURRENTLY i ON t USING gin (to_tsvector('english', body));",
        "CREATE INDEX CONCURRENTLY i ON t (x) WHERE deleted_at IS NULL;",
    ],
)
def test_immutable_is_fine(sql, tmp_path):
    assert lint_sql_text(sql, tmp_path).findings == []


def test_a_frozen_now_literal_is_not_refused_but_reported_as_frozen(tmp_path):
    """PostgreSQL accepts 'now'::timestamptz (it freezes the value): frozen-time-literal says so,
    non-immutable-index-expression (statements the server refuses) does not."""
    result = lint_sql_text("CREATE INDEX CONCURRENTLY i ON t (x) WHERE ts > 'now'::timestamptz;", tmp_path)
    assert [f.rule for f in result.findings] == ["frozen-time-literal"]


def test_non_immutable_in_an_index_expression(tmp_path):
    result = lint_sql_text("CREATE INDEX CONCURRENTLY i ON t ((age(birthday)));", tmp_path)
    assert [f.rule for f in result.findings] == ["non-immutable-index-expression"]
    assert "expression" in result.findings[0].message


@pytest.mark.parametrize(
    "sql,pinned",
    [
        ("CREATE INDEX CONCURRENTLY i ON users (is_active) WHERE is_active = TRUE;", True),
        ("CREATE INDEX CONCURRENTLY i ON users (is_active) WHERE is_active;", True),
        ("CREATE INDEX CONCURRENTLY i ON users (org_id, status) WHERE status = 'open' AND org_id > 0;", True),
        ("CREATE INDEX CONCURRENTLY i ON users (deleted_at) WHERE deleted_at IS NULL;", True),
        ("CREATE INDEX CONCURRENTLY i ON users (archived) WHERE NOT archived;", True),
        ("CREATE INDEX CONCURRENTLY i ON users (email) WHERE is_active = TRUE;", False),
        ("CREATE INDEX CONCURRENTLY i ON users (status) WHERE status IN ('a', 'b');", False),
        ("CREATE INDEX CONCURRENTLY i ON users (x) WHERE x IS NOT NULL;", False),
        ("CREATE INDEX CONCURRENTLY i ON users (x) WHERE x = 1 OR y = 2;", False),
    ],
)
def test_constant_index_column(sql, pinned, tmp_path):
    found = [f for f in lint_sql_text(sql, tmp_path).findings if f.rule == "constant-index-column"]
    assert bool(found) is pinned


def test_concurrently_rules(tmp_path):
    multi = lint_sql_text(
        """
        CREATE TABLE fresh (id int PRIMARY KEY, a int);
        CREATE INDEX fresh_a ON fresh (a);
        CREATE INDEX old_b ON old (b);
        CREATE INDEX CONCURRENTLY old_c ON old (c);
        DROP INDEX old_d;
        """,
        tmp_path,
    )
    got = {(f.rule, f.message.split("`")[1] if "`" in f.message else "") for f in multi.findings}
    assert ("create-index-non-concurrently", "old_b") in got
    assert not any(r == "create-index-non-concurrently" and n == "fresh_a" for r, n in got)  # created in this file
    assert ("drop-index-non-concurrently", "old_d") in got
    assert any(r == "concurrently-in-transaction" for r, _ in got)  # 5 statements: one transaction
    alone = lint_sql_text("CREATE INDEX CONCURRENTLY old_c ON old (c);", tmp_path)
    assert alone.findings == []
    tx = lint_sql_text("BEGIN;\nCREATE INDEX CONCURRENTLY old_c ON old (c);\nCOMMIT;", tmp_path)
    (f,) = tx.findings
    assert f.rule == "concurrently-in-transaction" and "BEGIN" in f.message


def test_same_index_rules_on_sql(tmp_path):
    result = lint_sql_text(
        """
        CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
        CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL, "active" BOOLEAN NOT NULL, "role" "Role" NOT NULL);
        CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
        CREATE INDEX "users_email_idx" ON "users"("email");
        CREATE INDEX "users_active_idx" ON "users"("active");
        CREATE INDEX "users_role_idx" ON "users"("role");
        CREATE TABLE "posts" ("id" SERIAL PRIMARY KEY, "author_id" INTEGER NOT NULL, "created_at" TIMESTAMP(3) NOT NULL);
        CREATE INDEX "posts_created_at_author_id_idx" ON "posts"("created_at", "author_id");
        ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE;
        CREATE TABLE "comments" ("id" SERIAL PRIMARY KEY, "post_id" INTEGER NOT NULL REFERENCES "posts"("id"));
        CREATE INDEX "comments_post_id_partial" ON "comments"("post_id") WHERE "id" > 0;
        """,
        tmp_path,
        ["missing-fk-index", "redundant-index", "boolean-index", "low-cardinality-index", "composite-order"],
    )
    assert rules(result) == [
        ("boolean-index", "users", ("active",)),
        ("composite-order", "posts", ("created_at", "author_id")),
        ("low-cardinality-index", "users", ("role",)),
        ("missing-fk-index", "comments", ("post_id",)),  # a partial index does not cover a foreign key
        ("missing-fk-index", "posts", ("author_id",)),
        ("redundant-index", "users", ("email",)),
    ]


def test_identifier_too_long_in_sql(tmp_path):
    name = "idx_" + "x" * 70
    result = lint_sql_text(f"CREATE INDEX CONCURRENTLY {name} ON t (a);", tmp_path, ["identifier-too-long"])
    assert [f.rule for f in result.findings] == ["identifier-too-long"]
    assert "silently truncate" in result.findings[0].message


def test_sql_suppressions(tmp_path):
    result = lint_sql_text(
        """
        -- prisma-lint-ignore-file drop-index-non-concurrently
        -- prisma-lint-ignore create-index-non-concurrently -- small table
        CREATE INDEX a ON t (a);
        CREATE INDEX b ON t (b); -- prisma-lint-ignore create-index-non-concurrently
        CREATE INDEX c ON t (c);
        DROP INDEX d;
        """,
        tmp_path,
        ["create-index-non-concurrently", "drop-index-non-concurrently"],
    )
    assert [(f.rule, f.span.line) for f in result.findings] == [("create-index-non-concurrently", 6)]


def test_cli_on_sql_files_and_migration_folders(tmp_path):
    mig = tmp_path / "migrations"
    (mig / "20240101000000_init").mkdir(parents=True)
    (mig / "20240101000000_init" / "migration.sql").write_text(
        'CREATE TABLE "A" ("id" INTEGER NOT NULL, "b" BOOLEAN NOT NULL, CONSTRAINT "A_pkey" PRIMARY KEY ("id"));\n'
    )
    (mig / "20240202000000_more").mkdir()
    (mig / "20240202000000_more" / "migration.sql").write_text('CREATE INDEX "A_b_idx" ON "A"("b");\n')
    (mig / "migration_lock.toml").write_text('provider = "postgresql"\n')
    proc = run_cli("check", "--format", "json", str(mig))
    findings = json.loads(proc.stdout)["findings"]
    assert {f["rule"] for f in findings} == {"boolean-index", "create-index-non-concurrently"}
    assert all(f["file"].endswith("20240202000000_more/migration.sql") for f in findings)
    assert proc.returncode == 1


def test_schema_with_migrations_counts_raw_sql_indexes_and_reports_drift(tmp_path):
    (tmp_path / "schema.prisma").write_text(
        PG
        + "model User {\n  id    Int    @id\n  posts Post[]\n}\n\n"
        + "model Post {\n  id       Int     @id\n  authorId Int\n  title    String\n  author   User    @relation(fields: [authorId], references: [id])\n\n  @@index([title])\n}\n"
    )
    folder = tmp_path / "migrations" / "20240101000000_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text(
        'CREATE TABLE "User" ("id" INTEGER NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
        'CREATE TABLE "Post" ("id" INTEGER NOT NULL, "authorId" INTEGER NOT NULL, "title" TEXT NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));\n'
        'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n'
        '-- a hand-written index Prisma cannot express\n'
        'CREATE INDEX "post_author_recent" ON "Post" USING btree ("authorId") WHERE "id" > 0;\n'
        'CREATE INDEX "post_author_all" ON "Post" ("authorId", "id");\n'
    )
    proc = run_cli("check", "--format", "json", str(tmp_path / "schema.prisma"))
    findings = json.loads(proc.stdout)["findings"]
    got = sorted((f["rule"], f["file"].split("/")[-1], f["line"]) for f in findings)
    # the raw-SQL index covers the foreign key: no missing-fk-index; both sides' differences are drift
    assert not any(r == "missing-fk-index" for r, _, _ in got)
    assert ("schema-drift", "schema.prisma", 16) in got  # @@index([title]) is not in the migrations
    assert ("schema-drift", "migration.sql", 5) in got  # the partial index is not in the schema
    assert ("schema-drift", "migration.sql", 6) in got
    # without the migrations (another folder) the foreign key is unindexed
    proc = run_cli("check", "--format", "json", "--migrations", str(tmp_path / "migrations"), str(tmp_path / "schema.prisma"))
    assert not any(f["rule"] == "missing-fk-index" for f in json.loads(proc.stdout)["findings"])
    (tmp_path / "migrations").rename(tmp_path / "elsewhere")
    proc = run_cli("check", "--format", "json", str(tmp_path / "schema.prisma"))
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["missing-fk-index"]


def test_schema_index_redundant_with_a_migration_index(tmp_path):
    (tmp_path / "schema.prisma").write_text(PG + "model A {\n  id Int @id\n  b  Int\n  c  Int\n\n  @@index([b])\n}\n")
    folder = tmp_path / "migrations" / "1_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text(
        'CREATE TABLE "A" ("id" INTEGER NOT NULL, "b" INTEGER NOT NULL, "c" INTEGER NOT NULL, CONSTRAINT "A_pkey" PRIMARY KEY ("id"));\n'
        'CREATE INDEX "A_b_idx" ON "A"("b");\n'
        'CREATE INDEX "a_b_c_raw" ON "A"("b", "c");\n'
    )
    result = lint(load_schema(tmp_path / "schema.prisma"), REGISTRY, Config(), ["redundant-index"], migrations=load_sql(tmp_path / "migrations"))
    (f,) = result.findings
    assert f.model == "A" and f.fields == ["b"] and "a_b_c_raw" in f.message
