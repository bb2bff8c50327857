"""The migrations prisma-lint writes, proved on a real PostgreSQL 15 (and against Prisma's engine).

For each schema below (the seed fixtures, the example schema and hand-written schemas with
mapped names, composite keys, truncated names, a multi-file folder with two PostgreSQL schemas
and identifiers containing ``"``):

* ``tests/ddl.py`` builds the database Prisma would create for it (``test_ddl_has_no_drift``
  checks that claim with Prisma's own engine);
* the SQL of ``prisma-lint migrate --stdout --unsafe-fixes`` runs as one script, and afterwards
  the database holds exactly the indexes of the *fixed* schema (``check --unsafe-fixes``), with
  Prisma's names and definitions, and none of the redundant ones; ``down.sql`` brings the
  original indexes back;
* every statement parses with pglast and says what the schemas say;
* ``--concurrently`` writes one statement per migration folder, each of which runs outside a
  transaction, while the same statements in one transaction fail;
* EXPLAIN shows what the missing foreign-key index costs: the statements PostgreSQL's
  foreign-key triggers run scan the child table before the migration and use the new index after;
* on a database built by Prisma's own SQL for the original schema (seed fixtures and corpus
  schemas), prisma-lint's migration leaves no drift against the fixed schema.
"""

from __future__ import annotations

import concurrent.futures
import functools
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import ddl
import pytest
from conftest import CORPUS, FIXTURES, REPO, manifest_rows, need, prisma7_copy, run_cli

from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.migrate.sql import diff, render, reverse, statements

pytestmark = pytest.mark.postgres

# ---------------------------------------------------------------------------------------------
# the schemas
# ---------------------------------------------------------------------------------------------
MAPPED = """\
// Mapped names, composite keys, a composite foreign key, an implicit many-to-many relation.
datasource db {
  provider = "postgresql"
}

enum Plan {
  FREE
  PRO  @map("pro")

  @@map("plan_kind")
}

model Org {
  id       Int       @id @default(autoincrement()) @map("org_id")
  slug     String    @unique @db.VarChar(64)
  plan     Plan      @default(FREE)
  members  Member[]
  projects Project[]

  @@index([slug]) // redundant with @unique
  @@map("orgs")
}

model Member {
  orgId    Int      @map("org_id")
  userNo   Int      @map("user_no")
  email    String
  active   Boolean  @default(true)
  joinedAt DateTime @default(now()) @map("joined_at") @db.Timestamptz(6)
  org      Org      @relation(fields: [orgId], references: [id], onDelete: Cascade)
  tasks    Task[]

  @@id([orgId, userNo], map: "member_pk")
  @@index([email])
  @@index([active, email]) // Boolean first
  @@map("org_members")
}

model Project {
  id        String   @id @default(uuid()) @db.Uuid
  orgId     Int      @map("org_id")
  name      String
  createdAt DateTime @default(now()) @map("created_at")
  org       Org      @relation(fields: [orgId], references: [id])
  tasks     Task[]
  labels    Label[]

  @@unique([orgId, name], map: "project_name_per_org")
  @@index([orgId]) // a prefix of the unique constraint
  @@map("projects")
}

model Task {
  id         BigInt   @id @default(autoincrement())
  projectId  String   @map("project_id") @db.Uuid
  orgId      Int      @map("org_id")
  assigneeNo Int      @map("assignee_no")
  title      String   @db.VarChar(200)
  done       Boolean  @default(false)
  dueAt      DateTime @map("due_at")
  project    Project  @relation(fields: [projectId], references: [id], onDelete: Cascade)
  assignee   Member   @relation(fields: [orgId, assigneeNo], references: [orgId, userNo], onDelete: Cascade)

  @@index([dueAt(sort: Desc), projectId]) // range column first
  @@map("tasks")
}

model Label {
  id       Int       @id @default(autoincrement())
  name     String    @unique
  projects Project[]

  @@map("labels")
}
"""

LONG_NAMES = """\
// Names long enough that Prisma truncates them to PostgreSQL's 63 bytes (one cut falls inside
// the two bytes of an "é").
datasource db {
  provider = "postgresql"
}

model Parent {
  id       Int     @id @default(autoincrement())
  children Child[]

  @@map("parent_table_with_a_rather_long_name_for_the_foreign_key_name")
}

model Child {
  id          Int    @id @default(autoincrement())
  parentId    Int    @map("identifiant_du_parent_pour_un_enregistrement_vraimenté_parent")
  description String @map("description_of_the_child_record_in_much_more_detail_than_needed")
  code        String

  parent Parent @relation(fields: [parentId], references: [id], onDelete: Cascade)

  @@unique([description])
  @@index([description]) // redundant: the unique constraint indexes it
  @@index([code])
  @@map("kids")
}
"""

