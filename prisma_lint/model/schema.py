"""The model graph: what a schema means, built from the AST. The only thing rules see.

Plain dataclasses: the datasource, models (and views and composite types) with their fields,
enums, relations with both sides, and every index and constraint with its database name as
Prisma would create it. The relation graph (networkx) is built only when asked for.

Semantic errors Prisma would also reject (an unknown type, a relation to an unknown model,
a field list naming a field that does not exist, a relation with no opposite field, ...)
become diagnostics; the model is still built from everything that makes sense.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional

from . import naming
from ..source import Span
from ..frontends.prisma.syntax import (
    ArrayLit,
    Attribute,
    Block,
    Call,
    Diagnostic,
    Expr,
    Name,
    NumberLit,
    ObjectLit,
    SchemaFile,
    StringLit,
)

if TYPE_CHECKING:  # pragma: no cover
    import networkx

SCALAR_TYPES = frozenset({"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"})
PROVIDER_ALIASES = {"postgres": "postgresql"}
PROVIDERS = frozenset({"postgresql", "cockroachdb", "mysql", "sqlite", "sqlserver", "mongodb"})
# Index types that Prisma knows; only a B-tree serves ordered lookups of leading columns.
INDEX_TYPES = frozenset({"BTree", "Hash", "Gist", "Gin", "SpGist", "Brin"})


# ----------------------------------------------------------------------------------------------
# the data
# ----------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Datasource:
    name: str
    provider: Optional[str]  # normalised: "postgres" -> "postgresql"; None if unknown
    provider_raw: Optional[str]
    relation_mode: str  # "foreignKeys" or "prisma"
    relation_mode_explicit: bool
    schemas: list[str]
    span: Span
    extensions: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Generator:
    name: str
    provider: Optional[str]
    preview_features: list[str]
    span: Span


@dataclass(eq=False)
class NativeType:
    name: str  # VarChar, Uuid, ...
    args: list[str]
    span: Span

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.args)})" if self.args else self.name


@dataclass(eq=False)
class ModelField:
    model: str
    name: str
    db_name: str
    type: str
    kind: str  # scalar | enum | relation | composite | unsupported | unknown
    optional: bool
    list: bool
    span: Span
    name_span: Span
    native_type: Optional[NativeType] = None
    default: Optional[str] = None  # the default expression as written
    is_id: bool = False
    is_unique: bool = False
    is_updated_at: bool = False
    ignored: bool = False
    doc: Optional[str] = None
    unsupported: Optional[str] = None
    relation: Optional["Relation"] = None  # for relation fields

    @property
    def is_relation(self) -> bool:
        return self.kind == "relation"

    @property
    def is_scalar_like(self) -> bool:
        return self.kind in ("scalar", "enum", "unsupported")


@dataclass(eq=False)
class IndexColumn:
    field: str  # Prisma field name (a dotted path for composite types)
    db_name: str
    sort: Optional[str] = None  # "Asc" | "Desc"
    length: Optional[int] = None
    ops: Optional[str] = None
    span: Optional[Span] = None

    def key(self) -> tuple:
        """What makes two index columns the same for the planner."""
        return (self.field, self.sort or "Asc", self.length, self.ops)


@dataclass(eq=False)
class Index:
    model: str
    kind: str  # id | unique | index | fulltext
    columns: list[IndexColumn]
    db_name: str
    span: Span  # the attribute
    map: Optional[str] = None  # explicit database name
    name: Optional[str] = None  # client name of @@id / @@unique
    type: Optional[str] = None  # BTree, Hash, Gin, Gist, SpGist, Brin (None: the default B-tree)
    where: Optional[str] = None  # partial index predicate, normalised text
    clustered: Optional[bool] = None
    on_field: bool = False  # @id / @unique on a field rather than @@...
    attribute: Optional[Attribute] = None
    synthetic: bool = False  # made by Prisma, not written in the schema (m-n join tables)

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    @property
    def is_unique(self) -> bool:
        return self.kind in ("id", "unique")

    @property
    def method(self) -> str:
        return (self.type or "BTree") if self.kind != "fulltext" else "Fulltext"

    @property
    def is_btree(self) -> bool:
        return self.kind != "fulltext" and (self.type is None or self.type == "BTree")

    @property
    def file(self) -> str:
        return self.span.file.path


@dataclass(eq=False)
class Relation:
    name: str  # explicit @relation name or Prisma's default `AToB`
    kind: str  # 1-1 | 1-n | m-n
    model: str  # the model holding the foreign key (for m-n: the first model by name)
    field: str  # its relation field
    target: str  # the referenced model
    back_field: Optional[str]  # the opposite relation field on `target`
    fields: list[str]  # foreign key fields on `model` (empty for m-n)
    references: list[str]  # referenced fields on `target`
    on_delete: Optional[str] = None
    on_update: Optional[str] = None
    map: Optional[str] = None
    db_name: Optional[str] = None  # the foreign key constraint's name
    # MongoDB many-to-many: the other side's list of ids
    back_fields: list[str] = field(default_factory=list)
    back_references: list[str] = field(default_factory=list)
    span: Optional[Span] = None  # the @relation attribute (or the field)
    attribute: Optional[Attribute] = None
    join_table: Optional["Model"] = None  # implicit m-n
    optional: bool = False  # whether the foreign key may be NULL

    def effective_on_delete(self, relation_mode: str = "foreignKeys") -> str:
        if self.on_delete:
            return self.on_delete
        return "SetNull" if self.optional else "Restrict"


@dataclass(eq=False)
class Model:
    name: str
    db_name: str
    kind: str  # model | view | type (composite) | join-table
    fields: dict[str, ModelField]
    indexes: list[Index]
    span: Span
    name_span: Span
    schema: Optional[str] = None  # @@schema
    ignored: bool = False
    doc: Optional[str] = None
    block: Optional[Block] = None
    # where it comes from: "schema" (a Prisma model), "sql" (CREATE TABLE in a migration), or
    # "sql-inferred" (a table only named by CREATE INDEX: its columns are what the indexes show)
    origin: str = "schema"

    @property
    def file(self) -> str:
        return self.span.file.path

    @property
    def primary_key(self) -> Optional[Index]:
        return next((i for i in self.indexes if i.kind == "id"), None)

    def field_by_db_name(self, db_name: str) -> Optional[ModelField]:
        return next((f for f in self.fields.values() if f.db_name == db_name), None)

    def scalar_fields(self) -> Iterator[ModelField]:
        return (f for f in self.fields.values() if f.kind != "relation")

    def relation_fields(self) -> Iterator[ModelField]:
        return (f for f in self.fields.values() if f.kind == "relation")


@dataclass(eq=False)
class EnumValueDef:
    name: str
    db_name: str
    span: Span


@dataclass(eq=False)
class Enum:
    name: str
    db_name: str
    values: list[EnumValueDef]
    span: Span
    name_span: Span
    schema: Optional[str] = None
    doc: Optional[str] = None


@dataclass(eq=False)
class Schema:
    """The whole schema, from one file or a multi-file folder."""

    files: list[SchemaFile]
    datasource: Optional[Datasource]
    generators: list[Generator]
    models: dict[str, Model]
    enums: dict[str, Enum]
    composite_types: dict[str, Model]
    relations: list[Relation]
    join_tables: dict[str, Model]
    diagnostics: list[Diagnostic]
    _graph: Optional["networkx.MultiDiGraph"] = field(default=None, repr=False)
    # SQL front end: the provider of SQL migrations (no datasource block) and every statement
    sql_provider: Optional[str] = None
    sql_statements: list = field(default_factory=list)
    _by_model: Optional[dict[str, list[Relation]]] = field(default=None, repr=False)

    def relations_of(self, model: str) -> list[Relation]:
        """The relations whose foreign key ``model`` holds, from a map built once (a scan of
        every relation per model made missing-fk-index quadratic: 20,000 keys took 217 s)."""
        if self._by_model is None:
            by: dict[str, list[Relation]] = {}
            for r in self.relations:
                by.setdefault(r.model, []).append(r)
            self._by_model = by
        return self._by_model.get(model, [])

    @property
    def provider(self) -> Optional[str]:
        return self.datasource.provider if self.datasource else self.sql_provider

    @property
    def relation_mode(self) -> str:
        return self.datasource.relation_mode if self.datasource else "foreignKeys"

    @property
    def preview_features(self) -> list[str]:
        return [f for g in self.generators for f in g.preview_features]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def all_diagnostics(self) -> list[Diagnostic]:
        out = [d for f in self.files for d in f.diagnostics] + self.diagnostics
        return out

    def graph(self) -> "networkx.MultiDiGraph":
        """Models as nodes, relations as edges (from the model holding the foreign key).

        Built on first use: networkx costs ~150 ms to import.
        """
        if self._graph is None:
            import networkx as nx

            g = nx.MultiDiGraph()
            for m in self.models.values():
                g.add_node(m.name, db_name=m.db_name, kind=m.kind)
            for r in self.relations:
                g.add_edge(r.model, r.target, key=r.name, relation=r, kind=r.kind)
            self._graph = g
        return self._graph

    def enum_size(self, type_name: str) -> Optional[int]:
        e = self.enums.get(type_name)
        return len(e.values) if e else None


# ----------------------------------------------------------------------------------------------
# building
# ----------------------------------------------------------------------------------------------
def expr_text(e: Optional[Expr]) -> str:
    """An expression written back as schema text (normalised spacing)."""
    if e is None:
        return ""
    if isinstance(e, StringLit):
        import json

        return json.dumps(e.value, ensure_ascii=False)
    if isinstance(e, NumberLit):
        return e.raw
    if isinstance(e, Name):
        return e.name
    if isinstance(e, Call):
        return f"{e.name}({', '.join(_arg_text(a) for a in e.args)})"
    if isinstance(e, ArrayLit):
        return "[" + ", ".join(expr_text(i) for i in e.items) + "]"
    if isinstance(e, ObjectLit):
        return "{ " + ", ".join(f"{k}: {expr_text(v)}" for k, v in e.entries) + " }"
    return ""


def _arg_text(a) -> str:
    return f"{a.name}: {expr_text(a.value)}" if a.name else expr_text(a.value)


def _string(e: Optional[Expr]) -> Optional[str]:
    return e.value if isinstance(e, StringLit) else None


def _names(e: Optional[Expr]) -> Optional[list]:
    """``[a, b(sort: Desc)]`` -> the items (Name or Call); a lone name counts as a list of one."""
    if isinstance(e, ArrayLit):
        return e.items
    if isinstance(e, (Name, Call)):
        return [e]
    return None


class _Builder:
    def __init__(self, files: list[SchemaFile]) -> None:
        self.files = files
        self.diags: list[Diagnostic] = []
        self.blocks: dict[str, list[Block]] = {}
        for f in files:
            for b in f.blocks:
                self.blocks.setdefault(b.kind, []).append(b)

    def error(self, message: str, span: Optional[Span], code: str = "schema-error") -> None:
        self.diags.append(Diagnostic(message, span, "error", code))

    # -- top level -----------------------------------------------------------------------------
    def build(self) -> Schema:
        datasource = self.datasource()
        generators = [self.generator(b) for b in self.blocks.get("generator", [])]
        provider = datasource.provider if datasource else None
        self.native_prefix = (datasource.name + ".") if datasource else None

        for b in self.blocks.get("type-alias", []):
            self.error(
                f"type aliases are not supported by Prisma any more: replace `type {b.name} = ...` "
                "with the base type and its attributes on each field",
                b.span,
            )

        enums: dict[str, Enum] = {}
        names: dict[str, Span] = {}
        for b in self.blocks.get("enum", []):
            if self._declare(names, b):
                enums[b.name] = self.enum(b)
        shells: list[tuple[Block, str]] = []
        for kind in ("model", "view", "type"):
            for b in self.blocks.get(kind, []):
                if self._declare(names, b):
                    shells.append((b, kind))
        self.enum_names = set(enums)
        self.model_names = {b.name for b, k in shells if k in ("model", "view")}
        self.type_names = {b.name for b, k in shells if k == "type"}

        models: dict[str, Model] = {}
        types: dict[str, Model] = {}
        for b, kind in shells:
            m = self.model(b, kind)
            (types if kind == "type" else models)[m.name] = m
        self.models = models
        for m in list(models.values()):
            self.indexes(m, provider, composite=types)
        self.unique_names(models, provider)
        relations, join_tables = self.relations(models, provider)
        for r in relations:
            if r.kind != "m-n":
                table = models[r.model].db_name
                cols = [models[r.model].fields[f].db_name for f in r.fields if f in models[r.model].fields]
                r.db_name = r.map if r.map is not None else naming.foreign_key_name(table, cols, provider)
        return Schema(
            files=self.files,
            datasource=datasource,
            generators=generators,
            models=models,
            enums=enums,
            composite_types=types,
            relations=relations,
            join_tables=join_tables,
            diagnostics=self.diags,
        )

    def unique_names(self, models: dict[str, "Model"], provider: Optional[str]) -> None:
        """Database index names must be unique: in one namespace per database schema for
        PostgreSQL, CockroachDB and SQLite, per table elsewhere (as Prisma validates them).
        Two default names cut to the same prefix are identifier-too-long's to report."""
        per_schema = provider in ("postgresql", "cockroachdb", "sqlite", None)
        limit = naming.identifier_limit(provider)
        seen: dict[tuple, Index] = {}
        for m in models.values():
            if m.kind != "model" or m.ignored:
                continue
            for index in m.indexes:
                key = (m.schema if per_schema else m.db_name, index.db_name)
                other = seen.get(key)
                if other is None:
                    seen[key] = index
                    continue
                truncated = index.map is None and other.map is None and naming.byte_length(index.db_name) >= limit
                if truncated:
                    continue
                self.error(
                    f"the index name \"{index.db_name}\" is already used by the index at "
                    f"{other.span.file.path}:{other.span.line}: database index names must be unique "
                    "(give one of them another `map:`)",
                    index.span,
                )

    def _declare(self, names: dict[str, Span], b: Block) -> bool:
        if b.name in names:
            other = names[b.name]
            self.error(
                f"`{b.name}` is declared twice (first at {other.file.path}:{other.line}:{other.column})",
                b.name_span,
            )
            return False
        if b.name in SCALAR_TYPES:
            self.error(f"`{b.name}` is a reserved scalar type name", b.name_span)
            return False
        names[b.name] = b.name_span
        return True

    def datasource(self) -> Optional[Datasource]:
        sources = self.blocks.get("datasource", [])
        for extra in sources[1:]:
            self.error("only one datasource block is allowed", extra.name_span)
        if not sources:
            return None
        b = sources[0]
        props = {p.key: p for p in b.properties}
        raw = _string(props["provider"].value) if "provider" in props else None
        provider = PROVIDER_ALIASES.get(raw, raw) if raw else None
        if "provider" not in props:
            self.error("the datasource has no `provider`", b.name_span)
        elif raw is None:
            self.error("`provider` must be a string", props["provider"].value.span)
        mode_prop = props.get("relationMode") or props.get("referentialIntegrity")
        mode = _string(mode_prop.value) if mode_prop else None
        if mode_prop and mode not in ("prisma", "foreignKeys"):
            self.error('`relationMode` must be "prisma" or "foreignKeys"', mode_prop.value.span)
            mode = None
        if mode is None:
            mode = "prisma" if provider == "mongodb" else "foreignKeys"
        schemas = []
        if "schemas" in props and isinstance(props["schemas"].value, ArrayLit):
            schemas = [s.value for s in props["schemas"].value.items if isinstance(s, StringLit)]
        extensions = []
        if "extensions" in props and isinstance(props["extensions"].value, ArrayLit):
            extensions = [expr_text(e) for e in props["extensions"].value.items]
        return Datasource(
            name=b.name,
            provider=provider if provider in PROVIDERS else provider,
            provider_raw=raw,
            relation_mode=mode,
            relation_mode_explicit=mode_prop is not None,
            schemas=schemas,
            span=b.span,
            extensions=extensions,
        )

    def generator(self, b: Block) -> Generator:
        props = {p.key: p for p in b.properties}
        pf = props.get("previewFeatures")
        features = []
        if pf and isinstance(pf.value, ArrayLit):
            features = [s.value for s in pf.value.items if isinstance(s, StringLit)]
        return Generator(b.name, _string(props["provider"].value) if "provider" in props else None, features, b.span)

    def enum(self, b: Block) -> Enum:
        values = []
        for v in b.values:
            db = v.name
            for a in v.attributes:
                if a.name == "map":
                    db = _string(a.arg("name", 0)) or db
            values.append(EnumValueDef(v.name, db, v.span))
        db_name, schema = b.name, None
        for a in b.attributes:
            if a.name == "map":
                db_name = _string(a.arg("name", 0)) or db_name
            elif a.name == "schema":
                schema = _string(a.arg("name", 0))
        return Enum(b.name, db_name, values, b.span, b.name_span, schema, b.doc)

    # -- models ----------------------------------------------------------------------------------
    def model(self, b: Block, kind: str) -> Model:
        db_name, schema, ignored = b.name, None, False
        for a in b.attributes:
            if a.name == "map":
                db_name = _string(a.arg("name", 0)) or db_name
            elif a.name == "schema":
                schema = _string(a.arg("name", 0))
            elif a.name == "ignore":
                ignored = True
        fields: dict[str, ModelField] = {}
        for f in b.fields:
            if f.legacy_colon is not None:
                self.error(f"legacy syntax: remove the `:` after `{f.name}` (write `{f.name} Type`)", f.legacy_colon)
            if f.type is None:
                self.error(f"field `{f.name}` has no type", f.name_span)
                continue
            t = f.type
            if t.legacy == "required":
                self.error(f"legacy syntax `{t.name}!`: fields are required by default, remove the `!`", t.span)
            elif t.legacy == "list":
                self.error(f"legacy syntax `[{t.name}]`: write `{t.name}[]`", t.span)
            elif t.legacy == "optional-list":
                self.error(f"`{t.name}[]?`: a list cannot be optional, write `{t.name}[]`", t.span)
            if f.name in fields:
                self.error(f"field `{f.name}` is declared twice in {kind} `{b.name}`", f.name_span)
                continue
            if t.unsupported is not None:
                fkind = "unsupported"
            elif t.name in SCALAR_TYPES:
                fkind = "scalar"
            elif t.name in self.enum_names:
                fkind = "enum"
            elif t.name in self.model_names:
                fkind = "relation"
            elif t.name in self.type_names:
                fkind = "composite"
            else:
                fkind = "unknown"
                self.error(
                    f"type `{t.name}` of field `{b.name}.{f.name}` is neither a built-in type "
                    "nor a model, composite type or enum of this schema",
                    t.span,
                )
            mf = ModelField(
                model=b.name,
                name=f.name,
                db_name=f.name,
                type=t.name,
                kind=fkind,
                optional=t.optional,
                list=t.list,
                span=f.span,
                name_span=f.name_span,
                doc=f.doc,
                unsupported=t.unsupported,
            )
            for a in f.attributes:
                n = a.name
                if n == "map":
                    mf.db_name = _string(a.arg("name", 0)) or mf.db_name
                elif n == "id":
                    mf.is_id = True
                elif n == "unique":
                    mf.is_unique = True
                elif n == "default":
                    mf.default = expr_text(a.arg("value", 0))
                elif n == "updatedAt":
                    mf.is_updated_at = True
                elif n == "ignore":
                    mf.ignored = True
                elif "." in n:
                    prefix, _, native = n.partition(".")
                    if self.native_prefix and n.startswith(self.native_prefix):
                        mf.native_type = NativeType(native, [expr_text(x.value) for x in a.args], a.span)
            fields[f.name] = mf
        return Model(
            name=b.name,
            db_name=db_name,
            kind=kind,
            fields=fields,
            indexes=[],
            span=b.span,
            name_span=b.name_span,
            schema=schema,
            ignored=ignored,
            doc=b.doc,
            block=b,
        )

    # -- indexes ---------------------------------------------------------------------------------
    def indexes(self, m: Model, provider: Optional[str], composite: dict[str, Model]) -> None:
        self._indexes(m, provider, composite)
        # as Prisma's DMMF: a field is unique with @unique or a one-field @@unique, unless it is the id
        for index in m.indexes:
            if index.kind == "unique" and len(index.columns) == 1:
                f = m.fields.get(index.columns[0].field)
                if f is not None:
                    f.is_unique = True
        for f in m.fields.values():
            if f.is_id:
                f.is_unique = False

    def _indexes(self, m: Model, provider: Optional[str], composite: dict[str, Model]) -> None:
        b = m.block
        assert b is not None
        for f in b.fields:
            mf = m.fields.get(f.name)
            if mf is None:
                continue
            for a in f.attributes:
                if a.name in ("id", "unique"):
                    kind = a.name
                    col = IndexColumn(
                        mf.name,
                        mf.db_name,
                        sort=_name_value(a.arg("sort")),
                        length=_int_value(a.arg("length")),
                        span=f.name_span,
                    )
                    self._add_index(m, kind, [col], a, provider, on_field=True)
        for a in b.attributes:
            kind = {"id": "id", "unique": "unique", "index": "index", "fulltext": "fulltext"}.get(a.name)
            if kind is None:
                continue
            items = _names(a.arg("fields", 0))
            if items is None:
                self.error(f"`@@{a.name}` needs a list of fields, e.g. `@@{a.name}([a, b])`", a.span)
                continue
            columns = []
            ok = True
            for item in items:
                col = self._index_column(m, item, a, composite)
                if col is None:
                    ok = False
                else:
                    columns.append(col)
            if ok and columns:
                self._add_index(m, kind, columns, a, provider)

    def _index_column(self, m: Model, item, a: Attribute, composite: dict[str, Model]) -> Optional[IndexColumn]:
        if isinstance(item, Name):
            name, args, span = item.name, [], item.span
        elif isinstance(item, Call):
            name, args, span = item.name, item.args, item.span
        else:
            self.error(f"expected a field name in `@@{a.name}`", item.span)
            return None
        head = name.split(".")[0]
        f = m.fields.get(head)
        if f is None:
            self.error(f"`@@{a.name}` names `{name}`, which is not a field of `{m.name}`", span)
            return None
        if f.kind == "relation":
            self.error(
                f"`@@{a.name}` names the relation field `{name}`: index its scalar foreign key fields instead",
                span,
            )
            return None
        sort = length = ops = None
        for arg in args:
            if arg.name == "sort":
                sort = _name_value(arg.value)
            elif arg.name == "length":
                length = _int_value(arg.value)
            elif arg.name == "ops":
                ops = expr_text(arg.value)
        db_name = f.db_name if head == name else name
        return IndexColumn(name, db_name, sort, length, ops, span)

    def _add_index(self, m: Model, kind: str, columns: list[IndexColumn], a: Attribute, provider, on_field=False):
        explicit = _string(a.arg("map"))
        if explicit is None and kind == "index":
            explicit = _string(a.arg("name"))  # the Prisma 2 spelling of `map` on @@index
        db_name = explicit if explicit is not None else naming.default_name_for(kind, m.db_name, [c.db_name for c in columns], provider)
        where_expr = a.arg("where")
        where = None
        if where_expr is not None:
            if isinstance(where_expr, Call) and where_expr.name == "raw" and where_expr.args:
                where = _string(where_expr.args[0].value) or expr_text(where_expr)
            elif isinstance(where_expr, ObjectLit):
                where = _object_where_sql(where_expr, m) or expr_text(where_expr)
            else:
                where = expr_text(where_expr)
        type_ = _name_value(a.arg("type")) if kind == "index" else None
        if type_ is not None and type_ not in INDEX_TYPES:
            self.error(f"unknown index type `{type_}` (expected one of {', '.join(sorted(INDEX_TYPES))})", a.span)
        clustered = a.arg("clustered")
        m.indexes.append(
            Index(
                model=m.name,
                kind=kind,
                columns=columns,
                db_name=db_name,
                span=a.span,
                map=explicit,
                name=_string(a.arg("name")) if kind in ("id", "unique") and not on_field else None,
                type=type_,
                where=where,
                clustered=(clustered.name == "true") if isinstance(clustered, Name) else None,
                on_field=on_field,
                attribute=a,
            )
        )

    # -- relations -------------------------------------------------------------------------------
    def relations(self, models: dict[str, Model], provider: Optional[str]):
        groups: dict[tuple, list[tuple[Model, ModelField, Optional[Attribute]]]] = {}
        for m in models.values():
            for f in m.fields.values():
                if f.kind != "relation":
                    continue
                attr = _relation_attr(m, f)
                name = None
                if attr is not None:
                    name = _string(attr.arg("name", 0))
                if name is None:
                    a, b = sorted((m.name, f.type))
                    name = f"{a}To{b}"
                key = (tuple(sorted((m.name, f.type))), name)
                groups.setdefault(key, []).append((m, f, attr))
        relations: list[Relation] = []
        join_tables: dict[str, Model] = {}
        for (pair, name), sides in groups.items():
            rel = self._pair(models, pair, name, sides, provider)
            if rel is None:
                continue
            relations.append(rel)
            if rel.join_table is not None:
                join_tables[rel.join_table.name] = rel.join_table
        return relations, join_tables

    def _pair(self, models, pair, name, sides, provider) -> Optional[Relation]:
        if len(sides) == 1:
            m, f, attr = sides[0]
            self.error(
                f"the relation field `{f.name}` on model `{m.name}` is missing an opposite relation "
                f"field on the model `{f.type}`",
                f.name_span,
            )
            return None
        if len(sides) > 2:
            m, f, attr = sides[2]
            self.error(
                f"ambiguous relation between `{pair[0]}` and `{pair[1]}`: give each relation a name "
                f'with `@relation("Name")` on both sides',
                f.name_span,
            )
            return None
        (m1, f1, a1), (m2, f2, a2) = sides
        fields1 = _field_list(a1, "fields")
        fields2 = _field_list(a2, "fields")
        if fields2 and not fields1:
            (m1, f1, a1, fields1), (m2, f2, a2, fields2) = (m2, f2, a2, fields2), (m1, f1, a1, fields1)
        if fields1 and fields2 and f1.list and f2.list:
            # MongoDB many-to-many: each side keeps a list of the other side's ids
            rel = Relation(
                name=name, kind="m-n", model=m1.name, field=f1.name, target=f1.type, back_field=f2.name,
                fields=list(fields1), references=list(_field_list(a1, "references") or []),
                back_fields=list(fields2), back_references=list(_field_list(a2, "references") or []),
                span=a1.span, attribute=a1,
            )
            f1.relation = f2.relation = rel
            return rel
        if fields1 and fields2:
            self.error(
                f"both sides of the relation `{name}` define `fields`: only one side may hold the foreign key",
                a2.span if a2 else f2.name_span,
            )
            return None
        if not fields1:
            if f1.list and f2.list:
                return self._many_to_many(models, name, m1, f1, m2, f2, provider)
            if not (f1.list or f2.list):
                # 1-1 with no foreign key on either side
                self.error(
                    f"the 1-1 relation `{name}` needs `fields` and `references` on one side",
                    f1.name_span,
                )
            else:
                holder = (m2, f2) if f1.list else (m1, f1)
                self.error(
                    f"the relation field `{holder[1].name}` on model `{holder[0].name}` needs "
                    "`@relation(fields: [...], references: [...])`",
                    holder[1].name_span,
                )
            return None
        refs = _field_list(a1, "references") or []
        for fname in fields1:
            if fname not in m1.fields:
                self.error(f"`fields` names `{fname}`, which is not a field of `{m1.name}`", a1.span)
                return None
        target = models[f1.type]
        for rname in refs:
            if rname not in target.fields:
                self.error(f"`references` names `{rname}`, which is not a field of `{target.name}`", a1.span)
                return None
        if len(refs) != len(fields1):
            self.error("`fields` and `references` must have the same number of fields", a1.span)
            return None
        optional = any(m1.fields[x].optional for x in fields1)
        rel = Relation(
            name=name,
            kind="1-n" if f2.list else "1-1",
            model=m1.name,
            field=f1.name,
            target=f1.type,
            back_field=f2.name if m2 is not m1 or f2 is not f1 else None,
            fields=list(fields1),
            references=list(refs),
            on_delete=_name_value(a1.arg("onDelete")),
            on_update=_name_value(a1.arg("onUpdate")),
            map=_string(a1.arg("map")),
            span=a1.span,
            attribute=a1,
        )
        rel.optional = optional
        f1.relation = rel
        f2.relation = rel
        return rel

    def _many_to_many(self, models, name, m1, f1, m2, f2, provider) -> Relation:
        a, b = sorted([(m1, f1), (m2, f2)], key=lambda x: x[0].name)
        if a[0] is b[0]:  # self relation: order by field name
            a, b = sorted([(m1, f1), (m2, f2)], key=lambda x: x[1].name)
        table = f"_{name}"
        span = a[1].span
        col_a = IndexColumn("A", "A")
        col_b = IndexColumn("B", "B")
        join = Model(
            name=table,
            db_name=table,
            kind="join-table",
            fields={
                "A": ModelField(table, "A", "A", _id_type(a[0]), "scalar", False, False, span, span),
                "B": ModelField(table, "B", "B", _id_type(b[0]), "scalar", False, False, span, span),
            },
            indexes=[],
            span=span,
            name_span=span,
            schema=a[0].schema,
        )
        join.indexes = [
            Index(table, "id", [col_a, col_b], naming.with_suffix(table, "_AB_pkey", provider), span, synthetic=True),
            Index(table, "index", [IndexColumn("B", "B")], naming.with_suffix(table, "_B_index", provider), span, synthetic=True),
        ]
        rel = Relation(
            name=name,
            kind="m-n",
            model=a[0].name,
            field=a[1].name,
            target=b[0].name,
            back_field=b[1].name,
            fields=[],
            references=[],
            span=a[1].span,
            join_table=join,
        )
        f1.relation = rel
        f2.relation = rel
        return rel


