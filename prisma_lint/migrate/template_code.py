"""jinja2's side of the SQL templates: compile each ``templates/*.sql.j2`` into a plain Python
render function, written to ``_templates.py`` (the precedent: Lark computes the LALR tables at
build time, ``grammar_tables.py``, and the generated ``_tables.py`` is what runs).

    python -m prisma_lint.migrate.template_code          # rewrite _templates.py
    python -m prisma_lint.migrate.template_code --check  # exit 1 when _templates.py is stale

The templates stay the single source of the SQL text and jinja2 stays the template engine: each
one is parsed by jinja2 (``Environment.parse``, with the environment ``migrate.sql`` renders
with, so whitespace control and the trailing newline are resolved as at run time) and its node
tree is translated, node by node, into string building. Only the node kinds the templates use
are translated; any other one stops the generator with the template's line (a template edit
that needs more fails here, loudly, instead of rendering wrong). Run it after every template
edit: until then ``migrate.sql`` sees that the template's text changed and renders it with
jinja2, as before (a test fails on a stale ``_templates.py``).

Why: ``import jinja2`` alone is 134 M instructions (callgrind), 0.35x of a cold ``check`` of
cal.com's schema, for four templates of a few lines each.
"""

from __future__ import annotations

import sys
from keyword import iskeyword
from pathlib import Path
from typing import Any, Optional

from jinja2 import nodes

from ..resources import resource_path, update_generated
from .sql import FILTERS, TEMPLATES, jinja_environment, template_key

COMMAND = "python -m prisma_lint.migrate.template_code"
_COMPARE = {"eq": "==", "ne": "!="}
_LOOP_ATTRS = ("first", "last", "index", "index0", "length")


class TemplateCodeError(Exception):
    """The template uses something this translation does not support."""


class _Loop:
    """A ``{% for %}`` being translated: its Python names, and which ``loop.*`` it reads."""

    def __init__(self, n: int) -> None:
        self.i, self.count = f"_i{n}", f"_n{n}"
        self.used: set[str] = set()


