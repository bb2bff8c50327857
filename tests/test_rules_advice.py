"""The rules that read the app's queries: unindexed-query, unsorted-page,
cursor-order-not-unique, index-without-query, and missing-fk-index / composite-order with
queries; the evidence in every output format; the fixes through the planner."""

from __future__ import annotations

import json

from helpers import PG, REGISTRY, app_queries, lint_with_queries, load_text

from prisma_lint.config import Config
from prisma_lint.emit.github import format_github
from prisma_lint.emit.json import format_json
from prisma_lint.emit.sarif import format_sarif
from prisma_lint.emit.text import format_text
from prisma_lint.engine import active_rules, lint
from prisma_lint.findings import IndexChange
from prisma_lint.fix.planner import fix_texts
from prisma_lint.frontends.prisma.loader import reparse

SCHEMA = (
    PG
    + """
enum Status {
  DRAFT
  LIVE
}

model Org {
  id    Int    @id
  posts Post[]
}

model User {
  id    Int    @id
  email String @unique
  posts Post[]
}

model Post {
  id        Int      @id
  orgId     Int
  org       Org      @relation(fields: [orgId], references: [id])
  authorId  Int
  author    User     @relation(fields: [authorId], references: [id])
  status    Status
  published Boolean
  title     String
  createdAt DateTime

  @@index([orgId])
  @@index([authorId])
}
"""
)


def rules_of(findings, rule):
    return [(f.model, f.fields) for f in findings if f.rule == rule]


def q(model="Post", **kw):
    return {"model": model, **kw}


# ---------------------------------------------------------------------------------------------
# unindexed-query
# ---------------------------------------------------------------------------------------------
def test_unindexed_query_one_finding_per_suggested_index_with_every_call_site():
    findings = lint_with_queries(
        SCHEMA,
        [
            q(equals=["title"], line=3, snippet="prisma.post.findFirst({ where: { title } })", operation="findFirst"),
            q(equals=["title"], range=["createdAt"], line=9),
            q(equals=["id"], line=12),  # the primary key serves it
            q(equals=["orgId", "title"], line=14),  # the orgId index serves it
        ],
        select=["unindexed-query"],
    )
    assert rules_of(findings, "unindexed-query") == [("Post", ["title", "createdAt"])]
    (f,) = findings
    assert [(e.file, e.line) for e in f.evidence] == [("src/app.ts", 3), ("src/app.ts", 9)]
    assert f.fix.schema_line == "@@index([title, createdAt])" and f.fix.applicability == "safe"
    assert f.span.text == "Post"  # located on the model
    assert "`prisma.post.findFirst` at src/app.ts:3" in f.message


def test_equality_columns_come_first_foreign_keys_before_low_cardinality():
    schema = SCHEMA.replace("  @@index([orgId])\n  @@index([authorId])\n", "")
    findings = lint_with_queries(
        schema,
        [q(equals=["status", "authorId"], order_by=[["createdAt", "desc"]], take=True)],
        select=["unindexed-query"],
    )
    assert rules_of(findings, "unindexed-query") == [("Post", ["authorId", "status", "createdAt"])]


def test_tenant_columns_lead_like_foreign_keys():
    schema = PG + "model Doc {\n  id Int @id\n  slug String\n  tenantId String\n}\n"
    findings = lint_with_queries(schema, [q("Doc", equals=["slug", "tenantId"])], select=["unindexed-query"])
    assert rules_of(findings, "unindexed-query") == [("Doc", ["tenantId", "slug"])]


def test_suggestions_merge_per_model():
    schema = SCHEMA.replace("  @@index([authorId])\n", "")
    findings = lint_with_queries(
        schema,
        [q(equals=["authorId"]), q(equals=["authorId"], range=["createdAt"]), q(range=["createdAt"])],
        select=["unindexed-query"],
    )
    assert sorted(rules_of(findings, "unindexed-query")) == [("Post", ["authorId", "createdAt"]), ("Post", ["createdAt"])]


