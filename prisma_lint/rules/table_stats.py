"""What the index rules take from database statistics (``ctx.stats``: --database-url or --stats).

Shared by boolean-index, low-cardinality-index, missing-fk-index and too-many-indexes: the most
common reason an expert dismissed their findings in a review of 71 real schemas was "the table
is tiny". Not a rule itself. The statistics modules load only when statistics are present.
"""

from __future__ import annotations

from typing import Optional

from ..records import record
from . import Option, RuleContext

MIN_ROWS = Option(
    "min-rows",
    int,
    10000,
    "With database statistics (--database-url, --stats): silent on tables with fewer rows (a scan of a "
    "few pages is as fast as an index).",
)

# A key in at most this share of the rows is worth an index (of those rows only). Measured on
# PostgreSQL 15, a 200,000-row table of three columns with a Boolean index: a plain index scan up
# to 5% of the rows, a bitmap scan from 10% to 40% (reading most of the table's pages anyway), a
# sequential scan at 50%. 10% is a judgment between those, not the planner's switch point.
RARE_SHARE = 0.10


@record(frozen=True)
class Spread:
    """How an index's keys spread over its table's rows, from the database's statistics."""

    rarest: Optional[float]  # share of the rows under the rarest key (None: no column statistics)
    commonest: Optional[float]
    where: str  # " (table `x`: 200,000 rows, 18 MB)"

    @property
    def rare(self) -> bool:
        return self.rarest is not None and self.rarest <= RARE_SHARE

    def percent(self, share: Optional[float]) -> str:
        from ..frontends.db.match import percent

        return percent(share or 0.0)


def spread(ctx: RuleContext, model, fields: list[str]) -> Optional[Spread]:
    """The spread of an index on ``fields``; None when the table is below `min-rows` (the
    rules that use this are silent there)."""
    from ..frontends.db.match import below_min_rows, key_shares
    from ..frontends.db.match import size_note as note

    if below_min_rows(ctx, model):
        return None
    shares = key_shares(ctx, model, fields)
    rarest, commonest = (shares[0], shares[1]) if shares is not None else (None, None)
    return Spread(rarest, commonest, note(ctx, model))


def small_table(ctx: RuleContext, model) -> bool:
    """Whether the statistics say the model's table has fewer rows than `min-rows`."""
    if ctx.stats is None:
        return False
    from ..frontends.db.match import below_min_rows

    return below_min_rows(ctx, model)


def size_note(ctx: RuleContext, model) -> str:
    """" (table `orders`: 200,000 rows, 18 MB)" with statistics, else ""."""
    if ctx.stats is None:
        return ""
    from ..frontends.db.match import size_note as note

    return note(ctx, model)