MULTI_FILE = {
    "main.prisma": """\
// A multi-file schema with two PostgreSQL schemas (namespaces).
datasource db {
  provider = "postgresql"
  schemas  = ["public", "blog"]
}

generator client {
  provider = "prisma-client-js"
}
""",
    "user.prisma": """\
model User {
  id       String    @id @default(cuid())
  email    String    @unique
  handle   String
  posts    Post[]
  comments Comment[]

  @@index([email])
  @@index([handle])
  @@schema("public")
}
""",
    "blog/post.prisma": """\
enum PostState {
  DRAFT
  LIVE

  @@schema("blog")
}

model Post {
  id        Int       @id @default(autoincrement())
  authorId  String
  state     PostState @default(DRAFT)
  slug      String
  author    User      @relation(fields: [authorId], references: [id], onDelete: Cascade)
  comments  Comment[]
  tags      Tag[]

  @@unique([slug])
  @@index([state, slug])
  @@schema("blog")
}

model Comment {
  id       Int     @id @default(autoincrement())
  postId   Int
  authorId String?
  body     String
  post     Post    @relation(fields: [postId], references: [id], onDelete: Cascade)
  author   User?   @relation(fields: [authorId], references: [id])

  @@schema("blog")
}

model Tag {
  id    Int    @id @default(autoincrement())
  name  String @unique
  posts Post[]

  @@schema("blog")
}
""",
}

# Prisma's validator accepts `"` in @@map/@map names (its own migration SQL does not escape
# them, but its database describer reads them back: test_ddl_has_no_drift).
QUOTED = """\
// Database names with a double quote in them.
datasource db {
  provider = "postgresql"
}

model Owner {
  id   Int    @id @default(autoincrement())
  name String
  pets Pet[]

  @@map("own\\"er")
}

model Pet {
  id      Int    @id @default(autoincrement())
  ownerId Int    @map("owner\\"id")
  name    String @map("pet \\"name\\"")
  owner   Owner  @relation(fields: [ownerId], references: [id], onDelete: Cascade)

  @@index([name])
  @@index([name, id])
  @@map("weird\\"name")
}
"""

FK_SCAN = """\
datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
}
"""

HAND_WRITTEN: dict[str, object] = {
    "mapped": MAPPED,
    "longnames": LONG_NAMES,
    "multifile": MULTI_FILE,
    "quoted": QUOTED,
}
SEEDS = ["seed000", "seed001", "seed004"]
CASES = SEEDS + ["example"] + list(HAND_WRITTEN)


def materialize(case: str, dest: Path) -> Path:
    """Write the schema of ``case`` below ``dest``; returns the file or folder to pass on."""
    dest.mkdir(parents=True, exist_ok=True)
    if case in SEEDS:
        target = dest / "schema.prisma"
        shutil.copyfile(FIXTURES / "seeds" / case / "schema.prisma", target)
        return target
    if case == "example":
        target = dest / "schema.prisma"
        shutil.copyfile(REPO / "examples" / "schema.prisma", target)
        return target
    source = HAND_WRITTEN[case]
    if isinstance(source, dict):
        folder = dest / "schema"
        for name, text in source.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        return folder
    target = dest / "schema.prisma"
    target.write_text(source, encoding="utf-8")
    return target


def snapshot_files(path: Path) -> dict[str, bytes]:
    files = [path] if path.is_file() else sorted(path.rglob("*.prisma"))
    return {str(f.relative_to(path.parent)): f.read_bytes() for f in files}


