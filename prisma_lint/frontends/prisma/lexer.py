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
from collections.abc import Iterator
from typing import Optional

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

_TOKEN = re.compile(
    r"""[^\S\r\n]*(?:
      (?P<NL>\r\n|\r|\n)
    | (?P<IDENT>\w[\w-]*(?:\.\w[\w-]*)*)
    | (?P<PUNCT>[()\[\]{},:=?!])
    | (?P<AT>@@?(?:\w[\w-]*(?:\.\w[\w-]*)*)?)
    | (?P<STRING>"(?:[^"\\\r\n]|\\[^\r\n])*")
    | (?P<COMMENT>//[^\r\n]*)
    | (?P<BLOCKCOMMENT>/\*(?s:.*?)\*/)
    | (?P<BAD>"[^\r\n]*|/\*(?s:.*)|.)
    )""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?![\w.-])")
_NEW_BLOCK_AHEAD = re.compile(r"[^\S\r\n]+\w[\w-]*[^\S\r\n]*\{")


# Calls, lists and objects nested deeper than this in one declaration are a syntax error (a
# `DEEP` token the parser reports): the tree's recursive walks (expr_text) hit Python's recursion
# limit at ~250 levels, Prisma refuses them too, and no real schema nests past a handful.
MAX_NESTING = 64


class Tok:
    """A token as an LALR parser wants it (``type``, ``value``), plus character offsets.

    Lighter than ``lark.Token`` (a str subclass): tokens are the hot path of parsing.
    """

    __slots__ = ("end_pos", "start_pos", "type", "value")
    # Lark's runtime (the tests' reference parser) reads these when it builds its end-of-input
    # token; positions are ours (offsets).
    line = column = end_line = end_column = None

    def __init__(self, type_: str, value: str, start: int, end: int) -> None:
        self.type = type_
        self.value = value
        self.start_pos = start
        self.end_pos = end

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.start_pos})"


@record(slots=True, eq=False)
class RawComment:
    start: int
    end: int
    text: str
    trailing: bool


@record(slots=True, eq=False)
class RawBlock:
    tokens: list[Tok]
    unclosed: bool = False  # closed implicitly by the next block keyword


@record(slots=True, eq=False)
class LexResult:
    blocks: list[RawBlock] = field(default_factory=list)
    comments: list[RawComment] = field(default_factory=list)
    # tokens outside any block, each with the number of blocks before it
    stray: list[tuple[Tok, int]] = field(default_factory=list)


def lex(text: str, start: int = 0, stop: Optional[int] = None) -> LexResult:
    """Tokenise ``text`` (or ``text[start:stop]``, with offsets into the whole text) and split it
    into top-level blocks. ``start`` must be at the top level (outside any block or comment)."""
    result = LexResult()
    result.blocks.extend(lex_blocks(text, result, start, stop))
    return result


def lex_blocks(text: str, result: LexResult, start: int = 0, stop: Optional[int] = None, inside: bool = False) -> Iterator[RawBlock]:
    """:func:`lex`, one block at a time: each block is yielded once it is complete (comments
    and stray tokens go to ``result`` as they come). The parser builds each block and drops its
    tokens before the next is lexed: all the tokens of a schema at once were the biggest part of
    the memory (a 10 MB schema: 722 -> 559 MB peak RSS to load)."""
    comments = result.comments
    open_block: Optional[RawBlock] = None
    started = 0  # blocks begun so far
    match = _TOKEN.match
    number = _NUMBER.match
    punct = _PUNCT
    keywords = BLOCK_KEYWORDS

    cur: list[Tok] | None = None  # tokens of the open block
    depth = 0  # brace depth inside the open block
    nest = 0  # ( [ and object-literal { nesting on the current line
    # nothing but blanks/comments so far on this line (a region starts right after a block's `}`)
    line_start = start == 0
    if inside:  # ``start`` begins a line inside a block (its first token: a `_NL` standing for the lines above)
        cur = [Tok("_NL", "\n", start, start)]
        open_block = RawBlock(cur)
        depth = 1
        line_start = True
    pos = start
    n = len(text) if stop is None else stop
    while pos < n:
        m = match(text, pos, n)
        if m is None:  # only blanks up to the end
            break
        kind: str = m.lastgroup  # type: ignore[assignment]  # every alternative is a named group
        start, end = m.span(kind)
        pos = end
        # The kinds most frequent first, and names and attributes inside a block appended at
        # once: only punctuation changes the nesting, only a name can open a block (a 100k-line
        # schema: ~570k tokens; this loop was ~0.45 s of its ~1.4 s parse).
        if kind == "IDENT":
            value = m[kind]
            if value[0].isdigit():  # (a name never starts with `-`: a negative number is BAD first)
                nm = number(text, start, n)
                if nm is not None:
                    kind = "NUMBER"
                    end = pos = nm.end()
                    value = nm.group()
            tok = Tok(kind, value, start, end)
            if cur is not None and not (line_start and depth > 0 and value in keywords and _NEW_BLOCK_AHEAD.match(text, end, n)):
                line_start = False
                cur.append(tok)
                continue
        elif kind == "PUNCT":
            value = m[kind]
            tok = Tok(punct[value], value, start, end)
        elif kind == "NL":
            nest = 0
            line_start = True
            if cur is not None:
                if depth == 0:  # a block that never opened a brace (`type A = B`, `model A`)
                    cur = None
                    if open_block is not None:
                        yield open_block
                        open_block = None
                elif cur[-1].type != "_NL":
                    cur.append(Tok("_NL", "\n", start, end))
            continue
        elif kind == "AT":  # `@name` / `@@name` is one token; a lone `@` is an error
            value = m[kind]
            if value == "@" or value == "@@":
                tok = Tok("BAD", value, start, end)
            else:
                tok = Tok("ATAT" if value[1] == "@" else "AT", value, start, end)
                if cur is not None:
                    line_start = False
                    cur.append(tok)
                    continue
        elif kind == "STRING":
            value = m[kind]
            tok = Tok("STRING", value, start, end)
        elif kind == "COMMENT" or kind == "BLOCKCOMMENT":
            value = m[kind]
            comments.append(RawComment(start, end, value, not line_start))
            if kind == "BLOCKCOMMENT" and ("\n" in value or "\r" in value):
                nest = 0
                line_start = True
                if cur is not None and depth > 0 and cur[-1].type != "_NL":
                    cur.append(Tok("_NL", "\n", start, end))
            continue
        else:  # BAD: a stray character, an unterminated string or comment
            value = m[kind]
            if value == "-" and text[start + 1 : start + 2].isdigit():
                nm = number(text, start, n)
                if nm is not None:
                    end = pos = nm.end()
                    tok = Tok("NUMBER", nm.group(), start, end)
                else:
                    tok = Tok("BAD", value, start, end)
            else:
                tok = Tok("BAD", value, start, end)

        if cur is None:
            # top level: only a block keyword may start here
            if tok.type == "IDENT" and value in keywords:
                tok.type = keywords[value]
                cur = [tok]
                open_block = RawBlock(cur)
                started += 1
                depth = 0
                nest = 0
            else:
                result.stray.append((tok, started))
            line_start = False
            continue

        ttype = tok.type
        if ttype == "LBRACE":
            if nest:
                nest += 1
                if nest > MAX_NESTING:
                    tok.type = "DEEP"
            else:
                depth += 1
        elif ttype == "RBRACE":
            if nest:
                nest -= 1
            else:
                depth -= 1
                if depth <= 0:
                    cur.append(tok)
                    cur = None
                    line_start = False
                    if open_block is not None:
                        yield open_block
                        open_block = None
                    continue
        elif ttype == "LPAR" or ttype == "LSQB":
            nest += 1
            if nest > MAX_NESTING:
                tok.type = "DEEP"  # the parser reports it there (a syntax error, as Prisma's)
        elif ttype == "RPAR" or ttype == "RSQB":
            if nest:
                nest -= 1
        elif (
            line_start
            and ttype == "IDENT"
            and value in keywords
            and depth > 0
            and _NEW_BLOCK_AHEAD.match(text, end, n)
        ):
            # `model B {` inside a block that was never closed: close it here.
            if open_block is not None:
                open_block.unclosed = True
                yield open_block
            tok.type = keywords[value]
            cur = [tok]
            open_block = RawBlock(cur)
            started += 1
            depth = 0
            nest = 0
            line_start = False
            continue
        line_start = False
        cur.append(tok)
    if open_block is not None:
        yield open_block