def test_never_an_index_of_low_cardinality_columns_only_unless_an_ordered_page():
    schema = SCHEMA
    assert lint_with_queries(schema, [q(equals=["published", "status"])], select=["unindexed-query"]) == []
    findings = lint_with_queries(
        schema, [q(equals=["published"], order_by=[["published", "asc"]], take=True)], select=["unindexed-query"]
    )
    assert rules_of(findings, "unindexed-query") == [("Post", ["published"])]


def test_uncertain_queries_and_call_site_suppressions_never_warn():
    records = [q(equals=["title"], static=False), q(equals=["title"], suppressed=["unindexed-query"], line=7)]
    assert lint_with_queries(SCHEMA, records, select=["unindexed-query"]) == []
    # suppressed for another rule only: still reported
    records = [q(equals=["title"], suppressed=["unsorted-page"])]
    assert rules_of(lint_with_queries(SCHEMA, records, select=["unindexed-query"]), "unindexed-query") == [("Post", ["title"])]


def test_schema_line_suppression_on_the_model():
    schema = SCHEMA.replace("model Post {", "model Post { // prisma-lint-ignore unindexed-query")
    assert lint_with_queries(schema, [q(equals=["title"])], select=["unindexed-query"]) == []


def test_extending_an_existing_index_is_preferred():
    # the index [status] leads with a low-cardinality column only: it serves no lookup by title
    schema = SCHEMA.replace("  @@index([orgId])\n", "  @@index([status])\n")
    findings = lint_with_queries(schema, [q(equals=["status", "title"])], select=["unindexed-query"])
    (f,) = findings
    assert f.fields == ["status", "title"]
    assert f.fix.index_change == IndexChange.replace("Post", "Post_status_idx", ["status", "title"])
    assert f.fix.title == "Extend @@index([status]) to @@index([status, title])"


def test_without_queries_the_rules_do_not_run():
    rules = {r.id for r in active_rules(REGISTRY, Config())}
    assert not rules & {"unindexed-query", "unsorted-page", "cursor-order-not-unique", "index-without-query"}
    rules = {r.id for r in active_rules(REGISTRY, Config(), inputs=("schema", "prisma", "queries"))}
    assert {"unindexed-query", "unsorted-page", "cursor-order-not-unique"} <= rules
    assert "index-without-query" not in rules  # off by default
    rules = {r.id for r in active_rules(REGISTRY, Config(), ["index-without-query"], inputs=("schema", "prisma", "queries"))}
    assert rules == {"index-without-query"}


# ---------------------------------------------------------------------------------------------
# unsorted-page
# ---------------------------------------------------------------------------------------------
def test_unsorted_page_extends_the_filter_index_with_the_sort_column():
    page = q(equals=["authorId"], order_by=[["createdAt", "desc"]], take=True, line=20)
    findings = lint_with_queries(SCHEMA, [page], select=["unsorted-page", "unindexed-query"])
    assert [(f.rule, f.fields) for f in findings] == [("unsorted-page", ["authorId", "createdAt"])]
    (f,) = findings
    assert f.fix.title == "Extend @@index([authorId]) to @@index([authorId, createdAt])"
    assert f.evidence[0].line == 20


def test_unsorted_page_silent_when_an_index_sorts_or_no_page():
    schema = SCHEMA.replace("@@index([authorId])", "@@index([authorId, createdAt])")
    page = q(equals=["authorId"], order_by=[["createdAt", "asc"]], cursor=True)
    assert lint_with_queries(schema, [page], select=["unsorted-page"]) == []
    # no take / cursor: the whole result is sorted once, not page by page
    assert lint_with_queries(SCHEMA, [q(equals=["authorId"], order_by=[["createdAt", "asc"]])], select=["unsorted-page"]) == []
    # ordered by the primary key: the primary key's index sorts it
    assert lint_with_queries(SCHEMA, [q(order_by=[["id", "desc"]], take=True)], select=["unsorted-page"]) == []


def test_unsorted_page_mixed_directions_write_the_sort():
    page = q(order_by=[["createdAt", "desc"], ["title", "asc"]], take=True, cursor=True)
    (f,) = lint_with_queries(SCHEMA, [page], select=["unsorted-page"])
    assert f.fix.schema_line == "@@index([createdAt(sort: Desc), title])"