# ---------------------------------------------------------------------------------------------
# one prepared case: the original, the fixed copy, the migration prisma-lint writes
# ---------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    case: str
    original: Path
    fixed: Path
    migrate_stdout: subprocess.CompletedProcess
    migrate_out: subprocess.CompletedProcess
    folders: list[Path] = field(default_factory=list)
    written: Optional[Path] = None  # a copy fixed by `migrate --write-schema --unsafe-fixes`

    def up_sql(self) -> str:
        p = self.migrate_stdout
        assert p.returncode == 0, f"`prisma-lint migrate --stdout --unsafe-fixes` failed on {self.case}: {p.stderr}"
        assert p.stdout.strip(), f"{self.case}: the migration is empty (this schema has index fixes)"
        return p.stdout

    def folder(self) -> Path:
        p = self.migrate_out
        assert p.returncode == 0, f"`prisma-lint migrate --out DIR --unsafe-fixes` failed on {self.case}: {p.stderr}"
        assert len(self.folders) == 1, self.folders
        return self.folders[0]

    @functools.cached_property
    def original_schema(self):
        loaded = load_schema(self.original)
        assert not loaded.has_errors, [d.render() for d in loaded.diagnostics]
        return loaded.schema

    @functools.cached_property
    def fixed_schema(self):
        loaded = load_schema(self.fixed)
        assert not loaded.has_errors, [d.render() for d in loaded.diagnostics]
        return loaded.schema


@pytest.fixture(scope="module")
def prepare(tmp_path_factory):
    cache: dict[str, Prepared] = {}

    def get(case: str) -> Prepared:
        if case in cache:
            return cache[case]
        work = tmp_path_factory.mktemp(f"mig_{case}")
        original = materialize(case, work / "original")
        fixed = materialize(case, work / "fixed")
        proc = run_cli("check", "--unsafe-fixes", "--no-color", str(fixed))
        assert proc.returncode in (0, 1), proc.stderr
        before = snapshot_files(original)
        up = run_cli("migrate", str(original), "--stdout", "--unsafe-fixes")
        out_dir = work / "migrations"
        out = run_cli("migrate", str(original), "--out", str(out_dir), "--unsafe-fixes", "--name", "indexes")
        assert snapshot_files(original) == before, "migrate without --write-schema changed the schema"
        folders = sorted(p for p in out_dir.iterdir() if p.is_dir()) if out_dir.is_dir() else []
        written = materialize(case, work / "written")
        run_cli("migrate", str(written), "--stdout", "--unsafe-fixes", "--write-schema")
        cache[case] = Prepared(case, original, fixed, up, out, folders, written)
        return cache[case]

    return get


# ---------------------------------------------------------------------------------------------
# the database side
# ---------------------------------------------------------------------------------------------
CATALOG = """
SELECT n.nspname, t.relname, i.relname, ix.indisunique, ix.indisprimary, am.amname,
       ix.indpred IS NOT NULL,
       ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord),
       ARRAY(SELECT (o & 1) = 1 FROM unnest(ix.indoption::int2[]) WITH ORDINALITY u(o, ord) ORDER BY u.ord),
       ARRAY(SELECT CASE WHEN c.opcdefault THEN NULL ELSE c.opcname::text END
             FROM unnest(ix.indclass::oid[]) WITH ORDINALITY u(opc, ord)
             JOIN pg_opclass c ON c.oid = u.opc ORDER BY u.ord),
       pg_get_indexdef(ix.indexrelid)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
"""


@dataclass(frozen=True)
class IndexShape:
    """What an index is, as the catalog says it (without its text definition)."""

    table: str
    columns: tuple
    descending: tuple
    unique: bool
    primary: bool
    method: str
    partial: bool
    opclasses: tuple  # None for the column type's default operator class


def catalog(conn) -> dict[tuple[str, str], tuple[IndexShape, str]]:
    """(schema, index name) -> (shape, pg_get_indexdef) for every index of the database."""
    out = {}
    for nsp, table, name, unique, primary, am, partial, cols, desc, opcs, definition in conn.execute(CATALOG):
        shape = IndexShape(table, tuple(cols), tuple(desc), unique, primary, am, partial, tuple(opcs))
        out[(nsp, name)] = (shape, definition)
    return out


def definitions(cat) -> dict[tuple[str, str], str]:
    return {k: v[1] for k, v in cat.items()}


METHOD = {None: "btree", "BTree": "btree", "Hash": "hash", "Gin": "gin", "Gist": "gist", "SpGist": "spgist", "Brin": "brin"}


