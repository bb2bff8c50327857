"""Inline suppressions, read from comments.

* ``// prisma-lint-ignore rule-id[, rule-id] -- reason`` at the end of the offending line, or
  alone on the line above it. With no rule id it suppresses every rule on that line.
* ``// prisma-lint-ignore-file rule-id[, rule-id]`` anywhere: the whole file.
* The npm prisma-lint's comments: ``/// prisma-lint-ignore-model [rule-id [field,field]]`` in or
  just above a model, and ``/// prisma-lint-ignore-field [rule-id]`` on or above a field.
  Rule names that are not ours (the npm linter's own) are left alone.

SQL files use the same forms with ``--`` comments.

A suppression of ours that suppresses nothing is reported as ``unused-suppression``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Optional

from .findings import Edit, Finding
from .records import field, record
from .source import SourceFile, Span

_DIRECTIVE = re.compile(
    r"^\s*(?://+|--)\s*prisma-lint-(ignore-file|ignore-model|ignore-field|ignore)\b(?P<rest>.*)$"
)


@record(eq=False)
class Suppression:
    kind: str  # line | file | model | field
    rules: list[str]  # empty: every rule
    span: Span  # the comment
    target_line: int  # for line/field kinds
    model: Optional[str] = None
    fields: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # rule names that are not ours
    used: set[str] = field(default_factory=set)

    def matches(self, f: Finding) -> bool:
        if self.rules and f.rule not in self.rules:
            return False
        if self.kind == "file":
            return True
        if self.kind == "line":
            return f.span.line == self.target_line
        if self.kind == "model":
            if f.model != self.model:
                return False
            return not self.fields or bool(set(self.fields) & set(f.fields))
        if self.kind == "field":
            return f.span.line == self.target_line or (f.model == self.model and bool(set(self.fields) & set(f.fields)))
        return False


def _line_has_code_before(src: SourceFile, comment: Span) -> bool:
    line = src.line_of(comment.start)
    start = src.line_starts[line - 1]
    return bool(src.text[start : comment.start].strip())


def collect(src: SourceFile, comments: Iterable[tuple[Span, str]], known_rules: set[str], schema_file=None) -> list[Suppression]:
    """Suppressions from ``comments`` (span, full comment text) of one file."""
    out: list[Suppression] = []
    field_lines = {}
    model_ranges = []
    if schema_file is not None:
        for b in schema_file.blocks:
            if b.kind in ("model", "view", "type"):
                model_ranges.append((b.span.start, b.span.end, b.name, b.span))
                for f in b.fields:
                    field_lines[f.span.line] = (b.name, f.name)
    for span, text in comments:
        m = _DIRECTIVE.match(text)
        if m is None:
            continue
        kind = m.group(1)
        words = [w for w in re.split(r"[\s,]+", m.group("rest").split(" -- ", 1)[0].strip()) if w]
        line = span.line
        trailing = _line_has_code_before(src, span)
        if kind == "ignore-file":
            out.append(Suppression("file", words, span, line))
        elif kind == "ignore":
            rules = words
            target = line if trailing else _next_code_line(src, line)
            out.append(Suppression("line", rules, span, target))
        elif kind == "ignore-model":
            rules = [w for w in words[:1] if w in known_rules]
            foreign = [w for w in words[:1] if w not in known_rules]
            if foreign:
                continue  # the npm linter's rule: not ours to judge
            fields = [w for w in words[1:]]
            model = _enclosing_model(span, model_ranges) or _model_below(src, span, model_ranges)
            if model is None:
                continue
            out.append(Suppression("model", rules, span, line, model=model, fields=fields))
        elif kind == "ignore-field":
            if words and words[0] not in known_rules:
                continue
            target = line if trailing else _next_code_line(src, line)
            model, fname = field_lines.get(target, (None, None))
            out.append(
                Suppression("field", words[:1], span, target, model=model, fields=[fname] if fname else [])
            )
    return out


def _next_code_line(src: SourceFile, line: int) -> int:
    """The first line after ``line`` that is not blank and not only a comment."""
    n = src.line_count
    k = line + 1
    while k <= n:
        text = src.line_text(k).strip()
        if text and not text.startswith("//") and not text.startswith("--"):
            return k
        k += 1
    return line + 1


def _enclosing_model(span: Span, ranges) -> Optional[str]:
    for start, end, name, _ in ranges:
        if start <= span.start < end:
            return name
    return None


def _model_below(src: SourceFile, span: Span, ranges) -> Optional[str]:
    target = _next_code_line(src, span.line)
    for _start, _end, name, bspan in ranges:
        if bspan.line == target:
            return name
    return None


def apply(findings: list[Finding], suppressions: dict[str, list[Suppression]]) -> list[Finding]:
    """Findings not suppressed; marks the suppressions that were used."""
    kept = []
    for f in findings:
        hit = False
        for s in suppressions.get(f.span.file.path, ()):
            if s.matches(f):
                s.used.add(f.rule)
                hit = True
        if not hit:
            kept.append(f)
    return kept


def unused(suppressions: dict[str, list[Suppression]], known_rules: set[str], active_rules: set[str]) -> list[tuple[Suppression, str]]:
    """(suppression, message) for each that suppressed nothing, or names an unknown rule."""
    out = []
    for items in suppressions.values():
        for s in items:
            unknown = [r for r in s.rules if r not in known_rules]
            if unknown and s.kind in ("line", "file"):
                out.append((s, f"unknown rule id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in suppression"))
                continue
            if s.rules and not any(r in active_rules for r in s.rules):
                continue  # those rules did not run: we cannot tell
            if not s.used:
                what = ", ".join(s.rules) if s.rules else "any rule"
                out.append((s, f"this suppression of {what} suppresses nothing"))
            elif s.rules:
                idle = [r for r in s.rules if r not in s.used and r in active_rules]
                if idle:
                    out.append((s, f"{', '.join(idle)} in this suppression suppresses nothing"))
    return out


def ignore_edits(findings: Iterable[Finding], files) -> list[Edit]:
    """Edits that add ``// prisma-lint-ignore <rule-ids>`` for ``findings`` in the schema files
    ``files`` (``SchemaFile``; findings elsewhere, such as in SQL migrations, are left alone):

    * at the end of the finding's line;
    * into the line's own ``prisma-lint-ignore`` comment when it has one (its reason kept);
    * on a line of its own just above, with the line's indentation, when the line already ends
      with another comment (a ``///`` there documents the field: it stays as it is).
    """
    by_path = {f.source.path: f for f in files}
    wanted: dict[tuple[str, int], list[str]] = {}
    for f in findings:
        if f.rule == "unused-suppression" or f.span.file.path not in by_path:
            continue
        rules = wanted.setdefault((f.span.file.path, f.span.line), [])
        if f.rule not in rules:
            rules.append(f.rule)
    edits = []
    trailing: dict[str, dict[int, Any]] = {}  # path -> line -> the first comment after code there
    for (path, line), rules in wanted.items():
        schema_file = by_path[path]
        src = schema_file.source
        if path not in trailing:
            by_line: dict[int, Any] = {}
            for c in schema_file.comments:
                if c.trailing:
                    by_line.setdefault(c.span.line, c)
            trailing[path] = by_line
        start = src.line_starts[line - 1]
        end = start + len(src.line_text(line))
        comment = trailing[path].get(line)
        if comment is None:
            code_end = end
            while code_end > start and src.text[code_end - 1] in " \t":
                code_end -= 1
            edits.append(Edit(src, code_end, end, f" // prisma-lint-ignore {', '.join(rules)}"))
            continue
        written = src.text[comment.span.start : comment.span.end]
        m = _DIRECTIVE.match(written)
        if m is not None and m.group(1) == "ignore":
            head, sep, reason = m.group("rest").partition(" -- ")
            have = [w for w in re.split(r"[\s,]+", head.strip()) if w]
            merged = ", ".join(have + [r for r in rules if r not in have])
            edits.append(Edit(src, comment.span.start, comment.span.end, f"// prisma-lint-ignore {merged}{sep}{reason}".rstrip()))
            continue
        line_text = src.line_text(line)
        indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        nxt = src.line_starts[line] if line < len(src.line_starts) else len(src.text)
        newline = src.text[end:nxt] or src.line_ending()
        edits.append(Edit(src, start, start, f"{indent}// prisma-lint-ignore {', '.join(rules)}{newline}"))
    return edits
