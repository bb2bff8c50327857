"""Seed 000 ("Database Indexing Optimization Plan") as a small app: fixtures/seeds/000-app holds
the plan's "before" auth schema and, in src/*.ts, the queries of its "Query Pattern Analysis".

The advice must be the plan's sound part and none of its mistakes; on the tests' PostgreSQL,
each query, as Prisma sends it, scans the table before the fix and uses an index after.

The call sites are hand-labelled in tests/data/advice/seed000_app.json (the `queries` JSON,
version 1); the app front end reads the same from src/*.ts, and the CLI runs end to end on a copy
of the app (`check --format json`, `check --fix`, `migrate --stdout`)."""

from __future__ import annotations

import json
import re
import shutil

import ddl
import pytest
from conftest import FIXTURES, REPO, run_cli
from helpers import REGISTRY, app_queries

from prisma_lint.config import Config
from prisma_lint.engine import Engine, Inputs, lint
from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.migrate.sql import diff, render
from prisma_lint.model.serving import Advisor

APP = FIXTURES / "seeds" / "000-app"
LABELS = REPO / "tests" / "data" / "advice" / "seed000_app.json"


def queries():
    return app_queries(json.loads(LABELS.read_text())["queries"])


def _lint(loaded, qs):
    return lint(loaded, REGISTRY, Config(), queries=qs)


def test_the_labels_point_at_the_calls_in_the_app():
    for r in json.loads(LABELS.read_text())["queries"]:
        lines = (APP / r["file"]).read_text().splitlines()
        call = lines[r["line"] - 1][r["column"] - 1 :]
        delegate = r["model"][0].lower() + r["model"][1:]
        assert call.startswith(f"prisma.{delegate}.{r['operation']}("), r
        assert lines[r["end_line"] - 1][r["end_column"] - 2] == ")", r


def test_the_front_end_reads_the_labelled_call_sites(monkeypatch):
    from prisma_lint.frontends.app.read import read_app

    monkeypatch.chdir(APP)
    loaded = load_schema(APP / "schema.prisma")
    read = read_app(loaded, ["src"], Config(), cache_dir=None, schema_path=APP / "schema.prisma")
    keys = ("file", "line", "column", "end_line", "end_column", "model", "operation", "equals", "in", "range", "other")
    labels = json.loads(LABELS.read_text())["queries"]
    assert sorted(tuple(str(p.to_json()[k]) for k in keys) for p in read.patterns) == sorted(
        tuple(str(r[k]) for k in keys) for r in labels
    )


def app_copy(tmp_path):
    target = tmp_path / "app"
    shutil.copytree(APP, target)
    return target


def cli(*args, cwd, tmp_path):
    return run_cli(*args, cwd=cwd, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})


