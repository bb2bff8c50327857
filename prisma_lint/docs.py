"""Rule documentation pages (``rules/<id>.md``): read, and split into their parts.

The pages feed ``prisma-lint rule ID``, SARIF help text and the language server's hover, and
their examples are linted by the tests (the bad one must trigger the rule, the fixed one not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .resources import resource_dir


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
    # each example: {"prisma": text} or {"sql": text}, or both (a schema with its migrations),
    # or a schema with the app's code ({"prisma": text, "ts": text})
    bad_examples: list[dict] = field(default_factory=list)
    good_examples: list[dict] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # option names listed under ## Options


_FENCE = re.compile(r"```(prisma|sql|ts|js)[^\n]*\n(.*?)```", re.S)


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
    (a schema and its migrations), followed by a ``ts`` / ``js`` block one with the app's code
    (``{"prisma", "ts"}``); any other block is an example of its own."""
    out: list[dict] = []
    for lang, text in _FENCE.findall(section):
        if lang in ("sql", "ts", "js") and out and set(out[-1]) == {"prisma"}:
            out[-1][lang] = text
        else:
            out.append({lang: text})
    return out
