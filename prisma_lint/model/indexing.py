"""What an index can do for a query: shared knowledge the index rules rely on.

* Only a B-tree serves lookups on a leading prefix of its columns (and ordering).
* A Hash index serves equality on its single column only.
* GIN, GiST, SP-GiST, BRIN and full-text indexes never serve B-tree lookups.
* A partial index (``where``) covers only some rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, Optional

from ..records import field, record
from ..source import Span
from .schema import Index, Model, ModelField, Relation, Schema

LOW_CARDINALITY = "low-cardinality"
RANGE = "range"
FOREIGN_KEY = "foreign-key"
SELECTIVE = "selective"
NUMBER = "number"  # a plain Int/BigInt: an equality key, or a count/amount queried by range
ENUM = "enum"  # an enum with more than max-enum-values values: never "selective" (7 values are not)
OTHER = "other"

SELECTIVE_TYPES = frozenset({"String", "Bytes"})
NUMBER_TYPES = frozenset({"Int", "BigInt"})


def serves_lookup_on(index: Index, columns: Iterable[str]) -> bool:
    """Whether ``index`` finds the rows for an equality lookup on all of ``columns`` at once
    (their order in the lookup does not matter)."""
    wanted = set(columns)
    n = len(wanted)
    if index.where is not None or index.kind == "fulltext":
        return False
    if index.type == "Hash":
        return len(index.columns) == 1 and {index.columns[0].field} == wanted
    if not index.is_btree:
        return False
    return len(index.columns) >= n and {c.field for c in index.columns[:n]} == wanted


def covering_index(indexes: Iterable[Index], columns: list[str]) -> Optional[Index]:
    return next((i for i in indexes if serves_lookup_on(i, columns)), None)


def _unique_alone(model, name: str) -> bool:
    f = model.fields.get(name)
    if f is not None and (f.is_id or f.is_unique):
        return True
    return any(i.is_unique and i.fields == [name] and i.where is None for i in model.indexes)


def key_coverage(model, indexes, fields: list[str]):
    """How the indexes serve a lookup on the foreign key ``fields``: ("full", index) when one
    leads with all of them; ("probe", index) for a composite key when a key column is unique on
    its own, or an index leads with key columns the first of which is a String/Bytes (a uuid,
    a cuid: an index probe finds a handful of rows, not a scan); ("partly", index) when an index
    leads with key columns that are not selective; (None, None) when nothing helps."""
    full = covering_index(indexes, fields)
    if full is not None:
        return "full", full
    if len(fields) < 2:
        return None, None
    key = set(fields)
    partly = None
    for index in indexes:
        if not index.is_btree or index.where is not None or index.kind == "fulltext" or not index.columns:
            continue
        lead = index.columns[0].field
        if lead not in key:
            continue
        f = model.fields.get(lead)
        if _unique_alone(model, lead) or (f is not None and f.type in SELECTIVE_TYPES and not f.list):
            return "probe", index
        partly = partly or index
    for name in fields:
        if _unique_alone(model, name):
            return "probe", None
    return ("partly", partly) if partly is not None else (None, None)


def plain_indexes(schema: Schema, partial: bool = False) -> Iterator[tuple[Model, Index]]:
    """(model, index) for every plain ``@@index`` of the schema's tables (views and composite
    types have none); partial indexes only when asked for."""
    for model in schema.models.values():
        if model.kind != "model":
            continue
        for index in model.indexes:
            if index.kind == "index" and (partial or index.where is None):
                yield model, index


def foreign_key_fields(schema: Schema, model: Model) -> set[str]:
    """Scalar fields of ``model`` that hold a foreign key."""
    return {f for r in schema.foreign_keys_of(model.name) for f in r.fields}


def relations_from(schema: Schema, model: Model) -> list[Relation]:
    return list(schema.foreign_keys_of(model.name))


def is_low_cardinality(schema: Schema, f: ModelField, max_enum_values: int) -> bool:
    if f.list:
        return False
    if f.type == "Boolean":
        return True
    if f.kind == "enum":
        size = schema.enum_size(f.type)
        return size is not None and size <= max_enum_values
    return False


def column_class(
    schema: Schema,
    model: Model,
    field_name: str,
    *,
    max_enum_values: int,
    range_types: Collection[str],
    fk_fields: set[str],
) -> str:
    """How a column behaves in a composite index: foreign key or selective equality (ids,
    uniques, strings), an enum above ``max_enum_values`` (not selective either), a plain number
    (it may be a key or a counter: it never triggers a finding), low-cardinality equality,
    range/sort, or other (leave the index alone)."""
    f = model.fields.get(field_name.split(".")[0])
    if f is None or f.list:
        return OTHER
    if f.name in fk_fields:
        return FOREIGN_KEY
    if is_low_cardinality(schema, f, max_enum_values):
        return LOW_CARDINALITY
    if f.type in range_types:
        return RANGE
    pk = model.primary_key
    if f.is_id or f.is_unique or f.type in SELECTIVE_TYPES or (pk and f.name in pk.fields):
        return SELECTIVE
    if f.kind == "enum":  # a large enum: still few values
        return ENUM
    if f.type in NUMBER_TYPES:
        return NUMBER
    return OTHER


def has_comment(index: Index) -> bool:
    """Whether a ``//`` comment sits on the index's line (after it) or on the line just above:
    someone wrote down why the index is as it is."""
    span = index.span
    if index.attribute is None or span is None:
        return False
    file = span.file
    start, end = span.start, span.end  # (properties: read once)
    starts = file.line_starts
    line = file.line_of(start)
    end_line = file.line_of(max(end - 1, start))
    after = file.text[end : starts[end_line] if end_line < len(starts) else len(file.text)]
    return _is_note(after) or (line > 1 and _is_note(file.line_text(line - 1)))


def _is_note(text: str) -> bool:
    """A ``//`` comment that is not only a prisma-lint directive."""
    text = text.strip()
    if not text.startswith("//"):
        return False
    body = text.lstrip("/").strip()
    return bool(body) and not body.startswith("prisma-lint-")


