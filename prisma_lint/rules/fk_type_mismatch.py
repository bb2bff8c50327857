"""fk-type-mismatch: a foreign key whose native type differs from the referenced column's."""

from __future__ import annotations

from typing import Optional

from ..model.schema import ModelField
from . import Rule, RuleContext

# PostgreSQL's column type for each Prisma scalar type without a @db attribute.
_POSTGRES_DEFAULTS = {
    "String": "Text",
    "Int": "Integer",
    "BigInt": "BigInt",
    "Float": "DoublePrecision",
    "Decimal": "Decimal",
    "DateTime": "Timestamp",
    "Boolean": "Boolean",
    "Bytes": "ByteA",
    "Json": "JsonB",
}
# Types that compare with each other without a cast that defeats an index.
_SAME_FAMILY = {"VarChar": "Text", "Text": "Text"}


def native(provider: Optional[str], f: ModelField) -> Optional[str]:
    if f.native_type is not None:
        name = f.native_type.name
    elif provider in ("postgresql", "cockroachdb"):
        name = _POSTGRES_DEFAULTS.get(f.type)
    else:
        return None
    if name is None:
        return None
    return _SAME_FAMILY.get(name, name) if provider in ("postgresql", "cockroachdb") else name


def _shown(f: ModelField) -> str:
    return f"@db.{f.native_type}" if f.native_type else f"{f.type} (default type)"


def check(ctx: RuleContext):
    schema = ctx.schema
    provider = schema.provider
    for model in schema.models.values():  # (the models asked about: scope="model")
        for r in schema.foreign_keys_of(model.name):
            target = schema.model_named(r.target)
            if r.span is None or target is None:
                continue
            for fname, rname in zip(r.fields, r.references):
                f, ref = model.fields.get(fname), target.fields.get(rname)
                if f is None or ref is None or f.type != ref.type:
                    continue  # Prisma itself rejects differing scalar types
                a, b = native(provider, f), native(provider, ref)
                if a is None or b is None or a == b:
                    continue
                yield ctx.finding(
                    r.span,
                    f"foreign key `{model.name}.{fname}` is {_shown(f)} but `{target.name}.{rname}` is {_shown(ref)}: "
                    "joins and foreign-key checks must cast one side, and an index on the cast side goes unused",
                    model=model.name,
                    fields=[fname],
                    help=f"give `{fname}` the same native type as `{target.name}.{rname}`",
                )


RULE = Rule(
    id="fk-type-mismatch",
    severity="warning",
    fixable="no",
    summary="A foreign key whose native type differs from the referenced column's.",
    check=check,
    scope="model",  # a finding is on the model holding the key, and reads the model it references
)
