"""Which index serves a query pattern (prisma_lint.model.serving): the matching the advice
rules and the `queries` command's `served_by` rest on."""

from __future__ import annotations

from pathlib import Path

from helpers import PG, app_queries, load_text

from prisma_lint.engine import migration_indexes
from prisma_lint.frontends.sql.replay import load_sql
from prisma_lint.model.serving import Advisor, served_by

SCHEMA = (
    PG
    + """
enum Role {
  USER
  ADMIN
}

model User {
  id    Int    @id
  email String @unique
  posts Post[]
}

model Post {
  id        Int       @id
  slug      String
  authorId  Int
  author    User      @relation(fields: [authorId], references: [id])
  orgId     Int
  published Boolean
  role      Role
  title     String
  createdAt DateTime
  deletedAt DateTime?
  tags      String[]
  meta      Json?

  @@unique([orgId, slug])
  @@index([authorId, createdAt])
  @@index([title], type: Hash)
  @@index([meta], type: Gin)
  @@index([createdAt], where: raw("\\"deletedAt\\" IS NULL"))
  @@index([orgId], where: raw("published"))
  @@index([slug], where: raw("\\"deletedAt\\" IS NOT NULL"))
  @@index([role], where: raw("role = 'ADMIN'"))
}
"""
)


def served(record: dict, schema: str = SCHEMA, extra=None):
    loaded = load_text(schema)
    (p,) = app_queries([record]).patterns
    return served_by(p, loaded.schema, extra)


def test_unique_covering_every_equality_column_serves_outright():
    assert served({"model": "User", "equals": ["email"]}) == "User_email_key"
    # more filters beside the unique ones: still one row at most
    assert served({"model": "Post", "equals": ["slug", "orgId", "title"], "range": ["createdAt"]}) == "Post_orgId_slug_key"
    assert served({"model": "Post", "equals": ["id", "published"]}) == "Post_pkey"


def test_btree_with_equality_prefix_then_one_range_column():
    assert served({"model": "Post", "equals": ["authorId"], "range": ["createdAt"]}) == "Post_authorId_createdAt_idx"
    assert served({"model": "Post", "equals": ["authorId"]}) == "Post_authorId_createdAt_idx"
    # a range on the second column alone: the index's leading column is unbound
    assert served({"model": "Post", "range": ["createdAt"]}) is None
    # more equality columns than the index holds: its prefix finds the rows, the rest filters
    assert served({"model": "Post", "equals": ["authorId", "slug"]}) == "Post_authorId_createdAt_idx"
    # a prefix of low-cardinality columns only, leaving out a selective one: no lookup
    lowcard = PG + "model T {\n  id Int @id\n  a Boolean\n  b String\n  c DateTime\n  @@index([a, c])\n}\n"
    assert served({"model": "T", "equals": ["a"]}, lowcard) == "T_a_c_idx"
    assert served({"model": "T", "equals": ["a"], "range": ["c"]}, lowcard) == "T_a_c_idx"
    assert served({"model": "T", "equals": ["a", "b"]}, lowcard) is None


def test_low_cardinality_columns_may_be_left_to_a_filter():
    # the author's rows are few: `published` / `role` filter them after the lookup
    assert served({"model": "Post", "equals": ["authorId", "published", "role"]}) == "Post_authorId_createdAt_idx"


def test_hash_serves_a_single_equality_only():
    assert served({"model": "Post", "equals": ["title"]}) == "Post_title_idx"
    assert served({"model": "Post", "range": ["title"]}) is None
    hash_two = PG + "model T {\n  id Int @id\n  a String\n  b String\n  @@index([a], type: Hash)\n}\n"
    assert served({"model": "T", "equals": ["a"]}, hash_two) == "T_a_idx"
    assert served({"model": "T", "equals": ["a", "b"]}, hash_two) == "T_a_idx"
    assert served({"model": "T", "range": ["a"]}, hash_two) is None


def test_gin_json_and_list_columns_serve_no_btree_lookup():
    assert served({"model": "Post", "equals": ["meta"]}) is None
    assert served({"model": "Post", "equals": ["tags"]}) is None


