"""The schema AST: plain data (records), each with the exact :class:`Span` it came from.

The parser (``parser.py``) builds these while it parses; nothing here knows about Lark.
Expressions are deliberately few: a Prisma attribute argument is a string, a number,
a bare name (``Cascade``, ``Desc``, ``true``), a function call (``now()``, ``userId(sort: Desc)``),
an array or an object literal (``where: { active: true }``).
"""

from __future__ import annotations

from typing import Optional, Union

from ...records import field, record
from ...source import SourceFile, Span


@record(slots=True, eq=False)
class Comment:
    text: str  # without the leading slashes for // comments; whole text for /* */
    span: Span
    doc: bool  # a /// documentation comment
    trailing: bool  # there is code before it on the same line


@record(slots=True, eq=False)
class StringLit:
    value: str  # unescaped
    span: Span


@record(slots=True, eq=False)
class NumberLit:
    raw: str
    span: Span

    @property
    def value(self) -> Union[int, float]:
        return float(self.raw) if "." in self.raw else int(self.raw)


@record(slots=True, eq=False)
class Name:
    """A bare identifier or dotted path used as a value: ``Cascade``, ``true``, ``db.Uuid``."""

    name: str
    span: Span


@record(slots=True, eq=False)
class Call:
    """``name(args)``: ``now()``, ``env("URL")``, ``email(sort: Desc)``."""

    name: str
    args: list["Argument"]
    span: Span
    name_span: Span


@record(slots=True, eq=False)
class ArrayLit:
    items: list["Expr"]
    span: Span


@record(slots=True, eq=False)
class ObjectLit:
    entries: list[tuple[str, "Expr"]]
    span: Span


Expr = Union[StringLit, NumberLit, Name, Call, ArrayLit, ObjectLit]


@record(slots=True, eq=False)
class Argument:
    name: Optional[str]  # None for a positional argument
    value: Optional[Expr]  # None for an empty named argument (`name:` while typing)
    span: Span


@record(slots=True, eq=False)
class Attribute:
    """``@name(args)`` on a field or enum value, ``@@name(args)`` on a block."""

    name: str  # without @ / @@, may be dotted: db.VarChar
    args: list[Argument]
    span: Span
    name_span: Span
    has_parens: bool = False

    def arg(self, name: str, position: Optional[int] = None) -> Optional[Expr]:
        """The argument called ``name``, or the positional one at ``position``."""
        positional = 0
        for a in self.args:
            if a.name == name:
                return a.value
            if a.name is None:
                if position is not None and positional == position:
                    return a.value
                positional += 1
        return None


@record(slots=True, eq=False)
class FieldType:
    name: str
    span: Span
    optional: bool = False
    list: bool = False
    unsupported: Optional[str] = None  # the string of Unsupported("...")
    legacy: Optional[str] = None  # "required" (Type!), "list" ([Type]), "optional-list" (Type[]?)


@record(slots=True, eq=False)
class Field:
    name: str
    name_span: Span
    type: Optional[FieldType]
    attributes: list[Attribute]
    span: Span
    doc: Optional[str] = None
    legacy_colon: Optional[Span] = None


@record(slots=True, eq=False)
class EnumValue:
    name: str
    name_span: Span
    attributes: list[Attribute]
    span: Span
    doc: Optional[str] = None


@record(slots=True, eq=False)
class Property:
    """``key = value`` in a datasource or generator block."""

    key: str
    key_span: Span
    value: Expr
    span: Span


@record(slots=True, eq=False)
class Block:
    """A top-level declaration.

    ``kind`` is one of model, view, type, enum, datasource, generator, or ``type-alias``
    (the removed ``type X = Y`` form, kept so it can be reported).
    """

    kind: str
    name: str
    name_span: Span
    span: Span
    fields: list[Field] = field(default_factory=list)
    values: list[EnumValue] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    doc: Optional[str] = None
    keyword_span: Optional[Span] = None
    close_span: Optional[Span] = None  # the closing brace


@record(eq=False)
class Diagnostic:
    """An error or warning about the input itself (syntax, semantics, I/O, config)."""

    message: str
    span: Optional[Span]
    severity: str = "error"
    code: str = "syntax-error"
    path: Optional[str] = None  # when there is no span (e.g. an unreadable file)

    @property
    def file(self) -> Optional[str]:
        return self.span.file.path if self.span else self.path

    def render(self) -> str:
        if self.span is not None:
            line, col = self.span.file.position(self.span.start)
            return f"{self.span.file.path}:{line}:{col}: {self.severity}: {self.message}"
        if self.path:
            return f"{self.path}: {self.severity}: {self.message}"
        return f"{self.severity}: {self.message}"


@record(eq=False)
class SchemaFile:
    """One parsed ``.prisma`` file."""

    source: SourceFile
    blocks: list[Block]
    comments: list[Comment]
    diagnostics: list[Diagnostic]

    # kept by the incremental parse (frontends/prisma/incremental.py) for the next one: where
    # each block ends and each comment starts (None: worked out from the nodes), and whether
    # its blocks were moved into a later parse (it no longer reads right)
    ends: Optional[list[int]] = field(default=None, repr=False)
    comment_starts: Optional[list[int]] = field(default=None, repr=False)
    given_up: bool = field(default=False, repr=False)
    # for each block, whether a line break is above it in its segment (see incremental._breaks)
    breaks: Optional[list[bool]] = field(default=None, repr=False)
    # the blocks an incremental parse lexed (their docs set again); the others are the last
    # parse's, docs and all (None: a whole parse, every block new)
    fresh: Optional[list[Block]] = field(default=None, repr=False)
    # with ``fresh``: the blocks' kinds and names, in order, are the last parse's
    same_names: bool = field(default=False, repr=False)
    # with ``fresh``: every block not in it starts at the line and column it had (those above the
    # change, and below it when the change added or took no line)
    places_kept: bool = field(default=False, repr=False)
