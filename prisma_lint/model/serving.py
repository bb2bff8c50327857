"""Which index serves a query the app makes (issue #13), and which index would.

A query pattern (``frontends.app.patterns.QueryPattern``) names the fields its ``where`` binds
by equality (``equals``, and ``in``, which a B-tree serves the same way), by range, and the
``orderBy``. An index serves it when:

* it is an ``@id`` / ``@unique`` whose columns are all bound by equality: one row at most,
  whatever else the query filters on ("outright");
* or a B-tree whose leading columns are all bound by equality (the other equality columns
  filter the rows that prefix finds), optionally followed by one range column; a prefix of
  low-cardinality columns only (a Boolean, a small enum) counts only when it holds every
  equality column; an index led by the range column serves a query whose equality columns are
  all low-cardinality;
* or a Hash index on one of the equality columns;
* a partial index (``where``) only when its predicate follows from the query (``IS NOT NULL``
  from an equality, range or ``not: null``; ``IS NULL`` / ``= value`` from the literal the
  query binds), a GIN/GiST/BRIN/full-text index never.

``Advisor`` answers for one schema (plus the indexes created only in migrations) and also
builds the index a query would need: equality columns first (foreign keys and tenant columns,
then other selective ones, low-cardinality last), then the range column or the sort columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional

from ..records import field, record
from .indexing import foreign_key_fields, is_low_cardinality, relations_from, serves_lookup_on
from .schema import Index, IndexColumn, Model, Schema

# Columns that scope every query of a multi-tenant app: they lead an index like a foreign key.
TENANT_COLUMNS = ("tenantId", "organizationId", "orgId", "workspaceId", "teamId", "projectId", "accountId")
# Types a B-tree suggestion never includes (they need GIN or an expression index).
_UNINDEXABLE_TYPES = frozenset({"Json", "Bytes"})
_MISSING = object()
# text operators: with `mode: "insensitive"` still a search, not a lookup by key
_TEXT_SEARCH = frozenset({"contains", "startsWith", "endsWith", "search"})


@record(eq=False)
class Access:
    """A pattern reduced to the model's indexable scalar columns."""

    pattern: Any  # the QueryPattern
    eq: list[str]  # equality and `in` fields, in the query's order, no duplicates
    range: list[str]
    order: list[tuple[str, str]]
    values: dict[str, Any] = field(default_factory=dict)
    # columns bound through a relation filter (a join: several values, like `in`)
    joined: list[str] = field(default_factory=list)

    @property
    def filters(self) -> bool:
        return bool(self.eq or self.range)

    @property
    def insensitive_lookup(self) -> bool:
        """Whether the query looks rows up by a case-insensitive key (`email: { equals: e, mode:
        "insensitive" }`: `lower(email) = lower(e)` in PostgreSQL). That key is what makes the
        query selective, and only an expression index on `lower(email)` serves it, which a
        Prisma schema cannot declare: an index built from the query's other columns would
        miss the point. (A case-insensitive `contains` is a search no B-tree serves either
        way: the other columns are the lookup there.)"""
        ops: dict[str, set[str]] = {}
        for item in self.pattern.other:
            name, _, op = item.partition(":")
            ops.setdefault(name, set()).add(op)
        return any("insensitive" in o and not o & _TEXT_SEARCH for o in ops.values())

    @property
    def ordered_page(self) -> bool:
        p = self.pattern
        return bool(self.order) and bool(p.take or p.cursor)


@record(eq=False)
class Suggestion:
    """An index the queries of one model need, and the call sites it serves."""

    model: str
    fields: list[str]
    sort: dict[str, str] = field(default_factory=dict)  # field -> "Desc" when the order needs it
    accesses: list[Access] = field(default_factory=list)
    extends: Optional[Index] = None  # an existing @@index the suggestion extends

    @property
    def patterns(self) -> list:
        return [a.pattern for a in self.accesses]


