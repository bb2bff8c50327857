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
from operator import itemgetter
from typing import Any, Optional

from .lexer import Tok, Token

TABLES_FORMAT = 1


class ParseError(Exception):
    """The parser met ``token`` where only ``expected`` (terminal names) could come."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token[0]} at offset {token[2]}")
        self.token = token
        self.expected = expected


class LalrParser:
    """Parse a token list with LALR tables, calling ``builder``'s methods as rules reduce.

    ``tables`` is the JSON object ``grammar_tables.compile_tables`` makes:
    ``states``: per state, {symbol: action}, an action ``>= 0`` shifting to that state and
    ``< 0`` reducing rule ``-action - 1``; ``rules``: ``[origin, size, callback, keep, expand1]``
    with ``keep`` the child positions kept, as ``[position, splice]`` pairs (None: all, as is).

    The children of a ``_rule`` are a plain list that its parent splices in where ``keep``
    says so (the splice positions are known from the table, so no marker type is needed).
    """

    # How many state stacks may be learnt (see ``parse``): real schemas meet a few hundred; a
    # crafted one (every line nested differently, up to MAX_NESTING deep) could meet a new one
    # per token, each a tuple as deep as the nesting.
    max_stacks = 20_000

    def __init__(self, tables: dict[str, Any], builder: object) -> None:
        self.states: list[dict[str, int]] = tables["states"]
        self.start_state: int = tables["start_state"]
        self.end_state: int = tables["end_state"]
        # reversed, so that a reduce action (``-rule - 1``) indexes its rule's entry as it is
        self.reductions = [_reduction(rule, builder) for rule in tables["rules"]][::-1]
        self._forget()

    def _forget(self) -> None:
        # The steps learnt so far (see ``parse``): every state stack met, numbered, and per
        # number, {terminal: (the next stack's number, the reductions before the shift)}.
        self._stack_ids: dict[tuple[int, ...], int] = {(self.start_state,): 0}
        self._stacks: list[tuple[int, ...]] = [(self.start_state,)]
        self._steps: list[dict[str, tuple[int, tuple]]] = [{}]

    def parse(self, tokens: list[Token]):
        # The hot loop of parsing (a 100k-line schema: ~540k tokens, ~620k reductions). What
        # the parser does on a token depends only on the state stack and the token's type, and
        # a block's body is left-recursive, so few stacks recur over and over: each (stack,
        # type) is worked out once, from the tables (``_learn``), into the stack it leaves and
        # the reductions it makes; then a token costs one lookup and its reductions only build
        # values (CPU time, 100k lines: the loop ~0.45 -> ~0.25 s). A rule whose value is its
        # child or its children list (a `_rule`) calls nothing; a rule of one child replaces
        # the top of the stack. Past ``max_stacks`` learnt, what was learnt is forgotten and
        # the block parsed from the tables alone.
        try:
            return self._parse_learnt(tokens)
        except _Full:  # only ever with pathological nesting: this block without learning
            self._forget()
            return self._parse_plain(tokens)

    def _parse_learnt(self, tokens: list[Token]):
        steps = self._steps
        value_stack: list = []
        push_value = value_stack.append
        stack = 0
        for token in tokens:
            step = steps[stack].get(token[0])
            if step is None:
                step = self._learn(stack, token)
            stack, reductions = step
            for size, reduce in reductions:
                if size == 1:
                    if reduce is not _only_child:
                        value_stack[-1] = [value_stack[-1]] if reduce is None else reduce([value_stack[-1]])
                elif size:
                    children = value_stack[-size:]
                    del value_stack[-size:]
                    push_value(children if reduce is None else reduce(children))
                else:
                    push_value([] if reduce is None else reduce([]))
            push_value(token)
        last = tokens[-1] if tokens else ("$END", "", 0, 0)
        end = Tok("$END", "", last[2], last[3])
        step = steps[stack].get("$END") or self._learn(stack, end)
        for size, reduce in step[1]:
            children = value_stack[-size:] if size else []
            if size:
                del value_stack[-size:]
            push_value(children if reduce is None else reduce(children))
        return value_stack[-1]

    def _parse_plain(self, tokens: list[Token]):
        """The same, straight from the tables (no step learnt)."""
        states = self.states
        state_stack = [self.start_state]
        value_stack: list = []
        last = tokens[-1] if tokens else ("$END", "", 0, 0)
        for token in [*tokens, Tok("$END", "", last[2], last[3])]:
            kind = token[0]
            while True:
                state = state_stack[-1]
                action = states[state].get(kind)
                if action is None:
                    if state == self.end_state:  # `start` reduced (only ever before $END): done
                        return value_stack[-1]
                    raise ParseError(token, {s for s in states[state] if s.isupper()})
                if action >= 0:  # shift
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                origin, size, reduce = self.reductions[action]
                children = value_stack[-size:] if size else []
                if size:
                    del value_stack[-size:]
                    del state_stack[-size:]
                state_stack.append(states[state_stack[-1]][origin])
                value_stack.append(children if reduce is None else reduce(children))
        raise AssertionError("the end-of-input token was shifted")  # the tables never do this

    def _learn(self, stack_id: int, token: Token) -> tuple[int, tuple]:
        """What the tables do on ``token`` with the stack ``stack_id``: the reductions, then the
        shift (the next stack's number) or, on ``$END``, the end (-1). ParseError when nothing."""
        kind = token[0]
        states = self.states
        stack = list(self._stacks[stack_id])
        reductions: list[tuple[int, Any]] = []
        while True:
            state = stack[-1]
            action = states[state].get(kind)
            if action is None:
                if state == self.end_state:  # `start` reduced (only ever before $END): done
                    step = (-1, tuple(reductions))
                    self._steps[stack_id][kind] = step
                    return step
                raise ParseError(token, {s for s in states[state] if s.isupper()})
            if action >= 0:  # shift
                stack.append(action)
                break
            origin, size, reduce = self.reductions[action]
            if size:
                del stack[-size:]
            stack.append(states[stack[-1]][origin])
            reductions.append((size, reduce))
        key = tuple(stack)
        number = self._stack_ids.get(key)
        if number is None:
            if len(self._stacks) >= self.max_stacks:
                raise _Full
            number = self._stack_ids[key] = len(self._stacks)
            self._stacks.append(key)
            self._steps.append({})
        step = (number, tuple(reductions))
        self._steps[stack_id][kind] = step
        return step


class _Full(Exception):
    """Too many state stacks learnt: the parse goes on from the tables alone."""


def _reduction(rule: list, builder: object) -> tuple[str, int, Optional[Callable[[list], Any]]]:
    """``(origin, size, build)``; ``build`` None: the value is the children list itself."""
    origin, size, callback, keep, expand1 = rule
    build: Optional[Callable[[list], Any]]
    if origin.startswith("_"):
        if keep is None:
            return origin, size, None
        return origin, size, _filtered(keep, None)
    method = getattr(builder, callback, None)
    one_child = size == 1 if keep is None else (len(keep) == 1 and not keep[0][1])
    if (expand1 or getattr(method, "only_child", False)) and one_child:
        # `?rule` with one child: the child itself, no method needed
        return origin, size, _only_child if keep is None else itemgetter(keep[0][0])
    if method is None:
        raise ValueError(f"the parse builder has no method for grammar rule {callback!r}")
    build = _expand_single(method) if expand1 else method
    if keep is None:
        return origin, size, build
    return origin, size, _filtered(keep, build)


_only_child = itemgetter(0)


def only_child(method: Callable) -> Callable:
    """Marks a builder method whose value is its only child: the driver calls nothing then (it
    stays for Lark's runtime)."""
    method.only_child = True  # type: ignore[attr-defined]
    return method


def _expand_single(method: Callable[[list], Any]) -> Callable[[list], Any]:
    def build(children: list) -> Any:
        return children[0] if len(children) == 1 else method(children)

    return build


def _filtered(keep: list, build: Optional[Callable[[list], Any]]) -> Callable[[list], Any]:
    """Keep the children at ``keep``'s positions, splicing in the lists of ``_rule`` children,
    then ``build`` (None: the kept list is the value)."""
    positions = [i for i, _ in keep]
    splices = [i for i, splice in keep if splice]
    if not splices:
        get = itemgetter(*positions)
        if len(positions) == 1:
            only = positions[0]

            def pick_one(children: list) -> Any:
                kept = [children[only]]
                return kept if build is None else build(kept)

            return pick_one

        def pick(children: list) -> Any:
            kept = list(get(children))
            return kept if build is None else build(kept)

        return pick
    if build is None and keep[0][0] == 0 and keep[0][1]:
        # a repetition (`__x_star`): the list so far comes first and is nobody else's value,
        # so it grows in place (copying it each time was quadratic in a block's length)
        rest = keep[1:]

        def accumulate(children: list) -> Any:
            kept = children[0]
            for i, splice in rest:
                if splice:
                    kept += children[i]
                else:
                    kept.append(children[i])
            return kept

        return accumulate
    if splices == [positions[-1]] and positions[:-1] == list(range(len(positions) - 1)):
        # the leading children as they are, then one spliced list (`field: IDENT type attr*`)
        head, tail = len(positions) - 1, positions[-1]

        def head_and_tail(children: list) -> Any:
            kept = children[:head]
            kept += children[tail]
            return kept if build is None else build(kept)

        return head_and_tail

    def pick_and_splice(children: list) -> Any:
        kept: list = []
        for i, splice in keep:
            if splice:
                kept += children[i]
            else:
                kept.append(children[i])
        return kept if build is None else build(kept)

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
