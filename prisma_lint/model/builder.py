"""Building the model graph from the parsed files (``build_schema``)."""

from __future__ import annotations

from typing import Optional, cast

from ..frontends.prisma.syntax import (
    Block,
    SchemaFile,
)
from ..source import Span
from . import naming
from .builder_relations import RelationBuilder, _pair_of
from .schema import (
    Enum,
    Index,
    Model,
    ModelKind,
    Schema,
)


class SchemaBuilder(RelationBuilder):
    # -- top level -----------------------------------------------------------------------------
    def build(self, previous: Optional[Schema] = None) -> Schema:
        """``previous``: the schema built before an edit whose unchanged blocks were moved into
        these files (``parse(..., move=True)``), given up: its models are reused (see
        :meth:`_reusable`)."""
        if previous is not None:
            quick = self._quick(previous)
            if quick is not None:
                return quick
            self.diags = []
        datasource = self.datasource()
        generators = [self.generator(b) for b in self.blocks.get("generator", [])]
        provider = datasource.provider if datasource else None
        self.native_prefix = (datasource.name + ".") if datasource else None

        for b in self.blocks.get("type-alias", []):
            self.error(
                f"type aliases are not supported by Prisma any more: replace `type {b.name} = ...` "
                "with the base type and its attributes on each field",
                b.span,
            )

        enums: dict[str, Enum] = {}
        names: dict[str, Span] = {}
        # an enum is built from its block alone (and its docs): the same block object (moved by
        # the parse), the same enum (~1 ms of a change on the 7,600-line schema's 206 enums)
        old_enums = {id(e.span): e for e in previous.enums.values()} if previous is not None else {}
        for b in self.blocks.get("enum", []):
            if self._declare(names, b):
                e = old_enums.get(id(b.span))
                enums[b.name] = e if e is not None and e.span is b.span and e.doc == b.doc else self.enum(b)
        shells: list[tuple[Block, ModelKind]] = []
        kinds: tuple[ModelKind, ...] = ("model", "view", "type")
        for kind in kinds:
            for b in self.blocks.get(kind, []):
                if self._declare(names, b):
                    shells.append((b, kind))
        self.enum_names = set(enums)
        self.model_names = {b.name for b, k in shells if k in ("model", "view")}
        self.type_names = {b.name for b, k in shells if k == "type"}
        facts = (frozenset(self.enum_names), frozenset(self.model_names), frozenset(self.type_names), self.native_prefix, provider)
        reusable, renamed = self._reusable(previous, facts)

        models: dict[str, Model] = {}
        types: dict[str, Model] = {}
        built = []
        kept: set[str] = set()  # the models (not composite types) reused from ``previous``
        # the blocks whose docs may have changed since their model was built: those the parse
        # lexed (the others' docs are as they were; comparing every model's docs took ~1 ms of
        # a change on the 7,600-line schema, CPU after a pause)
        relexed = None if any(f.fresh is None for f in self.files) else {id(b) for f in self.files for b in f.fresh or ()}
        for b, kind in shells:
            m = reusable.get(id(b))
            if (
                m is None
                or m.block is not b
                or m.kind != kind
                or ((relexed is None or id(b) in relexed) and not _same_docs(m, b))
                or (renamed and _reads(m, renamed))
            ):
                m = self.model(b, kind)
                built.append(m)
            elif kind != "type":
                kept.add(m.name)
            (types if kind == "type" else models)[m.name] = m
        self.models = models
        for m in built:
            if m.kind != "type":
                self.indexes(m, provider, composite=types)
        index_names = self.unique_names(models, provider)
        relations, join_tables, sides = self.relations(models, provider, kept, previous if kept else None)
        schema = self._schema(datasource, generators, models, enums, types, (relations, join_tables, sides), facts, index_names)
        schema._order = {name: i for i, name in enumerate(models)}
        schema._relation_at = {(_pair_of(r.model, r.target), r.name): i for i, r in enumerate(relations)}
        return schema

    def _schema(self, datasource, generators, models, enums, types, relations: tuple, facts: tuple, index_names: dict) -> Schema:
        """The schema of the parts built, with what the next build reads (``relations``: the
        relations, join tables and each model's relation fields as grouped)."""
        relations_list, join_tables, sides = relations
        schema = Schema(
            files=self.files,
            datasource=datasource,
            generators=generators,
            models=models,
            enums=enums,
            composite_types=types,
            relations=relations_list,
            join_tables=join_tables,
            diagnostics=self.diags,
        )
        schema._built_with = facts
        schema._relation_sides = sides
        schema._index_names = index_names
        schema._stamp = object()
        return schema

    def _quick(self, previous: Schema) -> Optional[Schema]:
        """The schema after an edit that declared, renamed, deleted and moved no block (each
        file's parse says so: ``SchemaFile.same_names``), built from ``previous`` by building
        again only the models and enums whose block the parse lexed (``SchemaFile.fresh``),
        with their relations; None when it cannot be sure to give what :meth:`build` gives
        (then :meth:`build` runs). The names, their kinds and their order being the same, every
        other model is reused as :meth:`build` would reuse it, the relations not touching a
        rebuilt model are the same objects in the same places, and the index names stay unique
        unless a rebuilt model's own collide. Each step of :meth:`build` went over every block,
        model and relation (~3 ms of a change typed in a model of the 7,600-line schema, CPU
        in process after a pause)."""
        files = self.files
        if (
            previous.diagnostics
            or previous._built_with is None
            or previous._order is None
            or previous._relation_at is None
            or previous._index_names is None
            or previous._relation_sides is None
            or len(files) != len(previous.files)
            or any(f.fresh is None or not f.same_names for f in files)
        ):
            return None
        datasource = self.datasource()
        generators = [self.generator(b) for b in self.blocks_of("generator")]
        provider = datasource.provider if datasource else None
        self.native_prefix = (datasource.name + ".") if datasource else None
        facts = previous._built_with
        if self.diags or facts[3:] != (self.native_prefix, provider):
            return None
        self.enum_names, self.model_names, self.type_names = set(facts[0]), set(facts[1]), set(facts[2])
        enums, models, types = previous.enums, previous.models, previous.composite_types
        new_enums: list[Enum] = []
        built: list[Model] = []
        for f in files:
            for b in f.fresh or ():
                if b.kind == "enum":
                    e = enums.get(b.name)
                    if e is None or e.span is not b.span or e.doc != b.doc:
                        new_enums.append(self.enum(b))
                elif b.kind in ("model", "view", "type"):
                    m = (types if b.kind == "type" else models).get(b.name)
                    if m is None or m.block is not b or m.kind != b.kind or not _same_docs(m, b):
                        built.append(self.model(b, cast(ModelKind, b.kind)))
        if new_enums:
            enums = dict(enums)
            enums.update((e.name, e) for e in new_enums)
        rebuilt = [m for m in built if m.kind != "type"]
        if built:
            models, types = dict(models), dict(types)
            for m in built:
                (types if m.kind == "type" else models)[m.name] = m
        self.models = models
        for m in rebuilt:
            self.indexes(m, provider, composite=types)
        index_names = self._quick_index_names(previous, rebuilt, provider)
        if index_names is None:  # a rebuilt model's index name is another's: as build() reports it
            index_names = self.unique_names(models, provider)
        got = self._quick_relations(previous, models, rebuilt, provider)
        if got is None:
            return None
        schema = self._schema(datasource, generators, models, enums, types, got, facts, index_names)
        schema._order, schema._relation_at = previous._order, previous._relation_at
        schema._rebuilt = ([m.name for m in built], [e.name for e in new_enums])
        schema._from = previous._stamp
        return schema

    def _quick_index_names(self, previous: Schema, rebuilt: list[Model], provider: Optional[str]) -> Optional[dict[tuple, int]]:
        """:meth:`unique_names`' count of each index name after ``rebuilt`` replaced their old
        models; None when a name of theirs is also another index's (:meth:`unique_names` then
        decides, over every model)."""
        counts = previous._index_names
        assert counts is not None
        if not rebuilt:
            return counts
        counts = dict(counts)
        per_schema = provider in ("postgresql", "cockroachdb", "sqlite", None)
        for m in rebuilt:
            old = previous.models[m.name]
            if old.kind != "model" or old.ignored:
                continue
            for index in old.indexes:
                key = (old.schema if per_schema else old.db_name, index.db_name)
                counts[key] -= 1
                if not counts[key]:
                    del counts[key]
        for m in rebuilt:
            if m.kind != "model" or m.ignored:
                continue
            for index in m.indexes:
                key = (m.schema if per_schema else m.db_name, index.db_name)
                if key in counts:
                    return None
                counts[key] = 1
        return counts

    def _quick_relations(self, previous: Schema, models: dict[str, Model], rebuilt: list[Model], provider: Optional[str]):
        """:meth:`relations` after ``rebuilt`` replaced their old models: the relations of the
        groups they are in made again, in their places; None when a rebuilt model's relation
        fields are grouped otherwise than before (other groups, another order) or a relation
        does not pair up."""
        old_sides = previous._relation_sides
        relation_at, order = previous._relation_at, previous._order
        assert old_sides is not None and relation_at is not None and order is not None
        if not rebuilt:
            return previous.relations, previous.join_tables, old_sides
        sides = dict(old_sides)
        keys: dict[tuple, None] = {}
        for m in rebuilt:
            own = self._sides(m)
            mine = [key for _, _, key in own]
            if mine != [key for _, _, key in old_sides.get(m.name, ())]:
                return None
            sides[m.name] = own
            keys.update(dict.fromkeys(mine))
        relations = list(previous.relations)
        joins = False
        for key in keys:
            (a, b), name = key
            group = [(models[n], f, attr) for n in sorted({a, b}, key=order.__getitem__) for f, attr, k in sides[n] if k == key]
            at = relation_at.get(key)
            if at is None:
                return None
            for _, f, _ in group:
                f.relation = None
            rel = self._pair(models, (a, b), name, group, provider)
            if rel is None:
                return None
            if rel.kind != "m-n":
                holder = models[rel.model]
                cols = [holder.fields[f].db_name for f in rel.fields if f in holder.fields]
                rel.db_name = rel.map if rel.map is not None else naming.foreign_key_name(holder.db_name, cols, provider)
            joins = joins or rel.join_table is not None or relations[at].join_table is not None
            relations[at] = rel
        if joins:
            join_tables = {r.join_table.name: r.join_table for r in relations if r.join_table is not None}
        else:
            join_tables = dict(previous.join_tables)
        return relations, join_tables, sides

    def _reusable(self, previous: Optional[Schema], facts: tuple) -> tuple[dict[int, Model], frozenset[str]]:
        """The models of ``previous`` by the id of their block, and the type names whose kind
        changed since (a model or enum declared, deleted or renamed). What a model is built from
        (the invalidation rule, ``tests/test_incremental_lint.py`` holds it to a fresh build):
        its own block (the same object when the parse reused it), its docs, the kind of each of
        its fields' types (scalar, enum, model, composite type: a model using a name in
        ``renamed`` is built again), the datasource's name (native types) and the provider.
        With those the same, it is what building it again would give. Only from a schema with
        no diagnostic (so a reused model had none to report again). On the 7,600-line schema
        after an edit (CPU time, in process): 22 -> 6 ms, relations rebuilt."""
        if previous is None or previous.diagnostics or previous._built_with is None or previous._built_with[3:] != facts[3:]:
            return {}, frozenset()
        renamed = frozenset().union(*(a ^ b for a, b in zip(previous._built_with[:3], facts[:3])))
        return {id(m.block): m for m in [*previous.models.values(), *previous.composite_types.values()]}, renamed

    def unique_names(self, models: dict[str, "Model"], provider: Optional[str]) -> dict[tuple, int]:
        """Database index names must be unique: in one namespace per database schema for
        PostgreSQL, CockroachDB and SQLite, per table elsewhere (as Prisma validates them).
        Two default names cut to the same prefix are identifier-too-long's to report. Returns
        how many indexes have each name (for the next build's quick path)."""
        per_schema = provider in ("postgresql", "cockroachdb", "sqlite", None)
        limit = naming.identifier_limit(provider)
        seen: dict[tuple, Index] = {}
        counts: dict[tuple, int] = {}
        for m in models.values():
            if m.kind != "model" or m.ignored:
                continue
            for index in m.indexes:
                key = (m.schema if per_schema else m.db_name, index.db_name)
                other = seen.get(key)
                if other is None:
                    seen[key] = index
                    counts[key] = 1
                    continue
                counts[key] += 1
                truncated = index.map is None and other.map is None and naming.byte_length(index.db_name) >= limit
                if truncated:
                    continue
                self.error(
                    f"the index name \"{index.db_name}\" is already used by the index at "
                    f"{other.span.file.path}:{other.span.line}: database index names must be unique "
                    "(give one of them another `map:`)",
                    index.span,
                )
        return counts


def build_schema(files: list[SchemaFile], previous: Optional[Schema] = None) -> Schema:
    """The model graph of one schema (one file, or every file of a multi-file schema).
    ``previous``: see :meth:`SchemaBuilder.build` (given up)."""
    return SchemaBuilder(files).build(previous)


def _reads(m: Model, names: frozenset[str]) -> bool:
    """Whether a field of ``m`` has one of the types ``names`` (its kind would change)."""
    return any(f.type in names for f in m.fields.values())


def _same_docs(m: Model, b: Block) -> bool:
    """Whether the model's docs are still its block's (a moved block keeps its object, but the
    ``///`` lines above it or its fields may have changed)."""
    if m.doc != b.doc:
        return False
    # a reused model has a field for each of its block's, in order (see _reusable)
    return len(m.fields) == len(b.fields) and [f.doc for f in m.fields.values()] == [f.doc for f in b.fields]
