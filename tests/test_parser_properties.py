"""Property tests for the parser.

(a) Random *valid* schemas are generated as a plain data structure, rendered to text with
    random layout (spaces, tabs, blank lines, comments, line endings), parsed, and the AST is
    compared with the structure it came from: names, types, modifiers, attributes and their
    argument values (strings unescaped), doc comments.
(b) Random edits of real schemas from the corpus never make the parser, the model builder,
    the linter or the graph export raise, and every diagnostic points inside the text.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Optional

from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prisma_lint.config import Config
from prisma_lint.emit.graph import graph_json, to_dot, to_mermaid
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import LoadedSchema, parse_files
from prisma_lint.frontends.prisma.parser import parse_text
from prisma_lint.frontends.prisma.syntax import ArrayLit, Call, Name, NumberLit, ObjectLit, StringLit
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile

REGISTRY = load_registry()

# ---------------------------------------------------------------------------------------------
# the generated structure (what the AST must come back as)
# ---------------------------------------------------------------------------------------------
# Expressions are tuples:
#   ("str", value) ("num", raw) ("name", name) ("call", name, args) ("array", items)
#   ("object", ((key, expr), ...))
# Arguments are (name or None, expr); attributes are GAttr(name, args).


@dataclass(frozen=True)
class GAttr:
    name: str  # without @ / @@
    args: tuple = ()  # ((name|None, expr), ...)


@dataclass(frozen=True)
class GType:
    name: str
    optional: bool = False
    list: bool = False
    unsupported: Optional[str] = None


@dataclass(frozen=True)
class GField:
    name: str
    type: GType
    attributes: tuple = ()
    doc: Optional[str] = None


@dataclass(frozen=True)
class GValue:
    name: str
    attributes: tuple = ()
    doc: Optional[str] = None


@dataclass(frozen=True)
class GBlock:
    kind: str
    name: str
    fields: tuple = ()
    values: tuple = ()
    properties: tuple = ()  # ((key, expr), ...)
    attributes: tuple = ()
    doc: Optional[str] = None


# ---------------------------------------------------------------------------------------------
# converting the parsed AST into the same structure
# ---------------------------------------------------------------------------------------------
def expr_of(e) -> tuple:
    if isinstance(e, StringLit):
        return ("str", e.value)
    if isinstance(e, NumberLit):
        return ("num", e.raw)
    if isinstance(e, Name):
        return ("name", e.name)
    if isinstance(e, Call):
        return ("call", e.name, tuple((a.name, expr_of(a.value)) for a in e.args))
    if isinstance(e, ArrayLit):
        return ("array", tuple(expr_of(i) for i in e.items))
    if isinstance(e, ObjectLit):
        return ("object", tuple((k, expr_of(v)) for k, v in e.entries))
    raise AssertionError(f"unexpected expression {e!r}")


def attr_of(a) -> GAttr:
    return GAttr(a.name, tuple((x.name, expr_of(x.value) if x.value is not None else None) for x in a.args))


def block_of(b) -> GBlock:
    return GBlock(
        kind=b.kind,
        name=b.name,
        fields=tuple(
            GField(
                f.name,
                GType(f.type.name, f.type.optional, f.type.list, f.type.unsupported) if f.type else None,
                tuple(attr_of(a) for a in f.attributes),
                f.doc,
            )
            for f in b.fields
        ),
        values=tuple(GValue(v.name, tuple(attr_of(a) for a in v.attributes), v.doc) for v in b.values),
        properties=tuple((p.key, expr_of(p.value)) for p in b.properties),
        attributes=tuple(attr_of(a) for a in b.attributes),
        doc=b.doc,
    )


# ---------------------------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------------------------
SCALARS = ["String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"]
RESERVED = set(SCALARS) | {"Unsupported", "model", "enum", "view", "type", "datasource", "generator"}
KEYWORD_FIELDS = ["type", "model", "enum", "view"]
UNICODE_FIELDS = ["naïve", "名前", "größe", "título", "çà", "имя"]
UNICODE_BLOCKS = ["Café", "Ünïcode", "Модель", "模型", "Señal"]

lower_ident = st.from_regex(r"[a-z][A-Za-z0-9_]{0,9}", fullmatch=True)
upper_ident = st.from_regex(r"[A-Z][A-Za-z0-9_]{0,9}", fullmatch=True)
field_name = st.one_of(lower_ident, st.sampled_from(KEYWORD_FIELDS), st.sampled_from(UNICODE_FIELDS))
block_name = st.one_of(upper_ident, st.sampled_from(UNICODE_BLOCKS)).filter(lambda n: n not in RESERVED)

# strings: anything except surrogates; quotes, backslashes and control characters included
string_value = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(['a"b', "back\\slash", '\\"', "tab\there", "line\nbreak", "é日本語", "\\\\", '""', "{", "}"]),
)
doc_text = st.text(
    st.sampled_from(list("abcXYZ019 .,;:!?'\"(){}[]@#*/\\-_=") + ["é", "ü", "日", "本", "語", "ユ", "ー", "ザ"]),
    max_size=20,
).map(str.strip)
docs = st.lists(doc_text, min_size=1, max_size=3).map("\n".join)

integer_raw = st.integers(-(10**9), 10**9).map(str)
decimal_raw = st.builds(lambda i, d: f"{i}.{d}", st.integers(-(10**4), 10**4), st.from_regex(r"[0-9]{1,4}", fullmatch=True))
number = st.one_of(integer_raw, decimal_raw).map(lambda raw: ("num", raw))
string_expr = string_value.map(lambda s: ("str", s))

FUNCTIONS = st.sampled_from(
    [
        ("call", "now", ()),
        ("call", "uuid", ()),
        ("call", "uuid", ((None, ("num", "4")),)),
        ("call", "uuid", ((None, ("num", "7")),)),
        ("call", "cuid", ()),
        ("call", "cuid", ((None, ("num", "2")),)),
        ("call", "nanoid", ()),
        ("call", "nanoid", ((None, ("num", "16")),)),
        ("call", "ulid", ()),
        ("call", "autoincrement", ()),
        ("call", "sequence", ()),
        ("call", "dbgenerated", ()),
        ("call", "auto", ()),
    ]
)
dbgenerated = string_value.map(lambda s: ("call", "dbgenerated", ((None, ("str", s)),)))
default_value = st.one_of(
    FUNCTIONS,
    dbgenerated,
    number,
    string_expr,
    st.sampled_from([("name", "true"), ("name", "false")]),
    st.lists(st.one_of(number, string_expr), max_size=3).map(lambda xs: ("array", tuple(xs))),
)

NATIVE = st.one_of(
    st.integers(1, 10000).map(lambda n: GAttr("db.VarChar", ((None, ("num", str(n))),))),
    st.integers(1, 255).map(lambda n: GAttr("db.Char", ((None, ("num", str(n))),))),
    st.sampled_from([GAttr("db.Text"), GAttr("db.Uuid"), GAttr("db.SmallInt"), GAttr("db.JsonB"), GAttr("db.Date")]),
    st.tuples(st.integers(1, 65), st.integers(0, 30)).map(
        lambda t: GAttr("db.Decimal", ((None, ("num", str(t[0]))), (None, ("num", str(t[1]))))),
    ),
    st.integers(0, 6).map(lambda n: GAttr("db.Timestamptz", ((None, ("num", str(n))),))),
)
map_attr = string_value.map(lambda s: GAttr("map", ((None, ("str", s)),)))
map_named = string_value.map(lambda s: GAttr("map", (("name", ("str", s)),)))


@st.composite
def scalar_field(draw, name: str, enums: list[GBlock]) -> GField:
    choice = draw(st.sampled_from(["scalar"] * 6 + ["enum", "unsupported"]))
    if choice == "enum" and enums:
        e = draw(st.sampled_from(enums))
        ftype = GType(e.name)
        enum_values = [v.name for v in e.values]
    elif choice == "unsupported":
        ftype = GType("Unsupported", unsupported=draw(string_value))
        enum_values = []
    else:
        ftype = GType(draw(st.sampled_from(SCALARS)))
        enum_values = []
    modifier = draw(st.sampled_from(["", "", "?", "[]"]))
    if ftype.unsupported is not None and modifier == "[]":
        modifier = "?"
    ftype = GType(ftype.name, modifier == "?", modifier == "[]", ftype.unsupported)
    attrs: list[GAttr] = []
    if draw(st.integers(0, 3)) == 0:
        attrs.append(
            draw(
                st.sampled_from(
                    [
                        GAttr("unique"),
                        GAttr("unique", (("map", ("str", "u_key")),)),
                        GAttr("unique", (("sort", ("name", "Desc")),)),
                        GAttr("unique", (("length", ("num", "10")), ("sort", ("name", "Asc")))),
                    ]
                )
            )
        )
    if draw(st.booleans()):
        if enum_values and draw(st.booleans()):
            value = ("name", draw(st.sampled_from(enum_values)))
        else:
            value = draw(default_value)
        if draw(st.booleans()):
            attrs.append(GAttr("default", ((None, value),)))
        else:
            attrs.append(GAttr("default", (("value", value),) + ((("map", ("str", "df")),) if draw(st.booleans()) else ())))
    if draw(st.integers(0, 3)) == 0:
        attrs.append(draw(st.one_of(map_attr, map_named)))
    if draw(st.integers(0, 3)) == 0:
        attrs.append(draw(NATIVE))
    if ftype.name == "DateTime" and draw(st.integers(0, 3)) == 0:
        attrs.append(GAttr("updatedAt"))
    if draw(st.integers(0, 9)) == 0:
        attrs.append(GAttr("ignore"))
    attrs = draw(st.permutations(attrs))
    doc = draw(st.one_of(st.none(), docs))
    return GField(name, ftype, tuple(attrs), doc)


@st.composite
def enum_block(draw, name: str) -> GBlock:
    names = draw(
        st.lists(st.one_of(upper_ident, lower_ident, st.sampled_from(KEYWORD_FIELDS + ["ÉTÉ", "已"])), min_size=1, max_size=5, unique=True)
    )
    values = []
    for n in names:
        attrs = (draw(map_attr),) if draw(st.integers(0, 2)) == 0 else ()
        values.append(GValue(n, attrs, draw(st.one_of(st.none(), docs))))
    block_attrs = (draw(map_attr),) if draw(st.booleans()) else ()
    return GBlock("enum", name, values=tuple(values), attributes=block_attrs, doc=draw(st.one_of(st.none(), docs)))


@st.composite
def index_item(draw, field_name: str) -> tuple:
    args = []
    if draw(st.integers(0, 2)) == 0:
        args.append(("sort", ("name", draw(st.sampled_from(["Asc", "Desc"])))))
    if draw(st.integers(0, 3)) == 0:
        args.append(("length", ("num", str(draw(st.integers(1, 500))))))
    if draw(st.integers(0, 3)) == 0:
        args.append(("ops", draw(st.sampled_from([("name", "JsonbPathOps"), ("name", "TextOps"), ("call", "raw", ((None, ("str", "gin_trgm_ops")),))]))))
    args = draw(st.permutations(args))
    return ("call", field_name, tuple(args)) if args else ("name", field_name)


@st.composite
def block_index(draw, kind: str, scalar_names: list[str]) -> GAttr:
    chosen = draw(st.lists(st.sampled_from(scalar_names), min_size=1, max_size=3, unique=True))
    items = tuple(draw(index_item(n)) for n in chosen)
    fields_arg = ("array", items)
    args: list = [(None, fields_arg) if draw(st.booleans()) else ("fields", fields_arg)]
    if kind == "index" and draw(st.booleans()):
        args.append(("type", ("name", draw(st.sampled_from(["BTree", "Hash", "Gin", "Gist", "SpGist", "Brin"])))))
    if draw(st.booleans()):
        args.append(("map", draw(string_expr)))
    if kind in ("unique", "id") and draw(st.integers(0, 2)) == 0:
        args.append(("name", ("str", draw(lower_ident))))
    if draw(st.integers(0, 5)) == 0:
        args.append(("clustered", ("name", draw(st.sampled_from(["true", "false"])))))
    if kind == "index" and draw(st.integers(0, 5)) == 0:
        args.append(
            (
                "where",
                draw(
                    st.sampled_from(
                        [
                            ("call", "raw", ((None, ("str", "deleted_at IS NULL")),)),
                            ("object", (("active", ("name", "true")),)),
                            ("object", (("status", ("str", "open")), ("n", ("num", "-2")))),
                        ]
                    )
                ),
            )
        )
    first, rest = args[0], draw(st.permutations(args[1:]))
    return GAttr(kind, (first, *rest))


DATASOURCE_PROPS = (
    ("provider", ("str", "postgresql")),
    ("url", ("call", "env", ((None, ("str", "DATABASE_URL")),))),
)
SCHEMAS_PROP = (("schemas", ("array", (("str", "public"), ("str", "auth")))),)


@st.composite
def schemas(draw) -> list[GBlock]:
    blocks: list[GBlock] = []
    blocks.append(
        GBlock(
            "datasource",
            "db",
            properties=DATASOURCE_PROPS + (SCHEMAS_PROP if draw(st.booleans()) else ()),
            doc=draw(st.one_of(st.none(), docs)),
        )
    )
    if draw(st.booleans()):
        blocks.append(
            GBlock(
                "generator",
                draw(lower_ident),
                properties=(("provider", ("str", "prisma-client-js")), ("previewFeatures", ("array", (("str", "views"),)))),
            )
        )
    names = draw(st.lists(block_name, min_size=1, max_size=6, unique=True))
    n_enums = draw(st.integers(0, min(2, len(names) - 1)))
    enums = [draw(enum_block(n)) for n in names[:n_enums]]
    model_names = names[n_enums:]

    # each model/view/type: its own field names (unique per block), then relations
    plans = []
    for mname in model_names:
        kind = draw(st.sampled_from(["model"] * 5 + ["view", "type"]))
        fnames = draw(st.lists(field_name, min_size=1, max_size=6, unique=True))
        plans.append({"kind": kind, "name": mname, "fnames": fnames, "used": set(fnames)})
    by_name = {p["name"]: p for p in plans}

    def fresh(model: str, base: str) -> str:
        used = by_name[model]["used"]
        n, i = base, 1
        while n in used:
            i += 1
            n = f"{base}{i}"
        used.add(n)
        return n

    # models have a single-field primary key (which relations reference) or a composite @@id
    for p in plans:
        p["id"] = fresh(p["name"], "id") if p["kind"] == "model" and draw(st.integers(0, 4)) > 0 else None
    targets = [p["name"] for p in plans if p["id"] is not None]
    holders = [p["name"] for p in plans if p["kind"] == "model"]

    # relations between models (named, so that several between one pair are unambiguous)
    relation_fields: dict[str, list[GField]] = {p["name"]: [] for p in plans}
    if targets:
        for k in range(draw(st.integers(0, 3))):
            holder = draw(st.sampled_from(holders))
            target = draw(st.sampled_from(targets))
            rel_name = f"Rel{k}"
            fk = fresh(holder, "fkId")
            one_to_one = draw(st.integers(0, 3)) == 0
            optional = draw(st.booleans())
            fk_attrs = (GAttr("unique"),) if one_to_one else ()
            relation_fields[holder].append(GField(fk, GType("Int", optional=optional), fk_attrs))
            args = [
                (None, ("str", rel_name)),
                ("fields", ("array", (("name", fk),))),
                ("references", ("array", (("name", by_name[target]["id"]),))),
            ]
            if draw(st.booleans()):
                args.append(("onDelete", ("name", draw(st.sampled_from(["Cascade", "Restrict", "NoAction", "SetNull", "SetDefault"])))))
            if draw(st.booleans()):
                args.append(("onUpdate", ("name", draw(st.sampled_from(["Cascade", "NoAction"])))))
            if draw(st.integers(0, 2)) == 0:
                args.append(("map", ("str", f"fk_{k}")))
            args = [args[0], *draw(st.permutations(args[1:]))]
            relation_fields[holder].append(
                GField(fresh(holder, f"to{k}"), GType(target, optional=optional), (GAttr("relation", tuple(args)),))
            )
            relation_fields[target].append(
                GField(
                    fresh(target, f"from{k}"),
                    GType(holder, optional=one_to_one, list=not one_to_one),
                    (GAttr("relation", ((None, ("str", rel_name)),)),),
                    draw(st.one_of(st.none(), docs)),
                )
            )

    block_names = {p["name"] for p in plans}
    for p in plans:
        kind, mname = p["kind"], p["name"]
        fields: list[GField] = []
        if p["id"] is not None:
            id_attrs = [draw(st.sampled_from([GAttr("id"), GAttr("id", (("map", ("str", "pk")),))]))]
            if draw(st.booleans()):
                id_attrs.append(GAttr("default", ((None, ("call", "autoincrement", ())),)))
            fields.append(GField(p["id"], GType("Int"), tuple(draw(st.permutations(id_attrs)))))
        for n in p["fnames"]:
            fields.append(draw(scalar_field(n, enums)))
        fields.extend(relation_fields[mname])
        fields = list(draw(st.permutations(fields)))
        scalar_names = [f.name for f in fields if f.type.name not in block_names and not f.type.list]
        battrs: list[GAttr] = []
        if kind != "type" and scalar_names:
            for _ in range(draw(st.integers(0, 3))):
                battrs.append(draw(block_index(draw(st.sampled_from(["index", "index", "unique"])), scalar_names)))
            if p["id"] is None and draw(st.integers(0, 3)) > 0:
                battrs.append(draw(block_index("id", scalar_names)))
        if kind != "type" and draw(st.integers(0, 2)) == 0:
            battrs.append(draw(map_attr))
        if kind == "model" and draw(st.integers(0, 6)) == 0:
            battrs.append(GAttr("ignore"))
        battrs = draw(st.permutations(battrs))
        blocks.append(GBlock(kind, mname, fields=tuple(fields), attributes=tuple(battrs), doc=draw(st.one_of(st.none(), docs))))
    blocks.extend(enums)
    blocks = _distinct_database_names(blocks)
    order = draw(st.permutations(list(range(len(blocks)))))
    return [blocks[i] for i in order]


def _distinct_database_names(blocks: list) -> list:
    """Make the drawn database names distinct, as a valid schema needs them: table names,
    column names within a table, `map:` names, and the default names of indexes on the same
    columns (database index names are one namespace)."""
    from dataclasses import replace

    seen: set[str] = set()

    def unique(text: str, space: set) -> str:
        k, candidate = 1, text
        while candidate in space:
            k += 1
            candidate = f"{text}_{k}"
        space.add(candidate)
        return candidate

    def string_arg(a: GAttr, key: Optional[str]) -> Optional[str]:
        for name, value in a.args:
            if (name == key or (key is None and name is None)) and value[0] == "str":
                return value[1]
        return None

    def with_names(a: GAttr, rename) -> GAttr:
        return replace(a, args=tuple((n, ("str", rename(v[1])) if n == "map" and v[0] == "str" else v) for n, v in a.args))

    tables: set[str] = {b.name for b in blocks if b.kind in ("model", "view")}
    out = []
    for b in blocks:
        if b.kind not in ("model", "view"):
            out.append(b)
            continue
        attrs = list(b.attributes)
        table = b.name
        for k, a in enumerate(attrs):
            if a.name == "map":
                mapped = string_arg(a, None)
                mapped = string_arg(a, "name") if mapped is None else mapped
                if mapped is not None:
                    tables.discard(b.name)
                    table = unique(mapped, tables)
                    attrs[k] = GAttr("map", ((None, ("str", table)),))
        columns: dict[str, str] = {}
        # a field without @map keeps its name as its column: those are taken first
        used_columns: set[str] = {
            f.name for f in b.fields if not any(a.name == "map" for a in f.attributes)
        }
        fields = []
        for f in b.fields:
            fattrs = []
            column = f.name
            for a in f.attributes:
                if a.name == "map":
                    mapped = string_arg(a, None)
                    mapped = string_arg(a, "name") if mapped is None else mapped
                    if mapped is not None:
                        column = mapped
                        a = GAttr("map", ((None, ("str", unique(mapped, used_columns))),))
                        column = a.args[0][1][1]
                fattrs.append(a)
            columns[f.name] = column
            fields.append([f, fattrs])
        defaults: set[tuple] = set()

        def claim(a: GAttr, suffix: str, cols: tuple) -> GAttr:
            if any(n == "map" for n, _ in a.args):
                return with_names(a, lambda text: unique(text, seen))
            key = (table, suffix, cols)
            if key in defaults:
                return replace(a, args=a.args + (("map", ("str", unique(f"{table}_{len(defaults)}", seen))),))
            defaults.add(key)
            return a

        for entry in fields:
            f, fattrs = entry
            entry[1] = [
                claim(a, "key" if a.name == "unique" else "pkey", (columns[f.name],)) if a.name in ("id", "unique") else a
                for a in fattrs
            ]
        for k, a in enumerate(attrs):
            if a.name in ("index", "unique", "id", "fulltext"):
                items = next((v[1] for n, v in a.args if n in (None, "fields") and v[0] == "array"), ())
                cols = tuple(columns.get(item[1], item[1]) for item in items)
                suffix = {"unique": "key", "id": "pkey"}.get(a.name, "idx")
                attrs[k] = claim(a, suffix, cols if a.name != "id" else ())
        out.append(replace(b, fields=tuple(replace(f, attributes=tuple(fa)) for f, fa in fields), attributes=tuple(attrs)))
    return out


# ---------------------------------------------------------------------------------------------
# rendering with random layout
# ---------------------------------------------------------------------------------------------
class Layout:
    """Random whitespace, comments and line endings, drawn from hypothesis."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.newlines = draw(st.sampled_from([["\n"], ["\r\n"], ["\r"], ["\n", "\r\n"], ["\n", "\r\n", "\r"]]))

    def nl(self) -> str:
        return self.draw(st.sampled_from(self.newlines))

    def sp(self) -> str:
        """Blanks between two tokens that need them."""
        return self.draw(st.sampled_from([" ", " ", "  ", "\t", " \t", "    "]))

    def opt(self) -> str:
        """Blanks where none are needed."""
        return self.draw(st.sampled_from(["", "", "", " ", "\t"]))

    def indent(self) -> str:
        return self.draw(st.sampled_from(["", "  ", "  ", "    ", "\t", "\t ", " "]))

    def junk_lines(self) -> str:
        """Blank lines and comments between declarations (never directly above a doc comment's
        declaration: those go before the doc lines)."""
        out = ""
        for _ in range(self.draw(st.integers(0, 2))):
            kind = self.draw(st.sampled_from(["blank", "blank", "line", "block", "multiblock", "spaces"]))
            if kind == "blank":
                out += self.nl()
            elif kind == "spaces":
                out += self.indent() + self.sp() + self.nl()
            elif kind == "line":
                out += self.indent() + "//" + self.draw(st.sampled_from(["", " a comment", " // nested", " { not a brace", ' "quote'])) + self.nl()
            elif kind == "block":
                out += self.indent() + "/* " + self.draw(st.sampled_from(["x", "} {", "@@index", '"'])) + " */" + self.nl()
            else:
                out += self.indent() + "/* one" + self.nl() + " model Fake {" + self.nl() + "*/" + self.nl()
        return out

    def trailing(self) -> str:
        kind = self.draw(st.sampled_from(["", "", "", "", "line", "block"]))
        if kind == "line":
            return self.sp() + "// trailing { ( \""
        if kind == "block":
            return self.sp() + "/* c */"
        return ""

    def doc(self, doc: Optional[str], indent: str) -> str:
        if doc is None:
            return ""
        out = ""
        for line in doc.split("\n"):
            out += indent + "///" + self.draw(st.sampled_from(["", " ", "  ", "\t"])) + line + self.draw(st.sampled_from(["", " "])) + self.nl()
        return out

    # -- expressions -----------------------------------------------------------------------
    def string(self, value: str) -> str:
        return json.dumps(value, ensure_ascii=self.draw(st.booleans()))

    def expr(self, e: tuple) -> str:
        kind = e[0]
        if kind == "str":
            return self.string(e[1])
        if kind == "num":
            return e[1]
        if kind == "name":
            return e[1]
        if kind == "call":
            return e[1] + self.args(e[2], force_parens=True)
        if kind == "array":
            return "[" + self.opt() + ("," + self.opt()).join(self.expr(i) for i in e[1]) + self.opt() + "]"
        if kind == "object":
            inner = ("," + self.opt()).join(f"{k}:{self.opt()}{self.expr(v)}" for k, v in e[1])
            return "{" + self.opt() + inner + self.opt() + "}"
        raise AssertionError(e)

    def args(self, args: tuple, force_parens: bool = False) -> str:
        if not args and not force_parens:
            return ""
        parts = []
        for name, value in args:
            text = self.expr(value)
            parts.append(f"{name}:{self.opt() or ' '}{text}" if name else text)
        return "(" + self.opt() + ("," + self.opt()).join(parts) + self.opt() + ")"

    def attr(self, a: GAttr, at: str) -> str:
        return at + a.name + self.args(a.args)


