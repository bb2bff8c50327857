"""PostgreSQL DDL for a Prisma schema, as ``prisma migrate`` creates it in an empty database.

Test support only: it builds databases for the migration tests from a
:class:`prisma_lint.model.schema.Schema` (enums, tables with every scalar column, primary keys, every
index and unique constraint, foreign keys, implicit many-to-many join tables, ``@@schema``
namespaces). ``tests/test_migrate_postgres.py`` checks, with Prisma's own engine, that a database
built from this DDL shows no drift against its schema, which is what makes it a fair stand-in
for ``prisma migrate deploy``.

It is written independently of ``prisma_lint.migrate.sql`` (its own quoting, operator-class names,
predicates) so that the migration tests do not check prisma-lint against itself. Names come from
the model graph (``db_name`` of models, fields, enums, indexes and relations): those names are
what Prisma creates, and the drift check proves they are right. What it does not cover raises
:class:`DdlError` naming the schema element.
"""

from __future__ import annotations

import re
from typing import Optional

from prisma_lint.frontends.prisma.syntax import ArrayLit, Call, Name, NumberLit, ObjectLit, StringLit
from prisma_lint.model.schema import Enum, Index, Model, ModelField, Relation, Schema

IDENTIFIER_LIMIT = 63  # PostgreSQL's NAMEDATALEN - 1, in bytes


class DdlError(Exception):
    """The schema uses something this DDL generator does not render."""


