"""The commonest blocks, built straight from the text: the whole-file parse's fast path.

Most of a schema is model and enum blocks whose lines have one of a few shapes: ``name Type``
(``?`` or ``[]``) with field attributes, an enum value with attributes, a ``@@attribute(...)``
line, a blank or a ``//`` line. :func:`parse_block` reads such a block from its keyword to its
``}`` with a handful of regular expressions per line and builds the very nodes the LALR path
(``lexer.py`` -> ``lalr.py`` -> ``parser._Builder``) builds, without tokens, state stacks or
children lists. On anything else (another line shape, a ``/* */`` comment, an escape in a
string, a line the grammar refuses, the end of the text before the ``}``) it returns None and
the block is lexed and parsed the usual way, so what it accepts it must build exactly as the
LALR path would: ``tests/test_fastpath.py`` compares the two on the corpus, on random edits of
it and on generated schemas, node by node and span by span.

Why: the 100k-line synthetic schema's parse took ~1.0 s of a ~1.9 s cold ``check`` (the lexer
~0.35 s, the LALR driver and the builder's calls ~0.65 s); the same blocks read here: see the
commit message for the instruction counts.

Tokens follow the lexer's rules exactly: a name is ``\\w[\\w-]*(\\.\\w[\\w-]*)*`` that the number
pattern does not match at the same place (the lexer tries numbers first), and every name is
followed by none of ``\\w.-`` (so no pattern here ever takes a shorter name than the lexer).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ...source import Anchor, SourceFile, Span
from .lexer import _BRACKET, _IDENT, _NUM, _PUNCT_, _STRING, _TOKEN, RawComment
from .syntax import Argument, ArrayLit, Attribute, Block, Call, EnumValue, Field, FieldType, Name, NumberLit, StringLit

_WS = r"[^\S\r\n]*"
# a name the lexer reads as one IDENT token (not a number, and nothing of a name after it)
_NAME = r"(?!\d+(?:\.\d+)?(?![\w.-]))\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-])"
_EOL = r"(?:\r\n|\r|\n)"

# after the block keyword: ` Name {`, then the end of the header line (a `//` comment may end it)
_HEADER = re.compile(_WS + "(" + _NAME + ")" + _WS + r"\{" + _WS + "(//[^\r\n]*)?" + _EOL)

# the start of a line in the block: a blank line, a `//` line, the closing brace, a block
# attribute, or a name (a field's, with its type, or an enum value's)
_LINE = re.compile(
    _WS
    + r"(?:"
    + r"(?P<nl>"
    + _EOL
    + ")"
    + r"|(?P<comment>//[^\r\n]*)"
    + _EOL
    + r"|(?P<close>\})"
    + r"|(?P<battr>@@\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-]))(?P<bparen>"
    + _WS
    + r"\()?"
    + r"|(?P<name>"
    + _NAME
    + ")"
    + r"(?:[^\S\r\n]+(?P<type>"
    + _NAME
    + ")(?:"
    + _WS
    + r"(?P<opt>\?)|"
    + _WS
    + r"\["
    + _WS
    + r"(?P<list>\]))?)?"
    + r")"
)
# a field attribute, and whether its arguments follow
_ATTR = re.compile(_WS + r"(@\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-]))(" + _WS + r"\()?")
# the end of a declaration's line (a `//` comment may end it)
_END = re.compile(_WS + "(//[^\r\n]*)?" + _EOL)

# how deep calls and arrays may nest here (deeper: the LALR path, which reports past MAX_NESTING)
_MAX_DEPTH = 8

_MODEL_KINDS = ("model", "view", "type")


class _Bail(Exception):
    """Not a shape this module reads: the block goes the usual way."""


def parse_block(
    source: SourceFile, text: str, kw_start: int, keyword: str, n: int, comments: list[RawComment]
) -> Optional[tuple[Block, int]]:
    """The block whose keyword ``keyword`` starts at ``kw_start`` (at the top level), and the
    offset just after its ``}``; its comments are appended to ``comments``. None: not read here
    (nothing appended)."""
    if keyword not in _MODEL_KINDS and keyword != "enum":
        return None
    kw_end = kw_start + len(keyword)
    m = _HEADER.match(text, kw_end, n)
    if m is None:
        return None
    found: list[RawComment] = []
    if m.lastindex == 2:
        s, e = m.span(2)
        found.append(RawComment(s, e, m[2], True))
    A = Anchor(source)
    name_start, name_end = m.span(1)
    items: list[Any] = []
    try:
        close = _body(text, m.end(), n, A, keyword != "enum", items, found)
    except _Bail:
        return None
    if close is None:
        return None
    comments += found
    block = Block(
        keyword,
        m[1],
        Span(A, name_start, name_end),
        Span(A, kw_start, close + 1),
        [],
        [],
        [],
        [],
        None,
        Span(A, kw_start, kw_end),
        Span(A, close, close + 1),
    )
    members = block.fields if keyword != "enum" else block.values
    attributes = block.attributes
    for item in items:
        if type(item) is Attribute:
            attributes.append(item)
        else:
            members.append(item)
    return block, close + 1


def _body(text: str, pos: int, n: int, A: Anchor, model: bool, items: list, found: list[RawComment]) -> Optional[int]:
    """Read the block's lines from ``pos`` into ``items``: the offset of its ``}`` (None: bail)."""
    line = _LINE.match
    attr = _ATTR.match
    end = _END.match
    while True:
        m = line(text, pos, n)
        if m is None:
            return None
        kind = m.lastgroup
        if kind == "nl":
            pos = m.end()
            continue
        if kind == "comment":
            s, e = m.span("comment")
            found.append(RawComment(s, e, m["comment"], False))
            pos = m.end()
            continue
        if kind == "close":
            return m.start("close")
        if kind == "bparen" or kind == "battr":
            s, e = m.span("battr")
            value = m["battr"]
            if kind == "bparen":
                args, rpar = _arguments(text, m.end(), n, A, 0)
                item: Any = Attribute(value[2:], args, Span(A, s, rpar), Span(A, s, e), True)
                pos = rpar
            else:
                span = Span(A, s, e)
                item = Attribute(value[2:], [], span, span, False)
                pos = e
        else:  # a name: a field (with its type) or an enum value
            ns, ne = m.span("name")
            name = m["name"]
            type_name = m["type"]
            if model:
                if type_name is None:
                    return None
                ts, te = m.span("type")
                if m["opt"] is not None:
                    ftype = FieldType(type_name, Span(A, ts, m.end("opt")), True, False, None, None)
                elif m["list"] is not None:
                    ftype = FieldType(type_name, Span(A, ts, m.end("list")), False, True, None, None)
                else:
                    ftype = FieldType(type_name, Span(A, ts, te), False, False, None, None)
            elif type_name is not None:
                return None
            pos = m.end()
            attributes: list[Attribute] = []
            while True:
                a = attr(text, pos, n)
                if a is None:
                    break
                s, e = a.span(1)
                value = a[1]
                if a.lastindex == 2:
                    args, rpar = _arguments(text, a.end(), n, A, 0)
                    attributes.append(Attribute(value[1:], args, Span(A, s, rpar), Span(A, s, e), True))
                    pos = rpar
                else:
                    span = Span(A, s, e)
                    attributes.append(Attribute(value[1:], [], span, span, False))
                    pos = e
            if model:
                last = attributes[-1].span.end if attributes else ftype.span.end
                item = Field(name, Span(A, ns, ne), ftype, attributes, Span(A, ns, last), None, None)
            else:
                last = attributes[-1].span.end if attributes else ne
                item = EnumValue(name, Span(A, ns, ne), attributes, Span(A, ns, last), None)
        e_ = end(text, pos, n)
        if e_ is None:
            return None
        if e_.lastindex == 1:
            s, e = e_.span(1)
            found.append(RawComment(s, e, e_[1], True))
        items.append(item)
        pos = e_.end()