def render_type(t: GType, layout: Layout) -> str:
    base = f"Unsupported({layout.string(t.unsupported)})" if t.unsupported is not None else t.name
    return base + ("?" if t.optional else "") + ("[]" if t.list else "")


def render(blocks: list[GBlock], layout: Layout) -> str:
    out = layout.draw(st.sampled_from(["", "", "\ufeff"]))
    for b in blocks:
        out += layout.junk_lines()
        out += layout.doc(b.doc, "")
        out += b.kind + layout.sp() + b.name + layout.sp() + "{" + layout.trailing() + layout.nl()
        items: list[tuple[Optional[str], str]] = []  # (doc, line)
        if b.kind in ("datasource", "generator"):
            for key, value in b.properties:
                items.append((None, key + layout.sp() + "=" + layout.sp() + layout.expr(value)))
        elif b.kind == "enum":
            for v in b.values:
                line = v.name + "".join(layout.sp() + layout.attr(a, "@") for a in v.attributes)
                items.append((v.doc, line))
        else:
            for f in b.fields:
                line = f.name + layout.sp() + render_type(f.type, layout)
                line += "".join(layout.sp() + layout.attr(a, "@") for a in f.attributes)
                items.append((f.doc, line))
        for a in b.attributes:
            items.append((None, layout.attr(a, "@@")))
        for doc, line in items:
            indent = layout.indent()
            out += layout.junk_lines()
            out += layout.doc(doc, indent)
            out += indent + line + layout.opt() + layout.trailing() + layout.nl()
        out += layout.junk_lines()
        out += layout.indent() + "}" + layout.trailing() + layout.nl()
    out += layout.junk_lines()
    return out


