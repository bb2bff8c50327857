"""Read one TypeScript/JavaScript file: the facts about Prisma Client calls in it.

The facts do not depend on the schema (so they can be cached per file by content): every call
shaped ``<receiver>.<delegate>.<operation>(args)`` with a Prisma Client operation name, how the
receiver's root name is bound (an import, a ``new PrismaClient``, a ``$transaction`` callback
parameter, a class member and its type, ...), and the raw keys of ``where``/``orderBy``.
``read.py`` then decides, across files and with the schema, which calls are Prisma call sites
and what their fields mean (``resolve``).

Built on tree-sitter: a query finds the candidate calls in C; only those are walked in Python.
A file with no candidate text (a regex over the bytes) is not parsed at all: 2,329 of
inbox-zero's 2,774 source files.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ...records import field, record
from .jsfile import branches, scope_of, unwrap
from .receivers import CREATES_CLIENT as _CREATES_CLIENT
from .receivers import Receivers

OPERATIONS = frozenset(
    """findMany findFirst findFirstOrThrow findUnique findUniqueOrThrow count aggregate groupBy
    create createMany createManyAndReturn update updateMany updateManyAndReturn upsert delete
    deleteMany""".split()
)
# Operations whose `where` says nothing about reads (rows are inserted).
CREATE_OPERATIONS = frozenset({"create", "createMany", "createManyAndReturn"})


# The operation names as one trie-shaped pattern (24 ms instead of 30 ms for a plain alternation
# of the 19 names over inbox-zero's 14 MB; the check runs on every file).
_CANDIDATE = re.compile(
    rb"\.\s*(?:find(?:Many|First(?:OrThrow)?|Unique(?:OrThrow)?)|count|aggregate|groupBy"
    rb"|create(?:Many(?:AndReturn)?)?|update(?:Many(?:AndReturn)?)?|upsert|delete(?:Many)?)\s*[<(]"
)
_RAW_SQL = re.compile(rb"\$(?:query|execute)Raw(?:Unsafe)?\b|\bselectFrom\s*\(|\bsql\s*`")
_RAW_TABLE = re.compile(
    r"""(?i)\b(?:from|join|update|into|table|selectFrom\(|insertInto\(|updateTable\(|deleteFrom\()\s*["'`]?(?:\w+["'`]?\.)?["'`]?(\w+)"""
)
_SQL_WORDS = frozenset({"set", "select", "lateral", "only", "where", "values", "on", "as", "unnest", "generate_series"})
_REEXPORT = re.compile(rb"""export\s+(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|type\s+\{[^}]*\})\s+from\s+["']([^"']+)["']""")
_EXPORTED_VAR = re.compile(rb"export\s+(?:const|let|var)\s+([\w$]+)\s*(?::[^=\n]+)?=([^;\n]*(?:\n[ \t]+[^;\n]*){0,3})")
_WATCHED = frozenset({"where", "orderBy"})  # the argument keys whose presence `static` is about
# `mode: "default"` (or `Prisma.QueryMode.default`): the plain, case-sensitive comparison
_DEFAULT_MODE = re.compile(r"""["'`]default["'`]|(?:[\w$]+\.)*default""")
_IGNORE = re.compile(r"prisma-lint-ignore(?:-next-line)?(?![\w-])(?P<rest>[^\n]*)")

# where-filter operators Prisma knows; any other key in a nested object is a field (a relation
# filter, a compound unique selector's parts, a composite type).
FILTER_OPS = frozenset(
    """equals in notIn lt lte gt gte contains startsWith endsWith not mode search has hasSome
    hasEvery isEmpty path string_contains string_starts_with string_ends_with array_contains
    array_starts_with array_ends_with some every none is isNot isSet""".split()
)

_QUERY_SRC = """
(call_expression
  function: (member_expression
    object: (member_expression
      object: (_) @receiver
      property: (property_identifier) @delegate)
    property: (property_identifier) @op)
  arguments: (arguments) @args) @call
; `await prisma.user.findMany<T>(...)`: tree-sitter-typescript reads the callee as the await
(call_expression
  function: (await_expression
    (member_expression
      object: (member_expression
        object: (_) @receiver
        property: (property_identifier) @delegate)
      property: (property_identifier) @op))
  arguments: (arguments) @args) @call
"""


@record
class RawCall:
    """One `<receiver>.<delegate>.<operation>(...)` call, before the schema is known."""

    line: int
    column: int
    end_line: int
    end_column: int
    client: str  # receiver text without whitespace
    binding: list  # how the receiver is bound; see `_receiver_binding`
    delegate: str
    operation: str
    where: list = field(default_factory=list)  # [key, [ops...]]: [] = equality by value
    or_: bool = False
    order_by: list = field(default_factory=list)  # [key, "asc"|"desc"|None (nested object)]
    take: bool = False
    cursor: bool = False
    distinct: bool = False
    static: bool = True
    snippet: str = ""
    suppressed: list = field(default_factory=list)  # rule ids; ["*"]: every rule
    # relation reads nested in include/select: {"path": [relation, ...], "span": [l, c, el, ec],
    # and for an object value "where", "or_", "order_by", "take", "cursor", "distinct", "static"}
    nested: list = field(default_factory=list)


@record
class FileFacts:
    calls: list[RawCall] = field(default_factory=list)
    creates_client: bool = False  # `new PrismaClient` or `.$extends(` in the file
    client_sources: list[str] = field(default_factory=list)  # modules it re-exports a client from
    raw_sql_tables: list[str] = field(default_factory=list)
    parse_errors: bool = False
    # names this file exports bound to a client (`export const db = ... new PrismaClient ...`):
    # a receiver spelled the same elsewhere (tRPC's `ctx.db`) is that client
    client_exports: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # plain lists and strings all the way down: a shallow copy per call (dataclasses.asdict
        # deep-copies: 0.35 s on inbox-zero's cold run)
        out = dict(vars(self))
        out["calls"] = [dict(vars(c)) for c in self.calls]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FileFacts":
        calls = [RawCall(**c) for c in data["calls"]]
        return cls(
            calls, data["creates_client"], data["client_sources"], data["raw_sql_tables"], data["parse_errors"], data["client_exports"]
        )


class _Parsers:
    """tree-sitter languages, parsers and the query, made once per process on first use (a
    memo of immutable tables, not state: building them costs ~15 ms)."""

    _inst: Optional["_Parsers"] = None

    def __init__(self) -> None:
        import tree_sitter as ts
        import tree_sitter_javascript as tsj
        import tree_sitter_typescript as tst

        self.ts = ts
        self.langs = {
            "ts": ts.Language(tst.language_typescript()),
            "tsx": ts.Language(tst.language_tsx()),
            "js": ts.Language(tsj.language()),
        }
        self.parsers = {k: ts.Parser(v) for k, v in self.langs.items()}
        self.queries = {k: ts.Query(v, _QUERY_SRC) for k, v in self.langs.items()}
        self.declarators = {k: ts.Query(v, "(variable_declarator) @d") for k, v in self.langs.items()}

    @classmethod
    def get(cls) -> "_Parsers":
        if cls._inst is None:
            cls._inst = _Parsers()
        return cls._inst


def language_of(path: str) -> str:
    if path.endswith((".ts", ".mts", ".cts")):
        return "ts"
    if path.endswith(".tsx"):
        return "tsx"
    return "js"  # .js .jsx .mjs .cjs: tree-sitter-javascript reads JSX


def extract(data: bytes, path: str = "x.ts") -> FileFacts:
    """The facts of one file's bytes. Never raises on bad input: tree-sitter recovers from
    syntax errors, and what it could not parse yields nothing."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # columns count from after the BOM, as for schema files
    facts = FileFacts()
    # substring tests first: the regexes alone took 0.75 s over inbox-zero's 2,777 files
    facts.creates_client = (b"PrismaClient" in data or b"$extends" in data) and bool(_CREATES_CLIENT.search(data))
    if facts.creates_client:
        facts.client_exports = sorted(
            {m.group(1).decode() for m in _EXPORTED_VAR.finditer(data) if re.search(rb"(?i)prisma|\$extends", m.group(2))}
        )
    if b"export" in data and b"from" in data:
        facts.client_sources = sorted({m.group(1).decode("utf-8", "replace") for m in _REEXPORT.finditer(data)})
    if (b"Raw" in data or b"selectFrom" in data or b"sql`" in data) and _RAW_SQL.search(data):
        facts.raw_sql_tables = _raw_sql_tables(data)
    if not _CANDIDATE.search(data):
        return facts
    p = _Parsers.get()
    lang = language_of(path)
    tree = p.parsers[lang].parse(data)
    root = tree.root_node
    facts.parse_errors = root.has_error
    reader = _FileReader(data, root)
    reader.declarator_query = p.ts.QueryCursor(p.declarators[lang])
    facts.client_sources = sorted(set(facts.client_sources) | reader.reexported_imports())
    cursor = p.ts.QueryCursor(p.queries[lang])
    for _, caps in cursor.matches(root):
        op = reader.text(caps["op"][0])
        if op not in OPERATIONS:
            continue
        call = caps["call"][0]
        if call.has_error:
            continue  # the broken part of a file reports nothing
        raw = reader.read_call(call, caps["receiver"][0], reader.text(caps["delegate"][0]), op, caps["args"][0])
        if raw is not None:
            facts.calls.append(raw)
    facts.calls.sort(key=lambda c: (c.line, c.column))
    return facts


def _raw_sql_tables(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    out: set[str] = set()
    for m in re.finditer(r"\$(?:query|execute)Raw(?:Unsafe)?\s*(?:<[^>]*>)?\s*(?:`([^`]*)`|\(\s*[`\"']([^`\"']*))", text):
        sql = m.group(1) or m.group(2) or ""
        out.update(t.lower() for t in _RAW_TABLE.findall(sql) if t.lower() not in _SQL_WORDS)
    for m in re.finditer(r"\b(?:selectFrom|insertInto|updateTable|deleteFrom)\s*\(\s*[\"'`](?:\w+\.)?(\w+)", text):
        out.add(m.group(1).lower())
    return sorted(out)


class _State:
    __slots__ = ("or_", "static")

    def __init__(self) -> None:
        self.static = True
        self.or_ = False


class _FileReader(Receivers):
    """Reads the calls of one file."""

    declarator_query = None  # a tree-sitter QueryCursor for `(variable_declarator) @d`

    def _declarators(self) -> list:
        # the query runs in C: walking every node in Python was 0.4 s of inbox-zero's cold run
        if self.declarator_query is None:
            return super()._declarators()
        return self.declarator_query.captures(self.root).get("d", [])

    def read_call(self, call, receiver, delegate: str, op: str, args) -> Optional[RawCall]:
        client = re.sub(r"\s+", "", self.text(receiver))
        binding = self._receiver_binding(receiver, call, 0)
        if binding is None:
            return None
        sr, sc = receiver.start_point  # the call's start, but after `await` in the case above
        er, ec = call.end_point
        state = _State()
        raw = RawCall(
            line=sr + 1,
            column=self.col(sr, sc),
            end_line=er + 1,
            end_column=self.col(er, ec),
            client=client,
            binding=binding,
            delegate=delegate,
            operation=op,
            snippet=self.line_text(sr)[self.col(sr, sc) - 1 :].strip()[:200],
        )
        self._read_args(raw, args, call, state)
        raw.static = state.static
        raw.or_ = state.or_
        raw.suppressed = self._suppressed(sr)
        return raw

    def _suppressed(self, row: int) -> list:
        lines = [self.line_text(row)]
        if row > 0:
            above = self.line_text(row - 1).strip()
            if above.startswith("//") or above.startswith("/*") or above.startswith("*"):
                lines.append(above)
        out: list[str] = []
        for line in lines:
            m = _IGNORE.search(line)
            if m:
                rest = m.group("rest").split("--")[0].replace("*/", "")
                ids = [r for r in re.split(r"[\s,]+", rest) if re.fullmatch(r"[a-z][a-z0-9-]*", r)]
                out.extend(ids or ["*"])
        return out

    def _read_args(self, raw: RawCall, args, call, state: _State) -> None:
        first = next((c for c in args.named_children if c.type != "comment"), None)
        if first is None:
            return  # `prisma.user.findMany()`: static, no filter
        objs = self._object_of(first, call, state)
        if not objs:
            state.static = False
            return
        if raw.operation in CREATE_OPERATIONS:
            return  # the keys of `data` say nothing about indexes
        where_keys: list = []
        order: list = []
        for key, value in self._entries_of(objs, call, state, watched=_WATCHED):
            if key == "where":
                self._read_where(value, call, state, where_keys, 0)
            elif key == "orderBy":
                self._read_order(value, call, state, order)
            elif key in ("take", "cursor", "distinct"):
                setattr(raw, key, True)
            elif key in ("include", "select"):
                self._read_nested(value, call, [], raw.nested, 0)
        raw.where = where_keys
        raw.order_by = order

    def _read_nested(self, node, at, path: list, out: list, depth: int) -> None:
        """Relation reads in `include`/`select`: each key whose value is `true` or an object
        (which fields are relations is known only with the schema; `_count` is not a read)."""
        if depth > 3 or node.type == "shorthand_property_identifier":
            return
        for key, value in self._entries_of(self._object_of(node, at, _State()), at, _State()):
            if key == "_count" or value.type == "shorthand_property_identifier":
                continue
            v = unwrap(value)
            if v.type not in ("true", "object"):
                continue
            where_at = value.parent if value.parent is not None and value.parent.type == "pair" else value
            (sr, sc), (er, ec) = where_at.start_point, where_at.end_point
            entry: dict = {"path": [*path, key], "span": [sr + 1, self.col(sr, sc), er + 1, self.col(er, ec)]}
            out.append(entry)
            if v.type != "object":
                continue
            state = _State()
            where: list = []
            order: list = []
            for k2, v2 in self._entries(v, at, state):
                if k2 == "where":
                    self._read_where(v2, at, state, where, 0)
                elif k2 == "orderBy":
                    self._read_order(v2, at, state, order)
                elif k2 in ("take", "cursor", "distinct"):
                    entry[k2] = True
                elif k2 in ("include", "select"):
                    self._read_nested(v2, at, [*path, key], out, depth + 1)
            entry.update(where=where, order_by=order, or_=state.or_, static=state.static)

    # An object's entries, spreads of known objects expanded. Unknown keys make the state
    # dynamic; a conditional spread contributes the keys of both branches.
    def _entries(self, obj, at, state: _State, depth: int = 0, watched: Optional[frozenset] = None):
        """``watched``: the keys whose presence matters (the call's arguments: `where` and
        `orderBy`); a conditional spread of other keys (`...(after && { cursor })`) leaves the
        call static. None: every key matters (inside `where`)."""
        for child in obj.named_children:
            t = child.type
            if t == "pair":
                k = child.child_by_field_name("key")
                v = child.child_by_field_name("value")
                if k is None or v is None:
                    continue
                if k.type == "computed_property_name":
                    state.static = False
                    continue
                yield self.text(k).strip("'\"`"), v
            elif t == "shorthand_property_identifier":
                yield self.text(child), child
            elif t == "spread_element":
                inner = unwrap(child.named_children[0]) if child.named_children else None
                if inner is None or depth > 4:
                    state.static = False
                    continue
                if inner.type == "identifier":
                    targets = self._const_object(inner, at, state)
                    if not targets:
                        state.static = False
                        continue
                    for target in targets:
                        yield from self._entries(target, at, state, depth + 1)
                else:
                    arms = branches(inner)
                    literal = all(arm.type in ("object", "undefined", "null", "false") for arm in arms)
                    inside = [(k, v) for arm in arms if arm.type == "object" for k, v in self._entries(arm, at, state, depth + 1)]
                    if not literal or watched is None or any(k in watched for k, _ in inside):
                        state.static = False
                    yield from inside
            elif t == "method_definition":
                continue
            elif t == "comment":
                continue

    def _entries_of(self, objs: list, at, state: _State, watched: Optional[frozenset] = None):
        for obj in objs:
            yield from self._entries(obj, at, state, watched=watched)

    def _object_of(self, node, at, state: _State) -> list:
        """The object literals ``node`` is or names (a const in scope); [] when unknown."""
        node = unwrap(node)
        if node.type == "object":
            return [node]
        if node.type in ("identifier", "shorthand_property_identifier"):
            return self._const_object(node, at, state)
        if node.type == "ternary_expression":
            state.static = False
            return [b for b in branches(node) if b.type == "object"]
        return []

    def _const_object(self, ident, at, state: _State) -> list:
        """The object literals a `const`/`let` declaration in scope gives ``ident``. A `let`
        that is assigned again (each assigned literal counts), or an object given new keys
        afterwards (`where.OR = ...`), is dynamic; its literal keys are still read."""
        name = self.text(ident)
        decl = self._declaration(name, at)
        if decl is None or decl.child_by_field_name("name").type != "identifier":
            return []
        value = decl.child_by_field_name("value")
        out = []
        if value is not None:
            value = unwrap(value)
            if value.type != "object":
                return []
            out.append(value)
        scope = scope_of(decl) or self.root
        body = self.data[scope.start_byte : scope.end_byte]
        n = re.escape(name.encode())
        for m in re.finditer(rb"(?<![\w$.])" + n + rb"\s*(?:\.\s*([\w$]+)|\[[^\]]*\])\s*=(?!=)", body):
            state.static = False
            if m.group(1) in (b"OR", b"NOT"):
                state.or_ = True
        kind = decl.parent.child(0) if decl.parent is not None else None
        if kind is not None and self.text(kind) == "let":
            after = decl.end_byte - scope.start_byte
            for m in re.finditer(rb"(?<![\w$.])" + n + rb"\s*=(?!=)\s*", body[after:]):
                state.static = False
                start = scope.start_byte + after + m.end()
                node = self.root.descendant_for_byte_range(start, start + 1)
                while node is not None and node.type != "object" and node.start_byte == start and node.parent is not None:
                    node = node.parent if node.parent.start_byte == start else None
                if node is not None and node.type == "object":
                    out.append(node)
        if not out:
            state.static = False
        return out

    def _read_where(self, node, at, state: _State, out: list, depth: int) -> None:
        objs = self._object_of(node, at, state)
        if not objs:
            state.static = False
            return
        for key, value in self._entries_of(objs, at, state):
            if key in ("OR", "NOT"):
                state.or_ = True
                continue
            if key == "AND":
                v = unwrap(value)
                items = v.named_children if v.type == "array" else [v]
                for item in items:
                    if item.type == "spread_element" or depth > 6:
                        state.static = False
                    elif item.type != "comment":
                        self._read_where(item, at, state, out, depth + 1)
                continue
            out.append([key, self._value_ops(value, at, state)])

    def _value_ops(self, value, at, state: _State) -> list:
        if value.type == "shorthand_property_identifier":
            return []
        v = unwrap(value)
        t = v.type
        if t == "null":
            return ["null"]
        if t == "object":
            return self._object_ops(v, at, state)
        if t == "ternary_expression":
            ops: list = []
            for branch in (v.child_by_field_name("consequence"), v.child_by_field_name("alternative")):
                if branch is None:
                    continue
                b = unwrap(branch)
                if b.type == "object":
                    state.static = False
                    ops.extend(o for o in self._object_ops(b, at, state) if o not in ops)
                elif b.type == "undefined" or (b.type == "identifier" and self.text(b) == "undefined"):
                    state.static = False
            return ops
        if t == "identifier":
            targets = self._const_object(v, at, _State())  # a named filter object: read its keys
            if targets:
                return self._object_ops(targets[0], at, state)
        return []

    def _object_ops(self, obj, at, state: _State) -> list:
        ops: list = []
        for key, value in self._entries(obj, at, state):
            if key not in FILTER_OPS:
                return ["obj"]
            if key == "not" and unwrap(value).type == "null":
                ops.append("not-null")
            elif key == "not" and re.fullmatch(r"Prisma\.(?:Db|Json|Any)Null", self.text(value).strip()):
                ops.append("not-null")  # {not: Prisma.DbNull}: the same IS NOT NULL test
            elif key == "mode":
                # `mode: "insensitive"` compares lower-cased (ILIKE / lower() in PostgreSQL): a
                # B-tree on the plain column does not serve it. "default" is the plain
                # comparison; a mode from a variable may be either, so it counts as insensitive
                # (which only holds advice back)
                if not _DEFAULT_MODE.fullmatch(self.text(value).strip()):
                    ops.append("insensitive")
            elif key not in ops:
                ops.append(key)
        return ops

    def _read_order(self, node, at, state: _State, out: list) -> None:
        v = unwrap(node) if node.type != "shorthand_property_identifier" else node
        if v.type == "array":
            for item in v.named_children:
                if item.type == "spread_element":
                    state.static = False
                elif item.type != "comment":
                    self._read_order(item, at, state, out)
            return
        objs = self._object_of(v, at, state)
        if not objs:
            state.static = False
            return
        for key, value in self._entries_of(objs, at, state):
            val = unwrap(value) if value.type != "shorthand_property_identifier" else value
            direction: Optional[str] = "asc"
            if val.type == "string":
                direction = "desc" if self.text(val).strip("'\"`").lower() == "desc" else "asc"
            elif val.type == "object":
                sort = None
                for k2, v2 in self._entries(val, at, _State()):
                    if k2 == "sort":
                        sort = v2
                if sort is None:
                    direction = None  # a relation or _count ordering
                else:
                    direction = "desc" if self.text(sort).strip("'\"`").lower() == "desc" else "asc"
            out.append([key, direction])
