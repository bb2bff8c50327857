"""redundant-index, boolean-index, low-cardinality-index, composite-order and the other rules."""

import pytest
from helpers import PG, datasource, lint_text, summarize


def model(body: str, name: str = "Item") -> str:
    return f"model {name} {{\n{body}\n}}\n"


ITEM_FIELDS = """  id        Int      @id @default(autoincrement())
  email     String   @unique
  name      String
  slug      String
  active    Boolean  @default(true)
  archived  Boolean  @default(false)
  status    Status   @default(A)
  kind      Kind     @default(K1)
  createdAt DateTime @default(now())
  tags      String[]
  meta      Json?
  score     Int
"""
ENUMS = """enum Status {
  A
  B
  C
}
enum Kind {
  K1
  K2
  K3
  K4
  K5
  K6
}
"""


def item(*attrs: str) -> str:
    return PG + ENUMS + model(ITEM_FIELDS + "\n".join("  " + a for a in attrs))


# -- redundant-index ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "attrs,redundant",
    [
        (["@@index([email])"], ("email",)),  # equal to @unique
        (["@@index([name])", "@@index([name, slug])"], ("name",)),  # prefix of a longer index
        (["@@unique([name, slug])", "@@index([name])"], ("name",)),  # prefix of a unique
        (["@@index([id])"], ("id",)),  # equal to @id
        (["@@index([name, slug])", "@@index([name, slug], map: \"again\")"], ("name", "slug")),
        # a Hash index on a column a B-tree leads: equality is served either way
        (["@@index([name], type: Hash)", "@@index([name, slug])"], ("name",)),
        (["@@index([email], type: Hash)"], ("email",)),  # @unique leads with it
        # single-column indexes that differ only in sort direction: a B-tree scans both ways
        (["@@index([name])", "@@index([name(sort: Desc)], map: \"name_desc\")"], ("name",)),
        (["@@index([email(sort: Desc)])"], ("email",)),
    ],
)
def test_redundant(attrs, redundant):
    findings = lint_text(item(*attrs), ["redundant-index"])
    assert [tuple(f.fields) for f in findings] == [redundant]
    assert findings[0].fix.applicability == "unsafe"


def test_the_later_of_two_identical_indexes_is_reported():
    text = item('@@index([name], map: "first")', '@@index([name], map: "second")')
    (f,) = lint_text(text, ["redundant-index"])
    assert 'map: "second"' in f.span.text


@pytest.mark.parametrize(
    "attrs",
    [
        ["@@index([slug, name])", "@@index([name, slug])"],  # not a prefix
        ["@@index([name(sort: Desc)])", "@@index([name, slug])"],  # another sort
        ["@@index([name], type: Hash)", "@@index([slug, name])"],  # the B-tree does not lead with it
        ["@@index([name], type: Hash)", "@@index([name], type: Gin, map: \"name_gin\")"],  # not a B-tree
        ["@@index([name], where: raw(\"active\"))", "@@index([name, slug])"],  # partial vs full
        ["@@unique([name])", "@@unique([name, slug])"],  # a unique constraint is never reported
        ["@@index([name, slug])"],
        ["@@fulltext([name], map: \"name_ft\")", "@@index([name])"],
    ],
)
def test_not_redundant(attrs):
    if any("fulltext" in a for a in attrs):
        text = datasource("mysql") + ENUMS.replace("", "") + model(ITEM_FIELDS.replace("  tags      String[]\n", "") + "\n".join("  " + a for a in attrs))
    else:
        text = item(*attrs)
    assert lint_text(text, ["redundant-index"]) == []


def test_partial_indexes_compare_only_with_the_same_predicate():
    text = item('@@index([name], where: raw("active"))', '@@index([name, slug], where: raw("active"))')
    assert [tuple(f.fields) for f in lint_text(text, ["redundant-index"])] == [("name",)]


# -- boolean-index and low-cardinality-index -------------------------------------------------------
def test_boolean_index():
    findings = lint_text(item("@@index([active])", "@@index([active, archived])", "@@index([active, name])"), ["boolean-index"])
    assert summarize(findings) == [("boolean-index", "Item", ("active",)), ("boolean-index", "Item", ("active", "archived"))]