def index_label(index: Index) -> str:
    """How the index is written in the schema, in short: `@@index([a, b])`, `@unique` on `email`."""
    cols = ", ".join(_col_text(c) for c in index.columns)
    if index.attribute is None and not index.on_field and index.span is not None and index.span.file.path.endswith(".sql"):
        unique = "unique " if index.kind in ("unique", "id") else ""
        return f"{unique}index `{index.db_name}` ({', '.join(c.db_name for c in index.columns)})"
    if index.on_field:
        return f"`@{index.kind}` on `{index.columns[0].field}`"
    kind = {"id": "@@id", "unique": "@@unique", "index": "@@index", "fulltext": "@@fulltext"}[index.kind]
    return f"`{kind}([{cols}])`"


def _col_text(c) -> str:
    args = []
    if c.length is not None:
        args.append(f"length: {c.length}")
    if c.sort:
        args.append(f"sort: {c.sort}")
    if c.ops:
        args.append(f"ops: {c.ops}")
    return f"{c.field}({', '.join(args)})" if args else c.field


def column_types(model: Optional[Model]):
    """``column -> type`` for a model's database columns, as the SQL checks ask it:
    ``"timestamptz"`` for a ``@db.Timestamptz`` column, else the Prisma type (``DateTime`` ...);
    None for a column that is not known (or no model)."""
    types: dict[str, str] = {}
    if model is not None:
        for f in model.fields.values():
            if f.native_type is not None and f.native_type.name == "Timestamptz":
                types[f.db_name] = "timestamptz"
            elif f.type:
                types[f.db_name] = f.type
    return types.get


@record(eq=False)
class IndexCondition:
    """An index predicate or index expression to inspect (pglast's JSON tree), from a migration's
    CREATE INDEX or from a schema's partial index (``where: raw("...")``)."""

    index: str  # the index's database name
    part: str  # "predicate", "expression" or "`where`"
    node: Any
    column_type: Callable[[str], Optional[str]]
    span: Span  # the statement, or the schema's index attribute
    model: Optional[str]
    fields: list[str] = field(default_factory=list)
    in_sql: bool = False  # node locations are byte offsets into ``span``'s text

    @property
    def description(self) -> str:
        return f"index `{self.index}`" if self.in_sql else f"the partial index `{self.index}`"

    def span_at(self, byte_location: Optional[int]) -> Span:
        """Where a node of the tree is written: in a statement, the call (``now()``), the
        literal with its cast (``'now'::date``, ``DATE 'now'``) or the name at that location;
        in a schema (the predicate is a string inside the attribute), the index attribute."""
        offset = self.span.offset_of_byte(byte_location) if self.in_sql else None
        if offset is None:
            return self.span
        body = self.span.text
        end = offset
        while end < len(body) and (body[end].isalnum() or body[end] in "_()"):
            end += 1
        typed = end
        if "(" not in body[offset:end]:  # not a call: maybe `TIMESTAMP WITH TIME ZONE 'now'`
            while typed < len(body) and (body[typed].isalpha() or body[typed] == " "):
                typed += 1
        if typed < len(body) and body[typed] == "'":  # a quoted literal, after its type name or not
            end = typed
            close = body.find("'", end + 1)
            end = close + 1 if close > 0 else len(body)
            if body.startswith("::", end):
                end += 2
                while end < len(body) and (body[end].isalnum() or body[end] == "_"):
                    end += 1
        return Span(self.span.file, self.span.start + offset, self.span.start + max(end, offset + 1))


def index_conditions(schema: Schema) -> Iterator[IndexCondition]:
    """Every index predicate and expression of the migrations' CREATE INDEX statements and of
    the schema's partial indexes."""
    for st in schema.sql_statements:
        if st.kind != "create-index":
            continue
        types = column_types(schema.models.get(st.table) if st.table else None)
        parts = [("predicate", st.where)] + [("expression", e) for e in st.expressions]
        for part, node in parts:
            if node is not None:
                yield IndexCondition(st.index, part, node, types, st.span, st.table, list(st.key_columns), True)
    for model in schema.models.values():
        if model.origin != "schema":
            continue
        for index in model.indexes:
            if index.where is not None:
                from ..frontends.sql.expr import predicate_json  # (only a partial index needs it)

                node = predicate_json(index.where)
                yield IndexCondition(index.db_name, "`where`", node, column_types(model), index.span, model.name, index.fields)
