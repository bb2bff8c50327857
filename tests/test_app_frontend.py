"""The app front end (issue #13): which calls are Prisma Client call sites, and the access
pattern read from each (tests/data/app_queries and /work/spec/queries-spec.md are the contract)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_cli
from helpers import datasource, load_text

from prisma_lint.frontends.app.cache import FactsCache, cache_key, default_cache_dir
from prisma_lint.frontends.app.discover import DEFAULT_APP_EXCLUDE, app_files, project_root
from prisma_lint.frontends.app.extract import extract
from prisma_lint.frontends.app.read import ReadOptions, read_app, read_files

SCHEMA = datasource() + """
model User {
  id        String    @id
  email     String    @unique
  name      String?
  teamId    String?
  createdAt DateTime  @default(now())
  deletedAt DateTime?
  tags      String[]
  sessions  Session[]
  accounts  Account[]
  team      Team?     @relation(fields: [teamId], references: [id])
}

model Team {
  id    String @id
  users User[]
}

model Session {
  id        String   @id
  userId    String
  expiresAt DateTime
  user      User     @relation(fields: [userId], references: [id])
}

model Account {
  id         String @id
  userId     String
  provider   String
  providerId String
  user       User   @relation(fields: [userId], references: [id])

  @@unique([provider, providerId])
}

model Customer {
  id String @id
}
"""


@pytest.fixture(scope="module")
def schema():
    return load_text(SCHEMA).schema


def read(tmp_path: Path, schema, files: dict[str, str | bytes], **opts):
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8", newline="")
    found = app_files([tmp_path], exclude=())
    return read_files(schema, found, ReadOptions(**opts), cwd=tmp_path, roots=[tmp_path]).patterns


CLIENT = 'import { PrismaClient } from "@prisma/client";\nexport const prisma = new PrismaClient();\n'


def one(tmp_path, schema, body: str, **opts):
    """The single call site of ``body`` (which sees a module-level `prisma` client)."""
    found = read(tmp_path, schema, {"a.ts": CLIENT + body}, **opts)
    assert len(found) == 1, [p.to_json() for p in found]
    return found[0]


# ---------------------------------------------------------------------------------------------
# clients
# ---------------------------------------------------------------------------------------------
def test_new_prisma_client_and_extends(tmp_path, schema):
    src = """import { PrismaClient } from "@prisma/client";
const base = new PrismaClient();
const xdb = base.$extends({});
base.user.findMany();
xdb.session.count();
"""
    got = [(p.client, p.model, p.operation) for p in read(tmp_path, schema, {"a.ts": src})]
    assert got == [("base", "User", "findMany"), ("xdb", "Session", "count")]


def test_imported_client_resolved_through_relative_alias_and_package_imports(tmp_path, schema):
    files = {
        "package.json": '{"name": "root", "workspaces": ["packages/*"]}',
        "src/lib/database.ts": 'import { PrismaClient } from "@prisma/client";\nconst db = new PrismaClient();\nexport default db;\n',
        "src/lib/index.ts": 'export { default as store } from "./database";\n',
        "src/a.ts": 'import db from "./lib/database";\nawait db.user.findFirst({ where: { email } });\n',
        "src/b.ts": 'import db from "@/lib/database";\nawait db.session.findMany({ where: { userId } });\n',
        "src/c.ts": 'import { store } from "./lib";\nawait store.account.delete({ where: { id } });\n',
        "packages/dbpkg/package.json": '{"name": "@acme/db"}',
        "packages/dbpkg/src/index.ts": 'import { PrismaClient } from "@prisma/client";\nexport const client = new PrismaClient();\n',
        "src/d.ts": 'import { client as conn } from "@acme/db";\nawait conn.team.upsert({ where: { id } });\n',
        # the same shapes from modules that create no client are not call sites
        "src/lib/cache.ts": "export const kv = new Map();\n",
        "src/g.ts": 'import client from "@lib/database";\nawait client.user.count();\n',
        "src/h.ts": 'import base from "~/lib";\nawait base.user.count();\n',
        "src/e.ts": 'import { kv } from "./lib/cache";\nkv.user.delete("x");\n',
        "src/f.ts": 'import { users } from "./fixtures-lib";\nusers.user.create();\n',
    }
    got = sorted((p.file, p.client, p.model) for p in read(tmp_path, schema, files))
    assert got == [
        ("src/a.ts", "db", "User"),
        ("src/b.ts", "db", "Session"),
        ("src/c.ts", "store", "Account"),
        ("src/d.ts", "conn", "Team"),
        ("src/g.ts", "client", "User"),
        ("src/h.ts", "base", "User"),  # `~/lib` is lib/index.ts, a module that exports a client
    ]


def test_transaction_callbacks_class_members_and_configured_names(tmp_path, schema):
    src = """import { prisma } from "./db";