def test_check_reports_the_advice_with_the_call_sites(tmp_path):
    app = app_copy(tmp_path)
    proc = cli("check", "schema.prisma", "--app", "src", "--format", "json", "--select", "unindexed-query", cwd=app, tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    got = sorted((f["model"], f["fields"], f["fix"]["schema_line"], [(e["file"], e["line"]) for e in f["evidence"]]) for f in doc["findings"])
    assert got == [
        ("Account", ["userId", "providerId"], "@@index([userId, providerId])", [("src/accounts.ts", 5), ("src/accounts.ts", 21)]),
        ("Session", ["expiresAt"], "@@index([expiresAt])", [("src/cleanup.ts", 5)]),
        ("Session", ["userId", "expiresAt"], "@@index([userId, expiresAt])", [("src/sessions.ts", 9), ("src/sessions.ts", 15)]),
        ("Verification", ["expiresAt"], "@@index([expiresAt])", [("src/cleanup.ts", 10)]),
        ("Verification", ["identifier", "value"], "@@index([identifier, value])", [("src/users.ts", 11)]),
    ]
    text = cli("check", "schema.prisma", "--app", "src", "--select", "unindexed-query", cwd=app, tmp_path=tmp_path).stdout
    assert "= note: prisma.session.findMany at src/sessions.ts:9 (+1 more)" in text
    # a `// prisma-lint-ignore unindexed-query` above the call takes the call out of the advice
    path = app / "src" / "users.ts"
    path.write_text(path.read_text().replace("  return prisma.verification", "  // prisma-lint-ignore unindexed-query\n  return prisma.verification"))
    doc = json.loads(cli("check", "schema.prisma", "--app", "src", "--format", "json", "--select", "unindexed-query", cwd=app, tmp_path=tmp_path).stdout)
    assert ("Verification", ["identifier", "value"]) not in [(f["model"], f["fields"]) for f in doc["findings"]]


def test_queries_json_names_the_serving_index(tmp_path):
    app = app_copy(tmp_path)
    proc = cli("queries", "schema.prisma", "--app", "src", "--format", "json", cwd=app, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    served = {(q["file"], q["line"]): q["served_by"] for q in json.loads(proc.stdout)["queries"]}
    assert served[("src/sessions.ts", 5)] == "session_token_key"
    assert served[("src/users.ts", 5)] == "user_email_key"
    assert served[("src/sessions.ts", 9)] is None


def test_check_fix_then_a_second_check_is_clean(tmp_path):
    app = app_copy(tmp_path)
    proc = cli("check", "schema.prisma", "--app", "src", "--fix", cwd=app, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (app / "schema.prisma").read_text()
    for line in ("@@index([userId, expiresAt])", "@@index([expiresAt])", "@@index([userId, providerId])", "@@index([identifier, value])"):
        assert line in text
    assert "@@index([userId])\n  @@map(\"session\")" not in text and "@@index([email])" not in text
    proc = cli("check", "schema.prisma", "--app", "src", cwd=app, tmp_path=tmp_path)
    assert proc.returncode == 0 and "All checks passed." in proc.stdout, proc.stdout


def test_advice_is_the_plans_sound_part():
    result = _lint(load_schema(APP / "schema.prisma"), queries())
    advice = sorted((f.model, tuple(f.fields)) for f in result.findings if f.rule == "unindexed-query")
    assert advice == [
        ("Account", ("userId", "providerId")),  # findFirst { userId, providerId: 'credential' } + findMany { userId }
        ("Session", ("expiresAt",)),  # the cleanup's deleteMany { expiresAt: { lt } }
        ("Session", ("userId", "expiresAt")),  # one index for both userId queries
        ("Verification", ("expiresAt",)),  # the plan's "cleanup queries by expiresAt" (its item 7)
        ("Verification", ("identifier", "value")),
    ]
    # each finding names the call sites it serves
    by_key = {(f.model, tuple(f.fields)): f for f in result.findings if f.rule == "unindexed-query"}
    assert [(e.file, e.line) for e in by_key[("Session", ("userId", "expiresAt"))].evidence] == [
        ("src/sessions.ts", 9),
        ("src/sessions.ts", 15),
    ]
    # none of the plan's mistakes: nothing on User.email (its @unique serves it), no [userId]
    # beside the composites
    found = {(f.model, tuple(f.fields)) for f in result.findings if f.rule in ("unindexed-query", "unsorted-page")}
    assert not {m for m, _ in found} & {"User"}
    assert ("Session", ("userId",)) not in found and ("Account", ("userId",)) not in found


def test_served_by_for_each_call_site():
    loaded = load_schema(APP / "schema.prisma")
    adv = Advisor(loaded.schema)
    served = {(p.file, p.line): adv.served_by(p) for p in queries().patterns}
    assert served == {
        ("src/sessions.ts", 5): "session_token_key",
        ("src/sessions.ts", 9): None,
        ("src/sessions.ts", 15): None,
        ("src/cleanup.ts", 5): None,
        ("src/cleanup.ts", 10): None,
        ("src/accounts.ts", 5): None,
        ("src/accounts.ts", 15): "account_accountId_providerId_key",
        ("src/accounts.ts", 21): None,
        ("src/users.ts", 5): "user_email_key",
        ("src/users.ts", 11): None,
    }


def fixed_schema():
    """What `check --fix` and `migrate` do with the app's queries (Engine.fix): the inputs
    before, after, and the lint of the fixed schema."""
    inputs = Inputs(load_schema(APP / "schema.prisma"), "prisma", queries=queries())
    fixed = Engine(REGISTRY, Config()).fix(inputs)
    return inputs.unit, fixed.inputs.unit, fixed.result


def test_fix_writes_the_indexes_once_and_a_second_fix_changes_nothing():
    loaded, fixed, after = fixed_schema()
    added = sorted(
        (m.name, tuple(i.fields))
        for m in fixed.schema.models.values()
        for i in m.indexes
        if i.kind == "index" and i.db_name not in {j.db_name for j in loaded.schema.models[m.name].indexes}
    )
    assert added == [
        ("Account", ("userId", "providerId")),
        ("Session", ("expiresAt",)),
        ("Session", ("userId", "expiresAt")),
        ("TwoFactor", ("userId",)),  # missing-fk-index: the plan leaves the key unindexed
        ("Verification", ("expiresAt",)),
        ("Verification", ("identifier", "value")),
    ]
    assert [f.rule for f in after.findings] == []
    sql = render(diff(loaded.schema, fixed.schema))
    assert 'CREATE INDEX "session_userId_expiresAt_idx" ON "session"("userId", "expiresAt");' in sql
    assert "user_email" not in sql


# ---------------------------------------------------------------------------------------------
# EXPLAIN on PostgreSQL: a sequential scan before, an index scan after
# ---------------------------------------------------------------------------------------------
# The SQL Prisma Client (v5/v6) sends for each call site of the app, with its parameter types.
SELECT_SESSION = 'SELECT "public"."session"."id", "public"."session"."userId", "public"."session"."expiresAt" FROM "public"."session"'
SELECT_ACCOUNT = 'SELECT "public"."account"."id", "public"."account"."userId", "public"."account"."providerId" FROM "public"."account"'
SELECT_VERIFICATION = 'SELECT "public"."verification"."id", "public"."verification"."value" FROM "public"."verification"'
PRISMA_SQL = {
    # name: (types, SQL, arguments, index before, index after)
    "sessions_of_user": (
        "text, bigint",
        SELECT_SESSION + ' WHERE "public"."session"."userId" = $1 OFFSET $2',
        "'u42', 0",
        None,
        "session_userId_expiresAt_idx",
    ),
    "active_sessions": (
        "text, timestamp(3), bigint",
        SELECT_SESSION
        + ' WHERE ("public"."session"."userId" = $1 AND "public"."session"."expiresAt" > $2) OFFSET $3',
        "'u42', now()::timestamp(3), 0",
        None,
        "session_userId_expiresAt_idx",
    ),
    "session_cleanup": (
        "timestamp(3)",
        'DELETE FROM "public"."session" WHERE "public"."session"."expiresAt" < $1',
        "now()::timestamp(3)",
        None,
        "session_expiresAt_idx",
    ),
    "credential_account": (
        "text, text, bigint, bigint",
        SELECT_ACCOUNT
        + ' WHERE ("public"."account"."userId" = $1 AND "public"."account"."providerId" = $2) LIMIT $3 OFFSET $4',
        "'u42', 'credential', 1, 0",
        None,
        "account_userId_providerId_idx",
    ),
    "accounts_of_user": (
        "text, bigint",
        SELECT_ACCOUNT + ' WHERE "public"."account"."userId" = $1 OFFSET $2',
        "'u42', 0",
        None,
        "account_userId_providerId_idx",
    ),
    "verify": (
        "text, text, bigint, bigint",
        SELECT_VERIFICATION
        + ' WHERE ("public"."verification"."identifier" = $1 AND "public"."verification"."value" = $2) LIMIT $3 OFFSET $4',
        "'e42@example.com', 'v42', 1, 0",
        None,
        "verification_identifier_value_idx",
    ),
    "verification_cleanup": (
        "timestamp(3)",
        'DELETE FROM "public"."verification" WHERE "public"."verification"."expiresAt" < $1',
        "now()::timestamp(3)",
        None,
        "verification_expiresAt_idx",
    ),
    # served already (the plan's "already indexed"): an index scan before and after
    "session_by_token": (
        "text, bigint, bigint",
        SELECT_SESSION + ' WHERE "public"."session"."token" = $1 LIMIT $2 OFFSET $3',
        "'t42', 1, 0",
        "session_token_key",
        "session_token_key",
    ),
    "user_by_email": (
        "text, bigint, bigint",
        'SELECT "public"."user"."id" FROM "public"."user" WHERE "public"."user"."email" = $1 LIMIT $2 OFFSET $3',
        "'e42@example.com', 1, 0",
        "user_email_key",
        "user_email_key",
    ),
}
ROWS = """
INSERT INTO "user" (id, name, email, "updatedAt")
  SELECT 'u' || g, 'user ' || g, 'e' || g || '@example.com', now() FROM generate_series(1, 20000) g;
INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId")
  SELECT 's' || g, now() + ((g % 100) - 1) * interval '1 day', 't' || g, now(), 'u' || (1 + g % 20000)
  FROM generate_series(1, 200000) g;
INSERT INTO "account" (id, "accountId", "providerId", "userId", "updatedAt")
  SELECT 'a' || g, 'acc' || g, CASE WHEN g % 2 = 0 THEN 'credential' ELSE 'github' END, 'u' || (1 + g % 20000), now()
  FROM generate_series(1, 60000) g;
INSERT INTO "verification" (id, identifier, value, "expiresAt")
  SELECT 'v' || g, 'e' || g || '@example.com', 'v' || g, now() + ((g % 100) - 1) * interval '1 day'
  FROM generate_series(1, 100000) g;
ANALYZE;
"""
SCAN = re.compile(r'(?:Index Scan|Index Only Scan) using "?([\w]+)"?|Bitmap Index Scan on "?([\w]+)"?')


def _plans(conn) -> dict[str, str]:
    # as Prisma runs them: one prepared statement, the first executions planned with the values
    conn.execute("SET plan_cache_mode = force_custom_plan")
    out = {}
    for name, (types, sql, args, _, _) in PRISMA_SQL.items():
        conn.execute(f"PREPARE {name}({types}) AS {sql}")
        out[name] = "\n".join(r[0] for r in conn.execute(f"EXPLAIN EXECUTE {name}({args})").fetchall())
        conn.execute(f"DEALLOCATE {name}")
    return out


def _indexes_used(plan: str) -> set[str]:
    return {a or b for a, b in SCAN.findall(plan)}


@pytest.mark.postgres
def test_explain_seq_scan_before_index_scan_after(postgres, tmp_path):
    app = app_copy(tmp_path)
    proc = cli("migrate", "schema.prisma", "--app", "src", "--stdout", cwd=app, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    migration = proc.stdout
    loaded = load_schema(APP / "schema.prisma")
    assert migration == render(diff(loaded.schema, fixed_schema()[1].schema))
    db = postgres.new_database()
    with postgres.connect(db) as conn:
        conn.execute(ddl.render(loaded.schema))
        conn.execute(ROWS)
        before = _plans(conn)
        for name, (_, _, _, index_before, _) in PRISMA_SQL.items():
            table = re.search(r'FROM "public"\."(\w+)"', PRISMA_SQL[name][1]).group(1)
            if index_before is None:
                assert f'Seq Scan on "{table}"' in before[name] or f"Seq Scan on {table}" in before[name], (
                    f"{name} before the fix:\n{before[name]}"
                )
            else:
                assert index_before in _indexes_used(before[name]), f"{name} before the fix:\n{before[name]}"
        conn.execute(migration)
        conn.execute("ANALYZE")
        after = _plans(conn)
        for name, (_, _, _, _, index_after) in PRISMA_SQL.items():
            assert "Seq Scan" not in after[name], f"{name} after the fix:\n{after[name]}"
            assert index_after in _indexes_used(after[name]), f"{name} after the fix:\n{after[name]}"
