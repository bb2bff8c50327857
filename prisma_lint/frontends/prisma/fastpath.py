"""The commonest blocks, built straight from the text: the whole-file parse's fast path.

Most of a schema is model and enum blocks whose lines have one of a few shapes: ``name Type``
(``?`` or ``[]``) with field attributes, an enum value with attributes, a ``@@attribute(...)``
line, a blank or a ``//`` line. :func:`parse_block` reads such a block from its keyword to its
``}`` with a handful of regular expressions per line and builds the very nodes the LALR path
(``lexer.py`` -> ``lalr.py`` -> ``parser._Builder``) builds, without tokens, state stacks or
children lists. On anything else (another line shape, a ``/* */`` comment, an escape in a
string, a line the grammar refuses, the end of the text before the ``}``) it returns None and
the block is lexed and parsed the usual way (as is every block of a text shorter than
``parser.FAST_PATH_FROM`` characters: compiling these expressions costs more than they save
there), so what it accepts it must build exactly as the LALR path would: ``tests/test_fastpath.py`` compares the two on the corpus, on random edits of
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


def _compile(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ``WS`` (blanks, no line break), ``NAME`` (a name the lexer reads as one
    IDENT token: not a number, and nothing of a name after it) and ``EOL`` (a line break)."""
    return re.compile(
        pattern.replace("WS", r"[^\S\r\n]*")
        .replace("NAME", r"(?!\d+(?:\.\d+)?(?![\w.-]))\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-])")
        .replace("EOL", r"(?:\r\n|\r|\n)")
    )


# after the block keyword: ` Name {`, then the end of the header line (a `//` comment may end it)
_HEADER = _compile(r"WS(NAME)WS\{WS(//[^\r\n]*)?EOL")

# the start of a line in the block, commonest first: a name (1: a field's, with its type (2) and
# `?` (3) or `[]` (4); or an enum value's), a block attribute (5: with arguments when 6), the
# closing brace (7), a `//` line (8), a blank line (9)
_LINE = _compile(
    r"WS(?:(NAME)(?:[^\S\r\n]+(NAME)(?:WS(\?)|WS\[WS(\]))?)?"
    r"|(@@\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-]))(WS\()?"
    r"|(\})"
    r"|(//[^\r\n]*)EOL"
    r"|(EOL))"
)
# after a declaration's name and type, or an attribute: a field attribute (1) and whether its
# arguments follow (2), or the end of the line (a `//` comment (3) may end it)
_AFTER = _compile(r"WS(?:(@\w[\w-]*(?:\.\w[\w-]*)*(?![\w.-]))(WS\()?|(//[^\r\n]*)?EOL)")

