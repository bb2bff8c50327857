"""Default database names: prisma_lint's names equal the ones in the SQL Prisma generates.

Prisma's default names (``{table}_pkey``, ``{table}_{cols}_key`` / ``_idx`` / ``_fkey``, the
implicit many-to-many join table ``_AToB`` with ``_AToB_AB_pkey`` and ``_AToB_B_index``, all cut
to 63 bytes on PostgreSQL) are not in the DMMF; the reference is the SQL of
``node migrate-diff.js --from-empty --to-schema SCHEMA`` (Prisma's own schema engine, see
../shared/prisma-oracle), run against a fresh database of the throwaway PostgreSQL.

Every migrate-diff call takes several seconds, so all of them run in parallel, once per module.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, need, prisma7_copy

from prisma_lint.frontends.prisma.loader import load_schema

pytestmark = [pytest.mark.oracle, pytest.mark.postgres]

# ---------------------------------------------------------------------------------------------
# the schemas
# ---------------------------------------------------------------------------------------------
MAPS = """\
datasource db {
  provider = "postgresql"
}

enum Role {
  ADMIN  @map("admin")
  MEMBER @map("member")

  @@map("role_kind")
}

model Account {
  id        Int      @id @default(autoincrement()) @map("account_id")
  email     String   @unique @map("email_address")
  tenantId  Int      @map("tenant_id")
  handle    String
  role      Role     @default(MEMBER)
  createdAt DateTime @default(now()) @map("created_at")
  profile   Profile?
  authored  Post[]   @relation("Authored")
  edited    Post[]   @relation("Edited")

  @@unique([tenantId, handle])
  @@unique([tenantId, email], name: "tenantEmail")
  @@index([tenantId, createdAt(sort: Desc)])
  @@index([handle], map: "custom_handle_idx")
  @@map("accounts")
}

model Profile {
  accountId Int     @id @map("account_ref")
  bio       String?
  account   Account @relation(fields: [accountId], references: [id], onDelete: Cascade)

  @@map("profiles")
}

model Post {
  authorTenant Int      @map("author_tenant")
  authorHandle String   @map("author_handle")
  slug         String
  editorId     Int?     @map("editor")
  author       Account  @relation("Authored", fields: [authorTenant, authorHandle], references: [tenantId, handle])
  editor       Account? @relation("Edited", fields: [editorId], references: [id], map: "post_editor_fk")

  @@id([authorTenant, slug])
  @@unique([slug, authorHandle], map: "post_slug_handle_unique")
  @@index([authorTenant, authorHandle])
}

model Comment {
  postTenant Int
  postSlug   String
  body       String
  line       Int

  @@id([postTenant, postSlug, line], map: "comment_pk")
  @@index([body(ops: raw("text_pattern_ops"))], type: BTree)
}
"""

MANY_TO_MANY = """\
datasource db {
  provider = "postgresql"
}

model Tag {
  id       Int       @id
  name     String
  articles Article[]

  @@map("tags")
}

model Article {
  id         String     @id
  tags       Tag[]
  categories Category[] @relation("ArticleCategories")

  @@map("articles")
}

model Category {
  id       BigInt    @id @map("cat_id")
  articles Article[] @relation("ArticleCategories")
}

model Person {
  id       Int      @id
  friends  Person[] @relation("Friends")
  friendOf Person[] @relation("Friends")
}
"""

# Names over 63 bytes. The table name is 61 bytes but far fewer characters; Invoice's `_key` and
# `_idx` names are cut inside `ル` (3 bytes) and ThisModel...'s `_fkey` name inside `é` (2 bytes),
# so a cut that counts characters, or cuts bytes without stepping back to a character boundary,
# gives a different name. The long relation name makes the join table's own names overflow.
LONG_NAMES = """\
datasource db {
  provider = "postgresql"
}

model Invoice {
  id       Int    @id
  customer String @map("Kundennummer_für_Rechnungsanschrift_日本")
  e        String
  ownerId  Int
  owner    Owner  @relation(fields: [ownerId], references: [id])

  @@unique([customer])
  @@index([e])
  @@map("Bestellungen_und_Rechnungen_für_Kunden_日本語テーブル")
}

model Owner {
  id       Int                                                       @id
  invoices Invoice[]
  things   ThisModelNameIsQuiteLongSoThatEveryDefaultNameOverflows[]
  groups   Group[]                                                   @relation("ThisRelationNameIsLongEnoughThatTheJoinTableIndexNamesOverflow")
}

