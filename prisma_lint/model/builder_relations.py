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
    Schema,
    _string,
)


class RelationBuilder(IndexBuilder):
    def relations(self, models: dict[str, Model], provider: Optional[str], kept: Optional[set[str]] = None, previous: Optional[Schema] = None):
        """The relations (with both sides), the implicit join tables, and each model's relation
        fields as grouped here (kept on the schema for the next build).

        ``kept``: the models reused from ``previous`` (the same objects). A relation is made of
        the relation fields of its two models only (every field of either model whose type is
        the other, grouped by relation name): when both are kept, it is the one ``previous``
        has (with its join table), and their fields keep pointing at it. Only the relations
        touching a model built again are made again (on the 7,600-line benchmark schema after
        an edit, CPU time in process: 2.8 -> 0.4 ms)."""
        kept = kept or set()
        old_sides = previous._relation_sides if previous is not None and previous._relation_sides is not None else {}
        old: dict[tuple, Relation] = {}
        if previous is not None:
            for r in previous.relations:
                old[(_pair_of(r.model, r.target), r.name)] = r
        sides: dict[str, list[tuple[ModelField, Optional[Attribute], tuple]]] = {}
        groups: dict[tuple, list[tuple[Model, ModelField, Optional[Attribute]]]] = {}
        for m in models.values():
            own = old_sides.get(m.name) if m.name in kept else None
            if own is None:
                own = self._sides(m)
            sides[m.name] = own
            for f, attr, key in own:
                groups.setdefault(key, []).append((m, f, attr))
        relations: list[Relation] = []
        join_tables: dict[str, Model] = {}
        for key, group in groups.items():
            (a, b), name = key
            rel = old.get(key) if a in kept and b in kept else None
            if rel is None:
                for _, f, _ in group:
                    f.relation = None  # a field of a kept model whose relation is made again
                rel = self._pair(models, (a, b), name, group, provider)
                if rel is None:
                    continue
                if rel.kind != "m-n":
                    holder = models[rel.model]
                    cols = [holder.fields[f].db_name for f in rel.fields if f in holder.fields]
                    rel.db_name = rel.map if rel.map is not None else naming.foreign_key_name(holder.db_name, cols, provider)
            relations.append(rel)
            if rel.join_table is not None:
                join_tables[rel.join_table.name] = rel.join_table
        return relations, join_tables, sides

    def _sides(self, m: Model) -> list[tuple[ModelField, Optional[Attribute], tuple]]:
        """The model's relation fields, each with its ``@relation`` and its group's key (the two
        models in name order, the relation's name)."""
        own = []
        for f in m.fields.values():
            if f.kind != "relation":
                continue
            attr = _relation_attr(m, f)
            name = None
            if attr is not None:
                name = _string(attr.arg("name", 0))
            pair = _pair_of(m.name, f.type)
            own.append((f, attr, (pair, name if name is not None else f"{pair[0]}To{pair[1]}")))
        return own

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


def _pair_of(a: str, b: str) -> tuple[str, str]:
    """The two models of a relation, in name order (how relations are grouped and known)."""
    return (a, b) if a <= b else (b, a)