@st.composite
def rendered_schemas(draw):
    blocks = draw(schemas())
    layout = Layout(draw)
    return blocks, render(blocks, layout)


def _errors(diagnostics) -> list[str]:
    return [d.render() for d in diagnostics if d.severity == "error"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rendered_schemas())
def test_generated_schema_parses_back_to_its_structure(generated):
    blocks, text = generated
    parsed = parse_text(text)
    assert parsed.diagnostics == [], "\n".join(d.render() for d in parsed.diagnostics) + "\n---\n" + text
    got = [block_of(b) for b in parsed.blocks]
    assert len(got) == len(blocks), text
    for expected, actual in zip(blocks, got):
        assert actual == expected, text
    # a generated schema is also valid for the model builder
    schema = parse_files([SourceFile("schema.prisma", text)])
    assert _errors(schema.diagnostics) == [], text
    # every name is where its span says, by a naive count over the text's lines
    src = parsed.source
    lines = re.split(r"\r\n|\r|\n", src.text)
    encoded = (("\ufeff" if src.bom else "") + src.text).encode("utf-8")
    for b in parsed.blocks:
        for node in [b, *b.fields, *b.values]:
            span = node.name_span
            assert span.text == node.name
            line = lines[span.line - 1]
            assert line[span.column - 1 : span.end_column - 1] == node.name
            assert encoded[span.start_byte : span.end_byte].decode("utf-8") == node.name
        for a in [*b.attributes, *(a for f in b.fields for a in f.attributes)]:
            assert a.name_span.text == ("@@" if a in b.attributes else "@") + a.name