import { Injectable } from "@nestjs/common";
import { Intercom } from "intercom";
await prisma.$transaction(async (tx) => { await tx.user.update({ where: { id } }); });
await prisma.$transaction((t2) => t2.session.deleteMany({ where: { userId } }));
export async function helper(trx: Prisma.TransactionClient) { return trx.account.findMany(); }
@Injectable()
export class Users {
  constructor(private readonly prismaService: PrismaService, private readonly repo: PrismaClient, private client: Intercom) {}
  a() { return this.prismaService.user.findUnique({ where: { id } }); }
  b() { return this.repo.user.count(); }
  c() { return this.client.customer.update({ id }); }
}
export const handler = (ctx) => ctx?.db.user.findMany();
export const other = (ctx) => ctx.store.user.findMany();
"""
    files = {"db.ts": CLIENT, "a.ts": src}
    got = [(p.client, p.model, p.operation) for p in read(tmp_path, schema, files, client_names=("ctx.db",))]
    assert got == [
        ("tx", "User", "update"),
        ("t2", "Session", "deleteMany"),
        ("trx", "Account", "findMany"),
        ("this.prismaService", "User", "findUnique"),
        ("this.repo", "User", "count"),
        ("ctx?.db", "User", "findMany"),
    ]
    # without the configured name, `ctx.db` is nobody's client
    assert [p.client for p in read(tmp_path, schema, files)].count("ctx?.db") == 0


def test_names_client_modules_export(tmp_path, schema):
    """create-t3-app: `export const db = globalForPrisma.prisma ?? createPrismaClient()` in
    server/db.ts, used as `ctx.db` in the routers; another SDK's `ctx.mail` is not a client."""
    files = {
        "src/server/db.ts": 'import { PrismaClient } from "@prisma/client";\nconst createPrismaClient = () => new PrismaClient();\n'
        "export const db = globalForPrisma.prisma ?? createPrismaClient();\nexport const mail = new Mailer();\n",
        "src/server/api/routers/post.ts": "export const r = { list: ({ ctx }) => ctx.db.session.findMany(), send: ({ ctx }) => ctx.mail.user.create() };\n",
    }
    got = [(p.client, p.model) for p in read(tmp_path, schema, files)]
    assert got == [("ctx.db", "Session")]


def test_a_class_that_extends_prisma_client(tmp_path, schema):
    src = """import { PrismaClient } from "@prisma/client";
export class PrismaService extends PrismaClient {
  active() { return this.user.findMany({ where: { deletedAt: null } }); }
}
export class Cache extends Map {
  drop() { return this.user.delete("k"); }
}
"""
    got = [(p.client, p.model, p.equals) for p in read(tmp_path, schema, {"a.ts": src})]
    assert got == [("this", "User", ["deletedAt"])]


def test_wrapped_clients(tmp_path, schema):
    """umami: `prisma.client.<model>` and `const { client } = prisma`; `tx ?? prisma`."""
    files = {
        "lib/prisma.ts": 'import { PrismaClient } from "@prisma/client";\nconst client = new PrismaClient();\nexport default { client };\n',
        "a.ts": """import prisma from "./lib/prisma";
const { client } = prisma;
prisma.client.user.findMany();
client.session.findFirst();
export function f(tx?: Prisma.TransactionClient) {
  const db = tx ?? prisma.client;
  return db.account.findMany();
}
""",
    }
    got = [(p.client, p.model) for p in read(tmp_path, schema, files)]
    assert got == [("prisma.client", "User"), ("client", "Session"), ("db", "Account")]