class Advisor:
    def __init__(
        self,
        schema: Schema,
        extra_indexes: Optional[dict[str, list]] = None,
        *,
        max_enum_values: int = 5,
        tenant_columns: Iterable[str] = TENANT_COLUMNS,
    ) -> None:
        self.schema = schema
        self.extra = extra_indexes or {}
        self.max_enum_values = max_enum_values
        self.tenant_columns = frozenset(tenant_columns)
        self._fk: dict[str, set[str]] = {}

    # ------------------------------------------------------------------------------------------
    # reading a pattern
    # ------------------------------------------------------------------------------------------
    def model_of(self, pattern) -> Optional[Model]:
        m = self.schema.models.get(pattern.model)
        return m if m is not None and m.kind == "model" and not m.ignored else None

    def indexes(self, model: Model) -> list[Index]:
        out = list(model.indexes) + list(self.extra.get(model.name, ()))
        if self.schema.provider == "mysql" and self.schema.relation_mode != "prisma":
            # InnoDB creates an index on a foreign key's columns when none leads with them
            for r in relations_from(self.schema, model):
                if not any(serves_lookup_on(i, r.fields) for i in out):
                    cols = [IndexColumn(f, model.fields[f].db_name if f in model.fields else f) for f in r.fields]
                    out.append(Index(model.name, "index", cols, r.db_name or "", model.span, synthetic=True))
        return out

    def _free_text(self, model: Model, name: str) -> bool:
        f = model.fields.get(name)
        return f is not None and f.type == "String" and (f.native_type is None or f.native_type.name == "Text")

    def _indexable(self, model: Model, name: str) -> bool:
        f = model.fields.get(name)
        return f is not None and f.kind in ("scalar", "enum") and not f.list and f.type not in _UNINDEXABLE_TYPES

    def access(self, pattern, model: Optional[Model] = None) -> Optional[Access]:
        model = model or self.model_of(pattern)
        if model is None:
            return None
        eq: list[str] = []
        for name in list(pattern.equals) + list(pattern.in_):
            if self._indexable(model, name) and name not in eq:
                eq.append(name)
        joined = [c for c in self._joined_columns(model, pattern.other) if c not in eq]
        eq += joined
        rng = [n for n in dict.fromkeys(pattern.range) if self._indexable(model, n) and n not in eq]
        order = [(f, d) for f, d in pattern.order_by if self._indexable(model, f)]
        return Access(pattern, eq, rng, order, dict(getattr(pattern, "values", {}) or {}), joined)

    def _joined_columns(self, model: Model, other: Iterable[str]) -> list[str]:
        """The columns of ``model`` a relation filter joins on: `author: { is: ... }` (or a
        bare nested object) binds the foreign key `authorId`; `posts: { some: ... }` binds the
        columns the children reference (`id`). `every` / `none` / `isNot` narrow nothing."""
        out: list[str] = []
        for item in other:
            name, _, op = item.partition(":")
            f = model.fields.get(name)
            r = f.relation if f is not None and f.kind == "relation" else None
            if r is None or r.kind == "m-n" or op not in ("is", "some"):
                continue
            cols = r.fields if r.model == model.name and r.field == name else r.references
            out += [c for c in cols if self._indexable(model, c) and c not in out]
        return out

    def low_card(self, model: Model, name: str) -> bool:
        f = model.fields.get(name)
        return f is not None and is_low_cardinality(self.schema, f, self.max_enum_values)

    def rank(self, model: Model, name: str) -> int:
        """0: foreign key or tenant column; 1: other selective columns; 2: low-cardinality."""
        if model.name not in self._fk:
            self._fk[model.name] = foreign_key_fields(self.schema, model)
        if name in self._fk[model.name] or name in self.tenant_columns:
            return 0
        return 2 if self.low_card(model, name) else 1

    # ------------------------------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------------------------------
    def usable(self, model: Model, index: Index, acc: Access) -> bool:
        if index.kind == "fulltext" or not index.columns:
            return False
        if not index.is_btree and index.type != "Hash":
            return False
        return index.where is None or predicate_implied(index.where, model, acc)

    def serves(self, model: Model, index: Index, acc: Access) -> bool:
        """Whether ``index`` finds the rows of ``acc`` without reading the table (see the
        module's docstring)."""
        if not acc.filters or not self.usable(model, index, acc):
            return False
        cols = index.fields
        eq = set(acc.eq)
        if index.where is not None:  # columns the predicate pins need no lookup
            eq -= predicate_columns(index.where, model)
            if acc.eq and not eq and not acc.range:
                return True  # the index holds exactly the rows wanted
        if index.is_unique and set(cols) <= eq:
            return True
        def low(f: str) -> bool:  # a Boolean, a small enum, or IS NULL: matches many rows
            return self.low_card(model, f) or (f in acc.values and acc.values[f] is None)

        if index.type == "Hash":
            return cols[0] in eq and (eq == {cols[0]} or not low(cols[0]))
        k = 0
        while k < len(cols) and cols[k] in eq:
            k += 1
        missing = eq - set(cols[:k])
        if k and (not missing or not all(low(f) for f in cols[:k])):
            return True
        # no equality prefix (or a low-cardinality one): a range on the next column serves when
        # what is left to filter is low-cardinality
        return k < len(cols) and cols[k] in acc.range and all(low(f) for f in missing)

    def serving_index(self, pattern, model: Optional[Model] = None) -> Optional[Index]:
        model = model or self.model_of(pattern)
        acc = self.access(pattern, model) if model is not None else None
        if acc is None or model is None:
            return None
        best = None
        best_key: tuple = ()
        for index in self.indexes(model):
            if self.serves(model, index, acc):
                key = (index.is_unique and set(index.fields) <= set(acc.eq), _eq_prefix(index, acc), -len(index.columns))
                if best is None or key > best_key:
                    best, best_key = index, key
        return best

    def served_by(self, pattern) -> Optional[str]:
        """The database name of the index that serves ``pattern``, or None (no index does, the
        pattern filters on nothing an index can serve, or its model is not in the schema)."""
        index = self.serving_index(pattern)
        return index.db_name if index is not None else None

    def sorts(self, model: Model, index: Index, acc: Access) -> bool:
        """Whether ``index`` returns the rows of ``acc`` in its ``orderBy`` order: its columns are
        equality columns (any order; the others filter) followed by the sort columns, all in the
        index's direction or all reversed (a B-tree reads backwards too). A unique index on
        equality columns returns one row: nothing to sort."""
        if not acc.order or not self.usable(model, index, acc) or not index.is_btree:
            return False
        # `in` and joins give several runs of rows: no single order
        eq = set(acc.eq) - set(acc.pattern.in_) - set(acc.joined)
        cols = index.columns
        if index.is_unique and set(index.fields) <= eq:
            return True
        k = 0
        while k < len(cols) and cols[k].field in eq:
            k += 1
        wanted = [(f, d) for f, d in acc.order if f not in eq]
        if not wanted:
            return True
        # the other equality columns filter the rows as they come, in order; with no equality
        # prefix that holds only when they are low-cardinality (else the scan reads far ahead)
        missing = eq - {c.field for c in cols[:k]}
        if not k and any(not self.low_card(model, f) for f in missing):
            return False
        # the index may give only the first sort columns: PostgreSQL (13+) finishes with an
        # incremental sort of each group of ties, which is cheap
        n = 0
        while n < len(wanted) and k + n < len(cols) and cols[k + n].field == wanted[n][0]:
            n += 1
        if n == 0:
            return False
        same = [(c.sort or "Asc").lower() == d for c, (_, d) in zip(cols[k : k + n], wanted)]
        return all(same) or not any(same)

    # ------------------------------------------------------------------------------------------
    # what would serve it
    # ------------------------------------------------------------------------------------------
    def needed(self, acc: Access, model: Model, *, with_order: bool = True) -> Optional[Suggestion]:
        """The index ``acc`` needs: equality columns by rank, then the range column, or (with no
        range, for a page) the sort columns. None when there is nothing to index, or when every column is
        low-cardinality and the query is no ordered page, or when it looks rows up by a
        case-insensitive key (see ``Access.insensitive_lookup``)."""
        if acc.insensitive_lookup:
            return None
        # a column tested IS NULL (`deletedAt: null`) matches most rows: it goes last, and a
        # free-text one (`content: null`) stays out (its values would fill the index)
        nulls = {f for f, v in acc.values.items() if v is None and f in acc.eq}
        eq = [f for f in acc.eq if f not in nulls or not self._free_text(model, f)]
        eq.sort(key=lambda f: (2 if f in nulls else self.rank(model, f), acc.eq.index(f)))
        tail: list[str] = []
        sort: dict[str, str] = {}
        # sort columns only for a page (take / cursor): a whole result is sorted once anyway
        with_order = with_order and acc.ordered_page
        if acc.range and not (with_order and acc.order and acc.order[0][0] == acc.range[0]):
            tail = [acc.range[0]]
        elif with_order and acc.order:
            order = [(f, d) for f, d in acc.order if f not in eq]
            tail = [f for f, _ in order]
            dirs = {d for _, d in order}
            if len(dirs) > 1:  # mixed directions: the index needs them written out
                sort = {f: "Desc" for f, d in order if d == "desc"}
        fields = eq + tail
        if not fields:
            return None
        if all(self.low_card(model, f) for f in fields) and not acc.ordered_page:
            return None
        return Suggestion(model.name, fields, sort, [acc])

    def hypothetical(self, model: Model, s: Suggestion) -> Index:
        cols = [IndexColumn(f, model.fields[f].db_name, s.sort.get(f)) for f in s.fields]
        return Index(model.name, "index", cols, "", model.span)

    def merge(self, model: Model, suggestions: list[Suggestion]) -> list[Suggestion]:
        """One suggestion per index: a suggestion whose queries a longer one serves (and sorts,
        for ordered pages) goes into it (``[userId]`` + ``[userId, expiresAt]`` ->
        ``[userId, expiresAt]``); then each is laid over an existing ``@@index`` it extends."""
        out: list[Suggestion] = []
        for s in sorted(suggestions, key=lambda s: -len(s.fields)):
            for t in out:
                if s.fields == t.fields or all(self.covers(model, self.hypothetical(model, t), a) for a in s.accesses):
                    t.accesses.extend(s.accesses)
                    break
            else:
                out.append(Suggestion(s.model, list(s.fields), dict(s.sort), list(s.accesses)))
        for s in out:
            s.extends = self._extendable(model, s)
            if s.extends is not None:
                head = s.extends.fields
                s.fields = head + [f for f in s.fields if f not in head]
        return out

    def covers(self, model: Model, index: Index, acc: Access) -> bool:
        """Serves it, and returns an ordered page in its order."""
        return self.serves(model, index, acc) and (not acc.ordered_page or self.sorts(model, index, acc))

    def _extendable(self, model: Model, s: Suggestion) -> Optional[Index]:
        """A plain B-tree ``@@index`` whose columns can lead the suggestion: extending it serves
        every lookup it served, and one index does the work of two."""
        for index in model.indexes:
            if index.kind != "index" or not index.is_btree or index.where is not None or index.attribute is None:
                continue
            n = len(index.columns)
            if n >= len(s.fields) or any(c.sort or c.length or c.ops for c in index.columns):
                continue
            # its columns are the suggestion's first ones, or all bound by equality in every
            # query (their order among themselves is free)
            if set(index.fields) == set(s.fields[:n]) or set(index.fields) <= set(s.fields[: self._eq_part(s)]):
                return index
        return None

    def _eq_part(self, s: Suggestion) -> int:
        """How many leading columns of the suggestion every query binds by equality."""
        n = len(s.fields)
        for a in s.accesses:
            k = 0
            while k < len(s.fields) and s.fields[k] in a.eq:
                k += 1
            n = min(n, k)
        return n


