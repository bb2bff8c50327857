"""Run the LALR(1) tables that Lark computes for ``grammars/prisma.lark``.

Lark does the grammar work: it reads ``prisma.lark``, expands its EBNF and computes the LALR(1)
parse table (``grammar_tables.py`` asks it, and writes the result to ``_tables.py`` as Python
literals, which the package's bytecode loads without a JSON parser). What remains at run time is the
shift/reduce loop below, which follows Lark's own LALR parser step for step and builds the
tree the way Lark's ``transformer=`` mode does: tokens whose name starts with ``_`` are dropped,
rules whose name starts with ``_`` are spliced into their parent, a ``?rule`` with one child is
replaced by that child, and every other rule calls the builder method named after its alias or
its rule name.

Why not Lark's runtime: importing Lark and loading its cached parser cost ~35 ms of every cold
start (a pre-commit or on-save run; the budget is 150 ms); this module and its table cost ~2 ms. ``tests/test_lalr.py`` proves the two produce the same AST and the same errors on
every corpus schema and on random edits of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from .lexer import Tok

TABLES_FORMAT = 1


class ParseError(Exception):
    """The parser met ``token`` where only ``expected`` (terminal names) could come."""

    def __init__(self, token: Tok, expected: set[str]) -> None:
        super().__init__(f"unexpected {token.type} at offset {token.start_pos}")
        self.token = token
        self.expected = expected


class Inline(list):
    """The children of a ``_rule``: its parent takes them in its place."""

    __slots__ = ()


class LalrParser:
    """Parse a token list with LALR tables, calling ``builder``'s methods as rules reduce.

    ``tables`` is the JSON object ``grammar_tables.compile_tables`` makes:
    ``states``: per state, {symbol: action}, an action ``>= 0`` shifting to that state and
    ``< 0`` reducing rule ``-action - 1``; ``rules``: ``[origin, size, callback, keep, expand1]``
    with ``keep`` the child positions kept, as ``[position, splice]`` pairs (None: all, as is).
    """

    def __init__(self, tables: dict[str, Any], builder: object) -> None:
        self.states: list[dict[str, int]] = tables["states"]
        self.start_state: int = tables["start_state"]
        self.end_state: int = tables["end_state"]
        self.reductions = [_reduction(rule, builder) for rule in tables["rules"]]

    def parse(self, tokens: list[Tok]):
        states = self.states
        reductions = self.reductions
        end_state = self.end_state
        state_stack = [self.start_state]
        value_stack: list = []
        state = self.start_state
        last = tokens[-1] if tokens else Tok("$END", "", 0, 0)
        end = Tok("$END", "", last.start_pos, last.end_pos)
        for token in _then(tokens, end):
            kind = token.type
            while True:
                action = states[state].get(kind)
                if action is None:
                    raise ParseError(token, {s for s in states[state] if s.isupper()})
                if action >= 0:  # shift
                    state_stack.append(action)
                    value_stack.append(token)
                    state = action
                    break
                origin, size, reduce = reductions[-action - 1]
                if size:
                    children = value_stack[-size:]
                    del value_stack[-size:]
                    del state_stack[-size:]
                else:
                    children = []
                state = states[state_stack[-1]][origin]
                state_stack.append(state)
                value_stack.append(reduce(children))
                if kind == "$END" and state == end_state:
                    return value_stack[-1]
        raise AssertionError("the end-of-input token was shifted")  # the tables never do this


def _then(tokens: list[Tok], end: Tok):
    yield from tokens
    yield end


def _reduction(rule: list, builder: object) -> tuple[str, int, Callable[[list], Any]]:
    origin, size, callback, keep, expand1 = rule
    build: Callable[[list], Any]
    if origin.startswith("_"):
        build = Inline
    else:
        method = getattr(builder, callback, None)
        one_child = size == 1 if keep is None else (len(keep) == 1 and not keep[0][1])
        if expand1 and one_child:
            build = _only_child  # `?rule` with one child: the child itself, no method needed
        elif method is None:
            raise ValueError(f"the parse builder has no method for grammar rule {callback!r}")
        elif expand1:
            build = _expand_single(method)
        else:
            build = method
    if keep is None:
        return origin, size, build
    return origin, size, _filtered(keep, build)


def _only_child(children: list) -> Any:
    return children[0]


def _expand_single(method: Callable[[list], Any]) -> Callable[[list], Any]:
    def build(children: list) -> Any:
        return children[0] if len(children) == 1 else method(children)

    return build


def _filtered(keep: list, build: Callable[[list], Any]) -> Callable[[list], Any]:
    if not any(splice for _, splice in keep):
        positions = [i for i, _ in keep]

        def pick(children: list) -> Any:
            return build([children[i] for i in positions])

        return pick

    def pick_and_splice(children: list) -> Any:
        kept: list = []
        for i, splice in keep:
            if splice:
                kept += children[i]
            else:
                kept.append(children[i])
        return build(kept)

    return pick_and_splice


def stored_tables() -> Optional[dict[str, Any]]:
    """The tables kept in ``_tables.py`` (None before they are first generated)."""
    try:
        from . import _tables
    except ImportError:
        return None
    return {
        "format": _tables.FORMAT,
        "grammar": _tables.GRAMMAR,
        "start_state": _tables.START_STATE,
        "end_state": _tables.END_STATE,
        "rules": _tables.RULES,
        "states": _tables.STATES,
    }


def load_tables(tables: Optional[dict[str, Any]], grammar_text: str) -> Optional[dict[str, Any]]:
    """The stored tables, or None when they were computed from another grammar text."""
    if tables is None or tables.get("format") != TABLES_FORMAT or tables.get("grammar") != grammar_text:
        return None
    return tables