def _token(text: str, pos: int, n: int) -> tuple[int, int, int, str]:
    """The lexer's token at ``pos``: (kind, start, end, value); only those of arguments."""
    m = _TOKEN.match(text, pos, n)
    if m is None:
        raise _Bail
    k: int = m.lastindex  # type: ignore[assignment]
    if k != _IDENT and k != _BRACKET and k != _PUNCT_ and k != _STRING and k != _NUM:
        raise _Bail
    s, e = m.span(k)
    return k, s, e, m[k]


def _arguments(text: str, pos: int, n: int, A: Anchor, depth: int) -> tuple[list[Argument], int]:
    """The arguments after a `(` (``pos`` just after it) and the offset after their `)`."""
    if depth > _MAX_DEPTH:
        raise _Bail
    args: list[Argument] = []
    k, s, e, v = _token(text, pos, n)
    while True:
        if v == ")" and k == _BRACKET:
            return args, e
        if k == _IDENT:
            k2, _, e2, v2 = _token(text, e, n)
            if k2 == _PUNCT_ and v2 == ":":
                k3, s3, e3, v3 = _token(text, e2, n)
                if (k3 == _BRACKET and v3 == ")") or (k3 == _PUNCT_ and v3 == ","):
                    args.append(Argument(v, None, Span(A, s, e2)))
                    k, s, e, v = k3, s3, e3, v3
                else:
                    value, after = _expr_from(text, k3, s3, e3, v3, n, A, depth)
                    args.append(Argument(v, value, Span(A, s, value.span.end)))
                    k, s, e, v = _token(text, after, n)
            else:
                value, after = _ident_expr(text, s, e, v, k2, e2, v2, n, A, depth)
                args.append(Argument(None, value, value.span))
                k, s, e, v = _token(text, after, n)
        else:
            value, after = _expr_from(text, k, s, e, v, n, A, depth)
            args.append(Argument(None, value, value.span))
            k, s, e, v = _token(text, after, n)
        # after an argument: `,` (then maybe `)`) or `)`
        if k == _PUNCT_ and v == ",":
            k, s, e, v = _token(text, e, n)
            if k == _PUNCT_:  # `,,` or `, :`: the grammar refuses it
                raise _Bail
        elif not (k == _BRACKET and v == ")"):
            raise _Bail


