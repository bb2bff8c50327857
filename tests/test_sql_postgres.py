"""PostgreSQL itself agrees with ``non-immutable-index-expression`` on real SQL.

The rule says PostgreSQL refuses an index whose predicate or expression is not IMMUTABLE
(``functions in index predicate must be marked IMMUTABLE``). Here the real server (the
throwaway PostgreSQL 15 of ``conftest.postgres``) decides, statement by statement:

- every CREATE INDEX the rule flags must be refused, with an error that mentions IMMUTABLE;
- every CREATE INDEX it does not flag must be created.

Inputs: the seed SQL fixtures (seed002 and seed003 ``indexes.sql``, seed004 ``migration.sql``)
and a synthetic file of varied predicates and expressions.

The seed fixtures only hold CREATE INDEX statements on tables they never create. The tables are
derived from the parsed statements (``prisma_lint.frontends.sql.replay.read_sql``: the tables and the
columns the indexes use, plus every column the predicates and expressions name, as the server
folds it). Column types are inferred from how the statements use the columns (see
``_infer_types``); the synthetic file creates its own tables with explicit types, so
type-dependent cases (``date_trunc`` on ``timestamptz`` ...) are fair to prisma-lint too.

Each CREATE INDEX runs alone, in its own transaction that is always rolled back (so every
statement is judged on its own and names never collide). CONCURRENTLY is dropped (it cannot run
in a transaction) and so is IF NOT EXISTS (the index must really be created).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from conftest import FIXTURES
from helpers import REGISTRY

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.sql.expr import walk
from prisma_lint.frontends.sql.replay import SqlStatement, load_sql

pytestmark = pytest.mark.postgres

RULE = "non-immutable-index-expression"
SEEDS = FIXTURES / "seeds"
SEED_FILES = {
    "seed002": SEEDS / "seed002" / "indexes.sql",
    "seed003": SEEDS / "seed003" / "indexes.sql",
    "seed004": SEEDS / "seed004" / "migration.sql",
}

# ---------------------------------------------------------------------------------------------
# the synthetic file: (index name, statement, what the server does, why)
# ---------------------------------------------------------------------------------------------
SYNTHETIC_TABLES = """\
CREATE TABLE events (
  id        integer PRIMARY KEY,
  name      text,
  email     text,
  body      text,
  owner     text,
  starts_at timestamptz,
  local_at  timestamp,
  day       date,
  amount    numeric,
  active    boolean,
  data      jsonb
);
"""

REFUSED, CREATED = "refused", "created"

SYNTHETIC: list[tuple[str, str, str, str]] = [
    # -- time and randomness, in predicates
    ("ev_now", "CREATE INDEX ev_now ON events (starts_at) WHERE starts_at > now()", REFUSED, "now() is STABLE"),
    ("ev_now_upper", "CREATE INDEX ev_now_upper ON events (starts_at) WHERE starts_at > NOW() - INTERVAL '30 days'", REFUSED, "NOW() - interval"),
    ("ev_current_date", "CREATE INDEX ev_current_date ON events (day) WHERE day >= CURRENT_DATE", REFUSED, "CURRENT_DATE"),
    ("ev_current_date_minus", "CREATE INDEX ev_current_date_minus ON events (starts_at) WHERE starts_at >= CURRENT_DATE - INTERVAL '1 month'", REFUSED, "CURRENT_DATE - interval"),
    ("ev_current_timestamp", "CREATE INDEX ev_current_timestamp ON events (starts_at) WHERE starts_at < CURRENT_TIMESTAMP", REFUSED, "CURRENT_TIMESTAMP"),
    ("ev_current_timestamp_p", "CREATE INDEX ev_current_timestamp_p ON events (starts_at) WHERE starts_at < CURRENT_TIMESTAMP(0)", REFUSED, "CURRENT_TIMESTAMP(0)"),
    ("ev_localtimestamp", "CREATE INDEX ev_localtimestamp ON events (local_at) WHERE local_at < LOCALTIMESTAMP", REFUSED, "LOCALTIMESTAMP"),
    ("ev_localtime", "CREATE INDEX ev_localtime ON events (local_at) WHERE local_at::time < LOCALTIME", REFUSED, "LOCALTIME"),
    ("ev_current_time", "CREATE INDEX ev_current_time ON events (local_at) WHERE local_at::time < CURRENT_TIME", REFUSED, "CURRENT_TIME"),
    ("ev_clock_timestamp", "CREATE INDEX ev_clock_timestamp ON events (starts_at) WHERE starts_at < clock_timestamp()", REFUSED, "clock_timestamp() is VOLATILE"),
    ("ev_statement_timestamp", "CREATE INDEX ev_statement_timestamp ON events (starts_at) WHERE starts_at < statement_timestamp()", REFUSED, "statement_timestamp()"),
    ("ev_transaction_timestamp", "CREATE INDEX ev_transaction_timestamp ON events (starts_at) WHERE starts_at < transaction_timestamp()", REFUSED, "transaction_timestamp()"),
    ("ev_timeofday", "CREATE INDEX ev_timeofday ON events (name) WHERE name < timeofday()", REFUSED, "timeofday() is VOLATILE"),
    ("ev_random", "CREATE INDEX ev_random ON events (amount) WHERE random() < 0.5", REFUSED, "random() is VOLATILE"),
    ("ev_pg_catalog_now", "CREATE INDEX ev_pg_catalog_now ON events (starts_at) WHERE starts_at > pg_catalog.now()", REFUSED, "schema-qualified now()"),
    ("ev_now_nested", "CREATE INDEX ev_now_nested ON events (starts_at) WHERE active AND (amount > 0 OR starts_at > now())", REFUSED, "now() deep in the predicate"),
    # -- relative time literals: the cast of a literal is done when the statement is parsed
    ("ev_now_literal", "CREATE INDEX ev_now_literal ON events (starts_at) WHERE starts_at > 'now'::timestamptz", CREATED, "'now'::timestamptz is folded to a constant at parse time (frozen, but accepted)"),
    ("ev_today_literal", "CREATE INDEX ev_today_literal ON events (day) WHERE day > 'today'::date", CREATED, "'today'::date is folded to a constant at parse time"),
    ("ev_now_untyped", "CREATE INDEX ev_now_untyped ON events (starts_at) WHERE starts_at > 'now'", CREATED, "an untyped 'now' literal is also folded"),
    # -- session values
    ("ev_current_user", "CREATE INDEX ev_current_user ON events (owner) WHERE owner = current_user", REFUSED, "current_user"),
    ("ev_session_user", "CREATE INDEX ev_session_user ON events (owner) WHERE owner = session_user", REFUSED, "session_user"),
    ("ev_current_schema", "CREATE INDEX ev_current_schema ON events (owner) WHERE owner = current_schema", REFUSED, "current_schema"),
    ("ev_current_setting", "CREATE INDEX ev_current_setting ON events (owner) WHERE owner = current_setting('app.user')", REFUSED, "current_setting() is STABLE"),
    # -- in index expressions
    ("ev_age", "CREATE INDEX ev_age ON events (age(local_at))", REFUSED, "age(x) measures from current_date"),
    ("ev_age_two", "CREATE INDEX ev_age_two ON events (age(local_at, TIMESTAMP '2000-01-01'))", CREATED, "two-argument age() is IMMUTABLE"),
    ("ev_expr_now", "CREATE INDEX ev_expr_now ON events ((starts_at < now()))", REFUSED, "now() in an expression"),
    ("ev_gen_random_uuid", "CREATE INDEX ev_gen_random_uuid ON events ((md5(name || gen_random_uuid()::text)))", REFUSED, "gen_random_uuid() is VOLATILE"),
    ("ev_lower", "CREATE INDEX ev_lower ON events (lower(email))", CREATED, "lower() is IMMUTABLE"),
    ("ev_upper_coalesce", "CREATE INDEX ev_upper_coalesce ON events ((upper(coalesce(name, ''))))", CREATED, "upper/coalesce"),
    ("ev_tsvector", "CREATE INDEX ev_tsvector ON events USING GIN (to_tsvector('english', body))", CREATED, "two-argument to_tsvector is IMMUTABLE"),
    ("ev_tsvector_cfg", "CREATE INDEX ev_tsvector_cfg ON events USING GIN (to_tsvector('english'::regconfig, coalesce(body, '')))", CREATED, "regconfig form"),
    ("ev_jsonb", "CREATE INDEX ev_jsonb ON events ((data ->> 'kind'))", CREATED, "->> is IMMUTABLE"),
    ("ev_concat_op", "CREATE INDEX ev_concat_op ON events ((name || email))", CREATED, "text || text is IMMUTABLE"),
    ("ev_md5", "CREATE INDEX ev_md5 ON events (md5(body))", CREATED, "md5 is IMMUTABLE"),
    ("ev_date_trunc_ts", "CREATE INDEX ev_date_trunc_ts ON events (date_trunc('day', local_at))", CREATED, "date_trunc(text, timestamp) is IMMUTABLE"),
    # -- type-dependent STABLE functions and casts: prisma-lint has the column types here
    ("ev_tsvector_one_arg", "CREATE INDEX ev_tsvector_one_arg ON events USING GIN (to_tsvector(body))", REFUSED, "one-argument to_tsvector depends on default_text_search_config (STABLE)"),
    ("ev_date_trunc_tz", "CREATE INDEX ev_date_trunc_tz ON events (date_trunc('day', starts_at))", REFUSED, "date_trunc(text, timestamptz) depends on TimeZone (STABLE)"),
    ("ev_cast_tz_to_date", "CREATE INDEX ev_cast_tz_to_date ON events ((starts_at::date))", REFUSED, "timestamptz -> date depends on TimeZone (STABLE)"),
    ("ev_concat_fn", "CREATE INDEX ev_concat_fn ON events ((concat(name, email)))", REFUSED, "concat() is STABLE"),
    # -- plain predicates
    ("ev_date_literal", "CREATE INDEX ev_date_literal ON events (starts_at) WHERE starts_at >= '2024-01-01'", CREATED, "a date literal"),
    ("ev_date_typed", "CREATE INDEX ev_date_typed ON events (day) WHERE day >= DATE '2024-01-01'", CREATED, "a typed date literal"),
    ("ev_timestamptz_typed", "CREATE INDEX ev_timestamptz_typed ON events (starts_at) WHERE starts_at >= TIMESTAMPTZ '2024-01-01 00:00:00+00'", CREATED, "a typed timestamptz literal"),
    ("ev_is_null", "CREATE INDEX ev_is_null ON events (email) WHERE email IS NULL", CREATED, "IS NULL"),
    ("ev_is_not_null", "CREATE INDEX ev_is_not_null ON events (email) WHERE email IS NOT NULL", CREATED, "IS NOT NULL"),
    ("ev_bare_bool", "CREATE INDEX ev_bare_bool ON events (name) WHERE active", CREATED, "a bare boolean"),
    ("ev_not_bool", "CREATE INDEX ev_not_bool ON events (name) WHERE NOT active", CREATED, "NOT boolean"),
    ("ev_in_list", "CREATE INDEX ev_in_list ON events (name) WHERE name IN ('a', 'b')", CREATED, "IN list"),
    ("ev_between", "CREATE INDEX ev_between ON events (amount) WHERE amount BETWEEN 1 AND 10", CREATED, "BETWEEN"),
    ("ev_like", "CREATE INDEX ev_like ON events (email) WHERE email LIKE '%@example.com'", CREATED, "LIKE"),
    ("ev_unique_partial", "CREATE UNIQUE INDEX ev_unique_partial ON events (email) WHERE email IS NOT NULL AND active = TRUE", CREATED, "a partial unique index"),
    ("ev_concurrently", "CREATE INDEX CONCURRENTLY IF NOT EXISTS ev_concurrently ON events (name) WHERE amount > 0", CREATED, "CONCURRENTLY / IF NOT EXISTS are dropped"),
]


# ---------------------------------------------------------------------------------------------
# what prisma-lint says
# ---------------------------------------------------------------------------------------------
def _lint(path: Path):
    """The loaded SQL and, per CREATE INDEX statement, prisma-lint's findings of the rule."""
    loaded = load_sql(path)
    errors = [d.render() for d in loaded.diagnostics if d.severity == "error"]
    assert not errors, errors
    result = lint(loaded, REGISTRY, Config(), select=[RULE])
    crashes = [d.render() for d in result.diagnostics if d.severity == "error"]
    assert not crashes, crashes
    creates = [s for s in loaded.schema.sql_statements if s.kind == "create-index"]
    flagged: dict[int, list] = {id(s): [] for s in creates}
    for f in result.findings:
        assert f.rule == RULE
        owner = [s for s in creates if s.span.file.path == f.span.file.path and s.span.start <= f.span.start < s.span.end]
        assert len(owner) == 1, f"a finding outside every CREATE INDEX: {f.message} at {f.span.line}"
        flagged[id(owner[0])].append(f)
    return loaded, creates, flagged


