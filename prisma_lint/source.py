"""Source text and exact positions.

A :class:`SourceFile` holds the decoded text of one file and a line index built once.
Every AST node keeps a :class:`Span` (character offsets into that text); lines, columns
and byte offsets are derived from the one line index, so they agree everywhere:

* lines and columns are 1-based and counted in characters (code points);
* ``\\r\\n``, lone ``\\r`` and ``\\n`` each end a line;
* a UTF-8 byte order mark is not part of the text (column 1 is the first real character),
  but byte offsets count it, so edits apply to the original bytes exactly.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Optional

from .records import field, record

_NEWLINE = r"\r\n|\r|\n"  # compiled for a text with a \r only (re's cache keeps it): 0.3 M
BOM = "\ufeff"


@record(frozen=True)
class Snapshot:
    """What a file was when it was read: its size, mtime and the bytes themselves (fix/write.py
    checks it before replacing the file; here, so that a check, which never writes, does not
    import the writer: 2.1 M instructions).

    The bytes, not a hash of them: comparing them again before a write is exact, and a plain
    check, which never writes, does not pay for hashing (hashlib's import alone is 12 M
    instructions, 3% of a cold check). The text decoded from them is kept anyway; the bytes
    add as much again, 50 MB at the size limit against a 2.7 GB peak."""

    size: int
    mtime_ns: int
    data: bytes = field(repr=False)

    @classmethod
    def of(cls, st: os.stat_result, data: bytes) -> "Snapshot":
        return cls(st.st_size, st.st_mtime_ns, data)


def _line_starts(text: str) -> list[int]:
    """The offset where each line starts. Without ``\\r``, from the lengths of the lines
    (a 100k-line file: ~24 ms, against ~47 ms for a match object per line break)."""
    if "\r" in text:
        return [0] + [m.end() for m in re.finditer(_NEWLINE, text)]
    starts = [0]
    starts += accumulate(len(line) + 1 for line in text.split("\n"))
    starts.pop()  # the end of the text (plus one), not a line start
    return starts


@record(eq=False)
class SourceFile:
    """One schema or SQL file: its path as given, the text and the line index."""

    path: str
    text: str = field(repr=False)
    bom: bool = False
    line_starts: list[int] = field(default_factory=list, repr=False)
    _ascii: bool = field(default=False, repr=False)
    _ending: str = field(default="", repr=False)  # line_ending(), once worked out
    # (the text this one is an edit of, (start, end in it, end in this one)): set by the
    # language server's reads (frontends/prisma/incremental.edited_source), read by the parse
    edited_from: Optional[tuple[str, tuple[int, int, int]]] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.text.startswith(BOM):
            self.text = self.text[1:]
            self.bom = True
        if not self.line_starts:
            self.line_starts = _line_starts(self.text)
        self._ascii = self.text.isascii()
        self._ending = ""  # worked out from this text when asked (not carried over by replace())
        self.edited_from = None  # (nor this)

    # A file is the anchor of its absolute spans: ``Span(file, start, end)`` (see :class:`Anchor`).
    base = 0

    @property
    def file(self) -> "SourceFile":
        return self

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> "SourceFile":
        """Decode UTF-8 (raises UnicodeDecodeError, which callers turn into a diagnostic)."""
        return cls(path, data.decode("utf-8"))

    # -- positions -------------------------------------------------------------------------
    def line_of(self, offset: int) -> int:
        """1-based line containing character ``offset``."""
        return bisect_right(self.line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of character ``offset``."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        return self.line_starts[line - 1] + column - 1

    def byte_offset(self, offset: int) -> int:
        """Byte offset in the file on disk of character ``offset`` (BOM included)."""
        base = 3 if self.bom else 0
        if self._ascii:
            return base + offset
        return base + len(self.text[:offset].encode("utf-8"))

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its line ending."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_ending(self) -> str:
        """The file's dominant line ending (for text we insert): the commonest of CRLF, CR and
        LF, LF on a tie or with none (a stray CR at the top of an LF file, once the first one
        found, put CR CR before an inserted line). Worked out once per file: a fix per finding
        asks, and 20,000 findings each counting a 1 MB text took minutes."""
        if not self._ending:
            text = self.text
            if "\r" not in text:
                self._ending = "\n"
            else:
                crlf = text.count("\r\n")
                cr, lf = text.count("\r") - crlf, text.count("\n") - crlf
                self._ending = "\r\n" if crlf > max(cr, lf) else "\r" if cr > max(crlf, lf) else "\n"
        return self._ending

    @property
    def line_count(self) -> int:
        return len(self.line_starts)


class Anchor:
    """The text a top-level block's spans are in, and how far the block moved in it since it
    was parsed: each span of a parsed block keeps its block's anchor and the offsets it was
    parsed at. After an edit, a block the edit only moved is reused by moving its anchor (one
    assignment) instead of copying every node with new spans (23 ms of a 98 ms language-server
    change on 7,600 lines). A :class:`SourceFile` is the anchor of its own absolute spans."""

    __slots__ = ("base", "file")

    def __init__(self, file: "SourceFile", base: int = 0) -> None:
        self.file = file
        self.base = base

    def __repr__(self) -> str:
        return f"Anchor({self.file.path!r}, {self.base})"


class Span:
    """A range of characters ``[start, end)`` in one file (treat it as immutable).

    ``end_column`` is exclusive: the column just after the last character. ``Span(file, start,
    end)`` is absolute; ``Span(anchor, start, end)`` moves with a block's :class:`Anchor` (the
    parser's), and reads the same: ``start``, ``end`` and ``file`` are always the current ones.
    """

    __slots__ = ("_anchor", "_end", "_start")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value (as the dataclass it was)

    def __init__(self, file: "SourceFile | Anchor", start: int, end: int) -> None:
        self._anchor = file
        self._start = start
        self._end = end

    @property
    def file(self) -> "SourceFile":
        return self._anchor.file

    @property
    def start(self) -> int:
        return self._start + self._anchor.base

    @start.setter
    def start(self, value: int) -> None:
        self._start = value - self._anchor.base

    @property
    def end(self) -> int:
        return self._end + self._anchor.base

    @end.setter
    def end(self, value: int) -> None:
        self._end = value - self._anchor.base

    @property
    def anchor(self) -> "Anchor | SourceFile":
        return self._anchor

    def __eq__(self, other: object) -> bool:
        if type(other) is not Span:
            return NotImplemented
        return self.file is other.file and self.start == other.start and self.end == other.end

    def __repr__(self) -> str:
        return f"Span(start={self.start}, end={self.end})"

    @property
    def line(self) -> int:
        return self.file.line_of(self.start)

    @property
    def column(self) -> int:
        return self.file.position(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.file.position(self.end)[0]

    @property
    def end_column(self) -> int:
        return self.file.position(self.end)[1]

    @property
    def start_byte(self) -> int:
        return self.file.byte_offset(self.start)

    @property
    def end_byte(self) -> int:
        return self.file.byte_offset(self.end)

    @property
    def text(self) -> str:
        return self.file.text[self.start : self.end]

    def offset_of_byte(self, byte_location: Optional[int]) -> Optional[int]:
        """The character offset inside this span of a byte offset inside its UTF-8 text (as
        pglast reports locations inside a statement); None when it is not inside."""
        if byte_location is None or byte_location < 0:
            return None
        body = self.text
        offset = byte_location if body.isascii() else len(body.encode("utf-8")[:byte_location].decode("utf-8", errors="ignore"))
        return offset if offset < len(body) else None

    def pinned(self) -> "Span":
        """The same range, absolute: it keeps reading right once its block's anchor moves (the
        block given up to a later parse of an edited text)."""
        return Span(self.file, self.start, self.end)

    def to(self, other: "Span") -> "Span":
        """The span from the start of this one to the end of ``other`` (relative to this one's
        anchor: it moves with its block)."""
        return Span(self._anchor, self._start, other.end - self._anchor.base)

    def as_dict(self) -> dict:
        line, col = self.file.position(self.start)
        end_line, end_col = self.file.position(self.end)
        return {
            "file": self.file.path,
            "line": line,
            "column": col,
            "end_line": end_line,
            "end_column": end_col,
            "start_byte": self.start_byte,
            "end_byte": self.end_byte,
        }
