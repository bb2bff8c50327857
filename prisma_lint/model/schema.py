"""The model graph: what a schema means, built from the AST. The only thing rules see.

Plain data (records): the datasource, models (and views and composite types) with their fields,
enums, relations with both sides, and every index and constraint with its database name as
Prisma would create it. The relation graph (networkx) is built only when asked for.

Semantic errors Prisma would also reject (an unknown type, a relation to an unknown model,
a field list naming a field that does not exist, a relation with no opposite field, ...)
become diagnostics; the model is still built from everything that makes sense.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, Optional

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
from ..records import field, record
from ..records import field as dataclass_field
from ..source import Span

FieldKind = Literal["scalar", "enum", "relation", "composite", "unsupported", "unknown"]
IndexKind = Literal["id", "unique", "index", "fulltext"]
RelationKind = Literal["1-1", "1-n", "m-n"]
ModelKind = Literal["model", "view", "type", "join-table"]

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
@record(eq=False)
class Datasource:
    name: str
    provider: Optional[str]  # normalised: "postgres" -> "postgresql"; None if unknown
    provider_raw: Optional[str]
    relation_mode: str  # "foreignKeys" or "prisma"
    relation_mode_explicit: bool
    schemas: list[str]
    span: Span
    extensions: list[str] = field(default_factory=list)


@record(eq=False)
class Generator:
    name: str
    provider: Optional[str]
    preview_features: list[str]
    span: Span


@record(eq=False)
class NativeType:
    name: str  # VarChar, Uuid, ...
    args: list[str]
    span: Span

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.args)})" if self.args else self.name


@record(eq=False)
class ModelField:
    model: str
    name: str
    db_name: str
    type: str
    kind: FieldKind
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


@record(eq=False)
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


@record(eq=False)
class Index:
    model: str
    kind: IndexKind
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


@record(eq=False)
class Relation:
    name: str  # explicit @relation name or Prisma's default `AToB`
    kind: RelationKind
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
    back_fields: list[str] = dataclass_field(default_factory=list)  # (`field` is a name here)
    back_references: list[str] = dataclass_field(default_factory=list)
    span: Optional[Span] = None  # the @relation attribute (or the field)
    attribute: Optional[Attribute] = None
    join_table: Optional["Model"] = None  # implicit m-n
    optional: bool = False  # whether the foreign key may be NULL

    def effective_on_delete(self, relation_mode: str = "foreignKeys") -> str:
        if self.on_delete:
            return self.on_delete
        return "SetNull" if self.optional else "Restrict"


@record(eq=False)
class Model:
    name: str
    db_name: str
    kind: ModelKind  # "type": a composite type
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
    # what is worked out from the model alone, kept with it (see model/cascade.py fk_coverage):
    # (the index list it was worked out from, {key: value})
    _derived: Optional[tuple] = field(default=None, repr=False)

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


@record(eq=False)
class EnumValueDef:
    name: str
    db_name: str
    span: Span


@record(eq=False)
class Enum:
    name: str
    db_name: str
    values: list[EnumValueDef]
    span: Span
    name_span: Span
    schema: Optional[str] = None
    doc: Optional[str] = None


@record(eq=False)
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
    _foreign_keys: Optional[dict[str, list[Relation]]] = field(default=None, repr=False)
    # what the models were built with (names, provider): when they may be reused (model/builder.py)
    _built_with: Optional[tuple] = field(default=None, repr=False)
    # model name -> its relation fields as the builder grouped them (reused for kept models)
    _relation_sides: Optional[dict[str, list]] = field(default=None, repr=False)
    # a part of a schema (the language server lints again only the models whose neighbourhood
    # changed: rule_cache.py): the whole schema, whose other models a rule may read
    _whole: Optional["Schema"] = field(default=None, repr=False)
    # for the next build's quick path (model/builder.py ``_quick``): model name -> its place in
    # ``models``; a relation's key -> its place in ``relations``; (namespace, index name) -> how
    # many indexes have it
    _order: Optional[dict[str, int]] = field(default=None, repr=False)
    _relation_at: Optional[dict[tuple, int]] = field(default=None, repr=False)
    _index_names: Optional[dict[tuple, int]] = field(default=None, repr=False)
    # what the quick path built again: (model and type names, enum names); None: a whole build
    _rebuilt: Optional[tuple[list[str], list[str]]] = field(default=None, repr=False)
    # this build (an object of its own), and the one the quick path built it from
    _stamp: Any = field(default=None, repr=False)
    _from: Any = field(default=None, repr=False)

    def model_named(self, name: str) -> Optional[Model]:
        """The model ``name``, also when this is a part of a schema that leaves it out."""
        m = self.models.get(name)
        if m is None and self._whole is not None:
            return self._whole.models.get(name)
        return m

    def foreign_keys_of(self, model: str) -> list[Relation]:
        """The relations whose foreign key ``model`` holds (not implicit many-to-many), from a
        per-model table built once: looking them up by scanning every relation made rules
        quadratic (100k lines: 10 s of 16 s in two helpers)."""
        if self._foreign_keys is None:
            by_model: dict[str, list[Relation]] = {}
            for r in self.relations:
                if r.kind != "m-n" and r.fields:
                    by_model.setdefault(r.model, []).append(r)
            self._foreign_keys = by_model
        return self._foreign_keys.get(model, [])

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


# -- expressions written back as schema text, and small readers of attribute arguments --


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
