"""The SQL front end: read PostgreSQL migrations into the same model the Prisma front end builds.

Statements are split with pglast's scanner (``split``) and each is parsed to JSON
(``parse_sql_json``, ~30x cheaper than Python AST objects); they are replayed in order —
tables, columns, keys, foreign keys, indexes, enums, renames and drops — so the index rules see
the final state. A statement that does not parse is reported (file:line:col) and the others are
still checked. Statements that do not touch tables, indexes or enums are skipped.

What only SQL has (index predicates and expressions, CONCURRENTLY, transactions) is kept per
statement in :class:`SqlStatement` for the SQL-only rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

from ...model import naming
from ...model.schema import Enum, EnumValueDef, FieldKind, Index, IndexColumn, IndexKind, Model, ModelField, NativeType, Relation, Schema
from ...records import field, record
from ...source import SourceFile, Span
from ..prisma.syntax import Comment, Diagnostic, SchemaFile

if TYPE_CHECKING:
    from ...paths import StrPath

# what a statement is to the SQL rules; "other" covers everything they do not read
StatementKind = Literal["create-table", "create-index", "drop-index", "alter-table", "begin", "commit", "other"]

_LEADING = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.S)
_LONG_IDENT = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_\x80-\uffff][\w$\x80-\uffff]*)')
_MAY_BE_LONG = re.compile(r'[\w$"]{64,}')

_METHODS = {"btree": None, "hash": "Hash", "gin": "Gin", "gist": "Gist", "spgist": "SpGist", "brin": "Brin"}
_FK_ACTIONS = {"a": "NoAction", "r": "Restrict", "c": "Cascade", "n": "SetNull", "d": "SetDefault"}
_TYPES = {
    "int2": ("Int", "SmallInt"),
    "int4": ("Int", None),
    "integer": ("Int", None),
    "serial": ("Int", None),
    "serial4": ("Int", None),
    "smallserial": ("Int", "SmallInt"),
    "int8": ("BigInt", None),
    "bigint": ("BigInt", None),
    "bigserial": ("BigInt", None),
    "serial8": ("BigInt", None),
    "text": ("String", None),
    "varchar": ("String", "VarChar"),
    "bpchar": ("String", "Char"),
    "char": ("String", "Char"),
    "citext": ("String", "Citext"),
    "uuid": ("String", "Uuid"),
    "bool": ("Boolean", None),
    "boolean": ("Boolean", None),
    "timestamp": ("DateTime", "Timestamp"),
    "timestamptz": ("DateTime", "Timestamptz"),
    "date": ("DateTime", "Date"),
    "time": ("DateTime", "Time"),
    "timetz": ("DateTime", "Timetz"),
    "json": ("Json", "Json"),
    "jsonb": ("Json", None),
    "numeric": ("Decimal", None),
    "decimal": ("Decimal", None),
    "float4": ("Float", "Real"),
    "float8": ("Float", None),
    "real": ("Float", "Real"),
    "bytea": ("Bytes", None),
    "inet": ("String", "Inet"),
    "xml": ("String", "Xml"),
    "money": ("Decimal", "Money"),
}


@record(eq=False)
class SqlStatement:
    """One statement as the SQL-only rules see it."""

    kind: StatementKind
    span: Span
    file: str
    index: Optional[str] = None  # index name (create-index / drop-index)
    table: Optional[str] = None
    concurrently: bool = False
    unique: bool = False
    key_columns: list[str] = field(default_factory=list)  # plain column keys of an index
    expressions: list[dict] = field(default_factory=list)  # expression keys (JSON)
    where: Optional[dict] = None  # predicate (JSON)
    where_text: Optional[str] = None
    table_created_here: bool = False  # the table was created earlier in the same file
    in_transaction: bool = False  # inside an explicit BEGIN ... COMMIT
    statements_in_file: int = 0
    # identifiers over PostgreSQL's 63-byte limit, as written: (name, span); the parser has
    # already cut them, as the server would, silently
    long_identifiers: list = field(default_factory=list)


def _name(nodes: list[dict]) -> str:
    return ".".join(n["String"]["sval"] for n in nodes if "String" in n)


def _last(nodes: list[dict]) -> str:
    vals = [n["String"]["sval"] for n in nodes if "String" in n]
    return vals[-1] if vals else ""


def _index_ast(body: str):
    """pglast's Python AST of a CREATE INDEX (only for the parts JSON cannot print back)."""
    import pglast

    return pglast.parse_sql(body)[0].stmt