class _Translator:
    """One template's node tree -> the source of one Python function."""

    def __init__(self, template: str, tree: nodes.Template, reserved: frozenset[str]) -> None:
        self.template = template
        self.tree = tree
        self.reserved = reserved  # jinja2's globals and a macro's special names: not translated
        self.macros: dict[str, nodes.Macro] = {}
        self.context: set[str] = set()  # names the template reads from the render's variables
        self.filters: set[str] = set()
        self.counter = 0
        self.scopes: list[dict[str, Any]] = []  # innermost last: jinja name -> Python name or _Loop

    # -- helpers ----------------------------------------------------------------------------
    def refuse(self, node: nodes.Node, what: str) -> TemplateCodeError:
        return TemplateCodeError(
            f"{self.template}:{node.lineno}: {what} is not supported by the template compiler "
            f"(prisma_lint/migrate/template_code.py): support it there, or write the template without it"
        )

    def lookup(self, node: nodes.Name) -> Any:
        for scope in reversed(self.scopes):
            if node.name in scope:
                return scope[node.name]
        if node.name in self.macros:
            return f"_m_{node.name}"
        if node.name.startswith("_") or node.name == "loop" or node.name in self.reserved:
            raise self.refuse(node, f"the name `{node.name}` (jinja2's own, outside its loop, or with a leading underscore)")
        self.context.add(node.name)
        return f"v_{node.name}"

    # -- expressions ------------------------------------------------------------------------
    def expr(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Const):
            if node.value is None or isinstance(node.value, (str, int, bool)):
                return repr(node.value)
            raise self.refuse(node, f"the constant {node.value!r}")
        if isinstance(node, nodes.Name):
            target = self.lookup(node)
            if isinstance(target, _Loop):
                raise self.refuse(node, "`loop` used other than as loop.first/last/index/index0/length")
            return target
        if isinstance(node, nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "loop":
                loop = self.lookup(node.node)
                if isinstance(loop, _Loop):
                    return self.loop_attr(node, loop)
            # Python's attribute access: the templates read the fields of records (jinja2 would
            # also try obj[attr] where the attribute is missing: an error either way here)
            obj = self.expr(node.node)
            return f"{obj}.{node.attr}" if node.attr.isidentifier() and not iskeyword(node.attr) else f"getattr({obj}, {node.attr!r})"
        if isinstance(node, nodes.Filter):
            if node.node is None or node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
                raise self.refuse(node, f"the filter `{node.name}` with arguments or as a block")
            if node.name not in FILTERS:
                raise self.refuse(node, f"the filter `{node.name}`")
            self.filters.add(node.name)
            return f"_f_{node.name}({self.expr(node.node)})"
        if isinstance(node, nodes.Call):
            if not isinstance(node.node, nodes.Name) or node.node.name not in self.macros:
                raise self.refuse(node, "a call of something other than a macro of the template")
            macro = self.macros[node.node.name]
            if node.kwargs or node.dyn_args or node.dyn_kwargs or len(node.args) != len(macro.args):
                raise self.refuse(node, f"a call of `{macro.name}` other than with its {len(macro.args)} positional argument(s)")
            return f"_m_{macro.name}({', '.join(self.expr(a) for a in node.args)})"
        if isinstance(node, nodes.Compare):
            parts = [self.expr(node.expr)]
            for op in node.ops:
                if op.op not in _COMPARE:
                    raise self.refuse(node, f"the comparison `{op.op}`")
                parts += [_COMPARE[op.op], self.expr(op.expr)]
            return f"({' '.join(parts)})"
        if isinstance(node, nodes.Not):
            return f"(not {self.expr(node.node)})"
        if isinstance(node, (nodes.And, nodes.Or)):
            word = "and" if isinstance(node, nodes.And) else "or"
            return f"({self.expr(node.left)} {word} {self.expr(node.right)})"
        raise self.refuse(node, f"the expression `{type(node).__name__}`")

    def loop_attr(self, node: nodes.Getattr, loop: _Loop) -> str:
        if node.attr not in _LOOP_ATTRS:
            raise self.refuse(node, f"loop.{node.attr}")
        loop.used.add(node.attr)
        return {
            "first": f"({loop.i} == 0)",
            "last": f"({loop.i} == {loop.count} - 1)",
            "index": f"({loop.i} + 1)",
            "index0": loop.i,
            "length": loop.count,
        }[node.attr]

    # -- statements -------------------------------------------------------------------------
    def body(self, items: list[nodes.Node], out: str, indent: str, lines: list[str]) -> None:
        """Append the Python lines that render ``items`` onto the list named ``out``."""
        start = len(lines)
        for node in items:
            self.statement(node, out, indent, lines)
        if len(lines) == start:
            lines.append(f"{indent}pass")

    def statement(self, node: nodes.Node, out: str, indent: str, lines: list[str]) -> None:
        if isinstance(node, nodes.Output):
            text = ""  # literal text not yet appended (joined with the literals next to it)
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    text += child.data
                elif isinstance(child, nodes.Const) and isinstance(child.value, str):
                    text += child.value
                else:
                    value = self.expr(child)
                    if text:
                        lines.append(f"{indent}{out}.append({text!r})")
                        text = ""
                    # what jinja2 writes for `{{ x }}` without autoescape: str(x); filters and
                    # macros give strings already
                    known_str = isinstance(child, (nodes.Filter, nodes.Call))
                    lines.append(f"{indent}{out}.append({value if known_str else f'str({value})'})")
            if text:
                lines.append(f"{indent}{out}.append({text!r})")
        elif isinstance(node, nodes.If):
            lines.append(f"{indent}if {self.expr(node.test)}:")
            self.body(node.body, out, indent + "    ", lines)
            for branch in node.elif_:
                lines.append(f"{indent}elif {self.expr(branch.test)}:")
                self.body(branch.body, out, indent + "    ", lines)
            if node.else_:
                lines.append(f"{indent}else:")
                self.body(node.else_, out, indent + "    ", lines)
        elif isinstance(node, nodes.For):
            if node.else_ or node.test is not None or node.recursive:
                raise self.refuse(node, "`for` with `else`, `if` or `recursive`")
            if not isinstance(node.target, nodes.Name):
                raise self.refuse(node, "`for` over more than one name")
            n = self.counter + 1
            self.counter = n
            loop = _Loop(n)
            items = self.expr(node.iter)
            target = f"l{n}_{node.target.name}"
            self.scopes.append({node.target.name: target, "loop": loop})
            inner: list[str] = []
            self.body(node.body, out, indent + "    ", inner)
            self.scopes.pop()
            if loop.used & {"last", "length"}:
                lines.append(f"{indent}_s{n} = list({items})")
                lines.append(f"{indent}{loop.count} = len(_s{n})")
                items = f"_s{n}"
            if loop.used:
                lines.append(f"{indent}for {loop.i}, {target} in enumerate({items}):")
            else:
                lines.append(f"{indent}for {target} in {items}:")
            lines.extend(inner)
        elif isinstance(node, nodes.Macro):
            raise self.refuse(node, "a macro inside a block")  # only top-level ones (see function())
        else:
            raise self.refuse(node, f"the statement `{type(node).__name__}`")

    def macro(self, node: nodes.Macro, indent: str, lines: list[str]) -> None:
        if node.defaults:
            raise self.refuse(node, f"default arguments of macro `{node.name}`")
        params = {a.name: f"p_{a.name}" for a in node.args}
        lines.append(f"{indent}def _m_{node.name}({', '.join(params.values())}):")
        self.scopes.append(dict(params))
        lines.append(f"{indent}    _o = []")
        self.body(node.body, "_o", indent + "    ", lines)
        lines.append(f"{indent}    return ''.join(_o)")
        self.scopes.pop()

    def function(self, name: str) -> str:
        """``def name(filters, **variables) -> str``: the template rendered with the
        variables (the ones it reads are required), ``filters`` giving ``FILTERS``."""
        top: list[nodes.Node] = []
        for node in self.tree.body:
            if isinstance(node, nodes.Macro):
                if node.name in self.macros:
                    raise self.refuse(node, f"a second macro `{node.name}`")
                self.macros[node.name] = node
            else:
                top.append(node)
        body: list[str] = []
        for macro in self.macros.values():
            self.macro(macro, "    ", body)
        body.append("    _o = []")
        self.body(top, "_o", "    ", body)
        body.append("    return ''.join(_o)")
        head = [f"def {name}(filters, **variables):"]
        head += [f"    _f_{f} = filters[{f!r}]" for f in sorted(self.filters)]
        head += [f"    v_{v} = variables[{v!r}]" for v in sorted(self.context)]
        return "\n".join(head + body) + "\n"


def compile_template(template: str, text: str, function: str) -> str:
    """The Python source of ``function``, which renders ``text`` (the template named
    ``template``) as jinja2 does; TemplateCodeError for a node it does not translate."""
    env = jinja_environment()
    reserved = frozenset(env.globals) | {"varargs", "kwargs", "caller", "self"}
    return _Translator(template, env.parse(text, name=template), reserved).function(function)


def function_name(template: str) -> str:
    return "render_" + template.split(".", 1)[0]


def module_text(texts: dict[str, str]) -> str:
    """``_templates.py``: one function per template, and each template's key
    (``sql.template_key``: what says the installed template is still the one compiled)."""
    out = [
        '"""The SQL templates (``templates/*.sql.j2``) compiled to plain Python by jinja2\'s parse. Generated by',
        f"``{COMMAND}``; a test fails when it is stale, and ``migrate.sql`` renders a",
        'template with jinja2 whenever its text is not the one compiled here."""',
        "",
        "# fmt: off",
        "# ruff: noqa",
        "FORMAT = 1",
        "",
    ]
    keys = []
    for template in sorted(texts):
        out += ["", compile_template(template, texts[template], function_name(template))]
        keys.append(f"    {template!r}: ({template_key(texts[template])!r}, {function_name(template)}),")
    out += ["", "# template file name -> (key of the text compiled, render function)", "COMPILED = {", *keys, "}", ""]
    return "\n".join(out)


def template_texts(folder: Optional[str] = None) -> dict[str, str]:
    texts = {}
    for template in sorted(set(TEMPLATES.values())):
        path = resource_path("templates", template) if folder is None else str(Path(folder) / template)
        with open(path, encoding="utf-8", newline="") as f:
            texts[template] = f.read()
    return texts


def main(argv: list[str]) -> int:
    out = Path(__file__).with_name("_templates.py")
    return update_generated(out, module_text(template_texts()), "--check" in argv, COMMAND)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
