"""missing-fk-index: positive and negative cases."""

import pytest
from helpers import PG, datasource, lint_loaded, lint_text, load_files, summarize

RULE = ["missing-fk-index"]

USER = """
model User {
  id    Int    @id @default(autoincrement())
  posts Post[]
}
"""


def post(extra: str = "", fk: str = "authorId Int", relation: str = "@relation(fields: [authorId], references: [id])") -> str:
    return f"""
model Post {{
  id       Int  @id @default(autoincrement())
  {fk}
  author   User {relation}
{extra}
}}
"""


def test_unindexed_foreign_key_is_reported_at_the_relation_attribute():
    text = PG + USER + post()
    findings = lint_text(text, RULE)
    assert summarize(findings) == [("missing-fk-index", "Post", ("authorId",))]
    f = findings[0]
    assert f.span.text.startswith("@relation(fields: [authorId]")
    assert f.span.line == text.splitlines().index("  author   User @relation(fields: [authorId], references: [id])") + 1
    assert f.fix is not None and f.fix.applicability == "safe"
    assert f.fix.schema_line == "@@index([authorId])"
    assert "Restrict" in f.message  # the default action for a required relation


def test_cascade_is_named_in_the_cost():
    text = PG + USER + post(relation="@relation(fields: [authorId], references: [id], onDelete: Cascade)")
    (f,) = lint_text(text, RULE)
    assert f.message == "foreign key `Post.author` (authorId) has no index: deleting a `User` row scans `Post` to cascade the delete"
    assert f.help == "add `@@index([authorId])` to model `Post`"
    assert f.data == {"fan_out": 1}


@pytest.mark.parametrize(
    "action,words",
    [
        ("SetNull", "scans `Post` to set (authorId) to NULL (an UPDATE of each match)"),
        ("SetDefault", "scans `Post` to set (authorId) to its default (an UPDATE of each match)"),
        ("Restrict", "or changing its key, scans `Post` to check the foreign key (Restrict)"),
        ("NoAction", "or changing its key, scans `Post` to check the foreign key (NoAction)"),
    ],
)
def test_set_null_and_set_default_are_updates_not_checks(action, words):
    text = PG + USER + post(fk="authorId Int?", relation=f"@relation(fields: [authorId], references: [id], onDelete: {action})").replace("author   User", "author   User?")
    (f,) = lint_text(text, RULE)
    assert f.message.endswith(words), f.message


def test_articles_by_sound():
    from prisma_lint.rules.missing_fk_index import _a

    assert [_a(w) for w in ("Account", "accounts", "User", "Unit", "Update", "Order", "Team")] == [
        "an `Account`", "an `accounts`", "a `User`", "a `Unit`", "an `Update`", "an `Order`", "a `Team`",
    ]


def test_mongodb_does_not_mention_relation_mode():
    text = datasource("mongodb") + """
model User {
  id    String @id @default(auto()) @map("_id") @db.ObjectId
  posts Post[]
}
model Post {
  id       String @id @default(auto()) @map("_id") @db.ObjectId
  authorId String @db.ObjectId
  author   User   @relation(fields: [authorId], references: [id])
}
"""
    (f,) = lint_text(text, RULE)
    assert "relationMode" not in f.message and "emulates" in f.message
    (g,) = lint_text(datasource("postgresql", "prisma") + USER + post(), RULE)
    assert 'relationMode = "prisma"' in g.message


@pytest.mark.parametrize(
    "extra",
    [
        "  @@index([authorId])",
        "  @@index([authorId, id])",
        "  @@unique([authorId, id])",
        "  @@index([authorId(sort: Desc)])",
        "  @@index([authorId], type: Hash)",
    ],
)
def test_an_index_led_by_the_key_covers_it(extra):
    assert lint_text(PG + USER + post(extra), RULE) == []


def test_unique_foreign_key_of_a_one_to_one_relation_is_covered():
    text = PG + """
model User {
  id      Int      @id
  profile Profile?
}
model Profile {
  id     Int  @id
  userId Int  @unique
  user   User @relation(fields: [userId], references: [id])
}
"""
    assert lint_text(text, RULE) == []


def test_id_leading_columns_cover_the_key():
    text = PG + """
model User {
  id    Int    @id
  roles Role[]
}
model Role {
  userId Int
  name   String
  user   User @relation(fields: [userId], references: [id])
  @@id([userId, name])
}
"""
    assert lint_text(text, RULE) == []