def _deparse(node) -> str:
    from pglast.stream import RawStream

    return RawStream()(node)


class Catalog:
    """The tables, indexes, enums and relations the statements built so far, and the small
    changes statements make to them."""

    def __init__(self) -> None:
        self.tables: dict[str, Model] = {}
        self.index_owner: dict[str, str] = {}  # index name -> table
        self.enums: dict[str, Enum] = {}
        self.relations: list[Relation] = []
        self.statements: list[SqlStatement] = []
        self.diagnostics: list[Diagnostic] = []
        self.files: list[SchemaFile] = []

    def table(self, rel: dict, span: Span, create: bool = True) -> Optional[Model]:
        name = rel["relname"]
        m = self.tables.get(name)
        if m is None and create:
            # an index on a table no CREATE TABLE defines (a plan listing indexes): known columns only
            m = Model(name, name, "model", {}, [], span, span, schema=rel.get("schemaname"), origin="sql-inferred")
            self.tables[name] = m
        return m

    def column(self, m: Model, name: str, span: Span) -> ModelField:
        f = m.fields.get(name)
        if f is None:
            f = ModelField(m.name, name, name, "unknown", "unknown", False, False, span, span)
            m.fields[name] = f
        return f

    def type_of(self, type_name: dict) -> tuple[str, FieldKind, bool, Optional[NativeType], Optional[str]]:
        names = [n["String"]["sval"] for n in type_name.get("names", []) if "String" in n]
        base = names[-1] if names else "unknown"
        is_list = bool(type_name.get("arrayBounds"))
        if base in self.enums:
            return base, "enum", is_list, None, None
        if base in _TYPES:
            prisma, native = _TYPES[base]
            return prisma, "scalar", is_list, None, native
        return base, "unsupported", is_list, None, None

    def add_column(self, m: Model, col: dict, span: Span) -> None:
        name = col["colname"]
        prisma, kind, is_list, _, native = self.type_of(col.get("typeName", {}))
        f = ModelField(m.name, name, name, prisma, kind, True, is_list, span, span)
        if native:
            f.native_type = NativeType(native, [], span)
        m.fields[name] = f
        for c in col.get("constraints", []):
            con = c.get("Constraint", {})
            ctype = con.get("contype")
            if ctype == "CONSTR_NOTNULL":
                f.optional = False
            elif ctype == "CONSTR_PRIMARY":
                f.optional = False
                f.is_id = True
                self.add_index(m, "id", [name], con.get("conname") or naming.primary_key_name(m.name), span)
            elif ctype == "CONSTR_UNIQUE":
                f.is_unique = True
                self.add_index(m, "unique", [name], con.get("conname") or naming.unique_index_name(m.name, [name]), span)
            elif ctype == "CONSTR_FOREIGN":
                self.add_fk(m, [name], con, span)

    def add_constraint(self, m: Model, con: dict, span: Span) -> None:
        ctype = con.get("contype")
        keys = [k["String"]["sval"] for k in con.get("keys", []) if "String" in k]
        if ctype == "CONSTR_PRIMARY":
            for k in keys:
                f = m.fields.get(k)
                if f is not None:
                    f.optional = False
                    f.is_id = len(keys) == 1
            self.add_index(m, "id", keys, con.get("conname") or naming.primary_key_name(m.name), span)
        elif ctype == "CONSTR_UNIQUE":
            self.add_index(m, "unique", keys, con.get("conname") or naming.unique_index_name(m.name, keys), span)
        elif ctype == "CONSTR_FOREIGN":
            cols = [k["String"]["sval"] for k in con.get("fk_attrs", []) if "String" in k]
            self.add_fk(m, cols, con, span)

    def add_index(self, m: Model, kind: IndexKind, cols: list[str], name: str, span: Span) -> Index:
        index = Index(m.name, kind, [IndexColumn(c, c, span=span) for c in cols], name, span)
        m.indexes.append(index)
        self.index_owner[name] = m.name
        return index

    def add_fk(self, m: Model, cols: list[str], con: dict, span: Span) -> None:
        target = con.get("pktable", {}).get("relname", "")
        refs = [k["String"]["sval"] for k in con.get("pk_attrs", []) if "String" in k]
        name = con.get("conname") or naming.foreign_key_name(m.name, cols)
        rel = Relation(
            name=name,
            kind="1-n",
            model=m.name,
            field=name,
            target=target,
            back_field=None,
            fields=cols,
            references=refs,
            on_delete=_FK_ACTIONS.get(con.get("fk_del_action", "a")),
            on_update=_FK_ACTIONS.get(con.get("fk_upd_action", "a")),
            db_name=name,
            span=span,
        )
        rel.optional = any(m.fields.get(c) is not None and m.fields[c].optional for c in cols)
        self.relations.append(rel)

    def drop_index(self, name: str) -> Optional[str]:
        table = self.index_owner.pop(name, None)
        if table and table in self.tables:
            m = self.tables[table]
            m.indexes = [i for i in m.indexes if i.db_name != name]
        return table

    def schema(self) -> Schema:
        models = dict(self.tables)
        for m in models.values():
            for f in m.fields.values():
                if f.kind == "unknown" and f.type in self.enums:
                    f.kind = "enum"
        s = Schema(
            files=self.files,
            datasource=None,
            generators=[],
            models=models,
            enums=dict(self.enums),
            composite_types={},
            relations=[r for r in self.relations if r.model in models],
            join_tables={},
            diagnostics=[],
            sql_provider="postgresql",
            sql_statements=self.statements,
        )
        return s


