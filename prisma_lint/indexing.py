"""What an index can do for a query: shared knowledge the index rules rely on.

* Only a B-tree serves lookups on a leading prefix of its columns (and ordering).
* A Hash index serves equality on its single column only.
* GIN, GiST, SP-GiST, BRIN and full-text indexes never serve B-tree lookups.
* A partial index (``where``) covers only some rows.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from .model import Index, Model, ModelField, Relation, Schema

LOW_CARDINALITY = "low-cardinality"
RANGE = "range"
FOREIGN_KEY = "foreign-key"
SELECTIVE = "selective"
NUMBER = "number"  # a plain Int/BigInt: an equality key, or a count/amount queried by range
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
    out: set[str] = set()
    for r in schema.relations:
        if r.model == model.name and r.kind != "m-n":
            out.update(r.fields)
    return out


def relations_from(schema: Schema, model: Model) -> list[Relation]:
    return [r for r in schema.relations if r.model == model.name and r.kind != "m-n" and r.fields]


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
    range_types: Iterable[str],
    fk_fields: set[str],
) -> str:
    """How a column behaves in a composite index: foreign key or selective equality (ids,
    uniques, strings, large enums), a plain number (it may be a key or a counter: it never
    triggers a finding), low-cardinality equality, range/sort, or other (leave the index alone)."""
    f = model.fields.get(field_name.split(".")[0])
    if f is None or f.list:
        return OTHER
    if f.name in fk_fields:
        return FOREIGN_KEY
    if is_low_cardinality(schema, f, max_enum_values):
        return LOW_CARDINALITY
    if f.type in set(range_types):
        return RANGE
    pk = model.primary_key
    if f.is_id or f.is_unique or f.type in SELECTIVE_TYPES or (pk and f.name in pk.fields):
        return SELECTIVE
    if f.kind == "enum":  # a large enum
        return SELECTIVE
    if f.type in NUMBER_TYPES:
        return NUMBER
    return OTHER


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