# ---------------------------------------------------------------------------------------------
# cursor-order-not-unique
# ---------------------------------------------------------------------------------------------
def test_cursor_order_not_unique():
    records = [
        q(order_by=[["createdAt", "desc"]], cursor=True, take=True, line=4),
        q(order_by=[["createdAt", "desc"], ["id", "desc"]], cursor=True, take=True, line=8),
        q(model="User", order_by=[["email", "asc"]], cursor=True, line=12),
        q(order_by=[["createdAt", "desc"]], take=True, line=16),  # no cursor
    ]
    findings = lint_with_queries(SCHEMA, records, select=["cursor-order-not-unique"])
    assert [(f.model, f.fields, [e.line for e in f.evidence]) for f in findings] == [("Post", ["createdAt"], [4])]
    assert "`id`" in findings[0].help


# ---------------------------------------------------------------------------------------------
# index-without-query
# ---------------------------------------------------------------------------------------------
INDEXED = SCHEMA.replace("  @@index([orgId])\n", "  @@index([orgId])\n  @@index([title])\n  @@index([createdAt])\n")


def test_index_without_query_only_when_every_call_site_is_known():
    records = [q(equals=["title"]), q(operation="create")]
    findings = lint_with_queries(INDEXED, records, select=["index-without-query"])
    # [createdAt] is used by nothing; [orgId] and [authorId] serve foreign keys
    assert rules_of(findings, "index-without-query") == [("Post", ["createdAt"])]
    assert findings[0].severity == "info"
    assert lint_with_queries(INDEXED, records + [q(static=False)], select=["index-without-query"]) == []
    assert lint_with_queries(INDEXED, records, select=["index-without-query"], raw_sql_tables={"post"}) == []
    # a sort counts as a use
    assert lint_with_queries(INDEXED, records + [q(order_by=[["createdAt", "asc"]])], select=["index-without-query"]) == []


def test_index_without_query_is_off_unless_selected():
    assert "index-without-query" not in {f.rule for f in lint_with_queries(INDEXED, [q(equals=["title"])])}


# ---------------------------------------------------------------------------------------------
# missing-fk-index and composite-order with the queries
# ---------------------------------------------------------------------------------------------
def test_missing_fk_index_fix_becomes_the_composite_the_queries_need():
    schema = SCHEMA.replace("  @@index([authorId])\n", "")
    plain = lint_with_queries(schema, [q(equals=["title"])], select=["missing-fk-index"])
    assert [f.fix.schema_line for f in plain] == ["@@index([authorId])"]
    findings = lint_with_queries(schema, [q(equals=["authorId"], range=["createdAt"])], select=["missing-fk-index"])
    (f,) = findings
    assert f.fields == ["authorId"] and f.fix.schema_line == "@@index([authorId, createdAt])"


COMPOSITE = SCHEMA.replace("  @@index([authorId])\n", "  @@index([createdAt, authorId])\n")


def test_composite_order_speaks_with_the_app_only_when_a_query_proves_it():
    assert lint_with_queries(COMPOSITE, [q(equals=["title"])], select=["composite-order"]) == []
    proof = q(equals=["authorId"], range=["createdAt"], line=31, snippet="prisma.post.findMany({")
    (f,) = lint_with_queries(COMPOSITE, [proof], select=["composite-order"])
    assert f.fix.applicability == "safe" and f.fix.schema_line == "@@index([authorId, createdAt])"
    assert "`prisma.post.findMany` at src/app.ts:31" in f.message
    assert [e.line for e in f.evidence] == [31]


# ---------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------
def _evidence_finding():
    records = [
        q(equals=["title"], file="src/auth.ts", line=12, column=9, end_line=14, end_column=5, snippet="prisma.post.findMany({"),
        q(equals=["title"], file="src/b.ts", line=3),
        q(equals=["title"], file="src/c.ts", line=4),
    ]
    return lint_with_queries(SCHEMA, records, select=["unindexed-query"])