def test_boolean_partial_index_is_fine():
    assert lint_text(item('@@index([active], where: raw("active"))'), ["boolean-index"]) == []


def test_low_cardinality_index():
    text = item("@@index([status])", "@@index([status, active])", "@@index([kind])", "@@index([active])", "@@index([status, name])")
    findings = lint_text(text, ["low-cardinality-index"])
    # Kind has 6 values (> 5): not low-cardinality; Boolean-only is boolean-index's
    assert summarize(findings) == [
        ("low-cardinality-index", "Item", ("status",)),
        ("low-cardinality-index", "Item", ("status", "active")),
    ]


def test_low_cardinality_threshold_is_an_option():
    text = item("@@index([kind])")
    assert lint_text(text, ["low-cardinality-index"]) == []
    findings = lint_text(text, ["low-cardinality-index"], config={"max-enum-values": 6})
    assert summarize(findings) == [("low-cardinality-index", "Item", ("kind",))]


# -- composite-order -------------------------------------------------------------------------------
ORDER_SCHEMA = PG + ENUMS + """
enum Stage {
  S1
  S2
  S3
  S4
  S5
  S6
  S7
}
model User {
  id     String  @id @db.Uuid
  orders Order[]
}
model Order {
  id         Int      @id @default(autoincrement())
  customerId String   @db.Uuid
  customer   User     @relation(fields: [customerId], references: [id])
  status     Status
  paid       Boolean
  sku        String
  n          Int
  stage      Stage
  createdAt  DateTime
  %s
}
"""


@pytest.mark.parametrize(
    "attr,order",
    [
        ("@@index([createdAt, customerId])", ["customerId", "createdAt"]),
        ("@@index([status, customerId])", ["customerId", "status"]),
        ("@@index([paid, sku])", ["sku", "paid"]),
        ("@@index([status, createdAt, customerId])", ["customerId", "status", "createdAt"]),
    ],
)
def test_composite_order_reports_and_suggests(attr, order):
    findings = lint_text(ORDER_SCHEMA % attr, ["composite-order"])
    assert len(findings) == 1
    assert findings[0].fix.schema_line == f"@@index([{', '.join(order)}])"
    # without the app's queries the order is a guess: never a safe fix
    assert findings[0].fix.applicability == "unsafe"
    assert f"order it [{', '.join(order)}]" in findings[0].help


@pytest.mark.parametrize(
    "attr",
    [
        "@@index([status, createdAt])",  # low-cardinality then range: a good index
        "@@index([customerId, createdAt])",
        "@@index([customerId, status, createdAt])",
        "@@index([sku, createdAt])",
        "@@index([status, createdAt, id])",  # trailing id: a tiebreaker
        "@@index([customerId, createdAt, sku])",  # a string after the range may be covering
        # documenso's inbox index: a selective lead, then a range, then a covering column
        "@@index([sku, createdAt, customerId])",
        # dub's admin index: after the range, a low-cardinality and a number column (covering)
        "@@index([createdAt, status, customerId, n])",
        # someone chose the order: an explicit name, a comment on the line or above it
        '@@index([createdAt, customerId], map: "orders_by_date")',
        '@@index([status, customerId], name: "by_status")',
        "@@index([status, customerId]) // for the admin dashboard",
        "// the cron query binds status\n  @@index([status, customerId])",
        # an exact duplicate of a unique constraint: redundant-index reports it (cal.com 1854)
        "@@unique([status, sku])\n  @@index([status, sku])",
        # lookups on the selective column are already served (nextcrm 259, dub commission 57)
        "@@index([customerId])\n  @@index([status, customerId])",
        # the new order would duplicate another index
        "@@index([sku, paid, n])\n  @@index([paid, sku])",
        # two enums bound by equality, the second one a 7-value enum (dub campaign 43)
        "@@index([status, stage, createdAt])",
        "@@index([stage, customerId])",
    ],
)
def test_composite_order_quiet_on_good_orders(attr):
    assert lint_text(ORDER_SCHEMA % attr, ["composite-order"]) == []