def test_look_alikes_are_never_reported(tmp_path, schema):
    src = """import * as A from "fp-ts/Array";
import Stripe from "stripe";
import { createHash } from "crypto";
const stripe = new Stripe(key);
const cache = new Map();
A.findFirst(pred);
cache.delete("k");
stripe.customer.update(id, {});
createHash("sha256").update(x);
fn.count("id");
const redis = createClient();
redis.user.delete("x");
prisma.notAModel.findMany();
// prisma.user.findMany()
const s = "prisma.user.findMany()";
"""
    assert read(tmp_path, schema, {"a.ts": CLIENT + src}) == []


# ---------------------------------------------------------------------------------------------
# the access pattern
# ---------------------------------------------------------------------------------------------
def test_where_operators(tmp_path, schema):
    p = one(
        tmp_path,
        schema,
        """prisma.user.findMany({ where: {
  id,
  email: x,
  name: { equals: n, mode: "insensitive" },
  deletedAt: null,
  teamId: { in: ids },
  createdAt: { gte: a, lt: b },
  tags: { has: "x" },
  AND: [{ name: { contains: q } }, { email: { startsWith: "a", endsWith: "b" } }],
  sessions: { some: { expiresAt: { gt: now } } },
  team: { id: t },
  accounts: { none: {} },
} })""",
    )
    assert p.equals == ["id", "email", "deletedAt"]
    assert p.in_ == ["teamId"]
    assert p.range == ["createdAt"]
    # `mode: "insensitive"` is lower(name) = lower(n): no plain B-tree serves it, so name is not
    # an equality column
    assert p.other == [
        "name:insensitive", "tags:has", "name:contains", "email:startsWith", "email:endsWith", "sessions:some", "team:is", "accounts:none"
    ]
    assert p.or_ is False and p.static is True


@pytest.mark.parametrize(
    "filter_, equals, other",
    [
        ('{ equals: e, mode: "insensitive" }', [], ["email:insensitive"]),
        ("{ in: es, mode: 'insensitive' }", [], ["email:insensitive"]),
        ('{ contains: q, mode: "insensitive" }', [], ["email:contains", "email:insensitive"]),
        ("{ equals: e, mode: Prisma.QueryMode.insensitive }", [], ["email:insensitive"]),
        ("{ equals: e, mode }", [], ["email:insensitive"]),  # a mode from a variable may be insensitive
        ('{ equals: e, mode: "default" }', ["email"], []),
        ("{ equals: e, mode: Prisma.QueryMode.default }", ["email"], []),
    ],
)
def test_case_insensitive_mode(tmp_path, schema, filter_, equals, other):
    p = one(tmp_path, schema, f"prisma.user.findMany({{ where: {{ email: {filter_} }} }})")
    assert (p.equals, p.in_, p.other) == (equals, [], other)


def test_not_null_or_and_compound_unique(tmp_path, schema):
    p = one(
        tmp_path,
        schema,
        "prisma.account.findUnique({ where: { provider_providerId: { provider, providerId }, userId: { not: null }, id: { not: x, notIn: ys } } })",
    )
    assert p.equals == ["provider", "providerId"]
    assert p.other == ["userId:not-null", "id:not", "id:notIn"]
    p = one(tmp_path, schema, "prisma.user.findFirst({ where: { email, OR: [{ name }, { teamId }], NOT: { id } } })")
    assert p.equals == ["email"] and p.or_ is True


def test_order_take_cursor_distinct(tmp_path, schema):
    p = one(
        tmp_path,
        schema,
        """prisma.user.findMany({
  where: { teamId },
  orderBy: [{ createdAt: "desc" }, { name: { sort: "asc", nulls: "last" } }, { team: { id: "asc" } }, { _count: "desc" }, { id: dir }],
  take: 10, cursor: { id }, distinct: ["email"], skip: 1,
})""",
    )
    assert p.order_by == [("createdAt", "desc"), ("name", "asc"), ("id", "asc")]
    assert (p.take, p.cursor, p.distinct) == (True, True, True)
    p = one(tmp_path, schema, "prisma.session.groupBy({ by: ['userId'], where: { expiresAt: { lt: d } }, orderBy: { userId: 'asc' } })")
    assert p.range == ["expiresAt"] and p.order_by == [("userId", "asc")] and not p.take