class _Replay(Catalog):
    """Replays statements in order: one ``visit_<StatementType>`` handler per pglast statement
    node that changes tables, indexes or enums (as pglast's visitors dispatch on node types);
    other statements are recorded and skipped."""

    def visit_CreateStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        rec.kind = "create-table"
        rel = stmt["relation"]
        name = rel["relname"]
        m = Model(name, name, "model", {}, [], span, span, schema=rel.get("schemaname"), origin="sql")
        self.tables[name] = m
        rec.table = name
        for elt in stmt.get("tableElts", []):
            if "ColumnDef" in elt:
                self.add_column(m, elt["ColumnDef"], span)
            elif "Constraint" in elt:
                self.add_constraint(m, elt["Constraint"], span)

    def visit_IndexStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        rec.kind = "create-index"
        m = self.table(stmt["relation"], span)
        assert m is not None
        cols: list[IndexColumn] = []
        needs_text = stmt.get("whereClause") is not None or any(
            not p["IndexElem"].get("name") for p in stmt.get("indexParams", [])
        )
        tree: Any = _index_ast(span.text) if needs_text else None
        for k, p in enumerate(stmt.get("indexParams", [])):
            elem = p["IndexElem"]
            ops = _name(elem.get("opclass", [])) or None
            sort = "Desc" if elem.get("ordering") == "SORTBY_DESC" else None
            nulls = elem.get("nulls_ordering")
            if nulls in ("SORTBY_NULLS_FIRST", "SORTBY_NULLS_LAST"):
                sort = f"{sort or 'Asc'} {nulls[len('SORTBY_'):].title().replace('_', '')}"
            if elem.get("name"):
                name = elem["name"]
                self.column(m, name, span)
                rec.key_columns.append(name)
                cols.append(IndexColumn(name, name, sort=sort, ops=ops, span=span))
            else:
                expr = elem.get("expr", {})
                rec.expressions.append(expr)
                text = _deparse(tree.indexParams[k].expr)
                cols.append(IndexColumn(f"({text})", f"({text})", sort=sort, ops=ops, span=span))
        where = stmt.get("whereClause")
        rec.where = where
        rec.where_text = _deparse(tree.whereClause) if where else None
        rec.concurrently = bool(stmt.get("concurrent"))
        rec.unique = bool(stmt.get("unique"))
        name = stmt.get("idxname") or naming.index_name(m.name, [c.db_name for c in cols if not c.field.startswith("(")] or ["expr"])
        rec.index = name
        rec.table = m.name
        if stmt.get("if_not_exists") and name in self.index_owner:
            return
        method = _METHODS.get(stmt.get("accessMethod", "btree"), stmt.get("accessMethod"))
        index = Index(
            model=m.name,
            kind="unique" if rec.unique else "index",
            columns=cols,
            db_name=name,
            span=span,
            map=stmt.get("idxname"),
            type=method,
            where=rec.where_text,
        )
        if method is not None and method not in ("Hash", "Gin", "Gist", "SpGist", "Brin"):
            index.type = method
        self.drop_index(name)
        m.indexes.append(index)
        self.index_owner[name] = m.name
        if rec.unique and len(cols) == 1 and rec.where is None and cols[0].field in m.fields:
            m.fields[cols[0].field].is_unique = True

    def visit_DropStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        kind = stmt.get("removeType")
        for obj in stmt.get("objects", []):
            items = obj.get("List", {}).get("items", []) if isinstance(obj, dict) else []
            name = _last(items) if items else (obj.get("String", {}).get("sval") if isinstance(obj, dict) else None)
            if not name:
                continue
            if kind == "OBJECT_INDEX":
                rec.kind = "drop-index"
                rec.index = name
                rec.concurrently = bool(stmt.get("concurrent"))
                rec.table = self.drop_index(name)
            elif kind == "OBJECT_TABLE":
                m = self.tables.pop(name, None)
                if m is not None:
                    for i in m.indexes:
                        self.index_owner.pop(i.db_name, None)
                    self.relations = [r for r in self.relations if r.model != name]
            elif kind == "OBJECT_TYPE":
                self.enums.pop(name, None)

    def visit_AlterTableStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        rec.kind = "alter-table"
        m = self.table(stmt["relation"], span)
        rec.table = m.name if m else None
        if m is None:
            return
        for cmd in stmt.get("cmds", []):
            c = cmd.get("AlterTableCmd", {})
            sub = c.get("subtype")
            if sub == "AT_AddColumn":
                self.add_column(m, c["def"]["ColumnDef"], span)
            elif sub == "AT_DropColumn":
                name = c.get("name")
                m.fields.pop(name, None)
                m.indexes = [i for i in m.indexes if name not in i.fields]
            elif sub == "AT_AddConstraint":
                self.add_constraint(m, c["def"]["Constraint"], span)
            elif sub == "AT_DropConstraint":
                name = c.get("name")
                self.drop_index(name)
                self.relations = [r for r in self.relations if not (r.model == m.name and r.db_name == name)]
            elif sub == "AT_AlterColumnType":
                col = m.fields.get(c.get("name"))
                if col is not None and "ColumnDef" in c.get("def", {}):
                    prisma, kind, is_list, _, native = self.type_of(c["def"]["ColumnDef"].get("typeName", {}))
                    col.type, col.kind, col.list = prisma, kind, is_list
                    col.native_type = NativeType(native, [], span) if native else None
            elif sub == "AT_SetNotNull":
                col = m.fields.get(c.get("name"))
                if col is not None:
                    col.optional = False
            elif sub == "AT_DropNotNull":
                col = m.fields.get(c.get("name"))
                if col is not None:
                    col.optional = True

    def visit_RenameStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        kind = stmt.get("renameType")
        new: Any = stmt.get("newname")
        rel = stmt.get("relation", {})
        old: Any = rel.get("relname")
        if kind == "OBJECT_TABLE" and old in self.tables:
            m = self.tables.pop(old)
            m.name = m.db_name = new
            for i in m.indexes:
                i.model = new
            for f in m.fields.values():
                f.model = new
            for r in self.relations:
                if r.model == old:
                    r.model = new
                if r.target == old:
                    r.target = new
            for k, v in list(self.index_owner.items()):
                if v == old:
                    self.index_owner[k] = new
            self.tables[new] = m
        elif kind == "OBJECT_INDEX" and old in self.index_owner:
            table = self.index_owner.pop(old)
            self.index_owner[new] = table
            for i in self.tables[table].indexes:
                if i.db_name == old:
                    i.db_name = i.map = new
        elif kind == "OBJECT_COLUMN" and old in self.tables:
            m = self.tables[old]
            col: Any = stmt.get("subname")
            if col in m.fields:
                f = m.fields.pop(col)
                f.name = f.db_name = new
                m.fields[new] = f
                for i in m.indexes:
                    for c in i.columns:
                        if c.field == col:
                            c.field = c.db_name = new
                for r in self.relations:
                    if r.model == old:
                        r.fields = [new if x == col else x for x in r.fields]
                    if r.target == old:
                        r.references = [new if x == col else x for x in r.references]
        elif kind == "OBJECT_TABCONSTRAINT" and old in self.tables:
            oldname: Any = stmt.get("subname")
            if oldname in self.index_owner:
                self.index_owner[new] = self.index_owner.pop(oldname)
                for i in self.tables[old].indexes:
                    if i.db_name == oldname:
                        i.db_name = new

    def visit_CreateEnumStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        name = _last(stmt.get("typeName", []))
        values = [v["String"]["sval"] for v in stmt.get("vals", []) if "String" in v]
        self.enums[name] = Enum(name, name, [EnumValueDef(v, v, span) for v in values], span, span)

    def visit_AlterEnumStmt(self, stmt: dict, span: Span, rec: SqlStatement) -> None:
        name = _last(stmt.get("typeName", []))
        e = self.enums.get(name)
        if e is None:
            return
        if stmt.get("oldVal"):
            for v in e.values:
                if v.name == stmt["oldVal"]:
                    v.name = v.db_name = stmt["newVal"]
        elif stmt.get("newVal") and all(v.name != stmt["newVal"] for v in e.values):
            e.values.append(EnumValueDef(stmt["newVal"], stmt["newVal"], span))

    @staticmethod
    def transaction(stmt: dict, rec: SqlStatement, in_tx: bool) -> bool:
        """BEGIN / COMMIT: whether the statements that follow run in a transaction."""
        tk = stmt.get("kind")
        if tk in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
            rec.kind = "begin"
            return True
        if tk in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
            rec.kind = "commit"
            return False
        return in_tx

    # -- one file ----------------------------------------------------------------------------------
    def read(self, src: SourceFile) -> None:
        from pglast import parser

        text = src.text
        diags: list[Diagnostic] = []
        comments = [
            Comment(text[t.start : t.end + 1].lstrip("-").strip(), Span(src, t.start, t.end + 1), False, _trailing(text, t.start))
            for t in _scan(text)
            if t.name in ("SQL_COMMENT", "C_COMMENT")
        ]
        try:
            slices: Any = parser.split(text, with_parser=False, only_slices=True)
        except Exception as e:  # the scanner itself failed (an unterminated quote)
            diags.append(Diagnostic(f"cannot split the SQL into statements: {e}", Span(src, 0, 0), code="sql-syntax-error"))
            slices = []
        created_here: set[str] = set()
        in_tx = False
        records: list[SqlStatement] = []
        for sl in slices:
            chunk = text[sl]
            lead = _LEADING.match(chunk).end()  # type: ignore[union-attr]  # matches the empty string
            start = sl.start + lead
            end = sl.stop
            if start >= end:
                continue
            span = Span(src, start, end)
            body = text[start:end]
            try:
                parsed = json.loads(parser.parse_sql_json(body))
            except Exception as e:  # pglast.parser.ParseError
                pos = e.args[1] if len(getattr(e, "args", ())) > 1 and isinstance(e.args[1], int) else 0
                at = start + min(max(pos, 0), len(body))
                diags.append(
                    Diagnostic(f"SQL syntax error: {e.args[0] if e.args else e}", Span(src, at, at + 1), code="sql-syntax-error")
                )
                continue
            long_names = _long_identifiers(src, start, body) if _MAY_BE_LONG.search(body) else []
            for raw in parsed.get("stmts", []):
                ((kind, stmt),) = raw["stmt"].items()
                rec = SqlStatement("other", span, src.path, in_transaction=in_tx, long_identifiers=long_names)
                if kind == "TransactionStmt":
                    in_tx = self.transaction(stmt, rec, in_tx)
                else:
                    handler = getattr(self, f"visit_{kind}", None)
                    if handler is not None:
                        handler(stmt, span, rec)
                    if kind == "CreateStmt":
                        created_here.add(stmt["relation"]["relname"])
                    if kind in ("IndexStmt", "DropStmt"):
                        rec.table_created_here = rec.table in created_here
                records.append(rec)
        count = sum(1 for r in records if r.kind not in ("begin", "commit"))
        for r in records:
            r.statements_in_file = count
        self.statements.extend(records)
        self.files.append(SchemaFile(src, [], comments, diags))


