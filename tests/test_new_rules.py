"""redundant-unique, nullable-unique and unindexed-cascade (issue #12)."""

import pytest
from helpers import PG, datasource, lint_text, summarize

# -- redundant-unique ------------------------------------------------------------------------------
USER = PG + """
model User {
  id       String @id %s @default(cuid())
  email    String
  username String
  token    String @unique
  ident    String
  %s
}
"""


def test_unique_on_the_primary_key_field():
    (f,) = lint_text(USER % ("@unique", ""), ["redundant-unique"])
    assert f.fields == ["id"] and f.message == "`@unique` on `id` repeats the primary key: Prisma creates a second unique index on it"
    assert f.fix.applicability == "unsafe"
    from prisma_lint.fix.edits import apply_edits

    text = USER % ("@unique", "")
    fixed, _ = apply_edits(text, f.fix.edits)
    assert "  id       String @id @default(cuid())\n" in fixed


def test_a_superset_of_another_unique_names_the_selector_it_removes():
    (f,) = lint_text(USER % ("", "@@unique([email])\n  @@unique([email, username])"), ["redundant-unique"])
    assert f.fields == ["email", "username"]
    assert "is implied by `@@unique([email])`" in f.message
    assert "`findUnique({ where: { email_username } })` stops compiling" in f.message
    assert f.fix.title == "Remove `@@unique([email, username])`"


def test_an_implied_unique_that_alone_serves_its_lookups_becomes_an_index():
    """dub token.prisma: [identifier, token] next to `token @unique` is the only index on identifier."""
    text = USER % ("", "@@unique([ident, token])")
    (f,) = lint_text(text, ["redundant-unique"])
    assert f.fix.title == "Turn `@@unique([ident, token])` into @@index"
    from prisma_lint.fix.edits import apply_edits

    fixed, _ = apply_edits(text, f.fix.edits)
    assert "@@index([ident, token])" in fixed and lint_text(fixed, ["redundant-unique", "redundant-index"]) == []


def test_a_unique_equal_to_the_compound_id():
    text = PG + "model Setting {\n  credentialId Int\n  key String\n  @@id([credentialId, key])\n  @@unique([credentialId, key])\n}\n"
    (f,) = lint_text(text, ["redundant-unique"])
    assert f.message.startswith("`@@unique([credentialId, key])` repeats `@@id([credentialId, key])` (line")


@pytest.mark.parametrize(
    "extra",
    [
        "@@unique([email, username])",  # nothing smaller is unique
        "@@unique([email])\n  @@unique([username])",
        '@@unique([email], where: raw("username <> \'\'"))',  # partial: not implied
    ],
)
def test_not_redundant_unique(extra):
    assert lint_text(USER % ("", extra), ["redundant-unique"]) == []


def test_a_unique_a_relation_references_is_kept():
    text = PG + """
model Account {
  id       String    @id
  userId   String
  balances Balance[]
  @@unique([id, userId])
}
model Balance {
  id        Int     @id
  accountId String
  userId    String
  account   Account @relation(fields: [accountId, userId], references: [id, userId])
  @@index([accountId, userId])
}
"""
    assert lint_text(text, ["redundant-unique"]) == []


# -- nullable-unique -------------------------------------------------------------------------------
NULLABLE = datasource("%s") + """
model Project {
  id          String  @id
  projectId   String
  slug        String
  orgMemberId String?
  note        String? @unique
  %s
}
"""


def test_nullable_unique_on_postgresql():
    (f,) = lint_text(NULLABLE % ("postgresql", "@@unique([projectId, slug, orgMemberId])"), ["nullable-unique"])
    assert f.fields == ["projectId", "slug", "orgMemberId"]
    assert "while `orgMemberId` is NULL" in f.message
    assert "NULLS NOT DISTINCT" in f.help and "make `orgMemberId` required" in f.help


@pytest.mark.parametrize(
    "provider,extra",
    [
        ("postgresql", "@@unique([projectId, slug])"),  # all required
        ("postgresql", ""),  # a single optional @unique: "unique when set"
        ("postgresql", "@@unique([orgMemberId, note])"),  # all optional
        ("mysql", "@@unique([projectId, slug, orgMemberId])"),  # PostgreSQL only
    ],
)
def test_not_nullable_unique(provider, extra):
    assert lint_text(NULLABLE % (provider, extra), ["nullable-unique"]) == []