@pytest.mark.parametrize(
    "body, static",
    [
        ("prisma.user.findMany()", True),
        ("prisma.user.findMany({ where: { id }, data: { ...rest } })", True),
        ("function f() { const where = { email: e }; return prisma.user.findMany({ where }); }", True),
        ("function f() { const w = { email: e }; return prisma.user.findMany({ where: w }); }", True),
        ("function f() { const args = { where: { email } }; return prisma.user.findMany(args); }", True),
        ("function f() { const base = { email }; return prisma.user.findMany({ where: { ...base, id } }); }", True),
        ("function f() { return prisma.user.update({ where: { id }, data: { ...patch } }); }", True),
        ("function f(where) { return prisma.user.findMany({ where }); }", False),
        ("function f(args) { return prisma.user.findMany(args); }", False),
        ("prisma.user.findMany({ where: build(q) })", False),
        ("function f(filters) { return prisma.user.findMany({ where: { ...filters, id } }); }", False),
        ("prisma.user.findMany({ where: { [key]: v } })", False),
        ("prisma.user.findMany({ where: { id, ...(c ? { email } : {}) } })", False),
        ("prisma.user.findMany({ where: { id }, take: 5, ...(after && { cursor: { id: after } }) })", True),
        ("prisma.user.findMany({ where: { id }, ...(c ? { orderBy: { name: 'asc' } } : {}) })", False),
        ("prisma.user.findMany({ where: { id }, ...(c && extra) })", False),
        ("prisma.user.findMany({ where: { id: c ? { not: x } : undefined } })", False),
        ("prisma.user.findMany({ orderBy: sort })", False),
        ("function f() { const where = { id }; if (c) where.OR = []; return prisma.user.findMany({ where }); }", False),
        ("function f() { let where; if (c) { where = { email }; } return prisma.user.findMany({ where }); }", False),
    ],
)
def test_static(tmp_path, schema, body, static):
    assert one(tmp_path, schema, body).static is static


def test_dynamic_calls_keep_the_keys_they_show(tmp_path, schema):
    p = one(tmp_path, schema, "prisma.user.findMany({ where: { id, ...(c ? { email } : {}) } })")
    assert p.equals == ["id", "email"] and not p.static
    p = one(tmp_path, schema, "function f() { const where = { teamId }; if (c) where.OR = [{ id }]; return prisma.user.findMany({ where }); }")
    assert p.equals == ["teamId"] and p.or_ and not p.static


def test_optional_chains_generics_and_chains_over_lines(tmp_path, schema):
    src = CLIENT + """await prisma?.user?.findMany({ where: { email } });
const s = await prisma.session.findMany<{ id: string }>({ where: { userId } });
await prisma
  .session
  .count({ where: { expiresAt: { lt: now } } });
"""
    got = [(p.model, p.line, p.column, p.end_line, p.end_column, p.equals + p.range) for p in read(tmp_path, schema, {"a.ts": src})]
    assert got == [
        ("User", 3, 7, 3, 51, ["email"]),
        ("Session", 4, 17, 4, 79, ["userId"]),
        ("Session", 5, 7, 7, 48, ["expiresAt"]),
    ]


def test_create_ignores_data(tmp_path, schema):
    p = one(tmp_path, schema, "prisma.user.create({ data: { email, teamId } })")
    assert (p.equals, p.static) == ([], True)


# ---------------------------------------------------------------------------------------------
# positions
# ---------------------------------------------------------------------------------------------
def test_positions_span_the_call_with_crlf_tabs_bom_and_non_ascii(tmp_path, schema):
    body = 'const é = "ü";\r\n\tconst ß = await prisma.user.findMany({\r\n\t\twhere: { email: "ñ" },\r\n\t});\r\n'
    data = b"\xef\xbb\xbf" + (CLIENT.replace("\n", "\r\n") + body).encode("utf-8")
    (p,) = read(tmp_path, schema, {"a.ts": data})
    assert (p.line, p.column, p.end_line, p.end_column) == (4, 18, 6, 4)
    assert p.snippet.startswith("prisma.user.findMany({")
    (p,) = read(tmp_path, schema, {"a.ts": CLIENT + 'const s = "→→"; await prisma.session.count()\n'})
    assert (p.line, p.column, p.end_line, p.end_column) == (3, 23, 3, 45)