def _long_identifiers(src: SourceFile, start: int, body: str) -> list:
    """Identifiers of more than 63 bytes in a statement (string literals and comments skipped)."""
    out = []
    for t in _scan(body):
        if t.name != "IDENT":
            continue
        raw = body[t.start : t.end + 1]
        name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
        if len(name.encode("utf-8")) > 63:
            out.append((name, Span(src, start + t.start, start + t.end + 1)))
    return out


def _scan(text: str):
    from pglast import parser

    try:
        return parser.scan(text)
    except Exception:
        return []


def _trailing(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return bool(text[line_start:start].strip())


def sql_files(path: Path) -> list[Path]:
    """The SQL files of a path in the order they apply: a migrations folder's
    ``<timestamp>_<name>/migration.sql`` in name order, or a folder's ``*.sql`` in name order."""
    if path.is_file():
        return [path]
    migrations = sorted(path.glob("*/migration.sql"), key=lambda p: p.parent.name)
    if migrations:
        return migrations
    return sorted(path.glob("*.sql"))


def read_sql(sources: list[SourceFile]) -> Schema:
    replay = _Replay()
    for src in sources:
        replay.read(src)
    return replay.schema()


def load_sql(path: Path | str, cwd: Optional[StrPath] = None, overrides: Optional[dict[str, str]] = None):
    """A LoadedSchema for SQL (a file, a folder of .sql files, or a Prisma migrations folder)."""
    from ..prisma.loader import LoadedSchema, SchemaNotFound, display_path, read_sources

    p = Path(path)
    if not p.exists() and not (overrides and str(p.resolve()) in overrides):
        raise SchemaNotFound(f"{display_path(p, cwd)}: no such file or folder")
    files = sql_files(p) if p.exists() else [p]
    if not files:
        raise SchemaNotFound(f"{display_path(p, cwd)}: no SQL files in this folder")
    sources, errors, shown = read_sources(files, cwd, overrides)
    return LoadedSchema(read_sql(sources), display_path(p, cwd), read_errors=errors, paths=shown)