def _object_where_sql(obj: ObjectLit, m: Model) -> Optional[str]:
    """`where: { status: "pending", active: true }` as SQL: `"status" = 'pending' AND "active" = true`
    (database column names). None when an entry is not a plain equality."""
    parts = []
    for key, value in obj.entries:
        f = m.fields.get(key)
        column = '"' + (f.db_name if f else key).replace('"', '""') + '"'
        if isinstance(value, StringLit):
            parts.append(f"{column} = '" + value.value.replace("'", "''") + "'")
        elif isinstance(value, NumberLit):
            parts.append(f"{column} = {value.raw}")
        elif isinstance(value, Name) and value.name in ("true", "false"):
            parts.append(f"{column} = {value.name}")
        elif isinstance(value, Name) and value.name == "null":
            parts.append(f"{column} IS NULL")
        elif isinstance(value, Name) and f is not None and f.kind == "enum":
            parts.append(f"{column} = '{value.name}'")
        else:
            return None
    return " AND ".join(parts) if parts else None


def _id_type(m: Model) -> str:
    pk = m.primary_key
    if pk and len(pk.columns) == 1 and pk.columns[0].field in m.fields:
        return m.fields[pk.columns[0].field].type
    return "Int"


def _relation_attr(m: Model, f: ModelField) -> Optional[Attribute]:
    block = m.block
    for bf in block.fields if block else ():
        if bf.name == f.name:
            for a in bf.attributes:
                if a.name == "relation":
                    return a
    return None


def _field_list(attr: Optional[Attribute], name: str) -> Optional[list[str]]:
    if attr is None:
        return None
    items = _names(attr.arg(name))
    if not items:
        return None
    return [i.name for i in items if isinstance(i, (Name, Call))]


def _name_value(e: Optional[Expr]) -> Optional[str]:
    if isinstance(e, Name):
        return e.name
    if isinstance(e, StringLit):
        return e.value
    return None


def _int_value(e: Optional[Expr]) -> Optional[int]:
    if isinstance(e, NumberLit):
        try:
            return int(e.raw)
        except ValueError:
            return None
    return None


def build_schema(files: list[SchemaFile]) -> Schema:
    """The model graph of one schema (one file, or every file of a multi-file schema)."""
    return _Builder(files).build()
