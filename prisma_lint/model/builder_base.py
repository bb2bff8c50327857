"""Building the model from the AST, part 1: declarations (datasource, generators, enums,
models and their fields). Indexes: ``builder_indexes.py``; relations: ``builder_relations.py``;
the whole: ``builder.py``."""

from __future__ import annotations

from typing import Optional

from ..frontends.prisma.syntax import (
    ArrayLit,
    Attribute,
    Block,
    Call,
    Diagnostic,
    Expr,
    Name,
    NumberLit,
    SchemaFile,
    StringLit,
)
from ..source import Span
from .schema import (
    PROVIDER_ALIASES,
    SCALAR_TYPES,
    Datasource,
    Enum,
    EnumValueDef,
    FieldKind,
    Generator,
    Model,
    ModelField,
    ModelKind,
    NativeType,
    _names,
    _string,
    expr_text,
)


class BuilderBase:
    def __init__(self, files: list[SchemaFile]) -> None:
        self.files = files
        self.diags: list[Diagnostic] = []
        self._blocks: Optional[dict[str, list[Block]]] = None
        # set by SchemaBuilder.build once the declarations are known
        self.native_prefix: Optional[str] = None
        self.enum_names: set[str] = set()
        self.model_names: set[str] = set()
        self.type_names: set[str] = set()

    @property
    def blocks(self) -> dict[str, list[Block]]:
        """The files' blocks by kind, in order (worked out when first asked: the builder's quick
        path asks only for the datasource and generators, see :meth:`blocks_of`)."""
        if self._blocks is None:
            self._blocks = {}
            for f in self.files:
                for b in f.blocks:
                    self._blocks.setdefault(b.kind, []).append(b)
        return self._blocks

    def blocks_of(self, kind: str) -> list[Block]:
        """The blocks of one kind, in order (one comprehension, without grouping every block)."""
        if self._blocks is not None:
            return self._blocks.get(kind, [])
        return [b for f in self.files for b in f.blocks if b.kind == kind]

    def error(self, message: str, span: Optional[Span], code: str = "schema-error") -> None:
        self.diags.append(Diagnostic(message, span, "error", code))

    def _declare(self, names: dict[str, Span], b: Block) -> bool:
        if b.name in names:
            other = names[b.name]
            self.error(
                f"`{b.name}` is declared twice (first at {other.file.path}:{other.line}:{other.column})",
                b.name_span,
            )
            return False
        if b.name in SCALAR_TYPES:
            self.error(f"`{b.name}` is a reserved scalar type name", b.name_span)
            return False
        names[b.name] = b.name_span
        return True

    def datasource(self) -> Optional[Datasource]:
        sources = self.blocks_of("datasource")
        for extra in sources[1:]:
            self.error("only one datasource block is allowed", extra.name_span)
        if not sources:
            return None
        b = sources[0]
        props = {p.key: p for p in b.properties}
        raw = _string(props["provider"].value) if "provider" in props else None
        provider = PROVIDER_ALIASES.get(raw, raw) if raw else None
        if "provider" not in props:
            self.error("the datasource has no `provider`", b.name_span)
        elif raw is None:
            self.error("`provider` must be a string", props["provider"].value.span)
        mode_prop = props.get("relationMode") or props.get("referentialIntegrity")
        mode = _string(mode_prop.value) if mode_prop else None
        if mode_prop and mode not in ("prisma", "foreignKeys"):
            self.error('`relationMode` must be "prisma" or "foreignKeys"', mode_prop.value.span)
            mode = None
        if mode is None:
            mode = "prisma" if provider == "mongodb" else "foreignKeys"
        schemas = []
        if "schemas" in props and isinstance(props["schemas"].value, ArrayLit):
            schemas = [s.value for s in props["schemas"].value.items if isinstance(s, StringLit)]
        extensions = []
        if "extensions" in props and isinstance(props["extensions"].value, ArrayLit):
            extensions = [expr_text(e) for e in props["extensions"].value.items]
        return Datasource(
            name=b.name,
            provider=provider,
            provider_raw=raw,
            relation_mode=mode,
            relation_mode_explicit=mode_prop is not None,
            schemas=schemas,
            span=b.span,
            extensions=extensions,
        )

    def generator(self, b: Block) -> Generator:
        props = {p.key: p for p in b.properties}
        pf = props.get("previewFeatures")
        features = []
        if pf and isinstance(pf.value, ArrayLit):
            features = [s.value for s in pf.value.items if isinstance(s, StringLit)]
        return Generator(b.name, _string(props["provider"].value) if "provider" in props else None, features, b.span)

    def enum(self, b: Block) -> Enum:
        values = []
        for v in b.values:
            db = v.name
            for a in v.attributes:
                if a.name == "map":
                    db = _string(a.arg("name", 0)) or db
            values.append(EnumValueDef(v.name, db, v.span))
        db_name, schema = b.name, None
        for a in b.attributes:
            if a.name == "map":
                db_name = _string(a.arg("name", 0)) or db_name
            elif a.name == "schema":
                schema = _string(a.arg("name", 0))
        return Enum(b.name, db_name, values, b.span, b.name_span, schema, b.doc)

    # -- models ----------------------------------------------------------------------------------
    def model(self, b: Block, kind: ModelKind) -> Model:
        db_name, schema, ignored = b.name, None, False
        for a in b.attributes:
            if a.name == "map":
                db_name = _string(a.arg("name", 0)) or db_name
            elif a.name == "schema":
                schema = _string(a.arg("name", 0))
            elif a.name == "ignore":
                ignored = True
        fields: dict[str, ModelField] = {}
        for f in b.fields:
            if f.legacy_colon is not None:
                self.error(f"legacy syntax: remove the `:` after `{f.name}` (write `{f.name} Type`)", f.legacy_colon)
            if f.type is None:
                self.error(f"field `{f.name}` has no type", f.name_span)
                continue
            t = f.type
            if t.legacy == "required":
                self.error(f"legacy syntax `{t.name}!`: fields are required by default, remove the `!`", t.span)
            elif t.legacy == "list":
                self.error(f"legacy syntax `[{t.name}]`: write `{t.name}[]`", t.span)
            elif t.legacy == "optional-list":
                self.error(f"`{t.name}[]?`: a list cannot be optional, write `{t.name}[]`", t.span)
            if f.name in fields:
                self.error(f"field `{f.name}` is declared twice in {kind} `{b.name}`", f.name_span)
                continue
            if t.unsupported is not None:
                fkind: FieldKind = "unsupported"
            elif t.name in SCALAR_TYPES:
                fkind = "scalar"
            elif t.name in self.enum_names:
                fkind = "enum"
            elif t.name in self.model_names:
                fkind = "relation"
            elif t.name in self.type_names:
                fkind = "composite"
            else:
                fkind = "unknown"
                self.error(
                    f"type `{t.name}` of field `{b.name}.{f.name}` is neither a built-in type "
                    "nor a model, composite type or enum of this schema",
                    t.span,
                )
            # the required fields positionally: keywords cost ~1.7 us more per field (100k lines:
            # ~46k fields, ~2% of a cold check)
            mf = ModelField(
                b.name, f.name, f.name, t.name, fkind, t.optional, t.list, f.span, f.name_span, doc=f.doc, unsupported=t.unsupported
            )
            for a in f.attributes:
                n = a.name
                if n == "map":
                    mf.db_name = _string(a.arg("name", 0)) or mf.db_name
                elif n == "id":
                    mf.is_id = True
                elif n == "unique":
                    mf.is_unique = True
                elif n == "default":
                    mf.default = expr_text(a.arg("value", 0))
                elif n == "updatedAt":
                    mf.is_updated_at = True
                elif n == "ignore":
                    mf.ignored = True
                elif "." in n:
                    _, _, native = n.partition(".")
                    if self.native_prefix and n.startswith(self.native_prefix):
                        mf.native_type = NativeType(native, [expr_text(x.value) for x in a.args], a.span)
            fields[f.name] = mf
        return Model(
            name=b.name,
            db_name=db_name,
            kind=kind,
            fields=fields,
            indexes=[],
            span=b.span,
            name_span=b.name_span,
            schema=schema,
            ignored=ignored,
            doc=b.doc,
            block=b,
        )

    # -- indexes ---------------------------------------------------------------------------------


def _id_type(m: Model) -> str:
    pk = m.primary_key
    if pk and len(pk.columns) == 1 and pk.columns[0].field in m.fields:
        return m.fields[pk.columns[0].field].type
    return "Int"


def _relation_attr(m: Model, f: ModelField) -> Optional[Attribute]:
    block = m.block
    for bf in block.fields if block else ():
        if bf.name == f.name:
            for a in bf.attributes:
                if a.name == "relation":
                    return a
    return None


def _field_list(attr: Optional[Attribute], name: str) -> Optional[list[str]]:
    if attr is None:
        return None
    items = _names(attr.arg(name))
    if not items:
        return None
    return [i.name for i in items if isinstance(i, (Name, Call))]


def _name_value(e: Optional[Expr]) -> Optional[str]:
    if isinstance(e, Name):
        return e.name
    if isinstance(e, StringLit):
        return e.value
    return None


def _int_value(e: Optional[Expr]) -> Optional[int]:
    if isinstance(e, NumberLit):
        try:
            return int(e.raw)
        except ValueError:
            return None
    return None