def test_broken_files_are_read_where_they_parse(tmp_path, schema):
    src = CLIENT + "prisma.user.findMany({ where: { id } });\nfunction broken( {{{ \nprisma.session.count();\n"
    got = [(p.model, p.line) for p in read(tmp_path, schema, {"a.ts": src})]
    assert ("User", 3) in got
    for ext in (".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"):
        code = CLIENT.replace("export const", "const") + "const el = <div/>;\nprisma.user.count();\n" if ext in (".tsx", ".jsx", ".js") else CLIENT + "prisma.user.count();\n"
        (tmp_path / "a.ts").unlink(missing_ok=True)
        for old in tmp_path.iterdir():
            if old.is_file():
                old.unlink()
        assert [p.model for p in read(tmp_path, schema, {"x" + ext: code})] == ["User"], ext


def test_deeply_nested_code_does_not_crash(tmp_path, schema):
    deep = "a ? " * 3000 + "{ email }" + " : {}" * 3000
    src = CLIENT + f"prisma.user.findMany({{ where: {{ id, ...({deep}) }} }});\nprisma.session.count();\n"
    got = [(p.model, p.static) for p in read(tmp_path, schema, {"a.ts": src})]
    assert ("Session", True) in got


def test_call_site_suppressions(tmp_path, schema):
    src = CLIENT + "// prisma-lint-ignore unindexed-query\nprisma.user.findMany();\nprisma.session.count(); // prisma-lint-ignore\n"
    got = [sorted(p.suppressed) for p in read(tmp_path, schema, {"a.ts": src})]
    assert got == [["unindexed-query"], ["*"]]


def test_raw_sql_tables():
    f = extract(b'await prisma.$queryRaw`SELECT * FROM "Session" s JOIN users u ON 1=1`;\ndb.selectFrom("Account");\n')
    assert f.raw_sql_tables == ["account", "session", "users"]


# ---------------------------------------------------------------------------------------------
# cache
# ---------------------------------------------------------------------------------------------
def test_cache_hit_invalidation_and_corruption(tmp_path, schema, monkeypatch):
    app = tmp_path / "app"
    app.mkdir()
    (app / "a.ts").write_text(CLIENT + "prisma.user.findMany({ where: { email } });\n")
    cache = tmp_path / "cache"
    files = app_files([app], exclude=())

    def run():
        return [p.to_json() for p in read_files(schema, files, cache_dir=cache, cwd=app, roots=[app]).patterns]

    first = run()
    assert first[0]["equals"] == ["email"]
    stored = list(cache.glob("app-*.json"))
    assert len(stored) == 1 and cache_key() in stored[0].name
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"

    import prisma_lint.frontends.app.read as read_mod

    calls = []
    real = read_mod.extract
    monkeypatch.setattr(read_mod, "extract", lambda data, path: calls.append(path) or real(data, path))
    assert run() == first and calls == []  # unchanged: a stat, no read
    os.utime(app / "a.ts", ns=(1, 1))  # touched, same content: hashed, not parsed
    assert run() == first and calls == []
    (app / "a.ts").write_text(CLIENT + "prisma.user.findMany({ where: { name } });\n")
    assert run()[0]["equals"] == ["name"] and len(calls) == 1
    stored[0].write_text("{not json")
    assert run()[0]["equals"] == ["name"] and len(calls) == 2  # corrupt: read again, rewritten
    assert json.loads(stored[0].read_text())["key"] == cache_key()
    stored[0].write_text(json.dumps({"key": cache_key(), "files": {str(app / "a.ts"): [1, 2]}, "facts": []}))
    assert run()[0]["equals"] == ["name"]


def test_unwritable_cache_is_ignored(tmp_path, schema):
    (tmp_path / "a.ts").write_text(CLIENT + "prisma.user.count();\n")
    blocker = tmp_path / "file"
    blocker.write_text("")
    got = read_files(schema, app_files([tmp_path], exclude=()), cache_dir=blocker / "cache", cwd=tmp_path).patterns
    assert [p.model for p in got] == ["User"]
    assert FactsCache(blocker / "cache").files == {}