# ---------------------------------------------------------------------------------------------
# (b) random edits of real schemas never crash anything
# ---------------------------------------------------------------------------------------------
INSERTABLE = list('{}"()@[]:=,?!/*\\.-#%~`') + ["@@", "///", "//", "/*", "*/", "\n", "\r", "\r\n", "\t", " ", "é", "日", "\ufeff", "\x00", "model", "enum", "type ", "0", "-1.5"]


def apply_edit(text: str, edit: tuple) -> str:
    kind, a, b = edit
    if not text:
        return text if kind != "insert" else b
    pos = a % (len(text) + 1)
    lines = text.splitlines(keepends=True)
    if kind == "delete":
        return text[:pos] + text[pos + 1 :]
    if kind == "delete_span":
        return text[:pos] + text[pos + b % 40 :]
    if kind == "dup":
        return text[:pos] + text[pos : pos + 1] * 2 + text[pos + 1 :]
    if kind == "swap":
        if pos + 1 >= len(text):
            return text
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    if kind == "insert":
        return text[:pos] + b + text[pos:]
    i = a % len(lines)
    if kind == "delete_line":
        return "".join(lines[:i] + lines[i + 1 :])
    if kind == "dup_line":
        return "".join(lines[: i + 1] + lines[i:])
    if kind == "swap_lines":
        j = b % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if kind == "move_line":
        line = lines.pop(i)
        lines.insert(b % (len(lines) + 1), line)
        return "".join(lines)
    raise AssertionError(kind)