def expected_shapes(schema) -> dict[tuple[str, str], IndexShape]:
    """Every index (primary keys and unique constraints too) a database of ``schema`` has."""
    out = {}
    tables = [m for m in schema.models.values() if m.kind == "model"] + list(schema.join_tables.values())
    for m in tables:
        for i in m.indexes:
            if i.kind == "fulltext":
                continue
            out[(m.schema or "public", i.db_name)] = IndexShape(
                table=m.db_name,
                columns=tuple(c.db_name for c in i.columns),
                descending=tuple(c.sort == "Desc" for c in i.columns),
                unique=i.kind in ("id", "unique"),
                primary=i.kind == "id",
                method=METHOD[i.type],
                partial=i.where is not None,
                opclasses=tuple(ddl.operator_class(c.ops) for c in i.columns),
            )
    return out


def assert_matches_schema(cat, schema, what: str) -> None:
    actual = {k: v[0] for k, v in cat.items()}
    expected = expected_shapes(schema)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    assert not missing and not extra, f"{what}: indexes missing {missing}, unexpected {extra}"
    wrong = {k: (actual[k], expected[k]) for k in expected if actual[k] != expected[k]}
    assert not wrong, f"{what}: indexes that differ (actual, expected): {wrong}"


def build(postgres, schema) -> str:
    """A fresh database with ``schema``'s tables (tests/ddl.py); returns its name."""
    db = postgres.new_database()
    with postgres.connect(db) as conn:
        conn.execute(ddl.render(schema))
    return db


# ---------------------------------------------------------------------------------------------
# Prisma's engine
# ---------------------------------------------------------------------------------------------
def migrate_diff(oracle, *args: str) -> subprocess.CompletedProcess:
    return oracle.run("migrate-diff.js", *args, timeout=300)


def parallel(jobs: dict[str, callable]) -> dict[str, object]:
    """Run independent jobs (each a few Prisma engine calls) in threads; exceptions are kept."""
    results: dict[str, object] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = {pool.submit(fn): name for name, fn in jobs.items()}
        for fut in concurrent.futures.as_completed(futures):
            name = futures[fut]
            try:
                results[name] = fut.result()
            except Exception as e:  # reported by the test that owns it
                results[name] = e
    return results


# =============================================================================================
# tests/ddl.py makes what Prisma makes
# =============================================================================================
DDL_CONTROLS = ["example", "quoted"]


def _ddl_jobs(postgres, oracle, prepare) -> dict[str, callable]:
    """For each schema, a database from tests/ddl.py compared by Prisma's engine with the
    schema; for the controls, the database of the original compared with the fixed schema."""

    def check(case: str, against: str):
        prep = prepare(case)
        db = build(postgres, prep.original_schema)
        target = prep.original if against == "original" else prep.fixed
        return migrate_diff(oracle, "--from-db", "--to-schema", str(target), "--url", postgres.url(db), "--exit-code")

    for case in CASES:  # prepared here, not in the threads
        prep = prepare(case)
        assert prep.original_schema is not None and prep.fixed_schema is not None
    jobs = {case: functools.partial(check, case, "original") for case in CASES}
    jobs.update({f"control:{c}": functools.partial(check, c, "fixed") for c in DDL_CONTROLS})
    return jobs


@pytest.fixture(scope="module")
def engine(postgres, oracle, prepare, tmp_path_factory) -> dict[str, object]:
    """Every Prisma engine call of this module, run at once in threads (each takes ~10 s):
    ``ddl:...`` for test_ddl_has_no_drift, ``agree:...`` for the agreement tests."""
    jobs = {f"ddl:{k}": v for k, v in _ddl_jobs(postgres, oracle, prepare).items()}
    jobs.update({f"agree:{k}": v for k, v in _agreement_jobs(postgres, oracle, tmp_path_factory).items()})
    return parallel(jobs)