def test_default_cache_dir():
    assert default_cache_dir(Path("/p/pyproject.toml"), {}) == Path("/p/.prisma-lint-cache")
    assert default_cache_dir(None, {"XDG_CACHE_HOME": "/x"}) == Path("/x/prisma-lint")
    assert default_cache_dir(None, {"HOME": "/h"}) == Path("/h/.cache/prisma-lint")


# ---------------------------------------------------------------------------------------------
# discovery
# ---------------------------------------------------------------------------------------------
def test_project_root(tmp_path):
    schema = tmp_path / "repo" / "apps" / "web" / "prisma" / "schema.prisma"
    schema.parent.mkdir(parents=True)
    schema.write_text("")
    (tmp_path / "repo" / ".git").mkdir()
    assert project_root(schema) == tmp_path / "repo"  # the git root
    (tmp_path / "repo" / "apps" / "web" / "package.json").write_text("{}")
    assert project_root(schema) == tmp_path / "repo" / "apps" / "web"  # nearest package.json
    (tmp_path / "repo" / "package.json").write_text('{"workspaces": ["apps/*"]}')
    assert project_root(schema) == tmp_path / "repo"  # a workspace wins over a nearer package
    (tmp_path / "repo" / "package.json").write_text("{}")
    (tmp_path / "repo" / "turbo.json").write_text("{}")
    assert project_root(schema) == tmp_path / "repo"
    (tmp_path / "repo" / "turbo.json").unlink()
    (tmp_path / "repo" / "apps" / "pnpm-workspace.yaml").write_text("")
    assert project_root(schema) == tmp_path / "repo" / "apps"


def test_app_files_skip_build_output_and_default_excludes(tmp_path):
    names = [
        "src/a.ts", "src/b.tsx", "src/c.mjs", "src/d.cjs", "src/e.jsx", "src/f.mts", "src/g.cts", "src/h.js",
        "src/types.d.ts", "src/x.min.js", "node_modules/p/index.js", "dist/a.js", "build/a.js", ".next/a.js",
        "out/a.js", "src/generated/client.ts", "src/a.test.ts", "src/a.spec.tsx", "tests/t.ts", "scripts/s.ts",
        "prisma/seed.ts", "seeds/x.ts", "src/__tests__/y.ts", "README.md",
    ]
    for n in names:
        (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / n).write_text("")
    rel = lambda found: sorted(p.relative_to(tmp_path).as_posix() for p in found)  # noqa: E731
    default = ["src/a.ts", "src/b.tsx", "src/c.mjs", "src/d.cjs", "src/e.jsx", "src/f.mts", "src/g.cts", "src/h.js"]
    assert rel(app_files([tmp_path], DEFAULT_APP_EXCLUDE)) == default
    everything = rel(app_files([tmp_path], exclude=()))
    assert "scripts/s.ts" in everything and "src/a.test.ts" in everything and "dist/a.js" not in everything
    assert rel(app_files([tmp_path], exclude=["src/b*", "*.mjs"])) == sorted(
        set(everything) - {"src/b.tsx", "src/c.mjs"}
    )
    assert rel(app_files([str(tmp_path / "src" / "*.ts*")], DEFAULT_APP_EXCLUDE)) == ["src/a.ts", "src/b.tsx"]
    assert rel(app_files([tmp_path / "scripts" / "s.ts"], DEFAULT_APP_EXCLUDE)) == ["scripts/s.ts"]


