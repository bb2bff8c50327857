"""Building the model, part 2: every index and constraint with its database name."""

from __future__ import annotations

from typing import Optional

from ..frontends.prisma.syntax import (
    Attribute,
    Call,
    Name,
    NumberLit,
    ObjectLit,
    StringLit,
)
from . import naming
from .builder_base import (
    BuilderBase,
    _int_value,
    _name_value,
)
from .schema import (
    INDEX_TYPES,
    Index,
    IndexColumn,
    IndexKind,
    Model,
    _names,
    _string,
    expr_text,
)

_KINDS: dict[str, IndexKind] = {"id": "id", "unique": "unique", "index": "index", "fulltext": "fulltext"}


class IndexBuilder(BuilderBase):
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
                    col = IndexColumn(
                        mf.name,
                        mf.db_name,
                        sort=_name_value(a.arg("sort")),
                        length=_int_value(a.arg("length")),
                        span=f.name_span,
                    )
                    self._add_index(m, _KINDS[a.name], [col], a, provider, on_field=True)
        for a in b.attributes:
            kind = _KINDS.get(a.name)
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

    def _add_index(self, m: Model, kind: IndexKind, columns: list[IndexColumn], a: Attribute, provider, on_field=False):
        # the named arguments in one pass (as Attribute.arg: the first of a name), not one
        # pass per name read below (six; 100k lines: ~19k indexes)
        named: dict = {}
        for x in a.args:
            if x.name is not None and x.name not in named:
                named[x.name] = x.value
        arg = named.get
        explicit = _string(arg("map"))
        if explicit is None and kind == "index":
            explicit = _string(arg("name"))  # the Prisma 2 spelling of `map` on @@index
        db_name = explicit if explicit is not None else naming.default_name_for(kind, m.db_name, [c.db_name for c in columns], provider)
        where_expr = arg("where")
        where = None
        if where_expr is not None:
            if isinstance(where_expr, Call) and where_expr.name == "raw" and where_expr.args:
                where = _string(where_expr.args[0].value) or expr_text(where_expr)
            elif isinstance(where_expr, ObjectLit):
                where = _object_where_sql(where_expr, m) or expr_text(where_expr)
            else:
                where = expr_text(where_expr)
        type_ = _name_value(arg("type")) if kind == "index" else None
        if type_ is not None and type_ not in INDEX_TYPES:
            self.error(f"unknown index type `{type_}` (expected one of {', '.join(sorted(INDEX_TYPES))})", a.span)
        clustered = arg("clustered")
        m.indexes.append(
            Index(
                model=m.name,
                kind=kind,
                columns=columns,
                db_name=db_name,
                span=a.span,
                map=explicit,
                name=_string(arg("name")) if kind in ("id", "unique") and not on_field else None,
                type=type_,
                where=where,
                clustered=(clustered.name == "true") if isinstance(clustered, Name) else None,
                on_field=on_field,
                attribute=a,
            )
        )

    # -- relations -------------------------------------------------------------------------------


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
