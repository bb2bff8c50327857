"""Rule documentation pages (``rules/<id>.md``): read, and split into their parts.

The pages feed ``prisma-lint rule ID``, SARIF help text and the language server's hover, and
their examples are linted by the tests (the bad one must trigger the rule, the fixed one not).
"""

from __future__ import annotations

import re
from typing import Optional

from .records import field, record
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


@record
class RulePage:
    rule_id: str
    summary: str
    sections: dict[str, str]
    # each example: {"prisma": text} or {"sql": text}, or both (a schema with its migrations),
    # or a schema with the app's code ({"prisma": text, "ts": text}), or a schema with the
    # database's statistics ({"prisma": text, "stats": text}: a ```json stats block)
    bad_examples: list[dict] = field(default_factory=list)
    good_examples: list[dict] = field(default_factory=list)
    options: list[str] = field(default_factory=list)  # option names listed under ## Options


# (`json stats` before `js`, and no word character after the name: ```json is not ```js)
_FENCE = re.compile(r"```(prisma|sql|json stats|ts|js)(?!\w)[^\n]*\n(.*?)```", re.S)


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
    (``{"prisma", "ts"}``), followed by a ``json stats`` block one with the database's statistics
    (``{"prisma", "stats"}``); any other block is an example of its own."""
    out: list[dict] = []
    for lang, text in _FENCE.findall(section):
        if lang == "json stats" and out and set(out[-1]) == {"prisma"}:
            out[-1]["stats"] = text
        elif lang in ("sql", "ts", "js") and out and set(out[-1]) == {"prisma"}:
            out[-1][lang] = text
        else:
            out.append({lang: text})
    return out


# -- the rule tables of README.md and rules/README.md, generated from the registry -----------------

TABLE_BEGIN = "<!-- rules-table:begin (generated by `python -m prisma_lint.docs`; do not edit) -->"
TABLE_END = "<!-- rules-table:end -->"


_INPUT_WORDS = {
    "prisma": "Prisma schema",
    "sql": "SQL",
    "migrations": "migrations",
    "queries": "app queries",
    "stats": "database statistics",
}


def rule_table(rules, link_prefix: str) -> str:
    """A Markdown table of ``rules`` (the registry's, in its order): id linked to its page,
    default severity, fix, what it reads, summary."""
    rows = ["| rule | severity | fix | reads | what it flags |", "|---|---|---|---|---|"]
    for r in rules:
        fix = "–" if r.fixable == "no" else r.fixable
        reads = ", ".join(_INPUT_WORDS[n] for n in r.needs if n != "schema") or "schema or SQL"
        off = " (off by default)" if not r.default_enabled else ""
        rows.append(f"| [`{r.id}`]({link_prefix}{r.id}.md) | {r.severity}{off} | {fix} | {reads} | {r.summary} |")
    return "\n".join(rows) + "\n"


def with_table(text: str, table: str) -> str:
    """``text`` with the part between the table markers replaced by ``table``."""
    start, end = text.index(TABLE_BEGIN) + len(TABLE_BEGIN), text.index(TABLE_END)
    return text[:start] + "\n" + table + text[end:]


def main(argv: Optional[list[str]] = None) -> int:
    """Write the rule tables into README.md and rules/README.md (``--check``: exit 1 when they
    are not what the registry gives)."""
    import sys
    from pathlib import Path

    from .rules import load_registry

    args = sys.argv[1:] if argv is None else argv
    top = Path(__file__).resolve().parent.parent
    rules = [r for r in load_registry(include_plugins=False).rules.values()]
    stale = []
    for path, prefix in ((top / "README.md", "rules/"), (top / "rules" / "README.md", "")):
        text = path.read_text(encoding="utf-8")
        new = with_table(text, rule_table(rules, prefix))
        if new != text:
            stale.append(str(path))
            if "--check" not in args:
                path.write_text(new, encoding="utf-8")
    if stale and "--check" in args:
        print(f"rule tables out of date: {', '.join(stale)} (run `python -m prisma_lint.docs`)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