def _eq_prefix(index: Index, acc: Access) -> int:
    k = 0
    while k < len(index.columns) and index.columns[k].field in acc.eq:
        k += 1
    return k


# ----------------------------------------------------------------------------------------------
# partial indexes
# ----------------------------------------------------------------------------------------------
def predicate_implied(where: str, model: Model, acc: Access) -> bool:
    """Whether every row the query wants satisfies the partial index's predicate ``where``
    (SQL with database column names), as far as the query's keys and literals show."""
    from ..frontends.sql.expr import predicate_json

    node = predicate_json(where)
    return node is not None and _implied(node, model, acc)


def predicate_columns(where: str, model: Model) -> set[str]:
    """The fields a predicate names."""
    from ..frontends.sql.expr import predicate_json, walk

    out = set()
    for node in walk(predicate_json(where)):
        name = _column(node, model)
        if name is not None:
            out.add(name)
    return out


def _column(node: Any, model: Model) -> Optional[str]:
    ref = node.get("ColumnRef") if isinstance(node, dict) else None
    if not ref:
        return None
    parts = [p.get("String", {}).get("sval") for p in ref.get("fields", [])]
    if not parts or parts[-1] is None:
        return None
    f = model.field_by_db_name(parts[-1])
    return f.name if f else None


def _constant(node: Any) -> Any:
    if not isinstance(node, dict):
        return _MISSING
    if "TypeCast" in node:
        return _constant(node["TypeCast"].get("arg"))
    c = node.get("A_Const")
    if c is None:
        return _MISSING
    for key, inner in (("sval", "sval"), ("ival", "ival"), ("boolval", "boolval"), ("fval", "fval")):
        if key in c:
            v = c[key].get(inner, 0 if key == "ival" else False if key == "boolval" else None)
            return float(v) if key == "fval" else v
    return _MISSING