# One whole argument and the `,` or `)` after it, in the shapes most arguments have: an optional
# `key:`, then a string without escapes, a number, a name, a call without arguments (`now()`)
# or an array of names (`[a, b]`). Groups: 1 key, 2 string, 3 number, 4 name, 5 `()`,
# 6 `[`, 7 the names, 8 `]`, 9 the separator.
_SIMPLE_ARG = _compile(
    r"WS(?:(NAME)WS:WS)?"
    r'(?:("[^"\\\r\n]*")'
    r"|(-?\d+(?:\.\d+)?(?![\w.-]))"
    r"|(NAME)(WS\(WS\))?"
    r"|(\[)WS(NAME(?:WS,WSNAME)*)WS(?:,WS)?(\]))"
    r"WS([,)])"
)
_PLAIN_NAME = re.compile(r"\w[\w-]*(?:\.\w[\w-]*)*")

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
    after = _AFTER.match
    while True:
        m = line(text, pos, n)
        if m is None:
            return None
        name, type_name, opt, lsq, battr, bparen, close, comment, _ = m.groups()
        if name is not None:  # a field (with its type) or an enum value
            ns, ne = m.span(1)
            last = ne
            if model:
                if type_name is None:
                    return None
                ts, last = m.span(2)
                if opt is not None:
                    last = m.end(3)
                    ftype = FieldType(type_name, Span(A, ts, last), True, False, None, None)
                elif lsq is not None:
                    last = m.end(4)
                    ftype = FieldType(type_name, Span(A, ts, last), False, True, None, None)
                else:
                    ftype = FieldType(type_name, Span(A, ts, last), False, False, None, None)
            elif type_name is not None:
                return None
            pos = m.end()
            attributes: list[Attribute] = []
            while True:  # the attributes, then the end of the line
                a = after(text, pos, n)
                if a is None:
                    return None
                value = a[1]
                if value is None:
                    break
                s, e = a.span(1)
                if a[2] is not None:
                    args, last = _arguments(text, a.end(), n, A, 0)
                    attributes.append(Attribute(value[1:], args, Span(A, s, last), Span(A, s, e), True))
                    pos = last
                else:
                    span = Span(A, s, e)
                    attributes.append(Attribute(value[1:], [], span, span, False))
                    pos = last = e
            if model:
                items.append(Field(name, Span(A, ns, ne), ftype, attributes, Span(A, ns, last), None, None))
            else:
                items.append(EnumValue(name, Span(A, ns, ne), attributes, Span(A, ns, last), None))
        elif battr is not None:
            s, e = m.span(5)
            if bparen is not None:
                args, pos = _arguments(text, m.end(), n, A, 0)
                items.append(Attribute(battr[2:], args, Span(A, s, pos), Span(A, s, e), True))
            else:
                span = Span(A, s, e)
                items.append(Attribute(battr[2:], [], span, span, False))
                pos = e
            a = after(text, pos, n)
            if a is None or a[1] is not None:  # `@@a @b`: the grammar refuses it
                return None
        elif close is not None:
            return m.start(7)
        else:  # a blank line, or a `//` one
            if comment is not None:
                s, e = m.span(8)
                found.append(RawComment(s, e, comment, False))
            pos = m.end()
            continue
        if a.lastindex == 3:  # a comment ends the line
            s, e = a.span(3)
            found.append(RawComment(s, e, a[3], True))
        pos = a.end()


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
    simple = _SIMPLE_ARG.match
    while True:  # at the start of an argument (or at the `)`)
        m = simple(text, pos, n)
        if m is not None:  # most arguments: one match, no tokens
            key, string, number, name, call, _, _, _, sep = m.groups()
            if string is not None:
                s, e = m.span(2)
                value: Any = StringLit(string[1:-1], Span(A, s, e))
            elif number is not None:
                s, e = m.span(3)
                value = NumberLit(number, Span(A, s, e))
            elif name is not None:
                s, e = m.span(4)
                if call is None:
                    value = Name(name, Span(A, s, e))
                else:
                    value = Call(name, [], Span(A, s, m.end(5)), Span(A, s, e))
                    e = m.end(5)
            else:
                s, e = m.start(6), m.end(8)
                value = ArrayLit([Name(x[0], Span(A, *x.span())) for x in _PLAIN_NAME.finditer(text, m.start(7), m.end(7))], Span(A, s, e))
            if key is None:
                args.append(Argument(None, value, value.span))
            else:
                args.append(Argument(key, value, Span(A, m.start(1), e)))
            pos = m.end()
            if sep == ")":
                return args, pos
            continue
        k, s, e, v = _token(text, pos, n)
        if v == ")" and k == _BRACKET:
            return args, e
        if k == _IDENT:
            k2, _, e2, v2 = _token(text, e, n)
            if k2 == _PUNCT_ and v2 == ":":
                k3, s3, e3, v3 = _token(text, e2, n)
                if (k3 == _BRACKET and v3 == ")") or (k3 == _PUNCT_ and v3 == ","):
                    args.append(Argument(v, None, Span(A, s, e2)))
                    after = s3
                else:
                    value, after = _expr_from(text, k3, s3, e3, v3, n, A, depth)
                    args.append(Argument(v, value, Span(A, s, value.span.end)))
            else:
                value, after = _ident_expr(text, s, e, v, k2, e2, v2, n, A, depth)
                args.append(Argument(None, value, value.span))
        else:  # a `,` or `:` here: the grammar refuses it (raised here)
            value, after = _expr_from(text, k, s, e, v, n, A, depth)
            args.append(Argument(None, value, value.span))
        # after an argument: `,` (then another, or the `)`) or `)`
        k, s, e, v = _token(text, after, n)
        if k == _PUNCT_ and v == ",":
            pos = e
        elif k == _BRACKET and v == ")":
            return args, e
        else:
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
