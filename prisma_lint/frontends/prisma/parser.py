"""Parse Prisma schema text into the AST (``syntax.py``) with the LALR tables of ``grammars/prisma.lark``.

* The grammar is ``grammars/prisma.lark``; Lark computes its LALR(1) tables, kept in
  ``_tables.py`` and run by ``lalr.py``; tokens come from ``lexer.py``.
* The AST is built while parsing (as Lark's ``transformer=`` does for LALR): no parse tree is kept.
* Each top-level block is parsed on its own. A syntax error inside a model, enum or config
  block drops that one line (the declaration the error is in), reports it, and parses the
  rest of the block again; an error in a block's header drops the block. So a half-typed
  schema still yields every declaration that is well formed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache, partial
from typing import Any, Optional

from ...resources import resource_path
from ...source import Anchor, SourceFile, Span
from .lalr import LalrParser, ParseError, load_tables, only_child, stored_tables
from .lexer import MAX_NESTING, LexResult, RawBlock, RawComment, Token, lex_blocks
from .syntax import (
    Argument,
    ArrayLit,
    Attribute,
    Block,
    Call,
    Comment,
    Diagnostic,
    EnumValue,
    Field,
    FieldType,
    Name,
    NumberLit,
    ObjectLit,
    Property,
    SchemaFile,
    StringLit,
)

_MAX_RECOVERIES = 200  # per block; beyond that the block is given up
# the fast path's regular expressions cost 6 M instructions to compile (2.6% of a cold check of
# a 100-line schema); from about 9,000 characters (~350 synthetic lines) it saves more than that
# (cold check, callgrind: 300 lines +1.0 M with it, 1,000 lines -21.5 M, 3,000 lines -81 M)
FAST_PATH_FROM = 10_000

_TOKEN_NAMES = {
    "IDENT": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "_NL": "a line break",
    "MODEL": "`model`",
    "VIEW": "`view`",
    "TYPE": "`type`",
    "ENUM": "`enum`",
    "DATASOURCE": "`datasource`",
    "GENERATOR": "`generator`",
    "AT": "a field attribute (`@name`)",
    "ATAT": "a block attribute (`@@name`)",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "_COMMA": "`,`",
    "COLON": "`:`",
    "EQUAL": "`=`",
    "QMARK": "`?`",
    "BANG": "`!`",
    "$END": "the end of the declaration",
}


class _Builder:
    """Lark callbacks: one method per grammar rule (or alias), building AST nodes.

    Tokens are ``(type, value, start, end)`` tuples (``lexer.Tok``); spans are made in place
    with the block's anchor (a helper method per span cost a call each: ~410k spans in a
    100k-line schema)."""

    source: SourceFile
    anchor: Anchor  # the block's: its spans move with it (the block is moved, not copied, when reused)

    # -- blocks ------------------------------------------------------------------------------
    @only_child
    def start(self, c):
        return c[0]

    def model(self, c):
        kw, name, close = c[0], c[1], c[-1]
        A = self.anchor
        block = Block(
            kw[1],
            name[1],
            Span(A, name[2], name[3]),
            Span(A, kw[2], close[3]),
            [],
            [],
            [],
            [],
            None,
            Span(A, kw[2], kw[3]),
            Span(A, close[2], close[3]),
        )
        fields = block.fields
        attributes = block.attributes
        for item in c[3:-1]:
            if type(item) is Field:
                fields.append(item)
            else:
                attributes.append(item)
        return block

    def enum(self, c):
        kw, name, close = c[0], c[1], c[-1]
        A = self.anchor
        block = Block(
            kind="enum",
            name=name[1],
            name_span=Span(A, name[2], name[3]),
            span=Span(A, kw[2], close[3]),
            keyword_span=Span(A, kw[2], kw[3]),
            close_span=Span(A, close[2], close[3]),
        )
        for item in c[3:-1]:
            if type(item) is EnumValue:
                block.values.append(item)
            else:
                block.attributes.append(item)
        return block

    def config(self, c):
        kw, name, close = c[0], c[1], c[-1]
        A = self.anchor
        return Block(
            kind=kw[1],
            name=name[1],
            name_span=Span(A, name[2], name[3]),
            span=Span(A, kw[2], close[3]),
            properties=c[3:-1],
            keyword_span=Span(A, kw[2], kw[3]),
            close_span=Span(A, close[2], close[3]),
        )

    def type_alias(self, c):
        kw, name, base = c[0], c[1], c[3]
        end = c[-1].span.end if len(c) > 4 else base.span.end
        A = self.anchor
        return Block(
            kind="type-alias",
            name=name[1],
            name_span=Span(A, name[2], name[3]),
            span=Span(A, kw[2], end),
            attributes=c[4:],
            keyword_span=Span(A, kw[2], kw[3]),
        )

    def property(self, c):
        key, value = c[0], c[2]
        A = self.anchor
        return Property(key[1], Span(A, key[2], key[3]), value, Span(A, key[2], value.span.end))

    # -- fields --------------------------------------------------------------------------------
    def field(self, c):
        name = c[0]
        colon = None
        ftype = None
        i = 1
        n = len(c)
        if i < n and type(c[i]) is Span:
            colon = c[i]
            i += 1
        if i < n and type(c[i]) is FieldType:
            ftype = c[i]
            i += 1
        attributes = c[i:]
        end = attributes[-1].span.end if attributes else (ftype.span.end if ftype else name[3])
        A = self.anchor
        # positional: a keyword call costs more, and this runs once per field
        return Field(name[1], Span(A, name[2], name[3]), ftype, attributes, Span(A, name[2], end), None, colon)

    def legacy_colon(self, c):
        tok = c[0]
        return Span(self.anchor, tok[2], tok[3])

    def base_type(self, c):
        tok = c[0]
        return FieldType(tok[1], Span(self.anchor, tok[2], tok[3]), False, False, None, None)

    def unsupported_type(self, c):
        name, string, close = c[0], c[2], c[3]
        return FieldType(
            name[1],
            Span(self.anchor, name[2], close[3]),
            unsupported=_unescape(string[1]),
        )

    @only_child
    def plain_type(self, c):
        return c[0]

    def optional_type(self, c):
        t = c[0]
        t.optional = True
        t.span = Span(self.anchor, t.span.start, c[1][3])
        return t

    def list_type(self, c):
        t = c[0]
        t.list = True
        t.span = Span(self.anchor, t.span.start, c[2][3])
        return t

    def legacy_optional_list_type(self, c):
        t = c[0]
        t.list = True
        t.optional = True
        t.legacy = "optional-list"
        t.span = Span(self.anchor, t.span.start, c[3][3])
        return t

    def legacy_required_type(self, c):
        t = c[0]
        t.legacy = "required"
        t.span = Span(self.anchor, t.span.start, c[1][3])
        return t

    def legacy_list_type(self, c):
        t = c[1]
        t.list = True
        t.legacy = "list"
        t.span = Span(self.anchor, c[0][2], c[2][3])
        return t

    # -- enums ---------------------------------------------------------------------------------
    def enum_value(self, c):
        name = c[0]
        attributes = c[1:]
        end = attributes[-1].span.end if attributes else name[3]
        A = self.anchor
        return EnumValue(name[1], Span(A, name[2], name[3]), attributes, Span(A, name[2], end), None)

    # -- attributes ----------------------------------------------------------------------------
    def field_attribute(self, c):
        at = c[0]
        name = at[1].lstrip("@")
        if len(c) > 1:
            args, end = c[1]
            A = self.anchor
            return Attribute(name, args, Span(A, at[2], end), Span(A, at[2], at[3]), True)
        span = Span(self.anchor, at[2], at[3])
        return Attribute(name, [], span, span, False)

    block_attribute = field_attribute

    def arguments(self, c):
        return c[1:-1], c[-1][3]

    def positional_argument(self, c):
        value = c[0]
        return Argument(None, value, value.span)

    def named_argument(self, c):
        name, value = c[0], c[2]
        return Argument(name[1], value, Span(self.anchor, name[2], value.span.end))

    def empty_argument(self, c):
        name, colon = c[0], c[1]
        return Argument(name[1], None, Span(self.anchor, name[2], colon[3]))

    # -- expressions ---------------------------------------------------------------------------
    def string(self, c):
        tok = c[0]
        return StringLit(_unescape(tok[1]), Span(self.anchor, tok[2], tok[3]))

    def number(self, c):
        tok = c[0]
        return NumberLit(tok[1], Span(self.anchor, tok[2], tok[3]))

    def name(self, c):
        tok = c[0]
        return Name(tok[1], Span(self.anchor, tok[2], tok[3]))

    def call(self, c):
        name = c[0]
        args, end = c[1]
        A = self.anchor
        return Call(name[1], args, Span(A, name[2], end), Span(A, name[2], name[3]))

    def array(self, c):
        return ArrayLit(c[1:-1], Span(self.anchor, c[0][2], c[-1][3]))

    def object(self, c):
        return ObjectLit(c[1:-1], Span(self.anchor, c[0][2], c[-1][3]))

    def entry(self, c):
        key = c[0]
        k = _unescape(key[1]) if key[0] == "STRING" else key[1]
        return (k, c[2])


def _unescape(raw: str) -> str:
    """The value of a JSON-style string token (quotes included)."""
    if "\\" not in raw:
        return raw[1:-1]
    import json  # here: few strings have escapes

    try:
        value = json.loads(raw)
    except ValueError:  # an escape JSON does not know: keep the text as written
        return raw[1:-1]
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (`"\ud800"`): no character; U+FFFD stands in
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


class PrismaParser:
    """The LALR parser for ``grammars/prisma.lark`` with the AST builder plugged in.

    ``engine="lark"`` parses with Lark's own runtime instead (the tests compare the two).
    """

    def __init__(self, engine: str = "tables") -> None:
        self._builder = _Builder()
        self._parser: Any
        # from this many characters of text, the commonest blocks are read straight from it
        # (fastpath.py); None: never (Lark's runtime is the reference the tests compare with)
        self.fast_from: Optional[int] = FAST_PATH_FROM if engine == "tables" else None
        self.blocks_parsed = 0  # how many top-level blocks this parser has parsed (tests count them)
        self.chars_lexed = 0  # how many characters its incremental parses lexed (tests count them)
        self.lines_parsed = 0  # how many declaration lines of edited blocks it parsed (the others were copied)
        with open(resource_path("grammars", "prisma.lark"), encoding="utf-8") as f:
            grammar = f.read()
        if engine == "lark":
            from .grammar_tables import LarkReference

            self._parser = LarkReference(grammar, self._builder)
            return
        tables = load_tables(stored_tables(), grammar)
        if tables is None:  # the grammar was edited since the tables were written: ask Lark now
            from .grammar_tables import compile_tables

            tables = compile_tables(grammar)
        self._parser = LalrParser(tables, self._builder)

    def parse(self, source: SourceFile, previous: Optional[SchemaFile] = None, move: bool = False) -> SchemaFile:
        """Parse ``source``. With ``previous`` (the same file parsed before an edit), only the
        top-level blocks the edit touched are lexed and parsed again; the others are reused:
        copied with their spans moved to the new text, or with ``move`` (the caller gives
        ``previous`` up, as the language server does after each change) the blocks themselves,
        their anchors moved (``previous`` then no longer reads right)."""
        if previous is not None:
            if previous.source.text == source.text and previous.source.path == source.path:
                previous.fresh, previous.same_names, previous.places_kept = [], True, True  # (nothing lexed: every block the last parse's)
                return previous
            from .incremental import parse_changed_blocks

            reused = parse_changed_blocks(self, source, previous, move)
            if reused is not None:
                return reused
        lexed = LexResult()
        diagnostics: list[Diagnostic] = []
        blocks: list[Block] = []
        self._builder.source = source
        raw_comments = lexed.comments
        comments: list[Comment] = []
        docs: dict[int, Comment] = {}  # the `///` lines so far (not trailing), by line
        doc_lines: list[int] = []  # their lines, in order
        line_starts = source.line_starts
        # block by block: only one block's tokens exist at a time (a 10 MB schema: 722 -> 559 MB
        # peak RSS to load, against every token lexed first); and each block gets its docs
        # at once, from the comments lexed up to its end, while its nodes are in the CPU's
        # cache (a pass over every block and field after the parse: ~55 ms of a 100k-line one)
        fast = None
        if self.fast_from is not None and len(source.text) >= self.fast_from:
            from . import fastpath

            fast = partial(fastpath.parse_block, source)
        for raw in lex_blocks(source.text, lexed, fast=fast):
            if raw.built is not None:
                self.blocks_parsed += 1
                block = raw.built
            else:
                block = self._parse_block(source, raw, diagnostics)
            for c in raw_comments[len(comments) :]:
                comment = comment_of(source, c)
                comments.append(comment)
                if comment.doc and not c.trailing:
                    line = bisect_right(line_starts, c.start)
                    docs[line] = comment
                    doc_lines.append(line)
            if block is not None:
                blocks.append(block)
                if doc_lines:
                    _attach_block_docs(block, docs, doc_lines, line_starts)
        comments += [comment_of(source, c) for c in raw_comments[len(comments) :]]
        _report_stray(source, lexed.stray, diagnostics)
        diagnostics.sort(key=lambda d: d.span.start if d.span else 0)
        return SchemaFile(source, blocks, comments, diagnostics)

    def _parse_block(self, source: SourceFile, raw: RawBlock, diagnostics: list[Diagnostic]) -> Optional[Block]:
        self.blocks_parsed += 1
        tokens = raw.tokens
        self._builder.anchor = Anchor(source)
        opened = any(t[0] == "LBRACE" for t in tokens[:3])
        if opened and (raw.unclosed or tokens[-1][0] != "RBRACE"):
            # the block never closed: say so where it should have, then parse it as if it had
            last = next(t for t in reversed(tokens) if t[0] != "_NL")
            diagnostics.append(
                Diagnostic(
                    f"expected `}}` to close {tokens[0][1]} "
                    f"{tokens[1][1] if len(tokens) > 1 else ''}".rstrip(),
                    Span(source, last[3], last[3]),
                )
            )
            tokens = tokens + [("RBRACE", "}", last[3], last[3])]
        parse = self._parser.parse
        for _ in range(_MAX_RECOVERIES):
            try:
                return parse(tokens)
            except ParseError as e:
                token = e.token
                diagnostics.append(_syntax_error(source, token, e.expected, tokens))
                tokens = _drop_line(tokens, token)
                if tokens is None:
                    return None
        return None


def comment_of(source: SourceFile, raw: RawComment) -> Comment:
    """The AST comment of a lexed one: its text without the slashes, `///` marking a doc."""
    text = raw.text
    doc = text.startswith("///")
    if doc:
        body = text[3:].strip()
    elif text.startswith("//"):
        body = text[2:].strip()
    else:
        body = text
    return Comment(body, Span(source, raw.start, raw.end), doc, raw.trailing)


def _describe(token: Optional[Token]) -> str:
    if token is None or token[0] == "$END":
        return "the end of the declaration"
    kind, value = token[0], token[1]
    if kind == "_NL":
        return "the end of the line"
    if kind == "BAD":
        return repr(value[:1])
    if kind == "STRING":
        value = value if len(value) <= 40 else value[:37] + '..."'
        return f"string {value}"
    return f"`{value}`"


def _syntax_error(source: SourceFile, token: Optional[Token], expected, tokens: list[Token]) -> Diagnostic:
    if token is None or token[0] == "$END":
        last = tokens[-1]
        span = Span(source, last[3], last[3])
    else:
        span = Span(source, token[2], token[3])
    if token is not None and token[0] == "DEEP":
        return Diagnostic(
            f"nested too deeply: more than {MAX_NESTING} levels of `(`, `[` and `{{` in one declaration", span
        )
    if token is not None and token[0] == "BAD":
        value = token[1]
        if value.startswith('"'):
            return Diagnostic("unterminated string: expected a closing `\"` on the same line", span)
        if value.startswith("/*"):
            return Diagnostic("unterminated block comment: expected `*/`", span)
        if value.startswith("@"):
            return Diagnostic(f"expected an attribute name after `{value}`", span)
        return Diagnostic(f"unexpected character {value!r}", span)
    names = sorted({_TOKEN_NAMES.get(t, t) for t in expected})
    if len(names) > 1:
        wanted = ", ".join(names[:-1]) + " or " + names[-1]
    elif names:
        wanted = names[0]
    else:
        wanted = "something else"
    return Diagnostic(f"expected {wanted}, found {_describe(token)}", span)


def _drop_line(tokens: list[Token], token: Optional[Token]) -> Optional[list[Token]]:
    """``tokens`` without the declaration line that holds ``token`` (None: give the block up).

    The header line (up to the first line break after ``{``) and the closing brace cannot be
    dropped: an error there drops the block.
    """
    if token is None or token[0] == "$END":
        return None
    try:
        i = next(k for k, t in enumerate(tokens) if t is token)
    except StopIteration:
        return None
    first_nl = next((k for k, t in enumerate(tokens) if t[0] == "_NL"), None)
    if first_nl is None or i <= first_nl or i == len(tokens) - 1:
        return None
    if token[0] == "_NL":
        i -= 1  # the line that ended too early
    lo = i
    while tokens[lo - 1][0] != "_NL":
        lo -= 1
    hi = i
    while hi < len(tokens) - 1 and tokens[hi][0] != "_NL":
        hi += 1
    # keep one line break between the neighbours; never drop the closing brace
    if tokens[hi][0] == "_NL":
        return tokens[:lo] + tokens[hi + 1 :]
    return tokens[:lo] + tokens[hi:]


def _report_stray(source: SourceFile, stray: list[tuple[Token, int]], diagnostics: list[Diagnostic]) -> None:
    """Text outside any block: one diagnostic for each run of it between two blocks."""
    runs: dict[int, list[Token]] = {}
    for tok, blocks_before in stray:
        runs.setdefault(blocks_before, []).append(tok)
    for toks in runs.values():
        tok = toks[0]
        lines = {source.line_of(t[2]) for t in toks}
        more = f" (and {len(lines) - 1} more line{'s' if len(lines) > 2 else ''} of it)" if len(lines) > 1 else ""
        if tok[0] == "BAD":
            d = _syntax_error(source, tok, (), [tok])
            d.message += more
        else:
            d = Diagnostic(
                "expected a block (`model`, `enum`, `view`, `type`, `datasource` or `generator`), "
                f"found {_describe(tok)}{more}",
                Span(source, tok[2], tok[3]),
            )
        diagnostics.append(d)


def _attach_docs(source: SourceFile, blocks: list[Block], comments: list[Comment]) -> None:
    """Give each block, field and enum value the ``///`` lines directly above it."""
    docs = {source.line_of(c.span.start): c for c in comments if c.doc and not c.trailing}
    line_starts = source.line_starts
    doc_lines = sorted(docs)
    for block in blocks:
        # cleared first: a reused block may carry docs whose `///` lines went
        block.doc = None
        for f in block.fields:
            f.doc = None
        for v in block.values:
            v.doc = None
        _attach_block_docs(block, docs, doc_lines, line_starts)


def _attach_block_docs(block: Block, docs: dict[int, Comment], doc_lines: list[int], line_starts: list[int]) -> None:
    """Give a block whose docs (and its members') are None the ``///`` lines directly above
    it and them: ``docs`` by line, their lines sorted in ``doc_lines`` (every one up to the
    block's end; the whole-file parse calls it as soon as the block is parsed)."""
    start = block.span.start
    above = bisect_right(line_starts, start) - 1
    k = bisect_left(doc_lines, above)
    if k == len(doc_lines) or doc_lines[k] > bisect_right(line_starts, block.span.end):
        # no `///` line from the one above the block to its last: nothing to look up for its
        # members (most blocks; a 100k-line schema: ~70k lookups, ~5% of its parse)
        return

    def doc_for(start: int) -> Optional[str]:
        line = bisect_right(line_starts, start) - 1  # the line above ``start``'s
        if line not in docs:  # most members have none: no list, no join
            return None
        lines = []
        while line in docs:
            lines.append(docs[line].text)
            line -= 1
        return "\n".join(reversed(lines))

    block.doc = doc_for(start)
    if doc_lines[k] == above:
        # the block's own doc: its members need a `///` line inside the block, unless the first
        # one is on the block's first line (`enum E { A`: the doc above is A's too)
        k += 1
        first = block.fields[0] if block.fields else block.values[0] if block.values else None
        if (k == len(doc_lines) or doc_lines[k] > bisect_right(line_starts, block.span.end)) and (
            first is None or bisect_right(line_starts, first.span.start) - 1 > above
        ):
            return  # (a 100k-line schema whose models all have docs: 24k lookups, ~2% of its parse)
    for f in block.fields:
        f.doc = doc_for(f.span.start)
    for v in block.values:
        v.doc = doc_for(v.span.start)


@lru_cache(maxsize=1)
def get_parser() -> PrismaParser:
    return PrismaParser()


def parse_source(source: SourceFile) -> SchemaFile:
    return get_parser().parse(source)


def parse_text(text: str, path: str = "schema.prisma") -> SchemaFile:
    return parse_source(SourceFile(path, text))