def test_outputs_carry_the_evidence():
    findings = _evidence_finding()
    text = format_text(findings, [])
    assert "= note: prisma.post.findMany at src/auth.ts:12 (+2 more)" in text
    doc = json.loads(format_json(findings, []))
    assert doc["findings"][0]["evidence"][0] == {
        "file": "src/auth.ts",
        "line": 12,
        "column": 9,
        "end_line": 14,
        "end_column": 5,
        "snippet": "prisma.post.findMany({",
    }
    assert doc["findings"][0]["fields"] == ["title"] and doc["findings"][0]["fix"]["schema_line"] == "@@index([title])"
    sarif = json.loads(format_sarif(findings, [], rules=REGISTRY.rules))
    related = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == ["src/auth.ts", "src/b.ts", "src/c.ts"]
    assert related[0]["physicalLocation"]["region"]["startLine"] == 12
    gh = format_github(findings, [])
    assert "prisma.post.findMany at src/auth.ts:12:9" in gh and "src/c.ts:4" in gh


# ---------------------------------------------------------------------------------------------
# fixes
# ---------------------------------------------------------------------------------------------
def _fix(schema: str, records: list[dict]):
    loaded = load_text(schema)
    queries = app_queries(records)

    def lint_round(texts):
        current = reparse(loaded, texts)
        r = lint(current, REGISTRY, Config(), queries=queries)
        return current.schema, r.findings, current.has_errors

    return loaded, fix_texts(loaded.texts(), lint_round, unsafe=False), lint_round


def test_fix_adds_one_composite_for_the_foreign_key_and_the_queries_and_is_stable():
    schema = SCHEMA.replace("  @@index([authorId])\n", "")
    records = [q(equals=["authorId"]), q(equals=["authorId"], range=["createdAt"]), q(range=["createdAt"])]
    _, outcome, lint_round = _fix(schema, records)
    text = outcome.texts["schema.prisma"]
    assert "@@index([authorId, createdAt])" in text and "@@index([createdAt])" in text
    assert "@@index([authorId])" not in text
    _, findings, _ = lint_round({"schema.prisma": text})
    assert [f.rule for f in findings] == []


def test_relation_filters_bind_the_join_columns():
    # `author: { is: {...} }` joins on Post.authorId (indexed): served, nothing to say
    assert lint_with_queries(SCHEMA, [q(equals=["published"], other=["author:is"])], select=["unindexed-query"]) == []
    # `posts: { some: {...} }` on User: a semi-join from Post to User.id (the primary key)
    assert lint_with_queries(SCHEMA, [q("User", other=["posts:some"])], select=["unindexed-query"]) == []
    # `none` narrows nothing: the query reads by `title`, which no index serves
    findings = lint_with_queries(SCHEMA, [q(equals=["title"], other=["author:none"])], select=["unindexed-query"])
    assert rules_of(findings, "unindexed-query") == [("Post", ["title"])]


def test_unsorted_page_keeps_the_serving_prefix_and_lets_other_columns_filter():
    # the orgId index finds the rows; status and published filter them in createdAt order
    page = q(equals=["orgId", "published", "status"], order_by=[["createdAt", "desc"]], take=True)
    (f,) = lint_with_queries(SCHEMA, [page], select=["unsorted-page"])
    assert f.fields == ["orgId", "createdAt"]
    schema = SCHEMA.replace("@@index([orgId])", "@@index([orgId, createdAt])")
    assert lint_with_queries(schema, [page], select=["unsorted-page"]) == []


def test_unsorted_page_stays_silent_where_an_index_would_not_help_or_the_rows_are_few():
    def silent(**kw):
        return lint_with_queries(SCHEMA, [q(take=True, **kw)], select=["unsorted-page"]) == []

    # several runs of rows: `in`, a join through a relation filter, OR branches
    assert silent(**{"in": ["orgId"]}, order_by=[["createdAt", "desc"]])
    assert silent(other=["author:is"], order_by=[["createdAt", "desc"]])
    assert silent(equals=["orgId"], order_by=[["createdAt", "desc"]], **{"or": True})
    # two selective equality columns: few rows to sort
    assert silent(equals=["orgId", "authorId"], order_by=[["createdAt", "desc"]])
    # a table-wide take without a cursor: an admin list of unknown size
    assert silent(order_by=[["createdAt", "desc"]])
    assert not silent(order_by=[["createdAt", "desc"]], cursor=True)


