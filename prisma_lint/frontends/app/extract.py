"""Read one TypeScript/JavaScript file: the facts about Prisma Client calls in it.

The facts do not depend on the schema (so they can be cached per file by content): every call
shaped ``<receiver>.<delegate>.<operation>(args)`` with a Prisma Client operation name, how the
receiver's root name is bound (an import, a ``new PrismaClient``, a ``$transaction`` callback
parameter, a class member and its type, ...), and the raw keys of ``where``/``orderBy``.
``read.py`` then decides, across files and with the schema, which calls are Prisma call sites
and what their fields mean (``resolve_call``).

Built on tree-sitter: a query finds the candidate calls in C; only those are walked in Python.
A file with no candidate text (a regex over the bytes) is not parsed at all: 40-60% of an app's
files (measured on the nine apps in shared/apps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

OPERATIONS = frozenset(
    """findMany findFirst findFirstOrThrow findUnique findUniqueOrThrow count aggregate groupBy
    create createMany createManyAndReturn update updateMany updateManyAndReturn upsert delete
    deleteMany""".split()
)
# Operations whose `where` says nothing about reads (rows are inserted).
CREATE_OPERATIONS = frozenset({"create", "createMany", "createManyAndReturn"})

EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")

# The operation names as one trie-shaped pattern (24 ms instead of 30 ms for a plain alternation
# of the 19 names over inbox-zero's 14 MB; the check runs on every file).
_CANDIDATE = re.compile(
    rb"\.\s*(?:find(?:Many|First(?:OrThrow)?|Unique(?:OrThrow)?)|count|aggregate|groupBy"
    rb"|create(?:Many(?:AndReturn)?)?|update(?:Many(?:AndReturn)?)?|upsert|delete(?:Many)?)\s*[<(]"
)
_EXPORTED = re.compile(rb"export\s+default\s+([\w$]+)\s*;?\s*$|export\s*\{([^}]*)\}(?!\s*from)", re.M)
_CREATES_CLIENT = re.compile(rb"new\s+PrismaClient\b|\.\s*\$extends\s*\(")
_RAW_SQL = re.compile(rb"\$(?:query|execute)Raw(?:Unsafe)?\b|\bselectFrom\s*\(|\bsql\s*`")
_RAW_TABLE = re.compile(
    r"""(?i)\b(?:from|join|update|into|table|selectFrom\(|insertInto\(|updateTable\(|deleteFrom\()\s*["'`]?(?:\w+["'`]?\.)?["'`]?(\w+)"""
)
_SQL_WORDS = frozenset({"set", "select", "lateral", "only", "where", "values", "on", "as", "unnest", "generate_series"})
_REEXPORT = re.compile(rb"""export\s+(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|type\s+\{[^}]*\})\s+from\s+["']([^"']+)["']""")
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

_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "await_expression", "type_assertion"}
)


@dataclass
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
    where: list = field(default_factory=list)  # [key, [ops...]]: () = equality by value
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


@dataclass
class FileFacts:
    calls: list[RawCall] = field(default_factory=list)
    creates_client: bool = False  # `new PrismaClient` or `.$extends(` in the file
    client_sources: list[str] = field(default_factory=list)  # modules it re-exports a client from
    raw_sql_tables: list[str] = field(default_factory=list)
    parse_errors: bool = False

    def to_json(self) -> dict[str, Any]:
        # plain lists and strings all the way down: a shallow copy per call (dataclasses.asdict
        # deep-copies: 0.35 s on inbox-zero's cold run)
        out = dict(vars(self))
        out["calls"] = [dict(vars(c)) for c in self.calls]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FileFacts":
        calls = [RawCall(**c) for c in data["calls"]]
        return cls(calls, data["creates_client"], data["client_sources"], data["raw_sql_tables"], data["parse_errors"])


class _Parsers:
    """tree-sitter languages, parsers and the query, made once per process on first use."""

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
    __slots__ = ("static", "or_")

    def __init__(self) -> None:
        self.static = True
        self.or_ = False


class _FileReader:
    def __init__(self, data: bytes, root) -> None:
        self.data = data
        self.root = root
        self.line_starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
        self._decls: Optional[dict[str, list]] = None
        self._imports: Optional[dict[str, list]] = None

    # -- text and positions ----------------------------------------------------------------
    def text(self, node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def col(self, row: int, byte_col: int) -> int:
        """1-based character column (a tab is one column; CRLF needs nothing: '\\r' ends a line)."""
        start = self.line_starts[row]
        return len(self.data[start : start + byte_col].decode("utf-8", "replace")) + 1

    def line_text(self, row: int) -> str:
        start = self.line_starts[row]
        end = self.line_starts[row + 1] if row + 1 < len(self.line_starts) else len(self.data)
        return self.data[start:end].decode("utf-8", "replace").rstrip("\r\n")

    # -- declarations ----------------------------------------------------------------------
    def decls(self) -> dict[str, list]:
        """name -> variable declarators binding it (identifiers, and names in object patterns)."""
        if self._decls is None:
            out: dict[str, list] = {}
            stack = [self.root]
            while stack:
                n = stack.pop()
                t = n.type
                if t == "variable_declarator":
                    name = n.child_by_field_name("name")
                    if name is not None:
                        for ident in _pattern_names(name):
                            out.setdefault(self.text(ident), []).append(n)
                if n.named_child_count and t not in ("string", "template_string", "comment", "jsx_text"):
                    stack.extend(n.named_children)
            self._decls = out
        return self._decls

    def imports(self) -> dict[str, list]:
        """local name -> [module, imported name] for `import` statements."""
        if self._imports is None:
            out: dict[str, list] = {}
            for stmt in self.root.named_children:
                if stmt.type != "import_statement":
                    continue
                src = stmt.child_by_field_name("source")
                if src is None:
                    continue
                module = self.text(src).strip("'\"`")
                for clause in stmt.named_children:
                    if clause.type != "import_clause":
                        continue
                    for part in clause.named_children:
                        if part.type == "identifier":
                            out[self.text(part)] = [module, "default"]
                        elif part.type == "namespace_import":
                            for ident in part.named_children:
                                out[self.text(ident)] = [module, "*"]
                        elif part.type == "named_imports":
                            for spec in part.named_children:
                                if spec.type != "import_specifier":
                                    continue
                                name = spec.child_by_field_name("name")
                                alias = spec.child_by_field_name("alias")
                                if name is not None:
                                    out[self.text(alias or name)] = [module, self.text(name)]
            self._imports = out
        return self._imports

    def reexported_imports(self) -> set[str]:
        """Modules this file imports a name from and exports it again (`export default prisma`,
        `export { prisma }`): a client module's wrapper."""
        exported: set[str] = set()
        for m in _EXPORTED.finditer(self.data):
            if m.group(1):
                exported.add(m.group(1).decode("utf-8", "replace"))
            else:
                for part in m.group(2).decode("utf-8", "replace").split(","):
                    exported.add(part.strip().split(" ")[0])
        return {module for local, (module, _) in self.imports().items() if local in exported}

    # -- one call ---------------------------------------------------------------------------
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
        for key, value in self._entries_of(objs, call, state):
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
            v = _unwrap(value)
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
    def _entries(self, obj, at, state: _State, depth: int = 0):
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
                inner = _unwrap(child.named_children[0]) if child.named_children else None
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
                    state.static = False
                    for branch in _branches(inner):
                        if branch.type == "object":
                            yield from self._entries(branch, at, state, depth + 1)
            elif t == "method_definition":
                continue
            elif t == "comment":
                continue

    def _entries_of(self, objs: list, at, state: _State):
        for obj in objs:
            yield from self._entries(obj, at, state)

    def _object_of(self, node, at, state: _State) -> list:
        """The object literals ``node`` is or names (a const in scope); [] when unknown."""
        node = _unwrap(node)
        if node.type == "object":
            return [node]
        if node.type in ("identifier", "shorthand_property_identifier"):
            return self._const_object(node, at, state)
        if node.type == "ternary_expression":
            state.static = False
            return [b for b in _branches(node) if b.type == "object"]
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
            value = _unwrap(value)
            if value.type != "object":
                return []
            out.append(value)
        scope = _scope_of(decl) or self.root
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

    def _declaration(self, name: str, at):
        """The innermost declarator of ``name`` whose scope encloses ``at``."""
        cands = self.decls().get(name)
        if not cands:
            return None
        best, best_depth = None, -1
        for d in cands:
            scope = _scope_of(d)
            if scope is None:
                depth = 0
            elif scope.start_byte <= at.start_byte and at.end_byte <= scope.end_byte:
                depth = _depth(scope)
            else:
                continue
            if depth > best_depth:
                best, best_depth = d, depth
        return best

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
                v = _unwrap(value)
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
        v = _unwrap(value)
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
                b = _unwrap(branch)
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
            if key == "not" and _unwrap(value).type == "null":
                ops.append("not-null")
            elif key == "not" and re.fullmatch(r"Prisma\.(?:Db|Json|Any)Null", self.text(value).strip()):
                ops.append("not-null")  # {not: Prisma.DbNull}: the same IS NOT NULL test
            elif key not in ops:
                ops.append(key)
        return ops

    def _read_order(self, node, at, state: _State, out: list) -> None:
        v = _unwrap(node) if node.type != "shorthand_property_identifier" else node
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
            val = _unwrap(value) if value.type != "shorthand_property_identifier" else value
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

    # -- receivers --------------------------------------------------------------------------
    def _receiver_binding(self, receiver, at, depth: int) -> Optional[list]:
        """How the receiver is bound, as a small tree the resolver reads with the other files:
        ["client"] (surely one), ["no"] (surely not), ["name", n] (judge by the name),
        ["import", module, name, local], ["member", base, prop] (`prisma.client`, `ctx.prisma`),
        ["this", prop] (a class member with no type on record). None: not a receiver at all."""
        r = _unwrap(receiver)
        if depth > 6:
            return ["no"]
        if r.type == "identifier":
            return self._name_binding(self.text(r), at, depth)
        if r.type == "member_expression":
            obj = r.child_by_field_name("object")
            prop = r.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            pname = self.text(prop)
            if obj.type == "this":
                return self._this_binding(pname, r)
            base = self._receiver_binding(obj, at, depth + 1)
            return ["member", base or ["no"], pname]
        if r.type == "call_expression":
            return None  # `getClient().user.findMany()`: unknown, never a call site
        return None

    def _this_binding(self, prop: str, at) -> list:
        cls = at.parent
        while cls is not None and cls.type not in ("class_declaration", "class", "abstract_class_declaration"):
            cls = cls.parent
        if cls is not None:
            body = self.data[cls.start_byte : cls.end_byte]
            n = re.escape(prop.encode())
            m = re.search(rb"(?<![\w$.])" + n + rb"\s*[?!]?\s*:\s*([\w$.]+)", body)
            if m:
                return ["client"] if b"prisma" in m.group(1).lower() else ["no"]
            m = re.search(rb"this\s*\.\s*" + n + rb"\s*=(?!=)\s*([^;\n]+)", body)
            if m:
                if _CREATES_CLIENT.search(m.group(1)) or b"prisma" in m.group(1).lower():
                    return ["client"]
                return ["no"]
        return ["this", prop]

    def _name_binding(self, name: str, at, depth: int) -> list:
        # the innermost of: a parameter of an enclosing function, a declaration in scope
        decl = self._declaration(name, at)
        decl_depth = _depth(_scope_of(decl)) if decl is not None else -1
        node = at.parent
        while node is not None:
            if node.type in _FUNCTIONS:
                if _depth(node) <= decl_depth:
                    break
                param = self._param(node, name)
                if param is not None:
                    return self._param_binding(node, param, name)
            node = node.parent
        if decl is not None:
            return self._decl_binding(decl, name, depth)
        imp = self.imports().get(name)
        if imp is not None:
            return ["import", imp[0], imp[1], name]
        return ["name", name]

    def _param(self, fn, name: str):
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if params is None:
            return None
        if params.type == "identifier":
            return params if self.text(params) == name else None
        for p in params.named_children:
            target = p.child_by_field_name("pattern") if p.type in ("required_parameter", "optional_parameter") else p
            if target is None:
                continue
            if target.type == "assignment_pattern":
                target = target.child_by_field_name("left") or target
            for ident in _pattern_names(target):
                if self.text(ident) == name:
                    return p
        return None

    def _param_binding(self, fn, param, name: str) -> list:
        parent = fn.parent
        if parent is not None and parent.type == "arguments":
            call = parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is not None:
                ctext = self.text(callee)
                if re.search(r"(?:^|\.)\$?transaction$", ctext):
                    return ["client"]  # `prisma.$transaction(async (tx) => ...)`, or a wrapper
        ann = param.child_by_field_name("type") if param.type in ("required_parameter", "optional_parameter") else None
        if ann is not None:
            atext = self.text(ann)
            if "prisma" in atext.lower():
                if re.search(r"\{", atext) and not re.search(r"\b" + re.escape(name) + r"\s*[?]?:\s*[\w.]*Prisma", atext):
                    return ["name", name]  # a destructured param typed as a bag: judge the name
                return ["client"]  # `tx: Prisma.TransactionClient`, `prisma: PrismaClient`
            if not re.search(r"\{", atext):
                # typed as something else: an alias (`ResponseDbClient`) if it is named like a client
                return ["name", name] if "prisma" in name.lower() else ["no"]
        return ["name", name]

    def _decl_binding(self, decl, name: str, depth: int) -> list:
        pattern = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        if value is None:
            return ["name", name]
        v = _unwrap(value)
        vtext = self.data[v.start_byte : v.end_byte]
        if pattern.type != "identifier":
            # `const { client } = prisma`, `const { prisma } = ctx`
            base = self._receiver_binding(v, decl, depth + 1) if v.type in ("identifier", "member_expression") else None
            if v.type == "call_expression":
                fn = v.child_by_field_name("function")
                if fn is not None and self.text(fn) == "require":
                    arg = v.child_by_field_name("arguments")
                    mod = self.text(arg).strip("()'\"` ") if arg is not None else ""
                    return ["import", mod, name, name]
            return ["member", base or ["no"], name]
        if _CREATES_CLIENT.search(vtext) or re.search(rb"\bas\s+(?:unknown\s+as\s+)?\w*PrismaClient\b", vtext):
            return ["client"]
        if v.type in ("identifier", "member_expression"):
            return self._receiver_binding(v, decl, depth + 1) or ["no"]
        if v.type == "call_expression":
            fn = v.child_by_field_name("function")
            if fn is not None and self.text(fn) == "require":
                arg = v.child_by_field_name("arguments")
                mod = self.text(arg).strip("()'\"` ") if arg is not None else ""
                return ["import", mod, "default", name]
        if v.type in ("binary_expression", "ternary_expression"):
            # `const client = tx ?? prisma`: a client when either side is one
            sides = [v.child_by_field_name(f) for f in ("left", "right", "consequence", "alternative")]
            found = [self._receiver_binding(x, decl, depth + 1) for x in sides if x is not None]
            return ["any", *[b for b in found if b is not None]]
        if v.type == "new_expression":
            return ["no"]  # `new Map()`, `new Stripe(key)`
        return ["name", name]  # `const prisma = getPrisma()`: judged by its name


def _unwrap(node):
    while node is not None and node.type in _WRAPPERS and node.named_children:
        node = node.named_children[-1] if node.type == "await_expression" else node.named_children[0]
    return node


def _branches(node):
    """The object branches of a conditional spread: `cond ? {...} : {}`, `cond && {...}`."""
    node = _unwrap(node)
    if node.type == "ternary_expression":
        for f in ("consequence", "alternative"):
            b = node.child_by_field_name(f)
            if b is not None:
                yield from _branches(b)
    elif node.type == "binary_expression":
        right = node.child_by_field_name("right")
        if right is not None:
            yield from _branches(right)
    else:
        yield node


def _pattern_names(node):
    t = node.type
    if t in ("identifier", "shorthand_property_identifier_pattern"):
        yield node
    elif t in ("object_pattern", "array_pattern"):
        for c in node.named_children:
            yield from _pattern_names(c)
    elif t == "pair_pattern":
        v = node.child_by_field_name("value")
        if v is not None:
            yield from _pattern_names(v)
    elif t in ("assignment_pattern", "object_assignment_pattern"):
        left = node.child_by_field_name("left")
        if left is not None:
            yield from _pattern_names(left)
    elif t == "rest_pattern":
        for c in node.named_children:
            yield from _pattern_names(c)


def _scope_of(node):
    """The nearest enclosing function (None: module scope)."""
    p = node.parent
    while p is not None:
        if p.type in _FUNCTIONS:
            return p
        p = p.parent
    return None


def _depth(node) -> int:
    if node is None:
        return 0
    d = 0
    p = node
    while p is not None:
        if p.type in _FUNCTIONS:
            d += 1
        p = p.parent
    return d