def _ident_expr(text: str, s: int, e: int, v: str, k2: int, e2: int, v2: str, n: int, A: Anchor, depth: int) -> tuple[Any, int]:
    """A name (``v`` at ``s:e``) as a value: a call when `(` (``k2``/``v2``, ending at ``e2``)
    follows it, else a bare name; and the offset after it."""
    if k2 == _BRACKET and v2 == "(":
        args, rpar = _arguments(text, e2, n, A, depth + 1)
        return Call(v, args, Span(A, s, rpar), Span(A, s, e)), rpar
    return Name(v, Span(A, s, e)), e


def _expr_from(text: str, k: int, s: int, e: int, v: str, n: int, A: Anchor, depth: int) -> tuple[Any, int]:
    """The value whose first token is given, and the offset after it."""
    if k == _STRING:
        if "\\" in v:  # an escape: the LALR path's unescaping
            raise _Bail
        return StringLit(v[1:-1], Span(A, s, e)), e
    if k == _NUM:
        return NumberLit(v, Span(A, s, e)), e
    if k == _IDENT:
        k2, _, e2, v2 = _token(text, e, n)
        return _ident_expr(text, s, e, v, k2, e2, v2, n, A, depth)
    if k == _BRACKET and v == "[":
        if depth >= _MAX_DEPTH:
            raise _Bail
        items: list[Any] = []
        k, s2, e2, v2 = _token(text, e, n)
        while True:
            if k == _BRACKET and v2 == "]":
                return ArrayLit(items, Span(A, s, e2)), e2
            item, after = _expr_from(text, k, s2, e2, v2, n, A, depth + 1)
            items.append(item)
            k, s2, e2, v2 = _token(text, after, n)
            if k == _PUNCT_ and v2 == ",":
                k, s2, e2, v2 = _token(text, e2, n)
                if k == _PUNCT_:
                    raise _Bail
            elif not (k == _BRACKET and v2 == "]"):
                raise _Bail
    raise _Bail