def test_an_index_on_the_first_sort_column_is_enough_incremental_sort():
    schema = SCHEMA.replace("@@index([orgId])", "@@index([orgId, createdAt])")
    page = q(equals=["orgId"], order_by=[["createdAt", "desc"], ["id", "desc"]], take=True)
    assert lint_with_queries(schema, [page], select=["unsorted-page"]) == []


def test_unindexed_query_leaves_out_or_branches_and_range_only_updates():
    # OR: the branches (not listed) may be what an index serves
    assert lint_with_queries(SCHEMA, [q(equals=["title"], **{"or": True})], select=["unindexed-query"]) == []
    # a retention job: `updateMany({ where: { createdAt: { lt: cutoff } } })` matches every older
    # row again on each run
    assert lint_with_queries(SCHEMA, [q(range=["createdAt"], operation="updateMany")], select=["unindexed-query"]) == []
    # a delete removes what it matched: the index on the range serves the next run
    findings = lint_with_queries(SCHEMA, [q(range=["createdAt"], operation="deleteMany")], select=["unindexed-query"])
    assert rules_of(findings, "unindexed-query") == [("Post", ["createdAt"])]


def test_sort_columns_join_the_suggestion_only_for_a_page():
    whole = q(equals=["title"], order_by=[["createdAt", "asc"]])
    assert rules_of(lint_with_queries(SCHEMA, [whole], select=["unindexed-query"]), "unindexed-query") == [("Post", ["title"])]
    page = q(equals=["title"], order_by=[["createdAt", "asc"]], take=True)
    assert rules_of(lint_with_queries(SCHEMA, [page], select=["unindexed-query"]), "unindexed-query") == [
        ("Post", ["title", "createdAt"])
    ]


def test_is_null_columns_go_last_and_free_text_ones_stay_out():
    schema = PG + (
        "model Job {\n  id Int @id\n  queue String @db.VarChar(40)\n  deletedAt DateTime?\n"
        "  body String?\n  kind Int\n}\n"
    )
    record = {"model": "Job", "equals": ["deletedAt", "body", "queue"], "values": {"deletedAt": None, "body": None}}
    findings = lint_with_queries(schema, [record], select=["unindexed-query"])
    assert rules_of(findings, "unindexed-query") == [("Job", ["queue", "deletedAt"])]


# ---------------------------------------------------------------------------------------------
# through the app front end
# ---------------------------------------------------------------------------------------------
def _read(tmp_path, schema: str, ts: str):
    from prisma_lint.frontends.app.read import read_app
    from prisma_lint.frontends.prisma.loader import load_schema

    (tmp_path / "src").mkdir(parents=True)
    (tmp_path / "schema.prisma").write_text(schema)
    (tmp_path / "src" / "app.ts").write_text('import { PrismaClient } from "@prisma/client";\nconst prisma = new PrismaClient();\n' + ts)
    loaded = load_schema(tmp_path / "schema.prisma")
    return loaded, read_app(loaded, [str(tmp_path / "src")], Config(), cache_dir=None, schema_path=tmp_path / "schema.prisma")


def test_a_partial_index_on_is_null_serves_a_deleted_at_null_query(tmp_path):
    from prisma_lint.model.serving import Advisor

    schema = PG + (
        "model Doc {\n  id Int @id\n  ownerId Int\n  deletedAt DateTime?\n"
        '  @@index([ownerId], where: raw("\\"deletedAt\\" IS NULL"))\n}\n'
    )
    ts = (
        "export const live = (ownerId: number) => prisma.doc.findMany({ where: { ownerId, deletedAt: null } });\n"
        "export const any = (ownerId: number, d: Date) => prisma.doc.findMany({ where: { ownerId, deletedAt: d } });\n"
    )
    loaded, queries = _read(tmp_path, schema, ts)
    live, other = queries.patterns
    assert live.values == {"deletedAt": None} and other.values == {}
    adv = Advisor(loaded.schema)
    assert adv.served_by(live) == "Doc_ownerId_idx" and adv.served_by(other) is None