QUEUE = PG + """
model Tenant {
  id    String      @id @db.Uuid
  items QueueItem[]
}
model QueueItem {
  id        BigInt  @id @default(autoincrement())
  isQueued  Boolean
  tenantId  String  @db.Uuid
  queue     String
  priority  Int
  tenant    Tenant  @relation(fields: [tenantId], references: [id])

  %s
}
"""


@pytest.mark.parametrize(
    "attr",
    [
        "@@index([isQueued, tenantId, queue, priority(sort: Desc), id])",  # hatchet 1394 / 1420
        "@@index([isQueued, tenantId, queue, id])",  # the ordered tail is the primary key
    ],
)
def test_composite_order_quiet_on_the_queue_pattern(attr):
    assert lint_text(QUEUE % attr, ["composite-order"]) == []


def test_composite_order_still_reports_a_flag_before_one_selective_column():
    (f,) = lint_text(QUEUE % "@@index([isQueued, tenantId])", ["composite-order"])
    assert f.fix.applicability == "unsafe"
    assert f.fix.schema_line == "@@index([tenantId, isQueued])"


def test_composite_order_says_when_the_new_order_covers_a_foreign_key():
    (f,) = lint_text(ORDER_SCHEMA % "@@index([createdAt, customerId])", ["composite-order"])
    assert "covers the foreign key (customerId)" in f.help


@pytest.mark.parametrize("corpus_schema,line", [
    ("calcom__cal.com__packages__prisma__schema.prisma", 1854),
    ("dubinc__dub__apps__web__prisma__schema/commission.prisma", 57),
    ("dubinc__dub__apps__web__prisma__schema/campaign.prisma", 43),
])
def test_composite_order_is_silent_where_the_review_found_it_wrong(corpus, corpus_schema, line):
    from conftest import CORPUS
    from helpers import lint_loaded

    from prisma_lint.frontends.prisma.loader import load_schema

    top = corpus_schema.split("/")[0]
    findings = lint_loaded(load_schema(CORPUS / top), ["composite-order"])
    assert not [f for f in findings if f.file.endswith(corpus_schema.split("/")[-1]) and f.line == line]


def test_range_types_option():
    text = ORDER_SCHEMA.replace("sku        String", "sku        String\n  price      Float") % "@@index([price, customerId])"
    assert lint_text(text, ["composite-order"]) == []
    findings = lint_text(text, ["composite-order"], config={"rules": {"composite-order": {"range-types": ["DateTime", "Float"]}}})
    assert [f.fix.schema_line for f in findings] == ["@@index([customerId, price])"]


# -- too-many-indexes, btree-on-json-or-list, identifier-too-long, fk-type-mismatch -----------------
def test_too_many_indexes():
    attrs = [f"@@index([{f}])" for f in ("name", "slug", "createdAt", "score", "status", "active", "archived", "kind")]
    assert lint_text(item(*attrs), ["too-many-indexes"]) == []
    findings = lint_text(item(*attrs, "@@index([name, slug])"), ["too-many-indexes"])
    assert summarize(findings) == [("too-many-indexes", "Item", ())]
    assert findings[0].message == "`Item` has 9 optional indexes, more than 8"
    assert lint_text(item(*attrs), ["too-many-indexes"], config={"max-indexes": 7})


def test_too_many_indexes_counts_neither_uniques_nor_the_index_a_foreign_key_needs():
    text = PG + """
model Owner {
  id    Int    @id
  items Item[]
}
model Item {
  id      Int    @id
  ownerId Int
  owner   Owner  @relation(fields: [ownerId], references: [id])
  a       String
  b       String
  c       String
  d       String
  e       String
  f       String
  g       String
  h       String
  @@unique([a, b])
  @@unique([c])
  @@index([ownerId])
  @@index([a])
  @@index([b])
  @@index([c, d])
  @@index([d])
  @@index([e])
  @@index([f])
  @@index([g])
  @@index([h])
}
"""
    # 9 @@index lines, one of them the foreign key's: 8 counted, not more than 8
    assert lint_text(text, ["too-many-indexes"]) == []
    (f,) = lint_text(text.replace("@@index([h])", "@@index([h])\n  @@index([a, h])"), ["too-many-indexes"])
    assert "9 optional indexes" in f.message
    # a second index led by the key counts: only the first serves the key
    (g,) = lint_text(text.replace("@@index([h])", "@@index([h])\n  @@index([ownerId, a])"), ["too-many-indexes"])
    assert "9 optional indexes" in g.message


