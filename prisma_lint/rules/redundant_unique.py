"""redundant-unique: a unique constraint another one already implies.

* `@id @unique` on one field: Prisma creates a second unique index equal to the primary key
  (cal.com has 14 of them);
* a `@@unique` on the very columns of the `@@id` or of another `@@unique`;
* a `@@unique` on a superset of another unique's columns: every tuple is already unique
  (cal.com `[email, username]` next to `[email]`; dub `token.prisma` `[identifier, token]` next
  to `token @unique`).

The fix is unsafe: Prisma Client's `findUnique` selector for the constraint goes away. When the
constraint's index is the only one leading with its first column, the fix keeps the lookups:
`@@unique` becomes `@@index`.
"""

from __future__ import annotations

from ..findings import Edit, Fix, IndexChange
from ..fix.edits import remove_attribute
from ..model.indexing import index_label
from ..model.schema import Index
from . import Rule, RuleContext


def implied_by(index: Index, indexes: list[Index]) -> Index | None:
    """The unique constraint (or primary key) among ``indexes`` that implies ``index``, if any."""
    if not index.is_unique or index.kind == "id" or index.where is not None:
        return None
    cols = set(index.fields)
    for other in indexes:
        if other is index or not other.is_unique or other.where is not None:
            continue
        theirs = set(other.fields)
        if theirs < cols:
            return other
        if theirs == cols and (other.kind == "id" or _earlier(other, index)):
            return other
    return None


def _earlier(a: Index, b: Index) -> bool:
    return (a.span.file.path, a.span.start) < (b.span.file.path, b.span.start)


def _referenced(schema, model, index: Index) -> bool:
    """Prisma needs a unique constraint on exactly the fields a relation references."""
    return any(r.target == model.name and set(r.references) == set(index.fields) for r in schema.relations)


def selector(index: Index) -> str:
    return index.name or "_".join(index.fields)


def _fix(model, index: Index) -> Fix | None:
    attr = index.attribute
    if attr is None:
        return None
    others = [i for i in model.indexes if i is not index and i.where is None and i.is_btree and i.columns]
    leads_alone = not any(o.columns[0].field == index.columns[0].field for o in others)
    if index.on_field or not leads_alone:
        return Fix(
            title=f"Remove {index_label(index)}",
            applicability="unsafe",
            edits=[remove_attribute(attr)],
            index_change=IndexChange.remove(model.name, index.db_name),
        )
    if any(a.name is not None and a.name not in ("fields",) for a in attr.args):
        return None  # `name:`/`map:`/`sort:` ... : rewrite it by hand
    # its index is the only one that leads with this column: keep the lookups, drop the constraint
    src = attr.name_span.file
    return Fix(
        title=f"Turn {index_label(index)} into @@index",
        applicability="unsafe",
        edits=[Edit(src, attr.name_span.start, attr.name_span.end, "@@index")],
        index_change=IndexChange.replace(model.name, index.db_name, index.fields),
    )


def check(ctx: RuleContext):
    schema = ctx.schema
    for model in schema.models.values():
        if model.kind != "model" or model.origin != "schema":
            continue
        for index in model.indexes:
            other = implied_by(index, model.indexes)
            if other is None or _referenced(schema, model, index):
                continue
            where = f" (line {other.span.line})" if other.span.file is index.span.file else f" ({other.file}:{other.span.line})"
            if index.on_field and other.kind == "id":
                message = f"{index_label(index)} repeats the primary key: Prisma creates a second unique index on it"
            elif set(other.fields) == set(index.fields):
                message = f"{index_label(index)} repeats {index_label(other)}{where}: a second unique index on the same columns"
                if other.kind != "id":
                    message += f"; removing it changes the Prisma Client selector (`{selector(index)}`)"
            else:
                message = (
                    f"{index_label(index)} is implied by {index_label(other)}{where}; removing it changes the "
                    f"Prisma Client selector (`findUnique({{ where: {{ {selector(index)} }} }})` stops compiling)"
                )
            fix = _fix(model, index)
            yield ctx.finding(
                index.span,
                message,
                model=model.name,
                fields=index.fields,
                fix=fix,
                help=(fix.title[0].lower() + fix.title[1:]) if fix else f"remove {index_label(index)}",
            )


RULE = Rule(
    id="redundant-unique",
    severity="warning",
    fixable="unsafe",
    summary="A unique constraint implied by the primary key or another unique constraint.",
    check=check,
    needs=("schema",),
    scope="model",
)
