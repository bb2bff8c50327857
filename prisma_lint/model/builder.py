"""Building the model graph from the parsed files (``build_schema``)."""

from __future__ import annotations

from typing import Optional

from ..frontends.prisma.syntax import (
    Block,
    SchemaFile,
)
from ..source import Span
from . import naming
from .builder_relations import RelationBuilder
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
        self.unique_names(models, provider)
        relations, join_tables, sides = self.relations(models, provider, kept, previous if kept else None)
        schema = Schema(
            files=self.files,
            datasource=datasource,
            generators=generators,
            models=models,
            enums=enums,
            composite_types=types,
            relations=relations,
            join_tables=join_tables,
            diagnostics=self.diags,
        )
        schema._built_with = facts
        schema._relation_sides = sides
        return schema

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

    def unique_names(self, models: dict[str, "Model"], provider: Optional[str]) -> None:
        """Database index names must be unique: in one namespace per database schema for
        PostgreSQL, CockroachDB and SQLite, per table elsewhere (as Prisma validates them).
        Two default names cut to the same prefix are identifier-too-long's to report."""
        per_schema = provider in ("postgresql", "cockroachdb", "sqlite", None)
        limit = naming.identifier_limit(provider)
        seen: dict[tuple, Index] = {}
        for m in models.values():
            if m.kind != "model" or m.ignored:
                continue
            for index in m.indexes:
                key = (m.schema if per_schema else m.db_name, index.db_name)
                other = seen.get(key)
                if other is None:
                    seen[key] = index
                    continue
                truncated = index.map is None and other.map is None and naming.byte_length(index.db_name) >= limit
                if truncated:
                    continue
                self.error(
                    f"the index name \"{index.db_name}\" is already used by the index at "
                    f"{other.span.file.path}:{other.span.line}: database index names must be unique "
                    "(give one of them another `map:`)",
                    index.span,
                )


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