# ---------------------------------------------------------------------------------------------
# quoting
# ---------------------------------------------------------------------------------------------
def qi(name: str) -> str:
    """A quoted identifier (an embedded ``"`` doubled)."""
    if "\x00" in name:
        raise DdlError(f"identifier {name!r} contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'


def qualified(namespace: Optional[str], name: str) -> str:
    return f"{qi(namespace)}.{qi(name)}" if namespace else qi(name)


def literal(value: str) -> str:
    """A SQL string literal (standard_conforming_strings: only ``'`` is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _truncate(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut].decode("utf-8")


def _with_suffix(prefix: str, suffix: str) -> str:
    return _truncate(prefix, IDENTIFIER_LIMIT - len(suffix.encode("utf-8"))) + suffix


# ---------------------------------------------------------------------------------------------
# column types
# ---------------------------------------------------------------------------------------------
SCALAR_SQL = {
    "String": "TEXT",
    "Int": "INTEGER",
    "BigInt": "BIGINT",
    "Float": "DOUBLE PRECISION",
    "Decimal": "DECIMAL(65,30)",
    "DateTime": "TIMESTAMP(3)",
    "Boolean": "BOOLEAN",
    "Bytes": "BYTEA",
    "Json": "JSONB",
}

# native type -> (SQL name, number of arguments allowed)
NATIVE_SQL = {
    "Uuid": ("UUID", (0,)),
    "VarChar": ("VARCHAR", (0, 1)),
    "Char": ("CHAR", (0, 1)),
    "Text": ("TEXT", (0,)),
    "Timestamptz": ("TIMESTAMPTZ", (0, 1)),
    "Timestamp": ("TIMESTAMP", (0, 1)),
    "Date": ("DATE", (0,)),
    "Time": ("TIME", (0, 1)),
    "Timetz": ("TIMETZ", (0, 1)),
    "Integer": ("INTEGER", (0,)),
    "SmallInt": ("SMALLINT", (0,)),
    "BigInt": ("BIGINT", (0,)),
    "Decimal": ("DECIMAL", (0, 2)),
    "DoublePrecision": ("DOUBLE PRECISION", (0,)),
    "Real": ("REAL", (0,)),
    "Money": ("MONEY", (0,)),
    "Inet": ("INET", (0,)),
    "Citext": ("CITEXT", (0,)),
    "Xml": ("XML", (0,)),
    "JsonB": ("JSONB", (0,)),
    "Json": ("JSON", (0,)),
    "Bit": ("BIT", (0, 1)),
    "VarBit": ("VARBIT", (0, 1)),
    "Oid": ("OID", (0,)),
    "ByteA": ("BYTEA", (0,)),
    "Boolean": ("BOOLEAN", (0,)),
}

SERIAL = {"Int": "SERIAL", "BigInt": "BIGSERIAL"}
SERIAL_NATIVE = {"Integer": "SERIAL", "BigInt": "BIGSERIAL", "SmallInt": "SMALLSERIAL"}

# client-side generators: Prisma Client fills these in, the column has no default
CLIENT_DEFAULTS = frozenset({"uuid", "cuid", "nanoid", "ulid"})


def _where(model: Model, f: ModelField) -> str:
    return f"`{model.name}.{f.name}`"


def base_type(schema: Schema, model: Model, f: ModelField) -> str:
    """The column type without ``[]`` (and without SERIAL)."""
    if f.kind == "unsupported":
        if not f.unsupported:
            raise DdlError(f"{_where(model, f)}: Unsupported() without a type name")
        return f.unsupported
    if f.kind == "enum":
        e = schema.enums[f.type]
        return qualified(e.schema, e.db_name)
    if f.kind != "scalar":
        raise DdlError(f"{_where(model, f)}: fields of kind {f.kind!r} have no PostgreSQL column")
    nt = f.native_type
    if nt is None:
        return SCALAR_SQL[f.type]
    if nt.name not in NATIVE_SQL:
        raise DdlError(f"{_where(model, f)}: native type @db.{nt} is not rendered by tests/ddl.py")
    sql, counts = NATIVE_SQL[nt.name]
    if len(nt.args) not in counts:
        raise DdlError(f"{_where(model, f)}: @db.{nt} takes {counts} arguments")
    return f"{sql}({','.join(a.strip() for a in nt.args)})" if nt.args else sql


def _default_expr(model: Model, f: ModelField):
    """The ``@default(...)`` argument of ``f`` as an expression node (None without one)."""
    block = model.block
    for bf in block.fields if block else ():
        if bf.name == f.name:
            for a in bf.attributes:
                if a.name == "default":
                    return a.arg("value", 0)
    return None


def _scalar_default(schema: Schema, model: Model, f: ModelField, e) -> str:
    if isinstance(e, StringLit):
        if f.type not in ("String", "Json"):
            raise DdlError(f"{_where(model, f)}: string defaults on {f.type} are not rendered by tests/ddl.py")
        return literal(e.value)
    if isinstance(e, NumberLit):
        return e.raw
    if isinstance(e, Name):
        if e.name in ("true", "false") and f.type == "Boolean":
            return e.name
        if f.kind == "enum":
            values = {v.name: v.db_name for v in schema.enums[f.type].values}
            if e.name not in values:
                raise DdlError(f"{_where(model, f)}: `{e.name}` is not a value of enum {f.type}")
            return literal(values[e.name])
    raise DdlError(f"{_where(model, f)}: default value {e!r} is not rendered by tests/ddl.py")


def column_default(schema: Schema, model: Model, f: ModelField) -> tuple[Optional[str], bool]:
    """(the DEFAULT expression or None, whether the column is SERIAL)."""
    e = _default_expr(model, f)
    if e is None:
        return None, False
    if isinstance(e, Call):
        if e.name == "autoincrement":
            return None, True
        if e.name == "now":
            return "CURRENT_TIMESTAMP", False
        if e.name in CLIENT_DEFAULTS:
            return None, False
        if e.name == "dbgenerated":
            if not e.args:
                return None, False
            arg = e.args[0].value
            if not isinstance(arg, StringLit):
                raise DdlError(f"{_where(model, f)}: dbgenerated() needs a string")
            return arg.value, False
        raise DdlError(f"{_where(model, f)}: @default({e.name}(...)) is not rendered by tests/ddl.py")
    if isinstance(e, ArrayLit):
        if not f.list:
            raise DdlError(f"{_where(model, f)}: a list default on a scalar field")
        items = ", ".join(_scalar_default(schema, model, f, i) for i in e.items)
        return f"ARRAY[{items}]::{base_type(schema, model, f)}[]", False
    if f.list:
        raise DdlError(f"{_where(model, f)}: a scalar default on a list field")
    return _scalar_default(schema, model, f, e), False


def column_sql(schema: Schema, model: Model, f: ModelField) -> str:
    default, serial = column_default(schema, model, f)
    if serial:
        nt = f.native_type
        kind = SERIAL_NATIVE.get(nt.name) if nt else SERIAL.get(f.type)
        if kind is None or f.list:
            raise DdlError(f"{_where(model, f)}: autoincrement() on {f.type} {nt or ''}")
        sql = kind
    else:
        sql = base_type(schema, model, f)
        if f.list:
            sql += "[]"
    parts = [qi(f.db_name), sql]
    if not f.optional and not f.list:  # Prisma leaves list columns nullable
        parts.append("NOT NULL")
    if default is not None:
        parts.append(f"DEFAULT {default}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# indexes
# ---------------------------------------------------------------------------------------------
METHODS = {"BTree": None, "Hash": "HASH", "Gin": "GIN", "Gist": "GIST", "SpGist": "SPGIST", "Brin": "BRIN"}


def operator_class(ops: Optional[str]) -> Optional[str]:
    """Prisma's operator class (``JsonbPathOps``, ``Int4MinMaxOps``, ``raw("...")``) in SQL."""
    if not ops:
        return None
    m = re.fullmatch(r'raw\("(.*)"\)', ops)
    if m:
        return m.group(1)
    if not ops.endswith("Ops"):
        raise DdlError(f"unknown operator class {ops}")
    stem = ops[: -len("Ops")]
    special = {"MinMaxMulti": "minmax_multi", "MinMax": "minmax", "Bloom": "bloom", "Inclusion": "inclusion"}
    for word, sql in special.items():
        if stem.endswith(word):
            head = stem[: -len(word)]
            return f"{_type_word(head)}_{sql}_ops" if head else f"{sql}_ops"
    return f"{_type_word(stem)}_ops"


def _type_word(stem: str) -> str:
    # the type part is one SQL word: JsonbPath -> jsonb_path, TimestampTz -> timestamptz, Int4 -> int4
    pieces = re.findall(r"[A-Z][a-z0-9]*", stem)
    merged: list[str] = []
    for p in (x.lower() for x in pieces):
        if merged and p == "tz":
            merged[-1] += p
        else:
            merged.append(p)
    return "_".join(merged)


def _predicate_value(schema: Schema, model: Model, f: ModelField, e) -> tuple[str, str]:
    """(operator, SQL value) of one ``where: {field: value}`` entry."""
    if isinstance(e, ObjectLit):
        if len(e.entries) != 1 or e.entries[0][0] != "not":
            raise DdlError(f"`{model.name}`: only `{{ not: ... }}` nests in an index predicate")
        op, value = _predicate_value(schema, model, f, e.entries[0][1])
        return ("IS NOT" if op == "IS" else "!="), value
    if isinstance(e, Name) and e.name == "null":
        return "IS", "NULL"
    if isinstance(e, Name) and e.name in ("true", "false"):
        return "=", e.name
    if isinstance(e, NumberLit):
        return "=", e.raw
    if isinstance(e, StringLit):
        return "=", literal(e.value)
    if isinstance(e, Name) and f.kind == "enum":
        values = {v.name: v.db_name for v in schema.enums[f.type].values}
        return "=", literal(values[e.name])
    raise DdlError(f"`{model.name}`: predicate value {e!r} is not rendered by tests/ddl.py")


def predicate(schema: Schema, model: Model, index: Index) -> Optional[str]:
    if index.where is None:
        return None
    expr = index.attribute.arg("where") if index.attribute is not None else None
    if isinstance(expr, Call) and expr.name == "raw" and expr.args and isinstance(expr.args[0].value, StringLit):
        return expr.args[0].value.value
    if isinstance(expr, ObjectLit):
        terms = []
        for key, value in expr.entries:
            f = model.fields.get(key)
            if f is None:
                raise DdlError(f"`{model.name}`: predicate on unknown field {key}")
            op, sql = _predicate_value(schema, model, f, value)
            terms.append(f"{qi(f.db_name)} {op} {sql}")
        return " AND ".join(terms)
    raise DdlError(f"`{model.name}`: index predicate {index.where!r} is not rendered by tests/ddl.py")


def index_sql(schema: Schema, model: Model, index: Index) -> str:
    if index.kind not in ("unique", "index"):
        raise DdlError(f"`{model.name}`: {index.kind} is not a CREATE INDEX")
    method = METHODS.get(index.type or "BTree", "?")
    if method == "?":
        raise DdlError(f"`{model.name}`: index type {index.type}")
    cols = []
    for c in index.columns:
        if "." in c.field:
            raise DdlError(f"`{model.name}`: index on a composite-type path {c.field}")
        if c.length is not None:
            raise DdlError(f"`{model.name}`: length: on an index column is MySQL only")
        text = qi(c.db_name)
        ops = operator_class(c.ops)
        if ops:
            text += f" {ops}"
        if c.sort == "Desc":
            text += " DESC"
        cols.append(text)
    sql = f"CREATE {'UNIQUE ' if index.kind == 'unique' else ''}INDEX {qi(index.db_name)} ON {qualified(model.schema, model.db_name)}"
    if method:
        sql += f" USING {method}"
    sql += f" ({', '.join(cols)})"
    where = predicate(schema, model, index)
    if where:
        sql += f" WHERE ({where})"
    return sql + ";"


# ---------------------------------------------------------------------------------------------
# tables, keys, relations
# ---------------------------------------------------------------------------------------------
ACTIONS = {
    "Cascade": "CASCADE",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
}


def _managed(model: Model) -> bool:
    return model.kind == "model"


def enum_sql(e: Enum) -> str:
    values = ", ".join(literal(v.db_name) for v in e.values)
    return f"CREATE TYPE {qualified(e.schema, e.db_name)} AS ENUM ({values});"


def table_sql(schema: Schema, model: Model) -> str:
    lines = [column_sql(schema, model, f) for f in model.fields.values() if f.kind != "relation"]
    pk = model.primary_key
    if pk is not None:
        if any(c.sort == "Desc" for c in pk.columns):
            raise DdlError(f"`{model.name}`: a descending primary key column")
        cols = ", ".join(qi(c.db_name) for c in pk.columns)
        lines.append(f"CONSTRAINT {qi(pk.db_name)} PRIMARY KEY ({cols})")
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {qualified(model.schema, model.db_name)} (\n    {body}\n);"


def _action(value: Optional[str], what: str) -> str:
    if value not in ACTIONS:
        raise DdlError(f"unknown referential action {what}: {value}")
    return ACTIONS[value]


def foreign_key_sql(schema: Schema, r: Relation) -> str:
    model, target = schema.models[r.model], schema.models[r.target]
    cols = ", ".join(qi(model.fields[f].db_name) for f in r.fields)
    refs = ", ".join(qi(target.fields[f].db_name) for f in r.references)
    on_delete = _action(r.effective_on_delete(schema.relation_mode), "onDelete")
    on_update = _action(r.on_update or "Cascade", "onUpdate")
    return (
        f"ALTER TABLE {qualified(model.schema, model.db_name)} ADD CONSTRAINT {qi(r.db_name)} "
        f"FOREIGN KEY ({cols}) REFERENCES {qualified(target.schema, target.db_name)} ({refs}) "
        f"ON DELETE {on_delete} ON UPDATE {on_update};"
    )


def _id_column(schema: Schema, model: Model) -> ModelField:
    pk = model.primary_key
    if pk is None or len(pk.columns) != 1:
        raise DdlError(f"`{model.name}`: an implicit many-to-many relation needs a single-field @id")
    return model.fields[pk.columns[0].field]


def _id_type(schema: Schema, model: Model) -> str:
    f = _id_column(schema, model)
    # the referenced type, never SERIAL
    return base_type(schema, model, f)


def join_table_sql(schema: Schema, r: Relation) -> list[str]:
    join = r.join_table
    assert join is not None
    a, b = schema.models[r.model], schema.models[r.target]
    table = qualified(join.schema, join.db_name)
    pk = next(i for i in join.indexes if i.kind == "id")
    idx = next(i for i in join.indexes if i.kind == "index")
    out = [
        f'CREATE TABLE {table} (\n    "A" {_id_type(schema, a)} NOT NULL,\n    "B" {_id_type(schema, b)} NOT NULL,\n'
        f'    CONSTRAINT {qi(pk.db_name)} PRIMARY KEY ("A", "B")\n);',
        f'CREATE INDEX {qi(idx.db_name)} ON {table} ("B");',
    ]
    for col, model in (("A", a), ("B", b)):
        ref = _id_column(schema, model)
        out.append(
            f"ALTER TABLE {table} ADD CONSTRAINT {qi(_with_suffix(join.db_name, f'_{col}_fkey'))} "
            f"FOREIGN KEY ({qi(col)}) REFERENCES {qualified(model.schema, model.db_name)} ({qi(ref.db_name)}) "
            "ON DELETE CASCADE ON UPDATE CASCADE;"
        )
    return out


def statements(schema: Schema) -> list[str]:
    """The DDL, one statement per item, in the order Prisma writes it."""
    if schema.errors:
        raise DdlError(f"the schema has errors: {[d.message for d in schema.errors][:3]}")
    if schema.provider != "postgresql":
        raise DdlError(f"provider {schema.provider!r}: tests/ddl.py renders PostgreSQL only")
    models = [m for m in schema.models.values() if _managed(m)]
    for m in schema.models.values():
        if m.kind not in ("model", "view"):
            raise DdlError(f"`{m.name}`: blocks of kind {m.kind} are not rendered")
    namespaces = sorted(
        {m.schema for m in models if m.schema}
        | {e.schema for e in schema.enums.values() if e.schema}
        | {r.join_table.schema for r in schema.relations if r.join_table is not None and r.join_table.schema}
    )
    out = [f"CREATE SCHEMA IF NOT EXISTS {qi(s)};" for s in namespaces]
    out += [enum_sql(e) for e in schema.enums.values()]
    out += [table_sql(schema, m) for m in models]
    joins = [r for r in schema.relations if r.kind == "m-n" and r.join_table is not None]
    if any(r.kind == "m-n" and r.join_table is None for r in schema.relations):
        raise DdlError("a many-to-many relation without a join table (MongoDB style)")
    for r in joins:
        out.append(join_table_sql(schema, r)[0])
    for m in models:
        for index in m.indexes:
            if index.kind in ("unique", "index"):
                out.append(index_sql(schema, m, index))
            elif index.kind == "fulltext":
                continue
    for r in joins:
        out.append(join_table_sql(schema, r)[1])
    if schema.relation_mode == "foreignKeys":
        for r in schema.relations:
            if r.kind == "m-n":
                continue
            if not (_managed(schema.models[r.model]) and _managed(schema.models[r.target])):
                continue
            out.append(foreign_key_sql(schema, r))
        for r in joins:
            out.extend(join_table_sql(schema, r)[2:])
    return out


def render(schema: Schema) -> str:
    """The whole DDL script (one string, statements separated by blank lines)."""
    return "\n\n".join(statements(schema)) + "\n"