def test_btree_on_json_or_list():
    text = item("@@index([tags])", "@@index([meta])", '@@index([tags(ops: ArrayOps)], type: Gin, map: "tags_gin")')
    findings = lint_text(text, ["btree-on-json-or-list"])
    assert summarize(findings) == [("btree-on-json-or-list", "Item", ("meta",)), ("btree-on-json-or-list", "Item", ("tags",))]
    assert "type: Gin" in findings[0].help


def test_identifier_too_long_for_mapped_table_and_truncated_collisions():
    long_table = "t" * 70
    text = PG + f"""
model A {{
  id Int @id
  @@map("{long_table}")
}}
model B {{
  id Int @id
  a_very_long_column_name_that_goes_on_and_on_and_on_and_on_and_on_1 Int
  a_very_long_column_name_that_goes_on_and_on_and_on_and_on_and_on_2 Int
  @@index([a_very_long_column_name_that_goes_on_and_on_and_on_and_on_and_on_1])
  @@index([a_very_long_column_name_that_goes_on_and_on_and_on_and_on_and_on_2])
}}
"""
    findings = lint_text(text, ["identifier-too-long"])
    rules = [(f.model, f.severity) for f in findings]
    assert ("A", "error") in rules
    collisions = [f for f in findings if "collides" in f.message]
    assert len(collisions) == 1 and collisions[0].fields == ["a_very_long_column_name_that_goes_on_and_on_and_on_and_on_and_on_2"]


def test_fk_type_mismatch():
    text = PG + """
model User {
  id    String @id @db.Uuid
  posts Post[]
}
model Post {
  id       Int    @id
  authorId String @db.VarChar(36)
  author   User   @relation(fields: [authorId], references: [id])
  @@index([authorId])
}
"""
    findings = lint_text(text, ["fk-type-mismatch"])
    assert summarize(findings) == [("fk-type-mismatch", "Post", ("authorId",))]
    assert "Uuid" in findings[0].message and "VarChar" in findings[0].message
    same = text.replace("@db.VarChar(36)", "@db.Uuid")
    assert lint_text(same, ["fk-type-mismatch"]) == []
    text_family = text.replace("@db.Uuid", "").replace("@db.VarChar(36)", "@db.VarChar(191)")
    assert lint_text(text_family, ["fk-type-mismatch"]) == []  # text and varchar compare without a cast


def test_index_messages_are_one_sentence_and_fit_the_provider():
    one = PG + "enum Only {\n  X\n}\nmodel T {\n  id Int @id\n  o  Only\n  b  Boolean\n  @@index([o])\n  @@index([b])\n}\n"
    low = next(f for f in lint_text(one, ["low-cardinality-index"]))
    assert low.message == "`@@index([o])` indexes only low-cardinality columns (o: 1 value), which the planner rarely uses"
    assert "partial index" in low.help
    flag = next(f for f in lint_text(one, ["boolean-index"]))
    assert flag.message == "`@@index([b])` indexes only Boolean columns, which the planner rarely uses"
    assert "where: raw" in flag.help
    mysql = one.replace('provider = "postgresql"', 'provider = "mysql"')
    for f in lint_text(mysql, ["low-cardinality-index", "boolean-index"]):
        assert "partial" not in f.help and "where:" not in f.help, f.help  # MySQL has no partial indexes
    for f in lint_text(item("@@index([email])", "@@index([name])", "@@index([name, slug])"), ["redundant-index"]):
        assert f.message.count(":") == 1 and ";" not in f.message, f.message