@pytest.mark.parametrize(
    "extra",
    [
        "  @@index([id, authorId])",  # the key is not the leading column
        "  @@index([authorId], where: raw(\"id > 0\"))",  # partial: not every row
        "  @@index([authorId], type: Gin)",
        "  @@index([authorId], type: Brin)",
        "  @@index([authorId, id], type: Hash)",
    ],
)
def test_indexes_that_do_not_cover_the_key(extra):
    assert summarize(lint_text(PG + USER + post(extra), RULE)) == [("missing-fk-index", "Post", ("authorId",))]


def test_composite_foreign_key_any_order():
    base = PG + """
model Tenant {
  tenantId Int
  id       Int
  items    Item[]
  @@id([tenantId, id])
}
model Item {
  id       Int @id
  tenantId Int
  ownerId  Int
  owner    Tenant @relation(fields: [tenantId, ownerId], references: [tenantId, id])
  %s
}
"""
    assert summarize(lint_text(base % "", RULE)) == [("missing-fk-index", "Item", ("tenantId", "ownerId"))]
    assert lint_text(base % "@@index([ownerId, tenantId])", RULE) == []
    assert lint_text(base % "@@index([tenantId, ownerId, id])", RULE) == []
    (f,) = lint_text(base % "@@index([tenantId])", RULE)
    assert summarize([f]) == [("missing-fk-index", "Item", ("tenantId", "ownerId"))]
    # an Int prefix may match many rows: the key is only partly indexed, and said so
    assert "is only partly indexed (`@@index([tenantId])` leads with part of it)" in f.message


COMPOSITE = PG + """
model Account {
  id       String    @id @db.Uuid
  userId   String
  balances Balance[]
  @@unique([id, userId])
}
model Balance {
  id        Int     @id
  accountId String  @db.Uuid
  userId    String
  account   Account @relation(fields: [accountId, userId], references: [id, userId], onDelete: Cascade)
  %s
}
"""


@pytest.mark.parametrize(
    "extra",
    [
        "@@index([accountId])",  # ghostfolio 51/177/293: a uuid leads, the check is an index probe
        "@@unique([accountId, id])",
        "@@index([userId])",  # a String (cuid) leads: inbox-zero 629
    ],
)
def test_a_composite_key_is_served_by_an_index_led_by_a_selective_key_column(extra):
    assert lint_text(COMPOSITE % extra, RULE) == []


def test_a_composite_key_with_a_column_unique_on_its_own_is_served():
    """webstudio 189: FK (previewImageAssetId, id) where `id` is the primary key."""
    text = PG + """
model Asset {
  id       String    @id
  projectId String
  projects Project[]
  @@unique([id, projectId])
}
model Project {
  id                  String  @id
  previewImageAssetId String?
  previewImageAsset   Asset?  @relation(fields: [previewImageAssetId, id], references: [id, projectId])
}
"""
    assert lint_text(text, RULE) == []


@pytest.mark.parametrize(
    "name,line",
    [
        ("ghostfolio__ghostfolio__prisma__schema.prisma", 51),
        ("ghostfolio__ghostfolio__prisma__schema.prisma", 177),
        ("ghostfolio__ghostfolio__prisma__schema.prisma", 293),
        ("elie222__inbox-zero__apps__web__prisma__schema.prisma", 629),
        ("webstudio-is__webstudio__packages__prisma-client__prisma__schema.prisma", 189),
    ],
)
def test_the_reviews_wrong_composite_findings_are_gone(corpus, name, line):
    from conftest import CORPUS

    from prisma_lint.frontends.prisma.loader import load_schema

    findings = lint_loaded(load_schema(CORPUS / name), RULE)
    assert not [f for f in findings if f.line == line]


def test_self_relation():
    text = PG + """
model Employee {
  id        Int        @id
  managerId Int?
  manager   Employee?  @relation("Reports", fields: [managerId], references: [id])
  reports   Employee[] @relation("Reports")
}
"""
    assert summarize(lint_text(text, RULE)) == [("missing-fk-index", "Employee", ("managerId",))]


def test_implicit_many_to_many_is_indexed_by_prisma():
    text = PG + """
model Post {
  id   Int   @id
  tags Tag[]
}
model Tag {
  id    Int    @id
  posts Post[]
}
"""
    assert lint_text(text, RULE) == []


