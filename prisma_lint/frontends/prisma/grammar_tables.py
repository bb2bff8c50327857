"""Lark's side of the parser: compile ``grammars/prisma.lark`` into LALR tables, and parse with
Lark's own runtime for comparison.

    python -m prisma_lint.frontends.prisma.grammar_tables          # rewrite grammars/prisma.tables.json
    python -m prisma_lint.frontends.prisma.grammar_tables --check  # exit 1 when the stored tables are stale

Run it after every grammar edit (a test fails on stale tables; until they are rewritten, the
parser computes them in memory on each start, so nothing breaks, it is only slower).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedToken
from lark.lexer import Lexer

from ...resources import resource_path, update_generated
from .lalr import TABLES_FORMAT, ParseError
from .lexer import Tok


class TokenFeed(Lexer):
    """Lark's lexer slot: the tokens are already made (``lexer.py``), so just hand them over."""

    def __init__(self, lexer_conf) -> None:  # Lark passes its lexer configuration
        pass

    def lex(self, tokens):
        return iter(tokens)


def lark_parser(grammar_text: str, transformer: object = None) -> Lark:
    return Lark(
        grammar_text,
        parser="lalr",
        lexer=TokenFeed,
        transformer=transformer,
        maybe_placeholders=False,
        propagate_positions=False,
    )


def compile_tables(grammar_text: str) -> dict[str, Any]:
    """Lark's LALR(1) analysis of the grammar, as plain JSON data for ``lalr.LalrParser``."""
    lark = lark_parser(grammar_text)
    table = lark.parser.parser.parser.parse_table
    reduced = {id(arg): arg for acts in table.states.values() for action, arg in acts.values() if action.name == "Reduce"}
    rules = sorted(reduced.values(), key=_key)
    index = {id(rule): i for i, rule in enumerate(rules)}
    # Lark numbers states in an order that depends on string hashing: renumber them breadth
    # first from the start state, symbols in sorted order, so the file is the same every time
    start = table.start_states["start"]
    number = {start: 0}
    queue = [start]
    for state in queue:
        for _symbol, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in number:
                number[arg] = len(number)
                queue.append(arg)
    states: list[dict[str, int]] = [{} for _ in number]
    for state, actions in table.states.items():
        if state not in number:
            continue
        for symbol, (action, arg) in sorted(actions.items()):
            states[number[state]][symbol] = number[arg] if action.name == "Shift" else -index[id(arg)] - 1
    return {
        "format": TABLES_FORMAT,
        "grammar": grammar_text,
        "start_state": 0,
        "end_state": number[table.end_states["start"]],
        "states": states,
        "rules": [_rule_entry(rule) for rule in rules],
    }


def _key(rule) -> tuple:
    return (rule.origin.name, [s.name for s in rule.expansion], rule.alias or "")


def _rule_entry(rule) -> list:
    """``[origin, size, callback, keep, expand1]`` with Lark's tree-building semantics."""
    origin = rule.origin.name
    if rule.options.keep_all_tokens:
        raise ValueError(f"`!{origin}` is not supported by the table parser")
    keep = [
        [i, (not sym.is_term) and sym.name.startswith("_")]
        for i, sym in enumerate(rule.expansion)
        if not (sym.is_term and sym.filter_out)
    ]
    plain = len(keep) == len(rule.expansion) and not any(splice for _, splice in keep)
    if origin.startswith("_") and rule.alias:
        raise ValueError(f"rule {origin} is inlined and cannot have an alias")
    return [
        origin,
        len(rule.expansion),
        rule.alias or origin,
        None if plain else keep,
        bool(rule.options.expand1 and not rule.alias),
    ]


def tables_text(tables: dict[str, Any]) -> str:
    """The JSON file's text: one state per line, so a grammar change gives a readable diff."""
    head = {k: v for k, v in tables.items() if k not in ("states", "rules")}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append('  "rules": [')
    lines.append(",\n".join("    " + json.dumps(r) for r in tables["rules"]))
    lines.append("  ],")
    lines.append('  "states": [')
    lines.append(",\n".join("    " + json.dumps(s) for s in tables["states"]))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


class LarkReference:
    """Parse with Lark's own LALR runtime (the tests compare it with ``lalr.LalrParser``)."""

    def __init__(self, grammar_text: str, builder: object) -> None:
        self._lark = lark_parser(grammar_text, builder)

    def parse(self, tokens: list[Tok]):
        try:
            return self._lark.parse(tokens)
        except UnexpectedToken as e:
            raise ParseError(e.token, set(e.expected)) from None


def main(argv: list[str]) -> int:
    grammar_path = resource_path("grammars", "prisma.lark")
    out = grammar_path.with_name("prisma.tables.json")
    text = tables_text(compile_tables(grammar_path.read_text(encoding="utf-8")))
    return update_generated(out, text, "--check" in argv, "python -m prisma_lint.frontends.prisma.grammar_tables")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