def test_partial_index_counts_only_when_the_query_implies_its_predicate():
    # createdAt range, deletedAt: null -> `"deletedAt" IS NULL` holds for every row wanted
    q = {"model": "Post", "equals": ["deletedAt"], "range": ["createdAt"], "values": {"deletedAt": None}}
    assert served(q) == "Post_createdAt_idx"
    # deletedAt bound to a variable: it may be a date, the predicate is not implied
    assert served({"model": "Post", "equals": ["deletedAt"], "range": ["createdAt"]}) is None
    assert served({"model": "Post", "range": ["createdAt"]}) is None
    # bare Boolean predicate: implied by `published: true`, not by `published: false`
    assert served({"model": "Post", "equals": ["orgId", "published"], "values": {"published": True}}) == "Post_orgId_idx"
    # (the unique index led by orgId serves it then)
    assert served({"model": "Post", "equals": ["orgId", "published"], "values": {"published": False}}) == "Post_orgId_slug_key"
    # IS NOT NULL: implied by an equality to a value, a range, or `not: null`
    assert served({"model": "Post", "equals": ["slug", "deletedAt"]}) == "Post_slug_idx"
    assert served({"model": "Post", "equals": ["slug"], "other": ["deletedAt:not-null"]}) == "Post_slug_idx"
    assert served({"model": "Post", "equals": ["slug"]}) is None
    # `= 'ADMIN'`: implied by that literal only
    assert served({"model": "Post", "equals": ["role"], "values": {"role": "ADMIN"}}) == "Post_role_idx"
    assert served({"model": "Post", "equals": ["role"], "values": {"role": "USER"}}) is None


def test_indexes_created_in_the_migrations_count(tmp_path: Path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    folder = tmp_path / "migrations" / "20240101000000_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text('CREATE INDEX "post_slug_title" ON "Post" ("slug", "title");\n')
    loaded = load_text(SCHEMA)
    extra = migration_indexes(loaded.schema, load_sql(tmp_path / "migrations").schema)
    q = {"model": "Post", "equals": ["slug"], "range": ["createdAt"]}
    assert served(q) is None
    assert served(q, extra=extra) == "post_slug_title"


def test_a_query_that_filters_on_nothing_indexable_is_served_by_nothing():
    assert served({"model": "Post"}) is None
    assert served({"model": "Post", "other": ["title:contains"]}) is None
    assert served({"model": "Nope", "equals": ["id"]}) is None


def test_sorts_needs_equality_columns_then_the_sort_columns_in_one_direction():
    loaded = load_text(
        PG
        + """
model E {
  id        Int      @id
  userId    Int
  createdAt DateTime
  score     Int
  @@index([userId, createdAt])
  @@index([score(sort: Desc), id])
}
"""
    )
    adv = Advisor(loaded.schema)
    model = loaded.schema.models["E"]
    by_user, by_score = model.indexes[1], model.indexes[2]

    def sorts(index, record):
        (p,) = app_queries([{"model": "E", "take": True, **record}]).patterns
        return adv.sorts(model, index, adv.access(p, model))

    assert sorts(by_user, {"equals": ["userId"], "order_by": [["createdAt", "desc"]]})
    assert sorts(by_user, {"equals": ["userId"], "order_by": [["createdAt", "asc"]]})
    assert not sorts(by_user, {"in": ["userId"], "order_by": [["createdAt", "asc"]]})
    assert not sorts(by_user, {"order_by": [["createdAt", "asc"]]})
    assert sorts(by_score, {"order_by": [["score", "desc"], ["id", "asc"]]})
    assert sorts(by_score, {"order_by": [["score", "asc"], ["id", "desc"]]})  # read backwards
    assert not sorts(by_score, {"order_by": [["score", "desc"], ["id", "desc"]]})


def test_mysql_indexes_foreign_keys_itself():
    body = "model A {\n  id Int @id\n  bs B[]\n}\n\nmodel B {\n  id Int @id\n  aId Int\n  a A @relation(fields: [aId], references: [id])\n}\n"
    record = {"model": "B", "equals": ["aId"]}
    assert served(record, PG + body) is None
    mysql = 'datasource db {\n  provider = "mysql"\n}\n\n'
    assert served(record, mysql + body) == "B_aId_fkey"
    emulated = 'datasource db {\n  provider = "mysql"\n  relationMode = "prisma"\n}\n\n'
    assert served(record, emulated + body) is None


def test_an_is_null_prefix_alone_is_no_lookup():
    schema = PG + "model J {\n  id Int @id\n  queue String\n  deletedAt DateTime?\n  @@index([deletedAt])\n}\n"
    assert served({"model": "J", "equals": ["deletedAt", "queue"], "values": {"deletedAt": None}}, schema) is None
    assert served({"model": "J", "equals": ["deletedAt"], "values": {"deletedAt": None}}, schema) == "J_deletedAt_idx"
    assert served({"model": "J", "equals": ["deletedAt", "queue"]}, schema) == "J_deletedAt_idx"