model ThisModelNameIsQuiteLongSoThatEveryDefaultNameOverflows {
  id         Int    @id
  ownerRefId Int    @map("référence_du_propriétaire_élève")
  café       String @map("café_crème_éèêë")
  owner      Owner  @relation(fields: [ownerRefId], references: [id])

  @@unique([café])
  @@index([ownerRefId, café])
}

model Group {
  id     Int     @id
  owners Owner[] @relation("ThisRelationNameIsLongEnoughThatTheJoinTableIndexNamesOverflow")
}
"""

HAND_WRITTEN = {"maps": MAPS, "many_to_many": MANY_TO_MANY, "long_names": LONG_NAMES}
CORPUS_CASES = {
    "calcom": "calcom__cal.com__packages__prisma__schema.prisma",  # big single file, @map, m-n
    "formbricks_multi_file": "formbricks__formbricks__packages__database__schema",  # multi-file folder
    "teable_maps": "teableio__teable__packages__db-main-prisma__prisma__postgres__schema.prisma",  # @@map everywhere
}
CASES = [*HAND_WRITTEN, *CORPUS_CASES]

# ---------------------------------------------------------------------------------------------
# running Prisma (all cases at once)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(oracle, postgres, tmp_path_factory) -> dict[str, dict]:
    """case -> {path: the schema Prisma saw, sql | error}: one migrate-diff per case, in parallel."""
    base = tmp_path_factory.mktemp("prisma-names")
    paths: dict[str, Path] = {}
    for case, text in HAND_WRITTEN.items():
        p = base / f"{case}.prisma"
        p.write_text(text, encoding="utf-8")
        paths[case] = p
    for case, name in CORPUS_CASES.items():
        src = CORPUS / name
        if not src.exists():
            continue
        paths[case] = prisma7_copy(src, base)
    out: dict[str, dict] = {}
    for case, (returncode, stdout, stderr) in oracle.sql_from_empty(paths, postgres).items():
        result = {"path": paths[case]}
        if returncode == 0 and "CREATE TABLE" in stdout:
            result["sql"] = stdout
        else:
            result["error"] = f"migrate-diff exited {returncode}:\n{stderr[-3000:]}\n{stdout[-1000:]}"
        out[case] = result
    return out


# ---------------------------------------------------------------------------------------------
# the names, as rows (table, kind, columns, name)
# ---------------------------------------------------------------------------------------------
_IDENT = r'"((?:[^"]|"")*)"'
_QUAL = rf"(?:{_IDENT}\.)?{_IDENT}"
_CREATE_TABLE = re.compile(rf"^CREATE TABLE {_QUAL} \(")
_PKEY = re.compile(rf"^\s*CONSTRAINT {_IDENT} PRIMARY KEY \(([^)]*)\)", re.M)
_CREATE_INDEX = re.compile(rf"^CREATE (UNIQUE )?INDEX {_IDENT} ON {_QUAL}(?: USING \w+)? ?\((.*)\)$", re.S)
_FOREIGN_KEY = re.compile(rf"^ALTER TABLE {_QUAL} ADD CONSTRAINT {_IDENT} FOREIGN KEY \(([^)]*)\) REFERENCES")


def _unquote(s: str) -> str:
    return s.replace('""', '"')


def _columns(text: str) -> tuple[str, ...]:
    return tuple(_unquote(c) for c in re.findall(_IDENT, text))


def _statements(sql: str):
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    for stmt in re.split(r";[ \t]*$", body, flags=re.M):
        stmt = stmt.strip()
        if stmt:
            yield stmt


def sql_rows(sql: str) -> tuple[list[tuple], set[str]]:
    """(rows, join tables): rows are (table, kind, columns, name) for every primary key, unique
    index, index and foreign key; foreign keys of join tables are left out (prisma_lint does not
    model them)."""
    rows: list[tuple] = []
    join_tables: set[str] = set()
    fks: list[tuple] = []
    for stmt in _statements(sql):
        if m := _CREATE_TABLE.match(stmt):
            table = _unquote(m.group(2))
            if pk := _PKEY.search(stmt):
                cols = _columns(pk.group(2))
                rows.append((table, "primary key", cols, _unquote(pk.group(1))))
                if table.startswith("_") and cols == ("A", "B"):
                    join_tables.add(table)
        elif m := _CREATE_INDEX.match(stmt):
            kind = "unique index" if m.group(1) else "index"
            rows.append((_unquote(m.group(4)), kind, _columns(m.group(5)), _unquote(m.group(2))))
        elif m := _FOREIGN_KEY.match(stmt):
            fks.append((_unquote(m.group(2)), "foreign key", _columns(m.group(4)), _unquote(m.group(3))))
    rows += [r for r in fks if r[0] not in join_tables]
    rows += [(t, "join table", ("A", "B"), t) for t in join_tables]
    return rows, join_tables


_KIND = {"id": "primary key", "unique": "unique index", "index": "index", "fulltext": "index"}


def lint_rows(schema) -> list[tuple]:
    rows: list[tuple] = []
    for m in schema.models.values():
        if m.kind != "model":  # views are not created by migrations
            continue
        for i in m.indexes:
            rows.append((m.db_name, _KIND[i.kind], tuple(c.db_name for c in i.columns), i.db_name))
    for r in schema.relations:
        if r.kind == "m-n":
            jt = r.join_table
            if jt is not None:
                rows.append((jt.db_name, "join table", ("A", "B"), jt.db_name))
                for i in jt.indexes:
                    rows.append((jt.db_name, _KIND[i.kind], tuple(c.db_name for c in i.columns), i.db_name))
            continue
        if schema.relation_mode == "prisma":
            continue
        holder = schema.models[r.model]
        rows.append((holder.db_name, "foreign key", tuple(holder.fields[f].db_name for f in r.fields), r.db_name))
    return rows


def diff(prisma_rows: list[tuple], ours: list[tuple]) -> list[str]:
    a, b = Counter(prisma_rows), Counter(ours)
    only_prisma = sorted((a - b).elements())
    only_lint = sorted((b - a).elements())
    out = []
    for r in list(only_prisma):
        twin = next((x for x in only_lint if x[:3] == r[:3]), None)
        if twin is not None:
            only_lint.remove(twin)
            out.append(
                f"  ~ {r[1]} on {r[0]}({', '.join(r[2])}): Prisma {r[3]!r} ({len(r[3].encode())} bytes), "
                f"prisma_lint {twin[3]!r} ({len(twin[3].encode())} bytes)"
            )
        else:
            out.append(f"  - only in Prisma's SQL:  {r[1]} {r[3]!r} on {r[0]}({', '.join(r[2])})")
    out += [f"  + only in prisma_lint:   {r[1]} {r[3]!r} on {r[0]}({', '.join(r[2])})" for r in only_lint]
    return out


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES)
def test_default_names_match_prisma(generated, case):
    if case in CORPUS_CASES:
        need((CORPUS / CORPUS_CASES[case]).exists(), f"the corpus schema {CORPUS_CASES[case]}")
    result = generated[case]
    assert "sql" in result, f"{case}: Prisma's migrate-diff failed: {result.get('error')}"
    loaded = load_schema(result["path"])
    errors = [d.render() for d in loaded.diagnostics if d.severity == "error"]
    assert not errors, f"{case}: prisma_lint reports errors on a schema Prisma accepts:\n" + "\n".join(errors)
    expected, _ = sql_rows(result["sql"])
    assert expected, f"{case}: no constraint names found in Prisma's SQL:\n{result['sql'][:2000]}"
    problems = diff(expected, lint_rows(loaded.schema))
    assert not problems, f"{case}: database names differ from Prisma's SQL\n" + "\n".join(problems)


def test_many_to_many_shape(generated):
    """The implicit and named m-n relations give exactly the join tables Prisma creates."""
    result = generated["many_to_many"]
    assert "sql" in result, result.get("error")
    _, join_tables = sql_rows(result["sql"])
    assert join_tables == {"_ArticleToTag", "_ArticleCategories", "_Friends"}, join_tables
    schema = load_schema(result["path"]).schema
    ours = {r.join_table.db_name for r in schema.relations if r.kind == "m-n" and r.join_table is not None}
    assert ours == join_tables


def test_long_names_exercise_character_boundaries():
    """Guard for the LONG_NAMES schema itself: some default names must be cut inside a multibyte
    character, or the test above would not check the step back to a character boundary."""
    cases = [
        ("Bestellungen_und_Rechnungen_für_Kunden_日本語テーブル_e", "_idx"),
        ("Bestellungen_und_Rechnungen_für_Kunden_日本語テーブル_Kundennummer_für_Rechnungsanschrift_日本", "_key"),
        ("ThisModelNameIsQuiteLongSoThatEveryDefaultNameOverflows_référence_du_propriétaire_élève", "_fkey"),
    ]
    for prefix, suffix in cases:
        data = prefix.encode("utf-8")
        cut = 63 - len(suffix)
        assert len(data) > cut, f"{prefix!r} is not cut at all"
        assert (data[cut] & 0xC0) == 0x80, f"{prefix!r}: byte {cut} is not inside a character"