edits = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["delete", "dup", "swap", "delete_line", "dup_line"]), st.integers(0, 10**6), st.just(0)),
        st.tuples(st.sampled_from(["delete_span", "swap_lines", "move_line"]), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(INSERTABLE)),
    ),
    min_size=1,
    max_size=8,
)



def apply_edits(text: str, edit_list: list) -> str:
    """``text`` with each edit of ``edit_list`` applied in turn."""
    for e in edit_list:
        text = apply_edit(text, e)
    return text

def check_spans_inside(src: SourceFile, spans) -> None:
    """Each span lies inside ``src``'s text and its line/column is a real place on a line."""
    n = len(src.text)
    for what, span in spans:
        assert span is not None, what
        assert span.file is src, what
        assert 0 <= span.start <= span.end <= n, (what, span.start, span.end, n)
        line, col = span.line, span.column
        assert 1 <= line <= src.line_count, (what, line)
        assert 1 <= col <= len(src.line_text(line)) + 1, (what, line, col, src.line_text(line))


def everything_runs(sources: list[SourceFile], root: str, edited: Optional[SourceFile] = None) -> None:
    """Parse (``edited``, or every file), build, lint and export ``sources``: nothing raises,
    every diagnostic and finding points inside its file."""
    for s in [edited] if edited is not None else sources:
        parsed = parse_text(s.text, s.path)
        check_spans_inside(parsed.source, [(d.message, d.span) for d in parsed.diagnostics])
        for d in parsed.diagnostics:
            d.render()
        for b in parsed.blocks:
            spans = [("block", b.span), ("name", b.name_span)]
            spans += [(f"field {f.name}", f.span) for f in b.fields]
            spans += [(f"attr {a.name}", a.span) for f in b.fields for a in f.attributes]
            check_spans_inside(parsed.source, spans)
    schema = parse_files(sources)
    loaded = LoadedSchema(schema=schema, root=root)
    by_path = {s.path: s for s in sources}
    for d in loaded.diagnostics:
        d.render()
        if d.span is not None:
            src = d.span.file
            assert src.path in by_path
            check_spans_inside(src, [(d.message, d.span)])
    result = lint(loaded, REGISTRY, Config())
    crashes = [d.message for d in result.diagnostics if d.code == "rule-crash"]
    assert crashes == []
    for f in result.findings:
        check_spans_inside(f.span.file, [(f.rule, f.span)])
    json.dumps(graph_json(schema))
    to_mermaid(schema)
    to_dot(schema)


