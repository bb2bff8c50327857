"""Live database mode (issue #14) against the tests' own PostgreSQL 15, with generated data.

One database, built once per module from the schema below as Prisma would build it
(tests/ddl.py), filled with ``generate_series`` and ANALYZEd:

* ``Member``: 200,000 rows. ``active`` is true in 50% of the rows, ``flagged`` in 1%; both have
  an index. ``teamId`` is a foreign key without an index. ``status`` (3 enum values, ~33% each)
  has an index. ``kind`` is a String with 3 distinct values, first in a composite index
  before ``nickname``.
  An index made by hand (``member_email_lower``) and an invalid one (a ``CREATE UNIQUE INDEX
  CONCURRENTLY`` that failed on duplicates). ``nickname`` holds a planted e-mail address in 30%
  of the rows: it would be among ``most_common_vals``.
* ``Setting``: 20 rows, a foreign key without an index and a Boolean index.
* ``Team``: 20 rows; the schema declares ``@@index([name])``, which the database lacks.
* ``Note``: a foreign key whose only index no query uses (not an unused-index finding).
After ``pg_stat_reset()`` the tests query through some indexes and not others.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap

import ddl
import pytest
from conftest import REPO, run_cli

pytestmark = pytest.mark.postgres

PLANTED = "planted.secret@example.org"
PLANTED_STRING = "Zebra-Crossing-42"

SCHEMA = textwrap.dedent(
    """\
    datasource db {
      provider = "postgresql"
    }

    enum Status {
      A
      B
      C
    }

    model Team {
      id       Int       @id
      name     String
      members  Member[]
      settings Setting[]

      @@index([name])
    }

    model Member {
      id        Int      @id
      teamId    Int
      team      Team     @relation(fields: [teamId], references: [id])
      active    Boolean
      flagged   Boolean
      email     String   @unique
      nickname  String
      kind      String
      status    Status
      createdAt DateTime
      notes     Note[]

      @@index([active])
      @@index([flagged])
      @@index([status])
      @@index([kind, nickname])
      @@index([createdAt])
    }

    model Setting {
      id      Int     @id
      teamId  Int
      team    Team    @relation(fields: [teamId], references: [id])
      enabled Boolean

      @@index([enabled])
    }

    model Note {
      id       Int    @id
      memberId Int
      member   Member @relation(fields: [memberId], references: [id])

      @@index([memberId])
    }
    """
)

CONFIG = textwrap.dedent(
    """\
    [rules.unused-index]
    min-stats-age-days = 0
    """
)


@pytest.fixture(scope="module")
def shop(postgres, tmp_path_factory):
    """(database URL, schema path, database name) of the filled database."""
    import psycopg

    from prisma_lint.frontends.prisma.loader import load_schema

    folder = tmp_path_factory.mktemp("shop")
    schema_path = folder / "schema.prisma"
    schema_path.write_text(SCHEMA)
    (folder / "prisma-lint.toml").write_text(CONFIG)
    name = postgres.new_database()
    with postgres.connect(name) as conn:
        conn.execute(ddl.render(load_schema(schema_path).schema))
        conn.execute('DROP INDEX "Team_name_idx"')  # declared in the schema, missing in the database
        conn.execute(
            f"""
            INSERT INTO "Team" SELECT g, 'team ' || g || '{PLANTED_STRING}' FROM generate_series(1, 20) g;
            INSERT INTO "Member" SELECT g, 1 + g % 20, g % 2 = 0, g % 100 = 0, 'user' || g || '@example.com',
                CASE WHEN g % 10 < 3 THEN '{PLANTED}' ELSE 'nick' || g END,
                (ARRAY['x', 'y', 'z'])[1 + g % 3], (ARRAY['A', 'B', 'C'])[1 + g % 3]::"Status",
                now() - g * interval '1 minute'
              FROM generate_series(1, 200000) g;
            INSERT INTO "Setting" SELECT g, 1 + g % 20, g % 2 = 0 FROM generate_series(1, 20) g;
            INSERT INTO "Note" SELECT g, g FROM generate_series(1, 50) g;
            CREATE INDEX member_email_lower ON "Member" (lower(email));
            """
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute('CREATE UNIQUE INDEX CONCURRENTLY "Member_kind_key" ON "Member" (kind)')
        conn.execute("ANALYZE")
        conn.execute("SELECT pg_stat_reset()")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT * FROM \"Member\" WHERE email = 'user7@example.com'")
        conn.execute("SELECT * FROM \"Member\" WHERE kind = 'x' AND nickname = 'nick3'")
        conn.execute('SELECT * FROM "Member" WHERE id = 5')
        conn.execute("SELECT pg_stat_force_next_flush()")
    return postgres.url(name), schema_path, name


def check_json(*args: str, env=None) -> tuple[int, list[dict]]:
    proc = run_cli("check", "--format", "json", *args, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


def by_rule(findings: list[dict]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in findings:
        out.setdefault(f["rule"], []).append((f["model"], tuple(f["fields"])))
    return {k: sorted(v) for k, v in out.items()}


def share(message: str, before: str) -> float:
    """The percentage the message gives after ``before``."""
    import re

    found = re.search(re.escape(before) + r" ([0-9.]+)% of the rows", message)
    assert found, message
    return float(found.group(1))


def messages(findings: list[dict], rule: str) -> dict[tuple, str]:
    return {(f["model"], tuple(f["fields"])): f["message"] for f in findings if f["rule"] == rule}


# ---------------------------------------------------------------------------------------------
# what the rules find with the numbers
# ---------------------------------------------------------------------------------------------
def test_live_findings(shop):
    url, schema_path, _ = shop
    _, live = check_json(str(schema_path), "--database-url", url)
    _, plain = check_json(str(schema_path))
    rules = by_rule(live)
    # a foreign key on a 20-row table is no finding; on a 200,000-row one it is, saying how big
    assert by_rule(plain)["missing-fk-index"] == [("Member", ("teamId",)), ("Setting", ("teamId",))]
    assert rules["missing-fk-index"] == [("Member", ("teamId",))]
    assert "(table `Member`: 200,000 rows, " in messages(live, "missing-fk-index")[("Member", ("teamId",))]
    # Boolean indexes: the 20-row table's is silent; 50/50 and 1% are told apart
    assert ("Setting", ("enabled",)) in by_rule(plain)["boolean-index"]
    assert rules["boolean-index"] == [("Member", ("active",)), ("Member", ("flagged",))]
    # (ANALYZE samples 30,000 rows: the shares are estimates, hence the ranges)
    booleans = messages(live, "boolean-index")
    assert 47 <= share(booleans[("Member", ("active",))], "every key is in at least") <= 50
    flagged = booleans[("Member", ("flagged",))]
    assert 0.7 <= share(flagged, "the rarest key is in") <= 1.3 and "partial index" in flagged
    assert 31 <= share(messages(live, "low-cardinality-index")[("Member", ("status",))], "every key is in at least") <= 34
    # `kind` is a String (selective by its type) with 3 values: only the numbers see the order is wrong
    assert "composite-order" not in by_rule(plain)
    assert rules["composite-order"] == [("Member", ("kind", "nickname"))]
    # the invalid index left by the failed CREATE UNIQUE INDEX CONCURRENTLY
    invalid = [f for f in live if f["rule"] == "invalid-index"]
    assert [(f["severity"], f["fields"]) for f in invalid] == [("error", ["kind"])]
    assert 'DROP INDEX CONCURRENTLY "public"."Member_kind_key"' in invalid[0]["help"]
    # drift: the index made by hand, and the schema's index the database lacks
    drift = messages(live, "database-drift")
    assert set(drift) == {("Member", ("(expression)",)), ("Team", ("name",))}
    assert "member_email_lower" in drift[("Member", ("(expression)",))]
    assert "Team_name_idx" in drift[("Team", ("name",))]
    for f in live:
        if f["model"] == "Member":
            assert f["table_rows"] == 200000 and f["table_bytes"] > 10_000_000


def test_unused_indexes_since_the_reset(shop):
    url, schema_path, _ = shop
    _, live = check_json(str(schema_path), "--database-url", url)
    unused = {f["message"].split('"')[1] for f in live if f["rule"] == "unused-index"}
    # used after the reset: Member_email_key (unique anyway), Member_kind_nickname_idx, Member_pkey;
    # Note_memberId_idx is unused but the only index of a foreign key; uniques and keys never count
    assert unused == {
        "Member_active_idx",
        "Member_flagged_idx",
        "Member_status_idx",
        "Member_createdAt_idx",
        "member_email_lower",
        "Setting_enabled_idx",
    }
    one = next(f for f in live if f["rule"] == "unused-index" and "Member_createdAt_idx" in f["message"])
    assert "since the statistics were reset 0 hours ago" in one["message"] and " MB" in one["message"]
    # with the default min-stats-age-days (7), counters reset seconds ago prove nothing
    _, default = check_json(str(schema_path), "--database-url", url, "--config", str(REPO / "pyproject.toml"))
    assert not [f for f in default if f["rule"] == "unused-index"]


def test_text_output_sorts_by_table_size(shop):
    url, schema_path, _ = shop
    proc = run_cli("check", "-q", str(schema_path), "--database-url", url)
    lines = [ln for ln in proc.stdout.splitlines() if "schema.prisma:" in ln]
    tables = [ln for ln in lines if "[database-drift]" in ln]
    # Team's finding comes first in the file, but Member (200,000 rows) is the bigger table
    assert "member_email_lower" in tables[0] and "Team_name_idx" in tables[1]
    member = [i for i, ln in enumerate(lines) if "Member" in ln or "member" in ln]
    team = [i for i, ln in enumerate(lines) if "Team_name_idx" in ln]
    assert max(member) < min(team)


# ---------------------------------------------------------------------------------------------
# the statistics file
# ---------------------------------------------------------------------------------------------
def test_stats_file_gives_the_live_findings_and_no_row_values(shop, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    url, schema_path, name = shop
    out = tmp_path / "prisma-lint-stats.json"
    proc = run_cli("stats", "--database-url", url, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"'{name}'" in proc.stderr and "tables" in proc.stderr
    text = out.read_text()
    doc = json.loads(text)
    jsonschema.validate(doc, json.loads((REPO / "prisma_lint" / "frontends" / "db" / "stats-schema.json").read_text()))
    assert doc["format"] == "prisma-lint-stats" and doc["version"] == 1
    assert doc["server_version_num"] >= 150000 and doc["stats_reset"]
    # row values: the e-mail in 30% of `nickname` would be its most common value, and ANALYZE
    # saw the planted string in every Team name
    assert PLANTED not in text and PLANTED_STRING not in text and "user7@example.com" not in text
    member = next(t for t in doc["tables"] if t["name"] == "Member")
    nickname = next(c for c in member["columns"] if c["name"] == "nickname")
    assert nickname["mcv_freqs"][0] == pytest.approx(0.3, abs=0.02)
    _, live = check_json(str(schema_path), "--database-url", url)
    _, from_file = check_json(str(schema_path), "--stats", str(out))
    assert [(f["rule"], f["line"], f["message"]) for f in from_file] == [(f["rule"], f["line"], f["message"]) for f in live]
    assert from_file == live


def test_stats_file_errors_are_one_line(tmp_path, shop):
    _, schema_path, _ = shop
    bad = tmp_path / "stats.json"
    bad.write_text('{"format": "prisma-lint-stats", "version": 99}')
    proc = run_cli("check", str(schema_path), "--stats", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"prisma-lint: error: {bad}: statistics file version 99; this prisma-lint reads version 1 "
        "(write it again with `prisma-lint stats`)"
    ]
    bad.write_text("{not json")
    proc = run_cli("check", str(schema_path), "--stats", str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith(f"prisma-lint: error: {bad}:1:2: not JSON")
    proc = run_cli("check", str(schema_path), "--stats", str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "cannot read the statistics file" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# read-only, by construction
# ---------------------------------------------------------------------------------------------
def test_read_only_role_and_catalog_unchanged(postgres, shop):
    url, schema_path, name = shop
    with postgres.connect(name) as conn:
        conn.execute("DROP ROLE IF EXISTS lint_reader")
        conn.execute("CREATE ROLE lint_reader LOGIN")
        conn.execute("GRANT pg_read_all_stats TO lint_reader")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO lint_reader")
        conn.execute("ALTER ROLE lint_reader SET default_transaction_read_only = on")
        before = conn.execute("SELECT count(*) FROM pg_class").fetchone()[0]
    reader = url.replace("postgres@", "lint_reader@", 1)
    _, as_reader = check_json(str(schema_path), "--database-url", reader)
    _, as_owner = check_json(str(schema_path), "--database-url", url)
    assert [(f["rule"], f["line"], f["fields"]) for f in as_reader] == [(f["rule"], f["line"], f["fields"]) for f in as_owner]
    assert run_cli("stats", "--database-url", reader).returncode == 0
    with postgres.connect(name) as conn:
        assert conn.execute("SELECT count(*) FROM pg_class").fetchone()[0] == before
        # the role really cannot write: what a write would have met
        with pytest.raises(Exception, match="read-only transaction"):
            with postgres.connect(name) as ro:
                ro.execute("SET ROLE lint_reader")
                ro.execute("SET default_transaction_read_only = on")
                ro.execute("BEGIN")
                ro.execute("CREATE TABLE nope (x int)")


def test_connection_failure_is_one_line_without_the_password(postgres):
    url = postgres.url("no_such_db").replace("postgres@", "postgres:s3cr3t-pw@", 1)
    proc = run_cli("check", "examples/schema.prisma", "--database-url", url)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("prisma-lint: error: cannot read the database 'no_such_db' on ")
    assert str(postgres.socket_dir) in lines[0] and 'database "no_such_db" does not exist' in lines[0]
    assert "s3cr3t-pw" not in proc.stderr + proc.stdout
    # the environment variable is read, DATABASE_URL is not
    proc = run_cli("check", "examples/schema.prisma", env={"PRISMA_LINT_DATABASE_URL": url})
    assert proc.returncode == 2 and "no_such_db" in proc.stderr and "s3cr3t-pw" not in proc.stderr
    proc = run_cli("check", "-q", "examples/schema.prisma", env={"DATABASE_URL": url})
    assert proc.returncode in (0, 1) and "no_such_db" not in proc.stderr


def test_prisma_url_parameters_and_default_schema():
    from prisma_lint.frontends.db.connect import DatabaseError, parse_url

    t = parse_url("postgresql://u:p%40ss@db.example:6543/app?schema=tenant&connection_limit=5&sslmode=require")
    assert t.conninfo == "postgresql://u:p%40ss@db.example:6543/app?sslmode=require"
    assert (t.host, t.database, t.default_schema, t.password) == ("db.example:6543", "app", "tenant", "p@ss")
    with pytest.raises(DatabaseError, match="must start with postgresql://"):
        parse_url("mysql://x")


def test_missing_psycopg_is_a_clear_message(tmp_path):
    import subprocess

    probe = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from prisma_lint.cli import main\n"
        "sys.argv = ['prisma-lint', 'check', 'examples/schema.prisma', '--database-url', 'postgresql://x@localhost/db']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "prisma-lint: error: reading a database needs psycopg 3: pip install 'prisma-lint[db]' (or use --stats FILE)"
    )


# ---------------------------------------------------------------------------------------------
# tables to models: @@map, @@schema, the URL's default schema
# ---------------------------------------------------------------------------------------------
MULTI = textwrap.dedent(
    """\
    generator client {
      provider        = "prisma-client-js"
      previewFeatures = ["multiSchema"]
    }

    datasource db {
      provider = "postgresql"
      schemas  = ["public", "billing"]
    }

    model Account {
      id       Int       @id
      flag     Boolean
      invoices Invoice[]

      @@index([flag])
      @@map("accounts")
      @@schema("public")
    }

    model Invoice {
      id        Int     @id
      accountId Int
      account   Account @relation(fields: [accountId], references: [id])

      @@schema("billing")
    }
    """
)


def test_tables_match_models_through_map_and_schema(postgres, tmp_path):
    from prisma_lint.frontends.prisma.loader import load_schema

    path = tmp_path / "schema.prisma"
    path.write_text(MULTI)
    name = postgres.new_database()
    with postgres.connect(name) as conn:
        conn.execute(ddl.render(load_schema(path).schema))
        conn.execute(
            """
            INSERT INTO public.accounts SELECT g, g % 2 = 0 FROM generate_series(1, 30000) g;
            INSERT INTO billing."Invoice" SELECT g, 1 + g % 30000 FROM generate_series(1, 15000) g;
            -- decoys under the names a wrong match would pick
            CREATE TABLE public."Account" (id int PRIMARY KEY);
            CREATE TABLE public."Invoice" (id int PRIMARY KEY, "accountId" int);
            INSERT INTO public."Invoice" SELECT g, g FROM generate_series(1, 20000) g;
            ANALYZE;
            """
        )
    _, found = check_json(str(path), "--database-url", postgres.url(name))
    sizes = {(f["rule"], f["model"]): f["table_rows"] for f in found}
    assert sizes[("boolean-index", "Account")] == 30000
    assert sizes[("missing-fk-index", "Invoice")] == 15000
    assert "database-drift" not in {f["rule"] for f in found}


def test_the_urls_schema_parameter_is_the_default_schema(postgres, tmp_path):
    from prisma_lint.frontends.prisma.loader import load_schema

    text = SCHEMA.split("model Setting")[0].replace("  settings Setting[]\n", "").replace("  notes     Note[]\n", "")
    path = tmp_path / "schema.prisma"
    path.write_text(text)
    name = postgres.new_database()
    with postgres.connect(name) as conn:
        conn.execute("CREATE SCHEMA tenant")
        conn.execute("SET search_path = tenant")
        conn.execute(ddl.render(load_schema(path).schema))
        conn.execute(
            """
            INSERT INTO tenant."Team" SELECT g, 't' || g FROM generate_series(1, 20) g;
            INSERT INTO tenant."Member" SELECT g, 1 + g % 20, true, false, 'u' || g, 'n', 'k', 'A', now()
              FROM generate_series(1, 12000) g;
            CREATE TABLE public."Member" (id int PRIMARY KEY);
            ANALYZE;
            """
        )
    url = postgres.url(name)
    _, in_tenant = check_json(str(path), "--database-url", url + "&schema=tenant")
    assert {f["table_rows"] for f in in_tenant if f["model"] == "Member"} == {12000}
    assert "database-drift" not in {f["rule"] for f in in_tenant}
    _, in_public = check_json(str(path), "--database-url", url)
    assert {f["message"] for f in in_public if f["rule"] == "database-drift" and f["model"] == "Team"} == {
        f"model `Team` has no table \"public\".\"Team\" in the database '{name}': its migrations were not applied there"
    }


def test_an_index_the_migrations_create_is_no_drift(shop, tmp_path):
    """database-drift also reads the migrations: the expression index Prisma cannot express,
    created by a migration, is not "made by hand"."""
    from prisma_lint.frontends.prisma.loader import load_schema

    url, schema_path, _ = shop
    path = tmp_path / "schema.prisma"
    path.write_text(schema_path.read_text())
    (tmp_path / "prisma-lint.toml").write_text(CONFIG)
    folder = tmp_path / "migrations" / "20240101000000_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text(
        ddl.render(load_schema(path).schema) + '\nCREATE INDEX member_email_lower ON "Member" (lower(email));\n'
    )
    _, found = check_json(str(path), "--database-url", url)
    drift = messages(found, "database-drift")
    assert set(drift) == {("Team", ("name",))}
