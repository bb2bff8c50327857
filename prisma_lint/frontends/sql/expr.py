"""Questions about SQL expressions (index predicates and index expressions), on pglast's JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Optional

# Functions whose result changes between calls or with the session: PostgreSQL refuses them in
# an index expression or predicate ("functions in index predicate must be marked IMMUTABLE").
NON_IMMUTABLE_FUNCTIONS = frozenset(
    {
        "now",
        "clock_timestamp",
        "statement_timestamp",
        "transaction_timestamp",
        "timeofday",
        "random",
        "random_normal",
        "setseed",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "nextval",
        "currval",
        "lastval",
        "current_setting",
        "pg_backend_pid",
        "txid_current",
        "inet_client_addr",
    }
)
_SQL_VALUE_NAMES = {
    "SVFOP_CURRENT_DATE": "CURRENT_DATE",
    "SVFOP_CURRENT_TIME": "CURRENT_TIME",
    "SVFOP_CURRENT_TIME_N": "CURRENT_TIME",
    "SVFOP_CURRENT_TIMESTAMP": "CURRENT_TIMESTAMP",
    "SVFOP_CURRENT_TIMESTAMP_N": "CURRENT_TIMESTAMP",
    "SVFOP_LOCALTIME": "LOCALTIME",
    "SVFOP_LOCALTIME_N": "LOCALTIME",
    "SVFOP_LOCALTIMESTAMP": "LOCALTIMESTAMP",
    "SVFOP_LOCALTIMESTAMP_N": "LOCALTIMESTAMP",
    "SVFOP_CURRENT_ROLE": "CURRENT_ROLE",
    "SVFOP_CURRENT_USER": "CURRENT_USER",
    "SVFOP_USER": "USER",
    "SVFOP_SESSION_USER": "SESSION_USER",
    "SVFOP_CURRENT_CATALOG": "CURRENT_CATALOG",
    "SVFOP_CURRENT_SCHEMA": "CURRENT_SCHEMA",
}


def walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


# STABLE whatever their arguments (they read the session's settings)
STABLE_FUNCTIONS = frozenset({"concat", "concat_ws", "format"})
# STABLE with one argument: they use default_text_search_config
TEXT_SEARCH_FUNCTIONS = frozenset(
    {"to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery"}
)
# STABLE on a timestamptz (they depend on the TimeZone setting): the argument position
TIMEZONE_FUNCTIONS = {"date_trunc": 1, "date_part": 1, "extract": 1, "to_char": 0}
_TZ_CAST_TARGETS = frozenset({"date", "timestamp", "time", "text", "varchar", "bpchar"})


def non_immutable_calls(node: Any, column_type=None) -> list[tuple[str, Optional[int]]]:
    """(what, byte location) of every call in ``node`` that is not IMMUTABLE.

    ``column_type(name)`` gives a column's type when it is known (``"timestamptz"``, ...):
    some functions are STABLE only on a timestamptz."""

    def is_tz(arg: Any) -> bool:
        col = _column(arg) if isinstance(arg, dict) else None
        return bool(col and column_type and column_type(col) == "timestamptz")

    found = []
    for n in walk(node):
        if "FuncCall" in n:
            fc = n["FuncCall"]
            names = [x["String"]["sval"] for x in fc.get("funcname", []) if "String" in x]
            name = names[-1].lower() if names else ""
            args = fc.get("args", [])
            if (
                name in NON_IMMUTABLE_FUNCTIONS
                or name in STABLE_FUNCTIONS
                or (name == "age" and len(args) == 1)
                or (name in TEXT_SEARCH_FUNCTIONS and len(args) == 1)
                or (name in TIMEZONE_FUNCTIONS and len(args) > TIMEZONE_FUNCTIONS[name] and is_tz(args[TIMEZONE_FUNCTIONS[name]]))
            ):
                found.append((f"{name}()", fc.get("location")))
        elif "TypeCast" in n:
            tc = n["TypeCast"]
            target = [x["String"]["sval"] for x in tc.get("typeName", {}).get("names", []) if "String" in x]
            if target and target[-1] in _TZ_CAST_TARGETS and is_tz(tc.get("arg", {})):
                found.append((f"a timestamptz cast to {target[-1]}", tc.get("location")))
        elif "SQLValueFunction" in n:
            sv = n["SQLValueFunction"]
            found.append((_SQL_VALUE_NAMES.get(sv.get("op"), "a session value"), sv.get("location")))
    # ('now'::timestamptz is accepted by PostgreSQL: the value is frozen when the index is built;
    # it is not reported here, where every finding is a statement the server refuses, but by
    # frozen_time_literals below)
    return found


# The special date/time input strings PostgreSQL reads as "the moment this text is converted"
RELATIVE_TIME_WORDS = frozenset({"now", "today", "tomorrow", "yesterday"})
_TIME_TYPE_NAMES = frozenset({"date", "timestamp", "timestamptz", "time", "timetz"})
_TIME_COLUMN_TYPES = frozenset({"DateTime", "timestamptz", "date", "timestamp", "time", "timetz"})


def _relative_word(node: Any) -> Optional[str]:
    """``'now'``, ``'today'`` ... when ``node`` is that string constant (case and spaces as
    PostgreSQL allows them)."""
    if isinstance(node, dict) and "A_Const" in node:
        sval = node["A_Const"].get("sval")
        text = sval.get("sval") if isinstance(sval, dict) else None
        if isinstance(text, str) and text.strip().lower() in RELATIVE_TIME_WORDS:
            return text.strip().lower()
    return None


def frozen_time_literals(node: Any, column_type=None) -> list[tuple[str, Optional[int]]]:
    """(what, byte location) of every ``'now'``, ``'today'``, ``'tomorrow'`` or ``'yesterday'``
    that PostgreSQL turns into a fixed date or time when it reads the statement: cast to a
    date/time type (``'now'::timestamptz``, ``DATE 'today'``), or compared with a column that is
    a date/time (or whose type is not known)."""
    found = []
    for n in walk(node):
        if "TypeCast" in n:
            tc = n["TypeCast"]
            word = _relative_word(tc.get("arg"))
            target = [x["String"]["sval"] for x in tc.get("typeName", {}).get("names", []) if "String" in x]
            if word and target and target[-1] in _TIME_TYPE_NAMES:
                # the cast's location is its `::` (`'now'::date`) or its type name (`DATE 'now'`)
                places = (tc.get("location"), tc["typeName"].get("location"), tc["arg"]["A_Const"].get("location"))
                locations = [x for x in places if x is not None and x >= 0]
                found.append((f"'{word}'::{target[-1]}", min(locations, default=None)))
        elif "A_Expr" in n:
            e = n["A_Expr"]
            for side, other in (("lexpr", "rexpr"), ("rexpr", "lexpr")):
                col = _column(e[other]) if isinstance(e.get(other), dict) else None
                kind = column_type(col) if col and column_type else None
                if col is None or not (kind is None or kind in _TIME_COLUMN_TYPES):
                    continue
                value = e.get(side)
                items = value["List"].get("items", []) if isinstance(value, dict) and "List" in value else [value]
                for item in items:  # BETWEEN and IN compare the column with a list
                    word = _relative_word(item)
                    if word:
                        found.append((f"'{word}' (compared with `{col}`)", item["A_Const"].get("location")))
    return found


def conjuncts(node: Optional[dict]) -> list[dict]:
    if not node:
        return []
    if "BoolExpr" in node and node["BoolExpr"].get("boolop") == "AND_EXPR":
        out = []
        for a in node["BoolExpr"].get("args", []):
            out.extend(conjuncts(a))
        return out
    return [node]


def _column(node: dict) -> Optional[str]:
    if "ColumnRef" in node:
        fields = [f["String"]["sval"] for f in node["ColumnRef"].get("fields", []) if "String" in f]
        return fields[-1] if fields else None
    return None


def _is_const(node: dict) -> bool:
    if "A_Const" in node:
        return True
    if "TypeCast" in node:
        return _is_const(node["TypeCast"].get("arg", {}))
    return False


def pinned_columns(where: Optional[dict]) -> dict[str, str]:
    """Columns the predicate fixes to one value: ``col = const``, ``col IS TRUE``, ``col IS NULL``,
    a bare boolean ``col`` or ``NOT col`` (as AND-ed conditions). Maps column -> how."""
    out: dict[str, str] = {}
    for c in conjuncts(where):
        col = _column(c)
        if col:
            out[col] = f"{col} (true)"
            continue
        if "BoolExpr" in c and c["BoolExpr"].get("boolop") == "NOT_EXPR":
            args = c["BoolExpr"].get("args", [])
            name = _column(args[0]) if len(args) == 1 else None
            if name:
                out[name] = f"NOT {name}"
            continue
        if "A_Expr" in c:
            e = c["A_Expr"]
            op = [x["String"]["sval"] for x in e.get("name", []) if "String" in x]
            if e.get("kind") == "AEXPR_OP" and op == ["="]:
                left, right = e.get("lexpr", {}), e.get("rexpr", {})
                lcol, rcol = _column(left), _column(right)
                if lcol and _is_const(right):
                    out[lcol] = f"{lcol} = <constant>"
                elif rcol and _is_const(left):
                    out[rcol] = f"{rcol} = <constant>"
            continue
        if "BooleanTest" in c:
            bt = c["BooleanTest"]
            col = _column(bt.get("arg", {}))
            if col and bt.get("booltesttype") in ("IS_TRUE", "IS_FALSE"):
                out[col] = f"{col} {bt['booltesttype'].replace('_', ' ')}"
            continue
        if "NullTest" in c:
            nt = c["NullTest"]
            col = _column(nt.get("arg", {}))
            if col and nt.get("nulltesttype") == "IS_NULL":
                out[col] = f"{col} IS NULL"
    return out


def predicate_json(text: str) -> Optional[dict]:
    """The JSON tree of a predicate written as text (a Prisma ``where: raw("...")``)."""
    from pglast import parser

    try:
        tree = json.loads(parser.parse_sql_json(f"SELECT 1 WHERE {text}"))
        return tree["stmts"][0]["stmt"]["SelectStmt"].get("whereClause")
    except Exception:
        return None


@lru_cache(maxsize=4096)
def canonical_predicate(text: Optional[str]) -> Optional[str]:
    """A predicate's text as pglast prints it back (so `"a" = 1`, `(a = 1)` and `a=1` compare
    equal); the text itself when it does not parse."""
    if text is None:
        return None
    import pglast
    from pglast.stream import RawStream

    try:
        stmt: Any = pglast.parse_sql(f"SELECT 1 WHERE {text}")[0].stmt
        return RawStream()(stmt.whereClause)
    except Exception:
        return " ".join(text.split())
