"""Text edits on a schema file: add a block attribute, delete one, rewrite an index's fields.

Edits touch only the lines they must: every other byte (comments, blank lines, alignment,
CRLF line endings, a BOM) stays as it was.
"""

from __future__ import annotations

from typing import Optional

from ..findings import Edit, Fix, IndexChange
from ..frontends.prisma.syntax import ArrayLit, Attribute
from ..model.schema import Index, Model
from ..source import SourceFile


def _line_bounds(src: SourceFile, offset: int) -> tuple[int, int, int]:
    """(start of the line, end of its text, start of the next line) for ``offset``."""
    line = src.line_of(offset)
    start = src.line_starts[line - 1]
    nxt = src.line_starts[line] if line < len(src.line_starts) else len(src.text)
    end = nxt
    while end > start and src.text[end - 1] in "\r\n":
        end -= 1
    return start, end, nxt


def _indent_of(src: SourceFile, offset: int) -> str:
    start, end, _ = _line_bounds(src, offset)
    text = src.text[start:end]
    return text[: len(text) - len(text.lstrip(" \t"))]


def model_indent(model: Model) -> str:
    block = model.block
    if block is not None:
        for member in list(block.fields) + list(block.attributes):
            indent = _indent_of(member.span.file, member.span.start)
            if indent:
                return indent
    return "  "


INDEX_ATTRIBUTES = frozenset({"id", "unique", "index", "fulltext"})


def add_block_attribute(model: Model, text: str) -> Optional[Edit]:
    """Insert ``text`` (e.g. ``@@index([userId])``) as a new line of ``model``.

    It goes after the model's last index attribute (``@@id``, ``@@unique``, ``@@index``,
    ``@@fulltext``); with none, just before its other block attributes (``@@map`` ...); with
    none of those either, after the last field with one blank line before it. It takes the
    model's own indentation and the file's line ending, as ``prisma format`` would lay it out.
    """
    block = model.block
    if block is None or block.close_span is None:
        return None
    src = block.span.file
    nl = src.line_ending()
    indent = model_indent(model)
    index_attrs = [a for a in block.attributes if a.name in INDEX_ATTRIBUTES]
    if index_attrs:
        anchor, prefix = max(index_attrs, key=lambda a: a.span.end), nl
    elif block.attributes:
        first = min(block.attributes, key=lambda a: a.span.start)
        start, _, _ = _line_bounds(src, first.span.start)
        if not src.text[start : first.span.start].strip():  # it starts its own line
            return Edit(src, start, start, f"{indent}{text}{nl}")
        anchor, prefix = max(block.attributes, key=lambda a: a.span.end), nl
    elif block.fields:
        anchor, prefix = max(block.fields, key=lambda f: f.span.end), nl + nl
    else:  # an empty model: the line after `{`
        _, end, _ = _line_bounds(src, block.name_span.start)
        return Edit(src, end, end, f"{nl}{indent}{text}")
    _, end, _ = _line_bounds(src, anchor.span.end)
    if end > block.close_span.start:  # `}` on the same line as the last member
        return Edit(src, block.close_span.start, block.close_span.start, f"{nl}{indent}{text}{nl}")
    return Edit(src, end, end, f"{prefix}{indent}{text}")


def remove_attribute(attr: Attribute) -> Edit:
    """Delete ``attr``: its whole line when nothing else is on it (a trailing comment goes with
    it), else just the attribute and the blank before it."""
    src = attr.span.file
    start, end, nxt = _line_bounds(src, attr.span.start)
    before = src.text[start : attr.span.start]
    after = src.text[attr.span.end : end]
    if not before.strip() and (not after.strip() or after.strip().startswith("//")):
        return Edit(src, start, nxt, "")
    s = attr.span.start
    while s > start and src.text[s - 1] in " \t":
        s -= 1
    return Edit(src, s, attr.span.end, "")


def fields_argument(index: Index) -> Optional[ArrayLit]:
    a = index.attribute
    if a is None or index.on_field:
        return None
    value = a.arg("fields", 0)
    return value if isinstance(value, ArrayLit) else None


def reorder_index_fields(index: Index, order: list[str]) -> Optional[Edit]:
    """Rewrite the field list of ``index`` in ``order`` (Prisma field names), keeping each item's
    own text (``createdAt(sort: Desc)`` stays as written)."""
    array = fields_argument(index)
    if array is None:
        return None
    src = array.span.file
    by_name = {}
    for item in array.items:
        name = getattr(item, "name", None)
        by_name[name] = src.text[item.span.start : item.span.end]
    if set(by_name) != set(order):
        return None
    return Edit(src, array.span.start, array.span.end, "[" + ", ".join(by_name[n] for n in order) + "]")


def extend_index_fields(index: Index, fields: list[str], sort: Optional[dict[str, str]] = None) -> Optional[Edit]:
    """Rewrite the field list of ``index`` as ``fields``: its own items first, as written, then
    the new ones (``createdAt(sort: Desc)`` when ``sort`` says so)."""
    array = fields_argument(index)
    if array is None:
        return None
    src = array.span.file
    own = [src.text[item.span.start : item.span.end] for item in array.items]
    names = [getattr(item, "name", None) for item in array.items]
    if names != fields[: len(names)]:
        return None
    sort = sort or {}
    new = [f"{f}(sort: {sort[f]})" if f in sort else f for f in fields[len(names) :]]
    return Edit(src, array.span.start, array.span.end, "[" + ", ".join(own + new) + "]")


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply non-overlapping edits (sorted; an edit overlapping an earlier one is skipped).
    Returns the new text and the edits applied."""
    applied: list[Edit] = []
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            continue
        out.append(text[pos : e.start])
        out.append(e.text)
        pos = e.end
        applied.append(e)
    out.append(text[pos:])
    return "".join(out), applied


def add_index_fix(model: Model, line: str, fields: list[str]) -> Fix:
    """The safe fix that adds the block attribute ``line`` (``@@index([...])`` on ``fields``) to
    ``model``: what missing-fk-index and the query advice offer."""
    edit = add_block_attribute(model, line)
    return Fix(
        title=f"Add {line} to `{model.name}`",
        applicability="safe",
        edits=[edit] if edit else [],
        schema_line=line,
        index_change=IndexChange.add(model.name, fields),
    )
