"""Tables to models, columns to fields: how the rules find a model's statistics.

A model's table is ``(@@schema or the default schema, @@map or the model name)``; the default
schema is the connection URL's ``schema`` parameter (Prisma's convention), else ``public``, and
is stored in the statistics file. A field's column is its ``@map`` name. Implicit many-to-many
join tables match by their database name too. Pure functions of the schema and the statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from ...model.schema import Model, Schema
from ...source import Span
from .stats import ColumnStats, DatabaseStats, IndexStats, TableStats


def model_table(stats: Optional[DatabaseStats], model: Model) -> Optional[TableStats]:
    if stats is None:
        return None
    return stats.table(model.schema, model.db_name)


def field_column(table: Optional[TableStats], model: Model, field_name: str) -> Optional[ColumnStats]:
    if table is None:
        return None
    f = model.fields.get(field_name.split(".")[0])
    return table.columns.get(f.db_name if f is not None else field_name)


def field_names(model: Model, columns: list[Optional[str]]) -> list[str]:
    """The Prisma field names of a database index's columns (the column name when no field maps
    to it, "(expression)" for an expression)."""
    out = []
    for c in columns:
        f = model.field_by_db_name(c) if c else None
        out.append(f.name if f else (c or "(expression)"))
    return out


def matched_tables(schema: Schema, stats: DatabaseStats) -> Iterator[tuple[Model, Optional[TableStats]]]:
    """Every table-backed model of the schema (and implicit join table) with its statistics
    (None: no such table in the database)."""
    for model in list(schema.models.values()) + list(schema.join_tables.values()):
        if model.kind in ("model", "join-table") and not model.ignored:
            yield model, model_table(stats, model)


def human_bytes(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" or n >= 100 else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


def table_size(table: TableStats) -> str:
    """"200,000 rows, 18 MB" (the estimate of the last ANALYZE; the size with indexes)."""
    return f"{table.rows:,.0f} rows, {human_bytes(table.total_bytes)}"


def below_min_rows(ctx, model: Model) -> bool:
    """Whether the database says ``model``'s table is smaller than the rule's ``min-rows``
    option: index advice for it is noise (a sequential scan of a few pages is as fast)."""
    table = model_table(ctx.stats, model)
    return table is not None and table.rows < ctx.options["min-rows"]


def size_note(ctx, model: Model) -> str:
    """" (table `orders`: 200,000 rows, 18 MB)" with statistics, else ""."""
    table = model_table(ctx.stats, model)
    return f" (table `{table.name}`: {table_size(table)})" if table is not None else ""


def value_shares(column: ColumnStats, rows: float) -> list[float]:
    """The share of rows holding each value, most common first, NULL counted as one more value.
    Values beyond the most-common list share what is left evenly (the planner's own assumption)."""
    shares = list(column.mcv_freqs)
    if column.null_frac > 0:
        shares.append(column.null_frac)
    rest = max(0.0, 1.0 - sum(shares))
    others = round(column.distinct(rows)) - len(column.mcv_freqs)
    if rest > 1e-9 and others > 0:
        shares += [rest / others] * min(others, 1000)
    return sorted(shares, reverse=True)


def key_shares(ctx, model: Model, fields: list[str]) -> Optional[tuple[float, float, list[list[float]]]]:
    """(share of rows under the rarest key, share under the commonest key, each column's value
    shares) for an index on ``fields``, from the database's statistics, the columns taken as
    independent (as the planner takes them); None without them (no
    statistics, an empty or never analyzed table, a column ANALYZE has not seen)."""
    table = model_table(ctx.stats, model)
    if table is None or not table.analyzed or table.rows <= 0:
        return None
    per_column = []
    for name in fields:
        column = field_column(table, model, name)
        if column is None:
            return None
        shares = value_shares(column, table.rows)
        if not shares:
            return None
        per_column.append(shares)
    rarest = commonest = 1.0
    for shares in per_column:
        rarest *= shares[-1]
        commonest *= shares[0]
    return rarest, commonest, per_column


def percent(share: float) -> str:
    return f"{share * 100:.0f}%" if share >= 0.095 else f"{share * 100:.1g}%" if share < 0.01 else f"{share * 100:.1f}%"


def database_indexes(schema: Schema, stats: Optional[DatabaseStats]) -> Iterator[tuple[Model, TableStats, IndexStats, Span]]:
    """(model, its table, a database index of it, where to report it) for every index of every
    table the schema knows: at the schema's declaration of that index name, else at the model."""
    if stats is None:
        return
    for model, table in matched_tables(schema, stats):
        if table is None:
            continue
        declared = {i.db_name: i for i in model.indexes}
        for index in table.indexes:
            mine = declared.get(index.name)
            yield model, table, index, (mine.span if mine is not None and mine.span is not None else model.name_span)