def test_mapped_names_do_not_matter():
    text = PG + """
model User {
  id    Int    @id @map("user_id")
  posts Post[]
  @@map("users")
}
model Post {
  id       Int  @id
  authorId Int  @map("author_id")
  author   User @relation(fields: [authorId], references: [id])
  @@index([authorId], map: "posts_by_author")
  @@map("posts")
}
"""
    assert lint_text(text, RULE) == []


@pytest.mark.parametrize(
    "provider,mode,reported",
    [
        ("postgresql", None, True),
        ("cockroachdb", None, True),
        ("sqlite", None, True),
        ("sqlserver", None, True),
        ("mysql", None, False),  # InnoDB indexes foreign keys itself
        ("mysql", "prisma", True),
        ("postgresql", "prisma", True),
        ("postgres", None, True),  # the alias
    ],
)
def test_providers_and_relation_mode(provider, mode, reported):
    findings = lint_text(datasource(provider, mode) + USER + post(), RULE)
    assert bool(findings) is reported
    if reported and mode == "prisma":
        assert "emulates" in findings[0].message


def test_multi_file_schema_reports_in_the_file_of_the_model():
    loaded = load_files({"schema/base.prisma": PG + USER, "schema/post.prisma": post()})
    (f,) = lint_loaded(loaded, RULE)
    assert f.file == "schema/post.prisma"
    assert f.model == "Post"


def test_views_and_ignored_models_are_skipped():
    text = PG + USER + post().replace("model Post {", "model Post {\n  @@ignore")
    assert lint_text(text, RULE) == []


def test_a_misordered_index_holding_the_key_is_not_reordered_by_this_rule():
    """Reordering an index someone wrote is composite-order's (unsafe) fix; this rule's safe
    fix only ever adds an index."""
    text = PG + USER + post("  createdAt DateTime\n  @@index([createdAt, authorId])")
    (f,) = lint_text(text, RULE)
    assert f.fix.index_change is not None and f.fix.index_change.action == "add"
    assert f.fix.applicability == "safe"
    assert f.fix.schema_line == "@@index([authorId])"


def test_the_new_index_takes_a_free_name():
    """`Post_authorId_idx` is taken by another index (through `map:`): the new one gets its own."""
    text = PG + USER + post('  title String\n  @@index([title, authorId], map: "Post_authorId_idx")')
    (f,) = lint_text(text, RULE)
    assert f.fix.schema_line == '@@index([authorId], map: "Post_authorId_fk_idx")'


def test_duplicate_index_names_are_an_error():
    from helpers import load_text

    text = PG + USER + post('  title String\n  @@index([title], map: "same")\n  @@index([authorId], map: "same")')
    errors = [d for d in load_text(text).schema.diagnostics if d.severity == "error"]
    line = text.splitlines().index('  @@index([authorId], map: "same")') + 1
    assert len(errors) == 1 and '"same" is already used' in errors[0].message and errors[0].span.line == line


CHAIN = PG + """
model Member {
  id     Int  @id
  teamId Int
  team   Team @relation(fields: [teamId], references: [id], onDelete: Cascade)
}
model Org {
  id    Int    @id
  teams Team[]
}
model Team {
  id      Int      @id
  orgId   Int
  org     Org      @relation(fields: [orgId], references: [id], onDelete: Cascade)
  members Member[]
}
"""


def test_findings_carry_their_delete_fan_out_and_the_worst_comes_first(tmp_path):
    import json

    from conftest import run_cli

    fan = {f.model: f.data["fan_out"] for f in lint_text(CHAIN, RULE)}
    assert fan == {"Team": 2, "Member": 1}  # deleting an Org scans Team, then Member per team
    (tmp_path / "schema.prisma").write_text(CHAIN, encoding="utf-8")
    doc = json.loads(run_cli("check", "--format", "json", "--select", "missing-fk-index", "schema.prisma", cwd=tmp_path).stdout)
    assert {f["model"]: f["fan_out"] for f in doc["findings"]} == {"Team": 2, "Member": 1}
    text = run_cli("check", "-q", "--no-color", "--select", "missing-fk-index", "schema.prisma", cwd=tmp_path).stdout
    lines = [line for line in text.splitlines() if "missing-fk-index" in line]
    # Member's relation is written further down but Team's fans out further: Team first
    assert ["Team.org" in lines[0], "Member.team" in lines[1]] == [True, True], lines
