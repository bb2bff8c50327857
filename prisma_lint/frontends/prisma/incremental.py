"""The incremental parse: a file parsed again after an edit, reusing the top-level blocks (and,
in an edited block, the lines) the edit did not touch, moved or copied to the new text.

A language-server keystroke and each fix round (``check --fix``, ``migrate``) go through
here; a plain check parses the whole file (``parser.PrismaParser.parse``) and never imports
this module. ``tests/test_incremental_parse.py`` holds it to a whole parse.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any, Optional, cast

from ... import records
from ...source import BOM, Anchor, SourceFile, Span
from .lalr import ParseError
from .lexer import BLOCK_KEYWORDS, LexResult, Token, lex_blocks
from .parser import _attach_docs, comment_of
from .syntax import Block, Comment, Diagnostic, SchemaFile

if TYPE_CHECKING:
    from .parser import PrismaParser


# the blocks whose lines are declarations (fields, enum values, attributes), patched line by line
_PATCHABLE = ("model", "view", "type", "enum")


def _members(block: Block) -> list[Any]:
    """A block's declarations, one per line."""
    return [*block.fields, *block.values, *block.attributes]


def parse_changed_blocks(parser: "PrismaParser", source: SourceFile, previous: SchemaFile, move: bool) -> Optional[SchemaFile]:
    """The incremental parse, or None when it cannot be sure to give what a whole parse
    gives (either version has a diagnostic, an edited block is left open or is not closed
    by `}`, or text is left outside the blocks).

    The old file is a row of segments: each block with the gap above it (blank lines,
    comments: its `///` lines), and the tail after the last block. The new text is walked
    from the top: where an old segment's text comes next, unchanged, its block is reused
    (moved or copied: lexing it again gives the same tokens, as every segment starts just
    after a `}`, in the state the lexer is in there); elsewhere one block is lexed and
    parsed, and the walk tries the next segments again after it. So edits spread over the
    file (a fix round: 52 new lines in 34 of cal.com's 112 blocks) lex only the blocks they
    are in, not everything from the first edit to the last (issue #10)."""
    blocks = previous.blocks
    if previous.diagnostics or not blocks or previous.given_up:
        return None
    old_src = previous.source
    old, new = old_src.text, source.text
    ends = previous.ends
    if ends is None:  # (a whole parse's: the later ones carry them, see the end)
        if any(b.span.anchor.file is not old_src or b.close_span is None for b in blocks):
            return None  # given up (moved into a later parse), or a `type A = B` (no `}` to start after)
        ends = [b.span.end for b in blocks]
    nb, n_new, n_old = len(blocks), len(new), len(old)
    gaps = [0, *ends[:-1]]  # where each segment starts
    old_comments = previous.comments
    comment_starts = previous.comment_starts
    if comment_starts is None:
        comment_starts = [c.span.start for c in old_comments]
    breaks = previous.breaks
    if breaks is None:
        breaks = _breaks(old, blocks, ends)
    tail_at = ends[-1]  # after the last block: blanks and comments
    edited = source.edited_from
    start, old_end, new_end = edited[1] if edited is not None and edited[0] is old else changed_range(old, new)
    delta = new_end - old_end
    diagnostics: list[Diagnostic] = []
    parser._builder.source = source
    out: list[Block] = []
    fresh: list[Block] = []  # blocks lexed here (parsed, or reused by text): their docs are set again
    comments: list[Comment] = []
    moves: list[tuple[Block, int]] = []  # (a reused block, how far it moves), in `move` mode
    move_runs: list[tuple[int, int, int]] = []  # (first, end, how far): old blocks that move, in `move` mode
    kept: list[tuple[int, int]] = []  # (first, end): the old blocks in the new text, in order
    # whether old blocks were reused below the change, and whether one may be at another line or
    # column for another reason (see SchemaFile.places_kept)
    places = {"below": False, "unsure": False}
    lexed_chars = 0
    p = k = low = 0  # where the walk is in the new text; the old segment expected there; the first not reused

    comment_moves: list[tuple[Anchor, int]] = []  # (a reused comment's own anchor, how far it moves), in `move` mode
    new_ends: list[int] = []  # where each block of ``out`` ends in the new text
    new_breaks: list[bool] = []  # whether a line break is above each block of ``out`` (see _breaks)
    fresh_at: list[int] = []  # where the blocks lexed here are in ``out``
    new_comment_starts: list[int] = []  # where each comment of ``comments`` starts in it

    def carry(lo: int, hi: int, d: int) -> list[Comment]:
        """Old comments ``lo`` to ``hi`` in the new text, ``d`` further: copied, or in ``move``
        mode the comments themselves once they have an anchor of their own (a copy's), moved
        with the blocks (a copy each took ~1 ms of a change on the 7,600-line schema's ~400
        comments)."""
        old_ones = old_comments[lo:hi]
        new_comment_starts.extend(comment_starts[lo:hi] if d == 0 else [c + d for c in comment_starts[lo:hi]])
        if not move:
            return [relocate(c, source, d) for c in old_ones]
        out = []
        for c in old_ones:
            a = c.span._anchor
            if type(a) is Anchor:
                comment_moves.append((a, d))
                out.append(c)
            else:  # lexed at the last parse (absolute): copied once, with an anchor of its own
                out.append(relocate(c, source, d))
        return out

    def lexed_comments(new_ones: list[Comment]) -> list[Comment]:
        new_comment_starts.extend(c.span.start for c in new_ones)
        return new_ones

    def reuse(a: int, b: int, d: int) -> None:
        """Old segments ``a`` to ``b`` are in the new text, ``d`` further."""
        kept.append((a, b))
        if move:
            move_runs.append((a, b, d))
            out.extend(blocks[a:b])
        else:
            out.extend(relocate(x, source, d) for x in blocks[a:b])
        new_ends.extend(ends[a:b] if d == 0 else [e + d for e in ends[a:b]])
        new_breaks.extend([True] * (b - a))  # (reused only with one, or as the first)

    def add_fresh(block: Block, stop: int) -> None:
        """A block lexed here, ending at ``stop`` (its line break above: once it has moved)."""
        fresh_at.append(len(out))
        new_breaks.append(True)
        out.append(block)
        new_ends.append(stop)
        fresh.append(block)

    def run_end(a: int, b: int) -> int:
        """The first segment from ``a`` (to ``b``) without a line break above its block."""
        try:
            return breaks.index(False, a, b)
        except ValueError:
            return b

    def window(k: int, low: int) -> range:
        """The old segments that may come next: the expected one, the one before it (a block
        was inserted) and two after it (blocks were deleted); never one already reused."""
        return range(max(low, k - 1), min(k + 3, nb))

    def segment_at(p: int, k: int, low: int) -> int:
        """The first old segment of the window whose text comes next at ``p`` (-1: none).
        A segment without a line break above its block is not reused: the `///` lines of
        its block could be in the block above it."""
        for j in window(k, low):
            g, e = gaps[j], ends[j]
            if breaks[j] and (p == 0) == (g == 0) and new.startswith(old[g:e], p):
                return j
        return -1

    # The segments wholly above the change come first, unchanged, and the walk would reuse each
    # in turn (the expected one is the first it tries): they are reused without comparing their
    # text, and so are the ones below the change once the walk meets one there moved by the
    # change's length (comparing every block's text touched all of it, old and new, at each
    # change, and the walk over 621 segments took ~2.5 ms of a change, CPU after a pause, on the
    # 7,600-line schema).
    k = run_end(0, bisect_right(ends, start))
    reuse(0, k, 0)
    if k:
        hi = bisect_left(comment_starts, ends[k - 1])
        comments += carry(0, hi, 0)
        p, low = ends[k - 1], k

    while True:
        j = segment_at(p, k, low)
        if j >= 0:
            g = gaps[j]
            d = p - g
            below = d == delta and g >= old_end
            if not (d == 0 and ends[j] <= start):
                places["below"] |= below
                places["unsure"] |= not below
            k = run_end(j + 1, nb) if below else j + 1  # below the change: the rest follows
            reuse(j, k, d)
            p = ends[k - 1] + d
            comments += carry(bisect_left(comment_starts, g), bisect_left(comment_starts, ends[k - 1]), d)
            low = k
            continue
        if n_new - p == n_old - tail_at and ((p - tail_at == delta and tail_at >= old_end) or new.startswith(old[tail_at:], p)):
            comments += carry(bisect_left(comment_starts, tail_at), len(old_comments), p - tail_at)  # the tail, unchanged
            break
        if low <= k < nb:
            tail_of = _edited_tail(parser, source, previous, p, k, gaps[k], comment_starts, moves if move else None)
            if tail_of is not None:  # the block's lines above the first change copied, the rest lexed
                block, stop, from_line, lexed_in = tail_of
                comments += carry(bisect_left(comment_starts, gaps[k]), bisect_left(comment_starts, from_line), p - gaps[k])
                comments += lexed_comments(lexed_in)
                lexed_chars += stop - (from_line + p - gaps[k])
                p = stop
                add_fresh(block, stop)
                k = low = k + 1  # (moved: its anchor is the new block's)
                continue
        lexed = LexResult()
        raw = next(lex_blocks(new, lexed, p, n_new), None)
        if lexed.stray:
            return None
        comments += lexed_comments([comment_of(source, c) for c in lexed.comments])
        if raw is None:  # only comments and blanks up to the end
            lexed_chars += n_new - p
            break
        if raw.unclosed or raw.tokens[-1][0] != "RBRACE":
            return None
        at, stop = raw.tokens[0][2], raw.tokens[-1][3]
        lexed_chars += stop - p
        p = stop
        text = new[at:stop]
        j = next((j for j in window(k, low) if blocks[j].span.text == text), -1)
        if j >= 0:  # only the gap above it changed (a `///` line)
            same = blocks[j]
            k, low = j, j + 1
            kept.append((j, j + 1))
            places["unsure"] |= old_src.position(same.span.start) != source.position(at)
            if move:
                moves.append((same, at - same.span.start))
                block = same
            else:
                block = relocate(same, source, at - same.span.start)
        else:
            tokens = raw.tokens
            parsed = None
            if low <= k < nb and len(tokens) > 4 and tokens[2][0] == "LBRACE" and tokens[3][0] == "_NL":
                parsed = _patch_block(parser, source, tokens[:4], tokens[4:], blocks[k], [], Anchor(source))
            if parsed is None:
                parsed = parser._parse_block(source, raw, diagnostics)
            if parsed is None or diagnostics:
                return None
            block = parsed
        add_fresh(block, stop)
        k += 1  # the edited block stood for the old one here (else the window finds its place again)
    parser.chars_lexed += lexed_chars
    if move:  # nothing can fail from here: the previous file is given up only now
        for a, b, d in move_runs:
            for x in blocks[a:b]:
                anchor = cast(Anchor, x.span._anchor)  # every span of a parsed block has its block's
                anchor.file = source
                if d:
                    anchor.base += d
        for x, d in moves:
            anchor = cast(Anchor, x.span.anchor)
            anchor.file = source
            anchor.base += d
        for anchor, d in comment_moves:
            anchor.file = source
            anchor.base += d
        previous.given_up = True
    if fresh:  # (also clears the docs of a reused block whose `///` went)
        # only the comments from the end of the block above each lexed block to its own end can
        # be its docs or its members' (a `///` line after a `}` is a trailing comment): not a
        # pass over every comment of the file (~400 on the 7,600-line schema) at each change
        near: list[Comment] = []
        for i in fresh_at:
            lo = bisect_left(new_comment_starts, new_ends[i - 1] if i else 0)
            near += comments[lo : bisect_left(new_comment_starts, new_ends[i])]
        _attach_docs(source, fresh, near)
    source.edited_from = None  # (the old text is not kept alive by it)
    result = SchemaFile(source, out, comments, [])
    result.ends, result.comment_starts, result.fresh = new_ends, new_comment_starts, fresh
    for i in fresh_at:
        if i:
            new_breaks[i] = _has_break(new, new_ends[i - 1], out[i].span.start)
    result.breaks = new_breaks
    result.same_names = _same_names(blocks, out, kept, fresh_at)
    result.places_kept = not places["unsure"] and (not places["below"] or len(source.line_starts) == len(old_src.line_starts))
    return result


