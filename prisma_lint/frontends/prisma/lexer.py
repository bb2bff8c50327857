"""A fast hand-written lexer for the Prisma Schema Language, feeding the LALR parser (``lalr.py``).

One pass over the text does three jobs:

* produce the tokens the grammar declares (``grammars/prisma.lark``), with character offsets;
* keep comments aside (they never reach the parser) so doc comments and suppressions can be
  read from them;
* cut the token stream into top-level blocks, so that each block is parsed on its own and a
  broken block does not hide the rest of the file (what an editor needs while the user types).

Block keywords (``model``, ``enum``, ...) are keywords only at the top level; inside a block
they are ordinary names, so a field may be called ``type`` or ``model``. When a block keyword
followed by a name and ``{`` starts a line inside a block that was never closed, the open
block is closed there (and the missing brace reported), so one unclosed model does not
swallow the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any, Optional

from ...records import field, record

BLOCK_KEYWORDS = {
    "model": "MODEL",
    "view": "VIEW",
    "type": "TYPE",
    "enum": "ENUM",
    "datasource": "DATASOURCE",
    "generator": "GENERATOR",
}

_PUNCT = {
    "(": "LPAR",
    ")": "RPAR",
    "[": "LSQB",
    "]": "RSQB",
    "{": "LBRACE",
    "}": "RBRACE",
    ",": "_COMMA",
    ":": "COLON",
    "=": "EQUAL",
    "?": "QMARK",
    "!": "BANG",
}

# One alternative per kind of token, its group number (``lastindex``) dispatching the lexer's
# loop. NUMBER comes before IDENT: a name may start with a digit (`2fa`), and a number is a name
# token the number pattern matches whole (ending where the name would), or `-` and a number.
_TOKEN = re.compile(
    r"""[^\S\r\n]*(?:
      (?P<NL>\r\n|\r|\n)
    | (?P<NUMBER>-?\d+(?:\.\d+)?(?![\w.-]))
    | (?P<IDENT>\w[\w-]*(?:\.\w[\w-]*)*)
    | (?P<BRACKET>[()\[\]{}])
    | (?P<PUNCT>[,:=?!])
    | (?P<AT>@@?(?:\w[\w-]*(?:\.\w[\w-]*)*)?)
    | (?P<STRING>"(?:[^"\\\r\n]|\\[^\r\n])*")
    | (?P<COMMENT>//[^\r\n]*)
    | (?P<BLOCKCOMMENT>/\*(?s:.*?)\*/)
    | (?P<BAD>"[^\r\n]*|/\*(?s:.*)|.)
    )""",
    re.VERBOSE,
)
_NL, _NUM, _IDENT, _BRACKET, _PUNCT_, _AT, _STRING, _COMMENT, _BLOCKCOMMENT, _BAD = range(1, 11)
_NEW_BLOCK_AHEAD = re.compile(r"[^\S\r\n]+\w[\w-]*[^\S\r\n]*\{")


# Calls, lists and objects nested deeper than this in one declaration are a syntax error (a
# `DEEP` token the parser reports): the tree's recursive walks (expr_text) hit Python's recursion
# limit at ~250 levels, Prisma refuses them too, and no real schema nests past a handful.
MAX_NESTING = 64


class Tok(tuple):
    """A token: ``(type, value, start, end)``, its offsets into the whole text.

    The lexer makes plain tuples (a 100k-line schema has ~540k tokens: a tuple is made in one
    step, an object with an ``__init__`` cost ~0.1 s more) and the parser indexes them. This
    class names the fields, for Lark's runtime (the tests' reference parser reads ``type`` and,
    for its end-of-input token, the line and column attributes) and for readable tests.
    """

    __slots__ = ()
    line = column = end_line = end_column = None

    def __new__(cls, type_: str, value: str, start: int, end: int) -> "Tok":
        return tuple.__new__(cls, (type_, value, start, end))

    type = property(itemgetter(0))
    value = property(itemgetter(1))
    start_pos = property(itemgetter(2))
    end_pos = property(itemgetter(3))

    def __repr__(self) -> str:
        return f"Tok({self[0]}, {self[1]!r}, {self[2]})"


# what the lexer makes: Tok's fields in a plain tuple
Token = tuple[str, str, int, int]


@record(slots=True, eq=False)
class RawComment:
    start: int
    end: int
    text: str
    trailing: bool


@record(slots=True, eq=False)
class RawBlock:
    tokens: list[Token]
    unclosed: bool = False  # closed implicitly by the next block keyword
    built: Any = None  # the block's node when the fast path (``fastpath.py``) read it (no tokens then)


@record(slots=True, eq=False)
class LexResult:
    blocks: list[RawBlock] = field(default_factory=list)
    comments: list[RawComment] = field(default_factory=list)
    # tokens outside any block, each with the number of blocks before it
    stray: list[tuple[Token, int]] = field(default_factory=list)


def lex(text: str, start: int = 0, stop: Optional[int] = None) -> LexResult:
    """Tokenise ``text`` (or ``text[start:stop]``, with offsets into the whole text) and split it
    into top-level blocks. ``start`` must be at the top level (outside any block or comment)."""
    result = LexResult()
    result.blocks.extend(lex_blocks(text, result, start, stop))
    return result


# ``fast(text, keyword_start, keyword, stop, comments)``: a block read straight from the text and
# the offset after its `}`, or None (see fastpath.parse_block)
FastPath = Callable[[str, int, str, int, list[RawComment]], Optional[tuple[Any, int]]]


def lex_blocks(
    text: str, result: LexResult, start: int = 0, stop: Optional[int] = None, inside: bool = False, fast: Optional[FastPath] = None
) -> Iterator[RawBlock]:
    """:func:`lex`, one block at a time: each block is yielded once it is complete (comments
    and stray tokens go to ``result`` as they come). The parser builds each block and drops its
    tokens before the next is lexed: all the tokens of a schema at once were the biggest part of
    the memory (a 10 MB schema: 722 -> 559 MB peak RSS to load). ``fast``: tried on each block
    keyword at the top level; a block it reads is yielded with ``built`` set and no tokens."""
    comments = result.comments
    stray = result.stray
    open_block: Optional[RawBlock] = None
    started = 0  # blocks begun so far
    punct = _PUNCT
    keywords = BLOCK_KEYWORDS
    ahead = _NEW_BLOCK_AHEAD.match

    cur: list[Token] | None = None  # tokens of the open block
    append = None  # cur.append
    depth = 0  # brace depth inside the open block
    nest = 0  # ( [ and object-literal { nesting on the current line
    # nothing but blanks/comments so far on this line (a region starts right after a block's `}`)
    line_start = start == 0
    if inside:  # ``start`` begins a line inside a block (its first token: a `_NL` standing for the lines above)
        cur = [("_NL", "\n", start, start)]
        append = cur.append
        open_block = RawBlock(cur)
        depth = 1
        line_start = True
    n = len(text) if stop is None else stop
    # The kinds most frequent first; names, numbers, attributes, strings and `,:=?!` inside a
    # block are appended at once: only brackets change the nesting, only a name can open a
    # block (a 100k-line schema: ~540k tokens; this loop was ~0.4 s of its ~1.2 s parse).
    while True:
        for m in _TOKEN.finditer(text, start, n):
            k: int = m.lastindex  # type: ignore[assignment]  # every alternative is a group
            if k == _IDENT:
                start, end = m.span(k)
                value = m[k]
                if cur is not None and not (line_start and depth > 0 and value in keywords and ahead(text, end, n)):
                    line_start = False
                    append(("IDENT", value, start, end))  # type: ignore[misc]  # set with cur
                    continue
                ttype = "IDENT"
            elif k == _AT:  # `@name` / `@@name` is one token; a lone `@` is an error
                start, end = m.span(k)
                value = m[k]
                if value == "@" or value == "@@":
                    ttype = "BAD"
                else:
                    ttype = "ATAT" if value[1] == "@" else "AT"
                    if cur is not None:
                        line_start = False
                        append((ttype, value, start, end))  # type: ignore[misc]
                        continue
            elif k == _BRACKET:
                start, end = m.span(k)
                value = m[k]
                ttype = punct[value]
            elif k == _NL:
                nest = 0
                line_start = True
                if cur is not None:
                    if depth == 0:  # a block that never opened a brace (`type A = B`, `model A`)
                        cur = None
                        if open_block is not None:
                            yield open_block
                            open_block = None
                    elif cur[-1][0] != "_NL":
                        start, end = m.span(k)
                        append(("_NL", "\n", start, end))  # type: ignore[misc]
                continue
            elif k == _PUNCT_ or k == _STRING or k == _NUM:
                start, end = m.span(k)
                value = m[k]
                ttype = punct[value] if k == _PUNCT_ else "STRING" if k == _STRING else "NUMBER"
                if cur is not None:
                    line_start = False
                    append((ttype, value, start, end))  # type: ignore[misc]
                    continue
            elif k == _COMMENT or k == _BLOCKCOMMENT:
                start, end = m.span(k)
                value = m[k]
                comments.append(RawComment(start, end, value, not line_start))
                if k == _BLOCKCOMMENT and ("\n" in value or "\r" in value):
                    nest = 0
                    line_start = True
                    if cur is not None and depth > 0 and cur[-1][0] != "_NL":
                        append(("_NL", "\n", start, end))  # type: ignore[misc]
                continue
            else:  # BAD: a stray character, an unterminated string or comment
                start, end = m.span(k)
                value = m[k]
                ttype = "BAD"

            if cur is None:
                # top level: only a block keyword may start here
                if ttype == "IDENT" and value in keywords:
                    if fast is not None:
                        built = fast(text, start, value, n, comments)
                        if built is not None:
                            started += 1
                            line_start = False
                            yield RawBlock([], False, built[0])
                            start = built[1]
                            break  # lex on from just after its `}`
                    cur = [(keywords[value], value, start, end)]
                    append = cur.append
                    open_block = RawBlock(cur)
                    started += 1
                    depth = 0
                    nest = 0
                else:
                    stray.append(((ttype, value, start, end), started))
                line_start = False
                continue

            if ttype == "LBRACE":
                if nest:
                    nest += 1
                    if nest > MAX_NESTING:
                        ttype = "DEEP"
                else:
                    depth += 1
            elif ttype == "RBRACE":
                if nest:
                    nest -= 1
                else:
                    depth -= 1
                    if depth <= 0:
                        cur.append((ttype, value, start, end))
                        cur = None
                        line_start = False
                        if open_block is not None:
                            yield open_block
                            open_block = None
                        continue
            elif ttype == "LPAR" or ttype == "LSQB":
                nest += 1
                if nest > MAX_NESTING:
                    ttype = "DEEP"  # the parser reports it there (a syntax error, as Prisma's)
            elif ttype == "RPAR" or ttype == "RSQB":
                if nest:
                    nest -= 1
            elif line_start and ttype == "IDENT" and value in keywords and depth > 0 and ahead(text, end, n):
                # `model B {` inside a block that was never closed: close it here.
                if open_block is not None:
                    open_block.unclosed = True
                    yield open_block
                cur = [(keywords[value], value, start, end)]
                append = cur.append
                open_block = RawBlock(cur)
                started += 1
                depth = 0
                nest = 0
                line_start = False
                continue
            line_start = False
            cur.append((ttype, value, start, end))
        else:  # the end of the text
            break
    if open_block is not None:
        yield open_block