def test_index_without_query_counts_nested_include_reads(tmp_path):
    schema = PG + (
        "model User {\n  id Int @id\n  email String @unique\n  posts Post[]\n}\n\n"
        "model Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n"
        "  title String\n  @@index([authorId])\n  @@index([title])\n}\n"
    )
    ts = "export const p = (id: number) => prisma.post.findMany({ where: { id } });\n"
    loaded, queries = _read(tmp_path / "a", schema, ts)
    result = lint(loaded, REGISTRY, Config(), ["index-without-query"], queries=queries)
    assert [(f.model, f.fields) for f in result.findings] == [("Post", ["title"])]
    # the posts a user page includes are read by title: the index is used
    ts += "export const u = (title: string) => prisma.user.findMany({ include: { posts: { where: { title } } } });\n"
    loaded, queries = _read(tmp_path / "b", schema, ts)
    assert [p.model for p in queries.nested] == ["Post"]
    assert lint(loaded, REGISTRY, Config(), ["index-without-query"], queries=queries).findings == []


# ---------------------------------------------------------------------------------------------
# unsorted-page: sets the schema or the app show to be small, and trade-offs (issue #13's review)
# ---------------------------------------------------------------------------------------------
PAGES = PG + """
model Workspace {
  id      Int      @id
  sources Source[]
}

model Source {
  id          Int       @id
  workspaceId Int
  workspace   Workspace @relation(fields: [workspaceId], references: [id])
  name        String
  kind        String
  createdAt   DateTime

  @@unique([workspaceId, name])
}

model Job {
  id        Int      @id
  status    String
  attempts  Int
  createdAt DateTime

  @@index([status, attempts])
}
"""


def pages(records, schema=PAGES, config=None):
    return rules_of(lint_with_queries(schema, records, select=["unsorted-page"], config=config), "unsorted-page")


def test_unsorted_page_silent_where_the_serving_index_bounds_a_range_on_another_column():
    # status = 'pending' AND attempts < 5 ORDER BY createdAt: [status, attempts] bounds the range,
    # [status, createdAt] would return the order; which is cheaper depends on the range
    queue = q("Job", equals=["status"], range=["attempts"], order_by=[["createdAt", "asc"]], take=True)
    assert pages([queue]) == []
    # without the range the index only finds the rows: the sort index is the clear win
    assert pages([q("Job", equals=["status"], order_by=[["createdAt", "asc"]], take=True)]) == [("Job", ["status", "createdAt"])]
    # a range on the sort column itself is no trade-off
    by_date = q("Job", equals=["status"], range=["createdAt"], order_by=[["createdAt", "asc"]], take=True)
    assert pages([by_date]) == [("Job", ["status", "createdAt"])]


def test_unsorted_page_silent_on_a_set_people_name_by_hand():
    page = q("Source", equals=["workspaceId"], order_by=[["createdAt", "desc"]], take=True)
    assert pages([page]) == []  # @@unique([workspaceId, name]): a workspace's named sources
    # the option says which columns are names
    assert pages([page], config={"rules": {"unsorted-page": {"name-columns": []}}}) == [("Source", ["workspaceId", "createdAt"])]
    # a unique on another column (an external id, a value a job adds) says nothing about size
    schema = PAGES.replace("@@unique([workspaceId, name])", "@@unique([workspaceId, kind])")
    assert pages([page], schema) == [("Source", ["workspaceId", "createdAt"])]


def test_unsorted_page_silent_when_the_app_lists_the_whole_set_in_that_order():
    page = q(equals=["authorId"], order_by=[["createdAt", "desc"]], take=True)
    whole = q(equals=["authorId"], order_by=[["createdAt", "asc"]])
    assert pages([page, whole], SCHEMA) == []
    # a whole table in order is a superset too
    assert pages([page, q(order_by=[["createdAt", "asc"]])], SCHEMA) == []
    # not evidence: another order, a filter the page does not have, a take, an OR, not static
    for other in (
        q(equals=["authorId"], order_by=[["title", "asc"]]),
        q(equals=["authorId"], other=["title:contains"], order_by=[["createdAt", "asc"]]),
        q(equals=["authorId"], range=["createdAt"], order_by=[["createdAt", "asc"]]),
        q(equals=["authorId", "orgId"], order_by=[["createdAt", "asc"]]),
        q(equals=["authorId"], order_by=[["createdAt", "asc"]], take=True, line=30),
        q(equals=["authorId"], order_by=[["createdAt", "asc"]], **{"or": True}),
        q(equals=["authorId"], order_by=[["createdAt", "asc"]], static=False),
    ):
        assert pages([page, other], SCHEMA) == [("Post", ["authorId", "createdAt"])], other
    assert pages([page, whole], SCHEMA, config={"rules": {"unsorted-page": {"whole-lists": False}}}) == [
        ("Post", ["authorId", "createdAt"])
    ]