def test_read_app_defaults_to_the_project_root_and_honours_the_config(tmp_path, schema):
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(SCHEMA)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text(CLIENT + "prisma.user.count();\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "b.ts").write_text(CLIENT + "prisma.session.count();\n")
    loaded = load_text(SCHEMA)
    got = read_app(loaded, (), None, schema_path=tmp_path / "prisma" / "schema.prisma", cwd=tmp_path)
    assert [p.file for p in got.patterns] == ["src/a.ts"]

    class Cfg:
        path = tmp_path / "pyproject.toml"
        app = ["scripts"]
        app_exclude: list = []
        client_names: list = []

    got = read_app(loaded, (), Cfg(), schema_path=tmp_path / "prisma" / "schema.prisma", cwd=tmp_path)
    assert [p.file for p in got.patterns] == ["scripts/b.ts"]


# ---------------------------------------------------------------------------------------------
# the CLI
# ---------------------------------------------------------------------------------------------
def _project(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma" / "schema.prisma").write_text(SCHEMA)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "db.ts").write_text(CLIENT)
    (tmp_path / "src" / "a.ts").write_text(
        'import { prisma } from "./db";\nexport const f = () =>\n  prisma.session.findMany({ where: { userId }, orderBy: { expiresAt: "desc" }, take: 5 });\n'
    )
    return tmp_path


def _xdg(tmp_path: Path) -> dict:
    """The user cache folder of a test's CLI runs: inside the test's folder, not ~/.cache."""
    return {"XDG_CACHE_HOME": str(tmp_path / "xdg")}


KEYS = ["file", "line", "column", "end_line", "end_column", "client", "model", "operation", "equals", "in",
        "range", "other", "or", "order_by", "take", "cursor", "distinct", "static", "served_by"]


def test_queries_json_contract(tmp_path):
    project = _project(tmp_path)
    (project / "pyproject.toml").write_text("[tool.prisma-lint]\n")
    r = run_cli("queries", "--format", "json", cwd=project, env=_xdg(tmp_path))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and len(doc["queries"]) == 1
    q = doc["queries"][0]
    assert list(q) == KEYS
    assert q == {
        "file": "src/a.ts", "line": 3, "column": 3, "end_line": 3, "end_column": 90, "client": "prisma",
        "model": "Session", "operation": "findMany", "equals": ["userId"], "in": [], "range": [], "other": [],
        "or": False, "order_by": [["expiresAt", "desc"]], "take": True, "cursor": False, "distinct": False,
        "static": True, "served_by": None,
    }
    assert (project / ".prisma-lint-cache" / ".gitignore").is_file()  # beside the config
    # `file` is relative to the working directory
    r = run_cli("queries", "--format", "json", str(project / "prisma" / "schema.prisma"), "--app", str(project / "src"), cwd=project / "src", env=_xdg(tmp_path))
    assert json.loads(r.stdout)["queries"][0]["file"] == "a.ts"
    r = run_cli("queries", cwd=project, env=_xdg(tmp_path))
    assert r.stdout == "src/a.ts:3:3  Session.findMany  where userId =  order by expiresAt desc  take\n"
    assert "1 call site (0 not static) in 2 files read." in r.stderr


def test_app_option_errors_and_no_app(tmp_path):
    project = _project(tmp_path)
    r = run_cli("queries", "--app", "nope", cwd=project, env=_xdg(tmp_path))
    assert r.returncode == 2 and "--app nope: no such file or folder" in r.stderr
    assert run_cli("check", "--no-app", "-q", cwd=project, env=_xdg(tmp_path)).returncode in (0, 1)
    (project / "pyproject.toml").write_text('[tool.prisma-lint]\napp = "src"\n')
    r = run_cli("queries", cwd=project, env=_xdg(tmp_path))
    assert r.returncode == 2 and "`app` must be a list of paths or glob patterns" in r.stderr
    (project / "pyproject.toml").write_text('[tool.prisma-lint]\nclient-names = ["db"]\napp = ["src"]\napp-exclude = []\n')
    r = run_cli("queries", cwd=project, env=_xdg(tmp_path))
    assert r.returncode == 0 and r.stdout.startswith("src/a.ts:3:3")


def test_cache_forgets_deleted_files(tmp_path, schema):
    app = tmp_path / "app"
    app.mkdir()
    for n in ("a.ts", "b.ts"):
        (app / n).write_text(CLIENT + "prisma.user.count();\n")
    cache = tmp_path / "cache"
    read_files(schema, app_files([app], exclude=()), cache_dir=cache, cwd=app, roots=[app])
    (app / "b.ts").unlink()
    read_files(schema, app_files([app], exclude=()), cache_dir=cache, cwd=app, roots=[app])
    (stored,) = cache.glob("app-*.json")
    assert list(json.loads(stored.read_text())["files"]) == [str(app / "a.ts")]


def test_nested_relation_reads(tmp_path, schema):
    src = CLIENT + """prisma.user.findUnique({
  where: { id },
  include: {
    sessions: { where: { expiresAt: { gt: now } }, orderBy: { expiresAt: "desc" }, take: 5 },
    team: true,
    accounts: { select: { user: true, provider: true } },
    _count: { select: { sessions: true } },
  },
  select: { email: true },
});
"""
    (tmp_path / "a.ts").write_text(src)
    app = read_files(schema, app_files([tmp_path], exclude=()), cwd=tmp_path)
    assert [p.model for p in app.patterns] == ["User"]
    got = [(p.via, p.model, p.operation, p.in_, p.range, p.order_by, p.take, p.line, p.column) for p in app.nested]
    assert got == [
        ("User.sessions", "Session", "findMany", ["userId"], ["expiresAt"], [("expiresAt", "desc")], True, 6, 5),
        ("User.team", "Team", "findUnique", ["id"], [], [], False, 7, 5),
        ("User.accounts", "Account", "findMany", ["userId"], [], [], False, 8, 5),
        ("Account.user", "User", "findUnique", ["id"], [], [], False, 8, 27),
    ]
    assert "via" not in app.patterns[0].to_json()


def test_queries_json_served_by_hook(tmp_path, schema):
    from prisma_lint.frontends.app.read import queries_json

    (tmp_path / "a.ts").write_text(CLIENT + "prisma.session.findMany({ where: { userId } });\nprisma.user.count();\n")
    app = read_files(schema, app_files([tmp_path], exclude=()), cwd=tmp_path)
    doc = queries_json(app, lambda p: "Session_userId_idx" if p.model == "Session" else None)
    assert [q["served_by"] for q in doc["queries"]] == ["Session_userId_idx", None]
    assert [q["served_by"] for q in queries_json(app)["queries"]] == [None, None]


def test_check_gives_the_app_to_rules_that_need_queries(tmp_path, monkeypatch):
    """`check` reads the app when an active rule needs the queries, and not with --no-app or
    when the project has no app code."""
    from click.testing import CliRunner

    import prisma_lint.rules as rules_mod
    from prisma_lint.cli import main_group
    from prisma_lint.rules import Rule

    seen: list = []

    def check(ctx):
        seen.append(sorted((p.model, p.operation) for p in ctx.queries.patterns))
        return []

    real = rules_mod.load_registry

    def with_probe(include_plugins: bool = True):
        reg = real(include_plugins)
        reg.rules["probe-queries"] = Rule("probe-queries", "info", "none", "probe", check, needs=("schema", "queries"))
        return reg

    monkeypatch.setattr(rules_mod, "load_registry", with_probe)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = _project(tmp_path / "p")
    runner = CliRunner()
    schema = str(project / "prisma" / "schema.prisma")
    runner.invoke(main_group, ["check", "-q", schema])
    assert seen == [[("Session", "findMany")]]  # the project root above the schema
    runner.invoke(main_group, ["check", "-q", "--no-app", schema])
    assert len(seen) == 1
    (project / "src" / "a.ts").unlink()
    (project / "src" / "db.ts").unlink()
    runner.invoke(main_group, ["check", "-q", schema])
    assert len(seen) == 1  # no app code: no queries input, the rule does not run


def test_case_insensitive_filters_in_the_queries_json_and_no_index_advice_from_them(tmp_path):
    """`mode: "insensitive"` is ILIKE / lower() in PostgreSQL: the queries JSON shows it in
    `other`, and no index on the plain column is suggested for it (issue #13's review: inbox-zero's
    Invitation lookup by a case-insensitive email got a plain B-tree suggestion)."""
    project = _project(tmp_path)
    call = 'prisma.user.findFirst({ where: { name: { equals: n, mode: "insensitive" } } });\n'
    (project / "src" / "a.ts").write_text('import { prisma } from "./db";\n' + call)
    r = run_cli("queries", "--format", "json", cwd=project, env=_xdg(tmp_path))
    (q,) = json.loads(r.stdout)["queries"]
    assert (q["equals"], q["other"], q["served_by"]) == ([], ["name:insensitive"], None)

    def advice() -> list:
        r = run_cli("check", "--format", "json", "--select", "unindexed-query", cwd=project, env=_xdg(tmp_path))
        assert r.returncode in (0, 1), r.stderr
        return [(f["model"], f["fields"]) for f in json.loads(r.stdout)["findings"]]

    assert advice() == []
    (project / "src" / "a.ts").write_text('import { prisma } from "./db";\n' + call.replace(', mode: "insensitive"', ""))
    assert advice() == [("User", ["name"])]