def _implied(node: dict, model: Model, acc: Access) -> bool:
    if "BoolExpr" in node:
        b = node["BoolExpr"]
        args = b.get("args", [])
        if b.get("boolop") == "AND_EXPR":
            return all(_implied(a, model, acc) for a in args)
        if b.get("boolop") == "OR_EXPR":
            return any(_implied(a, model, acc) for a in args)
        return False
    if "NullTest" in node:
        t = node["NullTest"]
        col = _column(t.get("arg"), model)
        if col is None:
            return False
        if t.get("nulltesttype") == "IS_NULL":
            return col in acc.values and acc.values[col] is None
        other = acc.pattern.other
        return (
            col in acc.range
            or f"{col}:not-null" in other
            or (col in acc.eq and acc.values.get(col, _MISSING) is not None)
        )
    col = _column(node, model)
    if col is not None:  # a bare Boolean column
        return acc.values.get(col, _MISSING) is True
    if "A_Expr" in node:
        e = node["A_Expr"]
        op = [p.get("String", {}).get("sval") for p in e.get("name", [])]
        if e.get("kind") != "AEXPR_OP" or op != ["="]:
            return False
        col, value = _column(e.get("lexpr"), model), _constant(e.get("rexpr"))
        if col is None:
            col, value = _column(e.get("rexpr"), model), _constant(e.get("lexpr"))
        return col is not None and value is not _MISSING and acc.values.get(col, _MISSING) == value
    return False


def served_by(pattern, schema: Schema, extra_indexes: Optional[dict[str, list]] = None) -> Optional[str]:
    """The database name of the index that serves ``pattern`` (see ``Advisor.served_by``)."""
    return Advisor(schema, extra_indexes).served_by(pattern)