# -- unindexed-cascade -----------------------------------------------------------------------------
def chain(indexed: set[str], actions: dict[str, str] | None = None) -> str:
    """Org -> Project -> Run -> Log, each a Cascade (or ``actions``), indexed where named."""
    actions = actions or {}

    def rel(model, fk, parent):
        act = actions.get(model, "Cascade")
        idx = f"\n  @@index([{fk}])" if model in indexed else ""
        return f"  {fk} String\n  {parent.lower()} {parent} @relation(fields: [{fk}], references: [id], onDelete: {act}){idx}"

    return PG + f"""
model Org {{
  id       String    @id
  projects Project[]
}}
model Project {{
  id   String @id
  runs Run[]
{rel("Project", "orgId", "Org")}
}}
model Run {{
  id   String @id
  logs Log[]
{rel("Run", "projectId", "Project")}
}}
model Log {{
  id String @id
{rel("Log", "runId", "Run")}
}}
"""


def test_a_chain_two_levels_deep_is_reported_with_its_path():
    findings = lint_text(chain({"Project"}), ["unindexed-cascade"])
    assert summarize(findings) == [("unindexed-cascade", "Org", ()), ("unindexed-cascade", "Project", ())]
    org = next(f for f in findings if f.model == "Org")
    assert org.data == {"scans": 2, "deep": 2, "depth": 3}
    assert org.message == (
        "deleting one `Org` row runs 2 unindexed scans, 2 of them two or more levels down "
        "(deepest: `Org` → `Project.orgId` → `Run.projectId` → `Log.runId`)"
    )


def test_min_scans_and_depth():
    # every key unindexed: Org reaches 3 (the min), Project 2 (one two levels down), Run 1
    findings = lint_text(chain(set()), ["unindexed-cascade"])
    assert {f.model: f.data["scans"] for f in findings} == {"Org": 3, "Project": 2}
    findings = lint_text(chain(set()), ["unindexed-cascade"], config={"rules": {"unindexed-cascade": {"min-scans": 4}}})
    assert {f.model for f in findings} == {"Org", "Project"}  # still two or more levels deep
    # without Cascade nothing is deleted below the first level: one scan per model
    flat = chain(set(), {"Project": "Restrict", "Run": "SetNull", "Log": "NoAction"})
    assert lint_text(flat, ["unindexed-cascade"]) == []


def test_indexed_chains_and_mysql_are_quiet():
    assert lint_text(chain({"Project", "Run", "Log"}), ["unindexed-cascade"]) == []
    mysql = chain(set()).replace('provider = "postgresql"', 'provider = "mysql"')
    assert lint_text(mysql, ["unindexed-cascade"]) == []  # InnoDB indexes foreign keys itself


def test_trigger_dev_organization(corpus):
    from conftest import CORPUS
    from helpers import lint_loaded

    from prisma_lint.frontends.prisma.loader import load_schema

    schema = CORPUS / "triggerdotdev__trigger.dev__internal-packages__database__prisma__schema.prisma"
    findings = lint_loaded(load_schema(schema), ["unindexed-cascade"])
    (org,) = [f for f in findings if f.model == "Organization"]
    assert (org.data["scans"], org.data["deep"]) == (63, 55)


def test_the_walk_agrees_with_networkx_on_every_corpus_schema(corpus):
    """The rule walks the relations in plain Python (networkx costs ~0.3 s of a cal.com check);
    networkx's breadth-first levels over the schema's relation graph (Schema.graph()) are the
    reference: the same unindexed foreign keys, at the same levels, for every model."""
    import networkx as nx

    from prisma_lint.frontends.prisma.loader import load_schema
    from prisma_lint.model.cascade import Walker, relation_key

    checked = 0
    for entry in corpus:
        schema = load_schema(entry).schema
        walker = Walker(schema)
        if not walker.unindexed:
            continue
        cascade = nx.DiGraph()
        for _child, _parent, data in schema.graph().edges(data=True):
            r = data["relation"]
            if r.kind != "m-n" and r.fields and r.effective_on_delete() == "Cascade" and r.model in schema.models:
                cascade.add_edge(r.target, r.model)
        for model in schema.models:
            levels = nx.single_source_shortest_path_length(cascade, model) if model in cascade else {model: 0}
            found = {
                relation_key(r): levels[r.target] + 1
                for r in schema.relations
                if r.target in levels and relation_key(r) in walker.unindexed
            }
            reach = walker.reach(model)
            assert (reach.scans, reach.deep, reach.depth) == (
                len(found),
                sum(1 for v in found.values() if v >= 2),
                max(found.values(), default=0),
            ), (entry.name, model)
            checked += 1
    assert checked > 500