def test_unedited_corpus_runs(corpus_texts):
    for texts in corpus_texts:
        sources = [SourceFile(str(f), t) for f, t in texts.items()]
        everything_runs(sources, str(next(iter(texts))))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), edit_list=edits)
def test_edited_corpus_never_crashes(corpus_texts, data, edit_list):
    texts = data.draw(st.sampled_from(corpus_texts), label="schema")
    path = data.draw(st.sampled_from(sorted(texts)), label="file")
    text = apply_edits(texts[path], edit_list)
    sources = [SourceFile(str(f), text if f == path else t) for f, t in texts.items()]
    edited = next(s for s in sources if s.path == str(path))
    everything_runs(sources, str(path), edited=edited)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=rendered_schemas(), edit_list=edits)
def test_edited_generated_schema_never_crashes(generated, edit_list):
    _, text = generated
    everything_runs([SourceFile("schema.prisma", apply_edits(text, edit_list))], "schema.prisma")


def test_edited_corpus_through_the_cli(corpus_texts, tmp_path):
    rng = random.Random(20240611)
    single = [next(iter(t.items())) for t in corpus_texts if len(t) == 1]
    for k in range(3):
        _, text = rng.choice(single)
        for _ in range(rng.randint(1, 6)):
            kind = rng.choice(["delete", "dup", "swap", "insert", "delete_line", "dup_line", "swap_lines", "delete_span"])
            text = apply_edit(text, (kind, rng.randrange(10**6), rng.choice(INSERTABLE) if kind == "insert" else rng.randrange(10**6)))
        target = tmp_path / f"edited{k}.prisma"
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        for fmt in ("text", "json"):
            proc = run_cli("check", str(target), "--format", fmt, cwd=tmp_path)
            assert proc.returncode in (0, 1, 2), (target, proc.stdout[-2000:], proc.stderr[-2000:])
            assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-4000:]
            assert "internal error" not in proc.stderr, proc.stderr[-4000:]
            if fmt == "json":
                json.loads(proc.stdout)
        proc = run_cli("graph", str(target), cwd=tmp_path)
        assert proc.returncode in (0, 2), proc.stderr[-2000:]
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-4000:]
        assert "internal error" not in proc.stderr, proc.stderr[-4000:]
