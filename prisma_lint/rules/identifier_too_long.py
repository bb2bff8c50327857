"""identifier-too-long: database names over the provider's limit, and truncated names that collide."""

from __future__ import annotations

from ..model.naming import byte_length, identifier_limit
from . import Rule, RuleContext


def _nul(ctx: RuleContext, span, what: str, name: str, model: str, fields=()):
    """A NUL (``\\u0000``) in a database name: no provider accepts it, and it would go raw
    into the SQL."""
    shown = name.replace("\0", "\\u0000")
    return ctx.finding(
        span,
        f"{what} \"{shown}\" contains a NUL character (\\u0000): no database accepts it in a name",
        model=model,
        fields=list(fields),
        help="remove the \\u0000 from the name",
    )


def _model_names(ctx: RuleContext, model, limit: int, provider) -> tuple[list, list]:
    """One model's findings (names with a NUL, then names over the limit), and its indexes
    whose default name may collide once cut (``(index, truncated)``: every index not reported
    here whose name is ``limit`` bytes or more; two names collide only when both are that long).
    It reads the model alone (and the limit, the provider and the rule's severity): the
    language server keeps it while the model is the same object (``RuleContext.per_object``:
    the rule read every field and index of the 7,600-line schema at each change, ~20% of a
    change typed inside a model)."""
    found = []
    if "\0" in model.db_name:
        found.append(_nul(ctx, model.name_span, "table name", model.db_name, model.name))
    for f in model.fields.values():
        if "\0" in f.db_name:
            found.append(_nul(ctx, f.name_span, "column name", f.db_name, model.name, [f.name]))
    for index in model.indexes:  # a default name has a NUL only from a name reported above
        if index.map is not None and "\0" in index.map:
            found.append(_nul(ctx, index.span, "index name", index.map, model.name, index.fields))
    if model.db_name != model.name and byte_length(model.db_name) > limit:
        found.append(
            ctx.finding(
                model.name_span,
                f"table name \"{model.db_name}\" is {byte_length(model.db_name)} bytes, over the "
                f"{limit}-byte limit of {provider}",
                model=model.name,
            )
        )
    for f in model.fields.values():
        if f.db_name != f.name and byte_length(f.db_name) > limit:
            found.append(
                ctx.finding(
                    f.name_span,
                    f"column name \"{f.db_name}\" is {byte_length(f.db_name)} bytes, over the {limit}-byte "
                    f"limit of {provider}",
                    model=model.name,
                    fields=[f.name],
                )
            )
    long_names = []
    for index in model.indexes:
        if index.map is not None and byte_length(index.map) > limit:
            found.append(
                ctx.finding(
                    index.span,
                    f"index name \"{index.map}\" is {byte_length(index.map)} bytes, over the {limit}-byte limit "
                    f"of {provider}" + (": PostgreSQL would silently truncate it" if provider == "postgresql" else ""),
                    model=model.name,
                    fields=index.fields,
                )
            )
        elif byte_length(index.db_name) >= limit:
            long_names.append((index, index.map is None))
    return found, long_names


def check(ctx: RuleContext):
    schema = ctx.schema
    provider = schema.provider
    limit = identifier_limit(provider)
    memo_key = (limit, provider, ctx.severity)
    # index-like names share one namespace per database schema in PostgreSQL
    seen: dict[tuple, tuple] = {}
    collisions = []
    for model in schema.models.values():
        if model.kind != "model":
            continue
        found, long_names = ctx.per_object(model, memo_key, lambda m: _model_names(ctx, m, limit, provider))
        yield from found
        for index, truncated in long_names:
            seen_key = (model.schema, index.db_name)
            if seen_key in seen:
                other_index, other_truncated = seen[seen_key]
                if truncated or other_truncated:
                    collisions.append(
                        ctx.finding(
                            index.span,
                            f"the default name of this index, \"{index.db_name}\", is cut to {limit} bytes and "
                            f"collides with the index at {other_index.file}:{other_index.span.line}",
                            model=model.name,
                            fields=index.fields,
                            help='give one of them a short explicit name with `map: "..."`',
                        )
                    )
            else:
                seen[seen_key] = (index, truncated)
    yield from collisions
    for r in schema.relations:
        if r.span is not None and r.map is not None and "\0" in r.map:
            yield _nul(ctx, r.span, "foreign key name", r.map, r.model, r.fields)
    reported: set[tuple] = set()
    for st in schema.sql_statements:
        for name, span in st.long_identifiers:
            if (span.file.path, span.start) in reported:
                continue
            reported.add((span.file.path, span.start))
            yield ctx.finding(
                span,
                f"identifier \"{name[:20]}...\" is {byte_length(name)} bytes: PostgreSQL will silently truncate it "
                f"to {limit} bytes (\"{name.encode()[:limit].decode(errors='ignore')}\"), so later statements that "
                "use the full name will not find it",
                model=st.table,
            )
    fk_seen: dict[tuple, object] = {}
    for r in schema.relations:
        if r.kind == "m-n" or r.db_name is None or r.span is None:
            continue
        model = schema.models[r.model]
        if r.map is not None and byte_length(r.map) > limit:
            yield ctx.finding(
                r.span,
                f"foreign key name \"{r.map}\" is {byte_length(r.map)} bytes, over the {limit}-byte limit of {provider}",
                model=r.model,
                fields=r.fields,
            )
            continue
        key = (model.db_name, r.db_name)
        if key in fk_seen and r.map is None and byte_length(r.db_name) >= limit:
            yield ctx.finding(
                r.span,
                f"the default foreign key name \"{r.db_name}\" is cut to {limit} bytes and collides with "
                "another foreign key of the same table",
                model=r.model,
                fields=r.fields,
                help='give one of them an explicit name with `map: "..."`',
            )
        fk_seen[key] = r


RULE = Rule(
    id="identifier-too-long",
    severity="error",
    fixable="no",
    summary="A database name over the provider's identifier limit, or truncated default names that collide.",
    check=check,
    needs=("schema",),
)