@pytest.mark.oracle
def test_ddl_has_no_drift(engine):
    """A database built from tests/ddl.py for each schema is, for Prisma's engine, that schema
    (`migrate-diff --from-db --to-schema S --exit-code` exits 0). Two controls check that the
    comparison sees index differences: the original database against the fixed schema drifts."""
    results = {k[len("ddl:") :]: v for k, v in engine.items() if k.startswith("ddl:")}
    assert len(results) == len(CASES) + len(DDL_CONTROLS)
    problems = []
    for name, r in sorted(results.items()):
        if isinstance(r, Exception):
            problems.append(f"{name}: {type(r).__name__}: {r}")
            continue
        want = 2 if name.startswith("control:") else 0
        if r.returncode != want:
            problems.append(f"{name}: exit {r.returncode}, expected {want}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    assert not problems, "\n\n".join(problems)


def test_ddl_refuses_what_it_does_not_render():
    from helpers import load_text

    schema = load_text('datasource db {\n  provider = "mysql"\n}\n\nmodel A {\n  id Int @id\n}\n').schema
    with pytest.raises(ddl.DdlError, match="PostgreSQL only"):
        ddl.render(schema)
    schema = load_text(
        'datasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Int @id\n  t DateTime @default("2020-01-01T00:00:00Z")\n}\n'
    ).schema
    with pytest.raises(ddl.DdlError, match=r"A\.t"):
        ddl.render(schema)


# =============================================================================================
# the migration on a real server
# =============================================================================================
@pytest.mark.parametrize("case", CASES)
def test_migration_gives_the_fixed_indexes(postgres, prepare, case):
    prep = prepare(case)
    up = prep.up_sql()
    folder = prep.folder()
    assert (folder / "migration.sql").read_text(encoding="utf-8") == up, "migration.sql differs from --stdout"
    down = (folder / "down.sql").read_text(encoding="utf-8")
    fixed_files = snapshot_files(prep.fixed)
    assert snapshot_files(prep.written) == fixed_files, "`migrate --write-schema` and `check --unsafe-fixes` disagree"
    assert fixed_files != snapshot_files(prep.original)

    db = build(postgres, prep.original_schema)
    # what the fixed schema would have from scratch
    reference_db = build(postgres, prep.fixed_schema)
    with postgres.connect(reference_db) as conn:
        reference = catalog(conn)
    assert_matches_schema(reference, prep.fixed_schema, f"{case}: database built for the fixed schema")

    with postgres.connect(db) as conn:
        before = catalog(conn)
        assert_matches_schema(before, prep.original_schema, f"{case}: database built for the original schema")
        conn.execute(up)  # one script, as `prisma migrate deploy` runs a migration file
        after = catalog(conn)
        assert_matches_schema(after, prep.fixed_schema, f"{case}: after the migration")
        assert definitions(after) == definitions(reference)

        # the redundant indexes are gone
        removed = set(expected_shapes(prep.original_schema)) - set(expected_shapes(prep.fixed_schema))
        assert removed, f"{case}: the fixes remove no index (the schema is chosen to have redundant ones)"
        assert not removed & set(after)

        conn.execute(down)
        restored = catalog(conn)
        assert definitions(restored) == definitions(before), f"{case}: down.sql does not restore the indexes"
        assert_matches_schema(restored, prep.original_schema, f"{case}: after down.sql")


# =============================================================================================
# every statement parses with pglast and says what the schemas say
# =============================================================================================
def _parse_one(sql: str):
    import pglast

    stmts = pglast.parse_sql(sql)
    assert len(stmts) == 1, f"expected one statement, got {len(stmts)}:\n{sql}"
    return stmts[0].stmt


def _check_statement(stmt, old_schema, new_schema, concurrently: bool) -> None:
    """A create names an index of ``new_schema`` and builds it as written there; a drop names
    an index of ``old_schema``; a rename goes from an ``old_schema`` name to a ``new_schema`` one."""
    from pglast import enums

    old, new = expected_shapes(old_schema), expected_shapes(new_schema)
    kind = type(stmt).__name__
    if kind == "IndexStmt":
        key = (stmt.relation.schemaname or "public", stmt.idxname)
        assert key in new, f"CREATE INDEX {key}: no such index in the target schema"
        shape = new[key]
        assert stmt.relation.relname == shape.table
        assert [e.name for e in stmt.indexParams] == list(shape.columns)
        assert [e.ordering == enums.SortByDir.SORTBY_DESC for e in stmt.indexParams] == list(shape.descending)
        opcs = [e.opclass[0].sval if e.opclass else None for e in stmt.indexParams]
        assert opcs == list(shape.opclasses)
        assert bool(stmt.unique) == shape.unique and not shape.primary
        assert (stmt.accessMethod or "btree") == shape.method
        assert (stmt.whereClause is not None) == shape.partial
        assert bool(stmt.concurrent) == concurrently
    elif kind == "DropStmt":
        assert stmt.removeType == enums.ObjectType.OBJECT_INDEX
        assert len(stmt.objects) == 1
        parts = [s.sval for s in stmt.objects[0]]
        key = (parts[0], parts[1]) if len(parts) == 2 else ("public", parts[0])
        assert key in old, f"DROP INDEX {key}: no such index in the source schema"
        assert not old[key].primary
        assert key not in new or new[key] != old[key], f"DROP INDEX {key}: the index is unchanged"
        assert bool(stmt.concurrent) == concurrently
    elif kind == "RenameStmt":
        assert stmt.renameType == enums.ObjectType.OBJECT_INDEX
        nsp = stmt.relation.schemaname or "public"
        assert (nsp, stmt.relation.relname) in old and (nsp, stmt.newname) in new
    else:
        raise AssertionError(f"unexpected statement {kind}")


@pytest.mark.parametrize("case", CASES)
def test_statements_parse_with_pglast(prepare, case):
    import pglast

    prep = prepare(case)
    old, new = prep.original_schema, prep.fixed_schema
    migration = diff(old, new)
    assert not migration.empty
    # the API, one statement at a time, both ways, with and without CONCURRENTLY
    for conc in (False, True):
        for sql in statements(migration, concurrently=conc):
            _check_statement(_parse_one(sql), old, new, conc)
        for sql in statements(reverse(migration), concurrently=conc):
            _check_statement(_parse_one(sql), new, old, conc)
    # the files the CLI writes
    up = prep.up_sql()
    assert up == render(migration)
    parsed = pglast.parse_sql(up)
    assert len(parsed) == len(migration.steps)
    for raw in parsed:
        _check_statement(raw.stmt, old, new, False)
    down = (prep.folder() / "down.sql").read_text(encoding="utf-8")
    parsed = pglast.parse_sql(down)
    assert len(parsed) == len(migration.steps)
    for raw in parsed:
        _check_statement(raw.stmt, new, old, False)
    # CREATE and DROP statements of the fixes are all there, once each
    creates = {(s.index.schema or "public", s.index.name) for s in migration.steps if s.action == "create"}
    drops = {(s.index.schema or "public", s.index.name) for s in migration.steps if s.action == "drop"}
    old_keys, new_keys = set(expected_shapes(old)), set(expected_shapes(new))
    assert new_keys - old_keys <= creates
    assert old_keys - new_keys <= drops


# =============================================================================================
# --concurrently
# =============================================================================================
CONCURRENT_CASES = ["seed000", "example", "multifile", "quoted"]


def _statement_kinds(sql: str) -> list[str]:
    import pglast

    return [type(r.stmt).__name__ for r in pglast.parse_sql(sql)]


@pytest.mark.parametrize("case", CONCURRENT_CASES)
def test_concurrently_one_statement_per_migration(postgres, prepare, tmp_path, case):
    import psycopg

    prep = prepare(case)
    migration = diff(prep.original_schema, prep.fixed_schema)
    assert len(migration.steps) >= 2, "pick a schema whose migration has several steps"
    out = tmp_path / "migrations"
    proc = run_cli("migrate", str(prep.original), "--out", str(out), "--concurrently", "--unsafe-fixes")
    assert proc.returncode == 0, proc.stderr
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == len(migration.steps)
    assert len({f.name[:14] for f in folders}) == len(folders), "migration timestamps must differ"

    ups, downs = [], []
    for folder in folders:
        up = (folder / "migration.sql").read_text(encoding="utf-8")
        down = (folder / "down.sql").read_text(encoding="utf-8")
        for sql in (up, down):
            stmt = _parse_one(sql)
            if type(stmt).__name__ in ("IndexStmt", "DropStmt"):
                assert stmt.concurrent, f"{folder.name}: no CONCURRENTLY in\n{sql}"
                assert len(re.findall(r"\bCONCURRENTLY\b", sql)) == 1
        _check_statement(_parse_one(up), prep.original_schema, prep.fixed_schema, True)
        ups.append(up)
        downs.append(down)

    db = build(postgres, prep.original_schema)
    reference_db = build(postgres, prep.fixed_schema)
    with postgres.connect(reference_db) as conn:
        reference = definitions(catalog(conn))
    with postgres.connect(db) as conn:  # autocommit: each file runs outside a transaction
        before = definitions(catalog(conn))
        for sql in ups:
            conn.execute(sql)
        assert definitions(catalog(conn)) == reference
        for sql in reversed(downs):
            conn.execute(sql)
        assert definitions(catalog(conn)) == before

        # the same statements as one migration file: Prisma runs it in a transaction, and
        # PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY there
        combined = run_cli("migrate", str(prep.original), "--stdout", "--concurrently", "--unsafe-fixes")
        assert combined.returncode == 0, combined.stderr
        assert _statement_kinds(combined.stdout) == [type(_parse_one(u)).__name__ for u in ups]
        with pytest.raises(psycopg.errors.ActiveSqlTransaction, match="cannot run inside a transaction block"):
            with conn.transaction():
                conn.execute(combined.stdout)
        assert definitions(catalog(conn)) == before


NAME_IN_USE = """\
datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int    @id
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([title, authorId], map: "Post_authorId_idx")
}
"""


def test_migration_keeps_an_index_whose_name_a_new_index_would_take(postgres, tmp_path):
    """The missing foreign-key index on Post(authorId) gets Prisma's default name
    `Post_authorId_idx`, which the schema already gives (map:) to the index on (title, authorId).
    The migration must add an index on (authorId) and keep the one on (title, authorId)."""
    path = tmp_path / "schema.prisma"
    path.write_text(NAME_IN_USE, encoding="utf-8")
    proc = run_cli("migrate", str(path), "--stdout")
    assert proc.returncode == 0, proc.stderr
    db = build(postgres, load_schema(path).schema)
    with postgres.connect(db) as conn:
        conn.execute(proc.stdout)
        shapes = [shape for shape, _ in catalog(conn).values() if shape.table == "Post"]
    columns = sorted(s.columns for s in shapes)
    assert ("title", "authorId") in columns, f"the migration dropped the index on (title, authorId):\n{proc.stdout}"
    assert any(c[0] == "authorId" for c in columns), columns


# =============================================================================================
# the cost of a missing foreign-key index, shown by PostgreSQL's planner
# =============================================================================================
TRIGGER_QUERIES = {
    # what the foreign key's triggers run when a User row is deleted (RI_FKey_* in ri_triggers.c)
    "fk_check": 'SELECT 1 FROM ONLY "Post" x WHERE "authorId" = $1 FOR KEY SHARE OF x',
    "fk_cascade": 'DELETE FROM ONLY "Post" WHERE "authorId" = $1',
    # and a plain lookup of a user's posts
    "lookup": 'SELECT * FROM "Post" WHERE "authorId" = $1',
}
SEQ_SCAN = re.compile(r'Seq Scan on "?Post"?')


def _plans(conn) -> dict[str, str]:
    out = {}
    conn.execute("SET plan_cache_mode = force_generic_plan")
    for name, sql in TRIGGER_QUERIES.items():
        conn.execute(f"PREPARE {name}(int) AS {sql}")
        rows = conn.execute(f"EXPLAIN EXECUTE {name}(1)").fetchall()
        out[name] = "\n".join(r[0] for r in rows)
        conn.execute(f"DEALLOCATE {name}")
    return out


def test_explain_shows_the_fk_index_at_work(postgres, tmp_path):
    path = tmp_path / "schema.prisma"
    path.write_text(FK_SCAN, encoding="utf-8")
    schema = load_schema(path).schema
    proc = run_cli("migrate", str(path), "--stdout")
    assert proc.returncode == 0, proc.stderr
    migration = proc.stdout
    assert 'CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");' in migration

    db = build(postgres, schema)
    with postgres.connect(db) as conn:
        conn.execute("""INSERT INTO "User" (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 1000) g""")
        conn.execute(
            """INSERT INTO "Post" (title, "authorId") SELECT 'post ' || g, 1 + (g % 1000) FROM generate_series(1, 50000) g"""
        )
        conn.execute("ANALYZE")
        before = _plans(conn)
        for name, plan in before.items():
            assert "$1" in plan, f"{name}: not a generic plan:\n{plan}"
            assert SEQ_SCAN.search(plan), f"{name} before the migration:\n{plan}"
            assert "Post_authorId_idx" not in plan

        conn.execute(migration)
        conn.execute("ANALYZE")
        after = _plans(conn)
        used = re.compile(r'(Index Scan|Index Only Scan) using "?Post_authorId_idx"?|Bitmap Index Scan on "?Post_authorId_idx"?')
        for name, plan in after.items():
            assert used.search(plan), f"{name} after the migration:\n{plan}"
            assert not SEQ_SCAN.search(plan), f"{name} after the migration:\n{plan}"

        # and the cascade really is served by it: deleting a user removes its 50 posts
        conn.execute('DELETE FROM "User" WHERE id = 7')
        assert conn.execute('SELECT count(*) FROM "Post" WHERE "authorId" = 7').fetchone()[0] == 0
        assert conn.execute('SELECT count(*) FROM "Post"').fetchone()[0] == 50000 - 50


# =============================================================================================
# agreement with Prisma: Prisma's database + prisma-lint's migration = Prisma's fixed schema
# =============================================================================================
CORPUS_PICKS = [
    "teableio__teable__packages__db-main-prisma__prisma__postgres__schema.prisma",  # @@map / @map everywhere
    "jitsucom__jitsu__webapps__console__prisma__schema.prisma",  # composite @@id keys
    "formbricks__formbricks__packages__database__schema",  # a multi-file folder
    "calcom__cal.com__packages__prisma__schema.prisma",  # large
    "elie222__inbox-zero__apps__web__prisma__schema.prisma",  # Gin with ops, sort orders
    "prisma__prisma__packages__client__tests__e2e__multi-schema-with-external__prisma__schema.prisma",  # @@schema
]
AGREEMENT = [f"seed:{s}" for s in SEEDS] + [f"corpus:{c}" for c in CORPUS_PICKS]

@dataclass
class Agreement:
    migration: subprocess.CompletedProcess
    drift: Optional[subprocess.CompletedProcess] = None
    prisma_sql: Optional[subprocess.CompletedProcess] = None
    error: Optional[str] = None


def _agreement_jobs(postgres, oracle, tmp_path_factory) -> dict[str, callable]:
    """For each schema: Prisma's SQL for the original, then prisma-lint's migration, then
    Prisma's engine compares the database with the fixed schema."""
    available = [k for k in AGREEMENT if not k.startswith("corpus:") or (CORPUS / k.split(":", 1)[1]).exists()]
    workdirs = {key: tmp_path_factory.mktemp("agree") for key in available}  # not in the threads

    def job(key: str) -> Agreement:
        kind, name = key.split(":", 1)
        source = FIXTURES / "seeds" / name / "schema.prisma" if kind == "seed" else CORPUS / name
        work = workdirs[key]
        original = prisma7_copy(source, work / "original")
        fixed = prisma7_copy(source, work / "fixed")
        proc = run_cli("check", "--unsafe-fixes", "--no-color", str(fixed))
        if proc.returncode not in (0, 1):
            return Agreement(proc, error=f"check --unsafe-fixes failed: {proc.stderr}")
        migration = run_cli("migrate", str(original), "--stdout", "--unsafe-fixes")
        if migration.returncode != 0:
            return Agreement(migration, error=f"prisma-lint migrate exited {migration.returncode}: {migration.stderr}")
        db = postgres.new_database()
        url = postgres.url(db)
        prisma_sql = migrate_diff(oracle, "--from-empty", "--to-schema", str(original), "--url", url)
        if prisma_sql.returncode != 0:
            return Agreement(migration, prisma_sql=prisma_sql, error=f"Prisma's SQL: {prisma_sql.stderr[-2000:]}")
        with postgres.connect(db) as conn:
            conn.execute(prisma_sql.stdout)
            if migration.stdout.strip():
                conn.execute(migration.stdout)
        drift = migrate_diff(oracle, "--from-db", "--to-schema", str(fixed), "--url", url, "--exit-code")
        return Agreement(migration, drift=drift, prisma_sql=prisma_sql)

    return {key: functools.partial(job, key) for key in available}


@pytest.mark.oracle
@pytest.mark.parametrize("key", AGREEMENT)
def test_prisma_sees_no_drift_after_the_migration(engine, key):
    kind, name = key.split(":", 1)
    if kind == "corpus":
        need((CORPUS / name).exists(), f"the corpus schema {name}")
        row = manifest_rows().get(name, {})
        assert row.get("provider") in ("postgresql", "postgres") and row.get("prisma7_validates") == "yes", row
    result = engine[f"agree:{key}"]
    if isinstance(result, Exception):
        raise result
    assert result.error is None, result.error
    assert result.migration.stdout.strip(), f"{key}: prisma-lint found no index fix to migrate"
    drift = result.drift
    assert drift.returncode == 0, (
        f"{key}: after prisma-lint's migration the database differs from the fixed schema "
        f"(migrate-diff exit {drift.returncode}); Prisma would run:\n{drift.stdout[-3000:]}\n{drift.stderr[-2000:]}"
    )
