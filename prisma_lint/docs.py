"""Rule documentation pages (``rules/<id>.md``): read, and split into their parts.

The pages feed ``prisma-lint rule ID``, SARIF help text and the language server's hover, and
their examples are linted by the tests (the bad one must trigger the rule, the fixed one not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .resources import resource_dir

# The project's home page, and where each rule's page is (``{rule}``: its id). A fork sets
# ``docs-url`` in its config to point at its own pages.
HOMEPAGE = "https://github.com/prisma-lint/prisma-lint"
DOCS_URL = HOMEPAGE + "/blob/main/rules/{rule}.md"


def rule_url(rule_id: str, base: Optional[str] = None) -> str:
    return (base or DOCS_URL).replace("{rule}", rule_id)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def plain_text(markdown: str) -> str:
    """Markdown as plain text for readers that show it raw (SARIF ``text`` fields): links keep
    their words, code keeps its text without backticks, headings and emphasis lose their marks;
    fenced code blocks stay (indented) since the examples are the point of a page."""
    out: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append("    " + line if line else "")
            continue
        if line.startswith("|"):  # a table row: its cells, "a: b"; rule and empty rows go
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(not c or set(c) <= set("-: ") for c in cells):
                continue
            line = ": ".join(c for c in cells if c)
        line = re.sub(r"^#+\s*", "", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub(r"\2", line)
        line = line.replace("`", "")
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters: at the last sentence end that fits, else
    at a word, with an ellipsis (GitHub code scanning rejects a rule's fullDescription over
    1,024 characters)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    end = head.rfind(". ")
    if end >= limit // 2:
        return head[: end + 1]
    return head[: head.rfind(" ")].rstrip(",;:") + "\u2026"


def rule_page(rule_id: str) -> Optional[str]:
    try:
        path = resource_dir("rules") / f"{rule_id}.md"
    except FileNotFoundError:
        return None
    return path.read_text(encoding="utf-8") if path.is_file() else None


@dataclass
class RulePage:
    rule_id: str
    summary: str
    sections: dict[str, str]
    # each example: {"prisma": text} or {"sql": text}, or both (a schema with its migrations)
    bad_examples: list[dict] = field(default_factory=list)
    good_examples: list[dict] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # option names listed under ## Options


_FENCE = re.compile(r"```(prisma|sql)[^\n]*\n(.*?)```", re.S)


def parse_page(rule_id: str, text: str) -> RulePage:
    parts = re.split(r"(?m)^## ", text)
    head = parts[0]
    summary_lines = [ln for ln in head.splitlines()[1:] if ln.strip() and not ln.startswith("|")]
    sections = {}
    for part in parts[1:]:
        title, _, body = part.partition("\n")
        sections[title.strip()] = body.strip()
    page = RulePage(rule_id, summary_lines[0].strip() if summary_lines else "", sections)
    page.bad_examples = _examples(sections.get("Example", ""))
    page.good_examples = _examples(sections.get("Use instead", ""))
    page.options = re.findall(r"(?m)^- `([a-z0-9-]+)`", sections.get("Options", ""))
    return page


def _examples(section: str) -> list[dict]:
    """The section's code blocks: a ``prisma`` block followed by a ``sql`` block is one example
    (a schema and its migrations); any other block is an example of its own."""
    out: list[dict] = []
    for lang, text in _FENCE.findall(section):
        if lang == "sql" and out and set(out[-1]) == {"prisma"}:
            out[-1]["sql"] = text
        else:
            out.append({lang: text})
    return out