def _same_names(old: list[Block], new: list[Block], kept: list[tuple[int, int]], fresh_at: list[int]) -> bool:
    """Whether the blocks' kinds and names, in order, are the old ones: each old block not kept
    (``kept``: the runs of old blocks in the new text) has a new one of its kind and name in
    its place (the model builder then knows no model or enum was declared, renamed, deleted or
    moved: model/builder.py)."""
    if len(old) != len(new):
        return False
    gone: list[int] = []
    at = 0
    for a, b in kept:
        gone += range(at, a)
        at = b
    gone += range(at, len(old))
    made = [i for i in fresh_at if new[i] is not old[i]]  # (a kept block lexed again: only its gap changed)
    return gone == made and all(old[i].kind == new[i].kind and old[i].name == new[i].name for i in gone)


def _breaks(text: str, blocks: list[Block], ends: list[int]) -> list[bool]:
    """For each block, whether a line break is between the end of the block above and its own
    start (the first block: True). A block without one is not reused (its `///` lines could be
    in the block above it); the incremental parse carries these to the next one."""
    return [True] + [_has_break(text, ends[i - 1], blocks[i].span.start) for i in range(1, len(blocks))]


def _has_break(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` has a line break (without slicing it)."""
    return text.find("\n", start, end) >= 0 or text.find("\r", start, end) >= 0


def _edited_tail(
    parser: "PrismaParser",
    source: SourceFile,
    previous: SchemaFile,
    p: int,
    k: int,
    g: int,
    comment_starts: list[int],
    moves: Optional[list[tuple[Block, int]]],
) -> Optional[tuple[Block, int, int, list[Comment]]]:
    """Old block ``k`` (its segment starting at ``g``) edited below its first line, the new
    text of its segment starting at ``p``: the new block, where it ends, the old line from
    which it was lexed, and the comments lexed. The lines above the first change are the
    old block's (copied), and only the rest is lexed: from the start of a line in a block
    the lexer is in the same state wherever it starts (in the block, at depth 1, at a line
    start), unless a block comment goes on over the line break. None: lex the whole block.

    ``moves``: the walk's list of blocks to move (``move`` mode): the lines above the change
    are then the old block's members themselves, under its anchor (moved with the others
    once nothing can fail), not copies (cal.com's fix round: ~750 members not copied)."""
    old_src, new = previous.source, source.text
    old_block = previous.blocks[k]
    if old_block.kind not in _PATCHABLE or old_block.close_span is None:
        return None
    old = old_src.text
    e = old_block.span.end
    # the length of the common prefix of the old segment and the new text from `p` (by halving)
    lo, hi = 0, min(e - g, len(new) - p)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if new.startswith(old[g : g + mid], p):
            lo = mid
        else:
            hi = mid - 1
    line = old_src.line_of(g + lo)
    if line <= old_src.line_of(old_block.name_span.end):  # the change is in the header or above
        return None
    from_line = old_src.line_starts[line - 1]
    c = bisect_left(comment_starts, from_line)
    if c and previous.comments[c - 1].span.end > from_line:  # a block comment over the line break
        return None
    d = p - g
    lexed = LexResult()
    raw = next(lex_blocks(new, lexed, from_line + d, len(new), inside=True), None)
    if raw is None or raw.unclosed or raw.tokens[-1][0] != "RBRACE" or lexed.stray:
        return None
    kw, name = old_block.keyword_span, old_block.name_span
    if kw is None:
        return None
    head = [
        (BLOCK_KEYWORDS[old_block.kind], old_block.kind, kw.start + d, kw.end + d),
        ("IDENT", old_block.name, name.start + d, name.end + d),
        ("LBRACE", "{", name.end + d, name.end + d),
        ("_NL", "\n", name.end + d, name.end + d),
    ]
    old_members = _members(old_block)
    if moves is not None:
        anchor = cast(Anchor, old_block.span.anchor)
        shift = anchor.base + d  # the anchor's base once moved: the new spans' offsets are relative to it
        kept = [m for m in old_members if m.span.start < from_line]
    else:
        anchor, shift = Anchor(source), 0
        kept = [_copy(m, anchor, m.span._anchor.base + d) for m in old_members if m.span.start < from_line]
    block = _patch_block(parser, source, head, raw.tokens[1:], old_block, kept, anchor, from_line, shift)
    if block is None:
        return None
    if moves is not None:
        moves.append((old_block, d))  # its anchor, which the new block's spans now have too
    comments = [comment_of(source, c) for c in lexed.comments]
    return block, raw.tokens[-1][3], from_line, comments


def _patch_block(
    parser: "PrismaParser", source: SourceFile, head: list[Token], body: list[Token], old: Block, kept: list, anchor: Anchor, after: int = 0, shift: int = 0
) -> Optional[Block]:
    """The block of ``head`` (its keyword, name, `{` and line break) and ``body`` (the tokens
    of its lines below, to its `}`), made from ``old`` (the block it replaces, of the same
    kind and name) and ``kept`` (members already copied, with ``anchor``): the lines of
    ``body`` whose text is a member of ``old`` (one starting at ``after`` or later) are
    copied from it, and only the others are parsed (together, in one block of their own).
    None when the block must be parsed whole (another header, a member on the closing
    brace's line, a line that does not parse). A declaration is one line and parses alone
    as in its block, so a fix that adds an `@@index` line to a 60-line model parses one
    line, not sixty (cal.com: 34 blocks of 112 changed by a fix round). ``shift``: the
    base ``anchor`` will have (the new spans' offsets are relative to it)."""
    if old.kind not in _PATCHABLE or head[0][1] != old.kind or head[1][1] != old.name:
        return None
    if len(body) < 2 or body[-2][0] != "_NL" or body[-1][0] != "RBRACE":
        return None
    old_text = old.span.file.text
    by_text: dict[str, list] = {}
    old_members = _members(old)
    for m in old_members:
        if m.span.start >= after:
            by_text.setdefault(old_text[m.span.start : m.span.end], []).append(m)
    text = source.text
    members = kept
    todo: list[Token] = []  # the tokens of the lines to parse, each line ending with its `_NL`
    start = 0
    for i in range(len(body) - 1):
        if body[i][0] != "_NL":
            continue
        if i == start:  # (the block's first line break)
            start = i + 1
            continue
        first, last = body[start], body[i - 1]
        same = by_text.get(text[first[2] : last[3]])
        if same:
            m = same.pop(0)
            members.append(_copy(m, anchor, m.span._anchor.base + first[2] - m.span.start - shift))
        else:
            todo += body[start : i + 1]
        start = i + 1
    parser.blocks_parsed += 1
    parser.lines_parsed += sum(1 for t in todo if t[0] == "_NL")
    parser._builder.anchor = anchor
    tokens = head + todo + body[-1:]
    if shift:
        tokens = [(t[0], t[1], t[2] - shift, t[3] - shift) for t in tokens]
    # the builder reads its nodes' spans back (a field's span ends where its type's does):
    # right only with the anchor's base 0 while it builds (the offsets it writes are final)
    base, anchor.base = anchor.base, 0
    try:
        if todo:
            try:
                parsed = parser._parser.parse(tokens)
            except ParseError:
                return None
            members += _members(parsed)
            members.sort(key=lambda m: m.span._start)
        build = parser._builder.enum if old.kind == "enum" else parser._builder.model
        return build([tokens[0], tokens[1], tokens[2], *members, tokens[-1]])
    finally:
        anchor.base = base


def changed_range(old: str, new: str) -> tuple[int, int, int]:
    """Where two texts differ: ``(start, end in old, end in new)`` around the changed middle
    (the longest common prefix, then the longest common suffix of what is left)."""
    limit = min(len(old), len(new))
    prefix = _common(old, new, limit, False)
    suffix = _common(old, new, limit - prefix, True)
    return prefix, len(old) - suffix, len(new) - suffix


def _common(a: str, b: str, limit: int, from_end: bool) -> int:
    """The length (at most ``limit``) of the longest common prefix of ``a`` and ``b``, or with
    ``from_end`` of their longest common suffix: compared 4,096 characters at a time (slices
    compare in C), then by halving in the first chunk that differs. Halving over the whole text
    copied it ~18 times: 1.3 ms for a change on the first line of the 7,600-line schema, now
    ~0.1 ms."""
    na, nb = len(a), len(b)

    def same(i: int, j: int) -> bool:  # the characters i..j from the start (or the end) alike
        if from_end:
            return a[na - j : na - i] == b[nb - j : nb - i]
        return a[i:j] == b[i:j]

    i = 0
    while i < limit:
        j = min(i + 4096, limit)
        if not same(i, j):
            break
        i = j
    else:
        return limit
    lo, hi = i, j  # alike up to lo; not up to hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if same(lo, mid):
            lo = mid
        else:
            hi = mid
    return lo


def edited_source(old: SourceFile, path: str, text: str, hint: Optional[tuple] = None) -> SourceFile:
    """``text``, an edit of ``old``'s, as a SourceFile: its line index worked out from ``old``'s
    (:func:`edited_line_starts`), and where the texts differ kept on it (``edited_from``: the old
    text and :func:`changed_range`) for the parse, which then finds the changed blocks by
    bisection instead of comparing every block's text (:func:`parse_changed_blocks`). ``hint``:
    (a text, where ``text`` differs from it), from the language server's changes: used when the
    text is ``old``'s (the same string), instead of comparing the two texts (~0.4 MB of memory
    read at each change on the 7,600-line schema, slow after an idle moment on this VM)."""
    changed = None
    if not (old.bom or text.startswith(BOM)):
        if hint is not None and hint[0] is old.text and _fits(hint[1], len(old.text), len(text)):
            changed = hint[1]
        else:
            changed = changed_range(old.text, text)
    src = SourceFile(path, text, line_starts=edited_line_starts(old, text, changed))
    if changed is not None:
        src.edited_from = (old.text, changed)
    return src


def _fits(edit: Any, n_old: int, n_new: int) -> bool:
    """Whether ``edit`` can be where two texts of these lengths differ (start, end in the first,
    end in the second)."""
    s, old_end, new_end = edit
    return 0 <= s <= old_end <= n_old and s <= new_end <= n_new and n_old - old_end == n_new - new_end


def edited_line_starts(old: SourceFile, text: str, changed: Optional[tuple[int, int, int]] = None) -> list[int]:
    """The line index of ``text``, an edit of ``old``'s: ``old``'s up to the change, the line
    breaks in the changed middle, and ``old``'s after it moved by the change's length (the
    whole index again, ``source._line_starts``, took ~1.5 ms of a language-server change on the
    7,600-line schema: this ~0.4 ms). Empty (worked out whole by SourceFile) with a `\r` or a
    byte order mark in either text. ``changed``: ``changed_range(old.text, text)``, if known."""
    if old.bom or text.startswith(BOM) or "\r" in text or "\r" in old.text:
        return []
    start, old_end, new_end = changed if changed is not None else changed_range(old.text, text)
    starts = old.line_starts
    middle = []
    k = text.find("\n", start, new_end)
    while k != -1:
        middle.append(k + 1)
        k = text.find("\n", k + 1, new_end)
    d = new_end - old_end
    after = starts[bisect_right(starts, old_end) :]
    return starts[: bisect_right(starts, start)] + middle + ([s + d for s in after] if d else after)


_RELOCATORS: dict[type, Any] = {}


def relocate(node: Any, source: SourceFile, delta: int) -> Any:
    """A copy of an AST node (a block, a comment) with every span moved by ``delta`` into
    ``source``, with a new anchor of its own (so the copy can be moved in turn). Every span of
    a parsed block has its block's anchor: the copy's spans keep their offsets and the new
    anchor's base says how far they moved (no arithmetic per span)."""
    old = node.span.anchor
    return _copy(node, Anchor(source, old.base + delta), 0)


def _copy(node: Any, anchor: Anchor, d: int) -> Any:
    """``node`` copied, each span's offsets moved by ``d``, with ``anchor``."""
    fn = _RELOCATORS.get(type(node))
    if fn is None:
        fn = _RELOCATORS[type(node)] = _relocator(type(node))
    return fn(node, anchor, d)


def _relocator(cls: type) -> Any:
    """A copying function for one AST class, written from its field annotations (a generic walk
    over the fields took 4x as long: 50 ms on cal.com's 1,900 lines against 13 ms)."""
    parts = []
    for f in records.fields(cls):
        a, v = str(f.type), f"n.{f.name}"
        if a == "Span":
            parts.append(f"S(A, {v}._start + d, {v}._end + d)")
        elif a == "Optional[Span]":
            parts.append(f"(None if {v} is None else S(A, {v}._start + d, {v}._end + d))")
        elif a in ("str", "bool", "int", "Optional[str]", "Optional[int]", "Optional[bool]"):
            parts.append(v)
        elif a.startswith("list[tuple["):
            parts.append(f"[(k, R(x, A, d)) for k, x in {v}]")
        elif a.startswith("list["):
            parts.append(f"[R(x, A, d) for x in {v}]")
        else:
            parts.append(f"(None if {v} is None else R({v}, A, d))")
    namespace: dict[str, Any] = {"S": Span, "C": cls, "R": _copy}
    exec(f"def copy(n, A, d):\n    return C({', '.join(parts)})\n", namespace)
    return namespace["copy"]
