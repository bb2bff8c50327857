"""Findings are data; fixes are text edits.

A :class:`Finding` is what a rule reports: rule id, severity, exact span, message, the model
and fields involved, and possibly a :class:`Fix`. A fix is a list of :class:`Edit` (a character
range of one file and its replacement) with an applicability, as in ruff:
``display < unsafe < safe`` — ``--fix`` applies safe fixes, ``--unsafe-fixes`` both.
The same edits serve ``--fix``, ``--diff``, SARIF ``fixes`` and the language server.
"""

from __future__ import annotations

from typing import Literal, Optional

from .model.schema import IndexKind
from .records import field, record
from .source import SourceFile, Span

Severity = Literal["error", "warning", "info"]
Applicability = Literal["safe", "unsafe", "display"]

SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
APPLICABILITY_RANK: dict[str, int] = {"display": 0, "unsafe": 1, "safe": 2}


@record(frozen=True)
class IndexSpec:
    """An index a fix creates: its model, fields in order, and kind."""

    model: str
    fields: tuple[str, ...]
    kind: IndexKind = "index"


@record(frozen=True)
class IndexChange:
    """What a fix does to a model's indexes (the fix planner and ``migrate`` read it):
    ``add`` creates ``new``; ``remove`` drops the index called ``old``; ``replace`` does both."""

    action: Literal["add", "remove", "replace"]
    model: str
    new: Optional[IndexSpec] = None
    old: Optional[str] = None  # database name

    @classmethod
    def add(cls, model: str, fields: list[str] | tuple[str, ...], kind: IndexKind = "index") -> "IndexChange":
        return cls("add", model, IndexSpec(model, tuple(fields), kind))

    @classmethod
    def remove(cls, model: str, db_name: str) -> "IndexChange":
        return cls("remove", model, old=db_name)

    @classmethod
    def replace(cls, model: str, db_name: str, fields: list[str] | tuple[str, ...], kind: IndexKind = "index") -> "IndexChange":
        return cls("replace", model, IndexSpec(model, tuple(fields), kind), db_name)


@record(frozen=True)
class Edit:
    """Replace characters ``[start, end)`` of ``file`` with ``text``."""

    file: SourceFile
    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.file, self.start, self.end)

    def as_dict(self) -> dict:
        d = self.span.as_dict()
        d["content"] = self.text
        return d


@record(eq=False)
class Fix:
    title: str  # "Add @@index([userId])"
    applicability: Applicability
    edits: list[Edit] = field(default_factory=list)
    schema_line: Optional[str] = None  # the new schema line, when there is one
    sql: Optional[str] = None  # the SQL statement that applies it to the database
    # what the fix does to the model's indexes, for the fix planner and migrations
    index_change: Optional[IndexChange] = None

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "applicability": self.applicability,
            "edits": [e.as_dict() for e in self.edits],
            "schema_line": self.schema_line,
            "sql": self.sql,
        }


@record(frozen=True)
class Evidence:
    """A place outside the schema that shows why a finding holds: an app call site
    (``prisma.session.findMany`` at ``src/auth.ts:12``). Positions 1-based, end column exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    snippet: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "snippet": self.snippet,
        }

    @property
    def label(self) -> str:
        """What is called: `prisma.session.findMany` (the snippet up to its first parenthesis)."""
        head = self.snippet.split("(", 1)[0].strip()
        return head.removeprefix("await ").strip() or f"{self.file}:{self.line}"


@record(eq=False)
class Finding:
    rule: str
    severity: str
    message: str
    span: Span
    model: Optional[str] = None
    fields: list[str] = field(default_factory=list)
    fix: Optional[Fix] = None
    help: Optional[str] = None  # one line: what to do
    # rule-specific numbers for tools (JSON): missing-fk-index's "fan_out", unindexed-cascade's
    # "scans" ... (the worst first in the text output)
    data: dict = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)  # e.g. the app's call sites
    # with database statistics: the size of the finding's table (rows estimated by ANALYZE)
    table_rows: Optional[int] = None
    table_bytes: Optional[int] = None

    @property
    def file(self) -> str:
        return self.span.file.path

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self) -> tuple:
        return (self.span.file.path, self.span.start, self.rule)

    def as_dict(self) -> dict:
        line, col = self.span.file.position(self.span.start)
        end_line, end_col = self.span.file.position(self.span.end)
        sized = {} if self.table_rows is None else {"table_rows": self.table_rows, "table_bytes": self.table_bytes}
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.span.file.path,
            "line": line,
            "column": col,
            "end_line": end_line,
            "end_column": end_col,
            "message": self.message,
            "model": self.model,
            "fields": list(self.fields),
            "help": self.help,
            "fix": self.fix.as_dict() if self.fix else None,
            "evidence": [e.as_dict() for e in self.evidence],
            **self.data,
            **sized,
        }
