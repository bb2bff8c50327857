"""Building the model, part 3: relations with both sides, and implicit many-to-many join tables."""

from __future__ import annotations

from typing import Optional

from ..frontends.prisma.syntax import (
    Attribute,
)
from . import naming
from .builder_base import _field_list, _id_type, _name_value, _relation_attr
from .builder_indexes import IndexBuilder
from .schema import (
    Index,
    IndexColumn,
    Model,
    ModelField,
    Relation,
    _string,
)


class RelationBuilder(IndexBuilder):
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
            m, f, _ = sides[0]
            self.error(
                f"the relation field `{f.name}` on model `{m.name}` is missing an opposite relation "
                f"field on the model `{f.type}`",
                f.name_span,
            )
            return None
        if len(sides) > 2:
            m, f, _ = sides[2]
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