# ---------------------------------------------------------------------------------------------
# building the tables the statements need
# ---------------------------------------------------------------------------------------------
def _colname(node: dict) -> Optional[str]:
    if isinstance(node, dict) and "ColumnRef" in node:
        names = [f["String"]["sval"] for f in node["ColumnRef"].get("fields", []) if "String" in f]
        return names[-1] if names else None
    return None


def _names(nodes) -> list[str]:
    return [n["String"]["sval"].lower() for n in nodes or [] if "String" in n]


_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TIME_TYPES = {"date", "timestamp", "timestamptz", "interval", "time", "timetz"}
_TIME_FUNCS = {"now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "to_timestamp", "make_date", "make_timestamp", "make_timestamptz"}
_NUMERIC_TYPES = {"int2", "int4", "int8", "integer", "bigint", "smallint", "numeric", "decimal", "float4", "float8", "real"}
_TEXT_FUNCS = {"lower", "upper", "to_tsvector", "length", "char_length", "btrim", "ltrim", "rtrim", "substr", "substring", "left", "right", "md5", "trim", "unaccent", "initcap", "replace"}
_TIME_ARG_FUNCS = {"age", "date_trunc", "extract", "date_part"}
_SESSION_TEXT = {"SVFOP_CURRENT_USER", "SVFOP_CURRENT_ROLE", "SVFOP_USER", "SVFOP_SESSION_USER", "SVFOP_CURRENT_CATALOG", "SVFOP_CURRENT_SCHEMA"}


def _value_type(node: dict) -> Optional[str]:
    """The type a value expression has (None: cannot tell)."""
    if not isinstance(node, dict):
        return None
    if "A_Const" in node:
        c = node["A_Const"]
        if "boolval" in c:
            return "boolean"
        if "ival" in c or "fval" in c:
            return "numeric"
        if "sval" in c:
            text = c["sval"].get("sval", "") if isinstance(c["sval"], dict) else ""
            return "timestamptz" if _DATE_TEXT.match(text) else "text"
        return None
    if "SQLValueFunction" in node:
        return "text" if node["SQLValueFunction"].get("op") in _SESSION_TEXT else "timestamptz"
    if "FuncCall" in node:
        name = (_names(node["FuncCall"].get("funcname")) or [""])[-1]
        if name in _TIME_FUNCS:
            return "timestamptz"
        if name in _TEXT_FUNCS:
            return "text"
        return None
    if "TypeCast" in node:
        t = (_names(node["TypeCast"].get("typeName", {}).get("names")) or [""])[-1]
        if t in _TIME_TYPES:
            return "timestamptz"
        if t in _NUMERIC_TYPES:
            return "numeric"
        if t in ("bool", "boolean"):
            return "boolean"
        if t in ("text", "varchar", "bpchar"):
            return "text"
        return None
    if "A_Expr" in node and node["A_Expr"].get("kind") == "AEXPR_OP":
        e = node["A_Expr"]
        sides = [_value_type(e.get("lexpr")), _value_type(e.get("rexpr"))]
        if "timestamptz" in sides:
            return "timestamptz"
        if "numeric" in sides:
            return "numeric"
    return None


def _infer_types(statements: list[dict]) -> dict[str, set[str]]:
    """Column -> types its uses suggest, from index predicates and expressions (JSON trees).

    A column compared with TRUE/FALSE or used bare as a condition: boolean; compared with NOW(),
    CURRENT_DATE, intervals or date literals: timestamptz; with numbers: numeric; used by text
    functions, LIKE, or IN ('a', 'b'): text; the bare key of a GIN index: jsonb.
    """
    hints: dict[str, set[str]] = {}

    def hint(node, t: Optional[str]) -> None:
        col = _colname(node)
        if col and t:
            hints.setdefault(col, set()).add(t)

    def condition(node) -> None:
        if not isinstance(node, dict):
            return
        if _colname(node):
            hint(node, "boolean")
        elif "BoolExpr" in node:
            for a in node["BoolExpr"].get("args", []):
                condition(a)
        elif "BooleanTest" in node:
            hint(node["BooleanTest"].get("arg"), "boolean")

    for st in statements:
        for node in [st.get("whereClause")] + [p["IndexElem"].get("expr") for p in st.get("indexParams", [])]:
            if node is None:
                continue
            condition(node)
            for n in walk(node):
                if "A_Expr" in n:
                    e = n["A_Expr"]
                    kind, left, right = e.get("kind"), e.get("lexpr"), e.get("rexpr")
                    if kind == "AEXPR_OP":
                        hint(left, _value_type(right))
                        hint(right, _value_type(left))
                    elif kind in ("AEXPR_IN", "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
                        items = right.get("List", {}).get("items", []) if isinstance(right, dict) else []
                        for item in items:
                            hint(left, _value_type(item))
                    elif kind in ("AEXPR_LIKE", "AEXPR_ILIKE", "AEXPR_SIMILAR"):
                        hint(left, "text")
                elif "FuncCall" in n:
                    name = (_names(n["FuncCall"].get("funcname")) or [""])[-1]
                    for a in n["FuncCall"].get("args", []):
                        if name in _TEXT_FUNCS:
                            hint(a, "text")
                        elif name in _TIME_ARG_FUNCS:
                            hint(a, "timestamptz")
                elif "BoolExpr" in n:
                    for a in n["BoolExpr"].get("args", []):
                        hint(a, "boolean")
        if st.get("accessMethod", "btree").lower() == "gin":
            for p in st.get("indexParams", []):
                if p["IndexElem"].get("name"):
                    hints.setdefault(p["IndexElem"]["name"], set()).add("jsonb")
    return hints


_PRISMA_SQL = {
    "String": "text",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Decimal": "numeric",
    "DateTime": "timestamptz",
    "Boolean": "boolean",
    "Json": "jsonb",
    "Bytes": "bytea",
}
_PRIORITY = ["jsonb", "boolean", "timestamptz", "numeric", "text"]


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parse(st: SqlStatement) -> dict:
    from pglast import parser

    (raw,) = json.loads(parser.parse_sql_json(st.span.text))["stmts"]
    return raw["stmt"]


def _table_ddl(loaded, creates: list[SqlStatement]) -> list[str]:
    """CREATE TABLE statements for the tables the file's indexes use but never create."""
    schema = loaded.schema
    trees: dict[str, list[dict]] = {}
    for st in creates:
        trees.setdefault(st.table, []).append(_parse(st)["IndexStmt"])
    out = []
    for name, model in schema.models.items():
        if model.origin != "sql-inferred":
            continue
        stmts = trees.get(name, [])
        hints = _infer_types(stmts)
        columns: dict[str, str] = {}
        for f in model.fields.values():
            if f.kind == "scalar":
                columns[f.db_name] = _PRISMA_SQL.get(f.type, "text") + ("[]" if f.list else "")
            elif f.kind == "unsupported":
                columns[f.db_name] = f.type + ("[]" if f.list else "")
            else:
                columns[f.db_name] = None  # inferred below
        # every column a predicate or expression names (as the server folds it)
        for st in stmts:
            for node in [st.get("whereClause")] + [p["IndexElem"].get("expr") for p in st.get("indexParams", [])]:
                for n in walk(node):
                    col = _colname(n)
                    if col:
                        columns.setdefault(col, None)
        for col, t in columns.items():
            if t is None:
                found = hints.get(col, set())
                t = next((p for p in _PRIORITY if p in found), "text")
            columns[col] = t
        body = ",\n  ".join(f"{_qi(c)} {t}" for c, t in columns.items())
        out.append(f"CREATE TABLE {_qi(name)} (\n  {body}\n)")
    return out


# ---------------------------------------------------------------------------------------------
# asking the server
# ---------------------------------------------------------------------------------------------
_HEAD = re.compile(r"^(CREATE\s+(?:UNIQUE\s+)?INDEX)\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?", re.I)


def _executable(st: SqlStatement) -> str:
    text = _HEAD.sub(r"\1 ", st.span.text.strip().rstrip(";"), count=1)
    from pglast import parser

    (raw,) = json.loads(parser.parse_sql_json(text))["stmts"]
    idx = raw["stmt"]["IndexStmt"]
    assert not idx.get("concurrent") and not idx.get("if_not_exists"), text
    return text


@dataclass
class Outcome:
    created: bool
    error: Optional[str] = None

    @property
    def refused_immutable(self) -> bool:
        return not self.created and self.error is not None and "IMMUTABLE" in self.error


def _try(conn, st: SqlStatement) -> Outcome:
    """Create the index in a transaction that is rolled back; did the server accept it?"""
    import psycopg

    sql = _executable(st)
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(sql)
            if st.index:
                (exists,) = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [_qi(st.index)]).fetchone()
                assert exists, f"the server reported no error but there is no index {st.index!r}: {sql}"
    except psycopg.Error as e:
        return Outcome(False, f"{e.sqlstate}: {str(e).strip()}")
    return Outcome(True)


def _where(st: SqlStatement) -> str:
    return f"{st.file}:{st.span.line} {st.index}"


def _compare(postgres, path: Path, setup: list[str] = ()) -> tuple[list[str], dict]:
    """Run every CREATE INDEX of the file; the disagreements with prisma-lint, and each outcome."""
    loaded, creates, flagged = _lint(path)
    assert creates, f"no CREATE INDEX in {path}"
    db = postgres.new_database()
    outcomes: dict[int, Outcome] = {}
    with postgres.connect(db) as conn:
        for ddl in [*setup, *[s.span.text for s in loaded.schema.sql_statements if s.kind == "create-table"], *_table_ddl(loaded, creates)]:
            conn.execute(ddl)
        for st in creates:
            outcomes[id(st)] = _try(conn, st)
    problems = []
    for st in creates:
        out, found = outcomes[id(st)], flagged[id(st)]
        text = " ".join(st.span.text.split())
        if found and out.created:
            problems.append(
                f"FALSE POSITIVE {_where(st)}: prisma-lint flags it ({found[0].message.split(':')[0]}) "
                f"but PostgreSQL creates it\n    {text}"
            )
        elif found and not out.refused_immutable:
            problems.append(f"OTHER ERROR {_where(st)}: flagged; PostgreSQL refused it for another reason: {out.error}\n    {text}")
        elif not found and out.refused_immutable:
            problems.append(f"MISSED {_where(st)}: not flagged, PostgreSQL refuses it: {out.error}\n    {text}")
        elif not found and not out.created:
            problems.append(f"OTHER ERROR {_where(st)}: not flagged; PostgreSQL refused it: {out.error}\n    {text}")
    by_name = {st.index: (bool(flagged[id(st)]), outcomes[id(st)]) for st in creates}
    return problems, by_name


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_server_agrees_on_seed_sql(postgres, seed):
    problems, by_name = _compare(postgres, SEED_FILES[seed])
    assert not problems, f"{len(problems)} disagreement(s) with PostgreSQL:\n" + "\n".join(problems)
    # the fixtures' known cases really were exercised
    flagged = sorted(n for n, (f, _) in by_name.items() if f)
    expected_flagged = {
        "seed002": ["idx_messages_recent", "idx_sessions_expires"],
        "seed003": ["idx_report_execution_workspace_date"],
        "seed004": [],
    }[seed]
    assert flagged == expected_flagged
    assert all(o.created for n, (f, o) in by_name.items() if not f)


@pytest.fixture(scope="module")
def synthetic(postgres, tmp_path_factory):
    path = tmp_path_factory.mktemp("immutable") / "synthetic.sql"
    path.write_text(SYNTHETIC_TABLES + "\n" + "".join(f"{sql};\n" for _, sql, _, _ in SYNTHETIC), encoding="utf-8")
    problems, by_name = _compare(postgres, path)
    return problems, by_name


def test_synthetic_cases_are_what_the_server_says(synthetic):
    """The expectations written in SYNTHETIC are the server's (guards the table against typos)."""
    _, by_name = synthetic
    wrong = []
    for name, _sql, expect, why in SYNTHETIC:
        _, outcome = by_name[name]
        actual = CREATED if outcome.created else (REFUSED if outcome.refused_immutable else f"error {outcome.error}")
        if actual != expect:
            wrong.append(f"{name}: expected {expect} ({why}), server: {actual}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", [c[0] for c in SYNTHETIC])
def test_server_agrees_on_synthetic(synthetic, name):
    _, by_name = synthetic
    flagged, outcome = by_name[name]
    sql, why = next((c[1], c[3]) for c in SYNTHETIC if c[0] == name)
    if outcome.created:
        assert not flagged, f"prisma-lint flags {name} but PostgreSQL creates it ({why}):\n    {sql}"
    else:
        assert outcome.refused_immutable, f"PostgreSQL refused {name} for another reason: {outcome.error}"
        assert flagged, f"PostgreSQL refuses {name} ({outcome.error}) but prisma-lint does not flag it ({why}):\n    {sql}"


def test_synthetic_file_has_no_other_disagreement(synthetic):
    problems, _ = synthetic
    other = [p for p in problems if p.startswith("OTHER ERROR")]
    assert not other, "\n".join(other)