def test_unsorted_page_counts_an_include_that_reads_the_whole_set(tmp_path):
    ts = (
        "export const page = (authorId: number) => prisma.post.findMany({ where: { authorId }, orderBy: { createdAt: 'desc' }, take: 20 });\n"
        "export const all = (id: number) => prisma.user.findUnique({ where: { id }, include: { posts: {{ORDER}} } });\n"
    )
    for order, found in (("{ orderBy: { createdAt: 'asc' } }", []), ("true", [("Post", ["authorId", "createdAt"])])):
        loaded, queries = _read(tmp_path / order[:4].strip("{ "), SCHEMA, ts.replace("{{ORDER}}", order))
        result = lint(loaded, REGISTRY, Config(), ["unsorted-page"], queries=queries)
        assert rules_of(result.findings, "unsorted-page") == found, order


def test_statistics_decide_the_size_of_the_set_instead():
    from prisma_lint.frontends.db.stats import ColumnStats, DatabaseStats, TableStats

    def stats(rows: float, sources_per_workspace: float) -> DatabaseStats:
        s = DatabaseStats("15.8", 150008, "app", "2025-03-01T00:00:00+00:00")
        t = TableStats("public", "Source", rows, True, 4096 * rows, 4096)
        t.columns["workspaceId"] = ColumnStats("workspaceId", 0.0, rows / sources_per_workspace)
        s.tables[t.key] = t
        return s

    page = q("Source", equals=["workspaceId"], order_by=[["createdAt", "desc"]], take=True)

    def run(st):
        result = lint(load_text(PAGES), REGISTRY, Config(), ["unsorted-page"], queries=app_queries([page]), stats=st)
        return rules_of(result.findings, "unsorted-page")

    # a named set, but the statistics say a workspace has 50,000 of them
    assert run(stats(5_000_000, 50_000)) == [("Source", ["workspaceId", "createdAt"])]
    (f,) = lint(load_text(PAGES), REGISTRY, Config(), ["unsorted-page"], queries=app_queries([page]), stats=stats(5_000_000, 50_000)).findings
    assert "(table `Source`: 5,000,000 rows" in f.message
    assert run(stats(5_000_000, 40)) == []  # 40 per workspace: nothing to page through
    assert run(stats(900, 900)) == []  # a table below min-rows


def test_a_case_insensitive_lookup_gets_no_plain_index():
    # inbox-zero: `{ email: { equals: e, mode: "insensitive" }, status: "pending", expiresAt: { gt: now } }`
    # (the front end leaves email out of `equals`); the case-insensitive key is what makes the
    # lookup selective, so no index is built from the other columns either
    lookup = q("Post", equals=["published"], range=["createdAt"], other=["title:insensitive"])
    assert lint_with_queries(SCHEMA, [lookup], select=["unindexed-query"]) == []
    lookup["other"] = []
    assert rules_of(lint_with_queries(SCHEMA, [lookup], select=["unindexed-query"]), "unindexed-query") == [
        ("Post", ["published", "createdAt"])
    ]
    # a case-insensitive search (contains) is no lookup by key: the other columns are
    search = q("Post", range=["createdAt"], other=["title:contains", "title:insensitive"])
    assert rules_of(lint_with_queries(SCHEMA, [search], select=["unindexed-query"]), "unindexed-query") == [("Post", ["createdAt"])]
    page = q("Post", equals=["authorId"], other=["title:insensitive"], order_by=[["createdAt", "desc"]], take=True)
    assert lint_with_queries(SCHEMA, [page], select=["unsorted-page"]) == []
    page["other"] = []
    assert rules_of(lint_with_queries(SCHEMA, [page], select=["unsorted-page"]), "unsorted-page") == [("Post", ["authorId", "createdAt"])]
