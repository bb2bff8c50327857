"""What the app front end reads from TypeScript/JavaScript: one access pattern per Prisma Client
call site (``prisma.session.findMany({ where: { userId } })``).

Plain data. Field names are the Prisma field names of ``model``; positions are 1-based, the
span covers the whole call expression (end column exclusive). ``to_json`` is the ``queries``
command's JSON record (version 1, a documented contract: add keys, never rename them).
"""

from __future__ import annotations

from typing import Any, Optional

from ...records import field, record

QUERIES_JSON_VERSION = 1


@record(eq=False)
class QueryPattern:
    file: str  # path as shown (relative to the working directory)
    line: int
    column: int
    end_line: int
    end_column: int
    client: str  # the receiver before `.<delegate>`: "prisma", "tx", "this.prisma", ...
    model: str  # the schema model the delegate names
    operation: str  # findMany, findFirst, count, update, ...
    equals: list[str] = field(default_factory=list)  # bound by equality (incl. IS NULL, compound selectors)
    in_: list[str] = field(default_factory=list)  # `{ id: { in: ids } }`
    range: list[str] = field(default_factory=list)  # lt / lte / gt / gte
    other: list[str] = field(default_factory=list)  # "field:op": contains, not, relation filters, ...
    or_: bool = False  # an OR / NOT in `where` (fields inside it are not listed above)
    order_by: list[tuple[str, str]] = field(default_factory=list)  # (field, "asc" | "desc")
    take: bool = False
    cursor: bool = False
    distinct: bool = False
    static: bool = True  # every key of where/orderBy known; False: record it, never warn from it
    snippet: str = ""  # the call's first line, for evidence
    suppressed: frozenset[str] = frozenset()  # rule ids a `// prisma-lint-ignore` at the call site names
    # A relation read nested in a call's include/select ("User.sessions": the parent model and
    # its relation field); empty for a call site. The span is the `sessions: ...` entry. Not in
    # the `queries` JSON (call sites only); rules find these in AppQueries.nested.
    via: str = ""
    # fields of `equals` bound to a literal, with its value (None for `{ deletedAt: null }`): a
    # partial index counts for the query only when its predicate follows from these
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self, served_by: Optional[str] = None) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "client": self.client,
            "model": self.model,
            "operation": self.operation,
            "equals": list(self.equals),
            "in": list(self.in_),
            "range": list(self.range),
            "other": list(self.other),
            "or": self.or_,
            "order_by": [[f, d] for f, d in self.order_by],
            "take": self.take,
            "cursor": self.cursor,
            "distinct": self.distinct,
            "static": self.static,
            "served_by": served_by,
        }


@record(eq=False)
class AppQueries:
    """Everything read from the app: the call sites, and the tables raw SQL names (a rule that
    would call an index unused stays silent on those)."""

    patterns: list[QueryPattern] = field(default_factory=list)
    raw_sql_tables: set[str] = field(default_factory=set)  # lower-cased table names in $queryRaw etc.
    files_read: int = 0
    # relation reads nested in the calls' include/select: the child model read by its foreign
    # key (`include: { sessions: true }` reads Session by userId IN (...)); `via` says from where
    nested: list[QueryPattern] = field(default_factory=list)

    def for_model(self, model: str) -> list[QueryPattern]:
        return [p for p in self.patterns if p.model == model]
