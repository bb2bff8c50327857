"""One parsed JavaScript/TypeScript file: text and positions, its declarations and imports, and
the tree helpers the extractor needs (scopes, patterns, wrappers)."""

from __future__ import annotations

import re
from typing import Optional

_EXPORTED = re.compile(rb"export\s+default\s+([\w$]+)\s*;?\s*$|export\s*\{([^}]*)\}(?!\s*from)", re.M)

FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    }
)
WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "await_expression", "type_assertion"}
)


class JsFile:
    def __init__(self, data: bytes, root) -> None:
        self.data = data
        self.root = root
        self.line_starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]
        self._decls: Optional[dict[str, list]] = None
        self._imports: Optional[dict[str, list]] = None

    # -- text and positions ----------------------------------------------------------------
    def text(self, node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def col(self, row: int, byte_col: int) -> int:
        """1-based character column (a tab is one column; CRLF needs nothing: '\\r' ends a line)."""
        start = self.line_starts[row]
        return len(self.data[start : start + byte_col].decode("utf-8", "replace")) + 1

    def line_text(self, row: int) -> str:
        start = self.line_starts[row]
        end = self.line_starts[row + 1] if row + 1 < len(self.line_starts) else len(self.data)
        return self.data[start:end].decode("utf-8", "replace").rstrip("\r\n")

    # -- declarations ----------------------------------------------------------------------
    def decls(self) -> dict[str, list]:
        """name -> variable declarators binding it (identifiers, and names in object patterns)."""
        if self._decls is None:
            out: dict[str, list] = {}
            for n in self._declarators():
                name = n.child_by_field_name("name")
                if name is not None:
                    for ident in pattern_names(name):
                        out.setdefault(self.text(ident), []).append(n)
            self._decls = out
        return self._decls

    def _declarators(self) -> list:
        """Every variable declarator (a subclass finds them with a tree-sitter query, in C)."""
        out, stack = [], [self.root]
        while stack:
            n = stack.pop()
            if n.type == "variable_declarator":
                out.append(n)
            if n.named_child_count and n.type not in ("string", "template_string", "comment", "jsx_text"):
                stack.extend(n.named_children)
        return out

    def imports(self) -> dict[str, list]:
        """local name -> [module, imported name] for `import` statements."""
        if self._imports is None:
            out: dict[str, list] = {}
            for stmt in self.root.named_children:
                if stmt.type != "import_statement":
                    continue
                src = stmt.child_by_field_name("source")
                if src is None:
                    continue
                module = self.text(src).strip("'\"`")
                for clause in stmt.named_children:
                    if clause.type != "import_clause":
                        continue
                    for part in clause.named_children:
                        if part.type == "identifier":
                            out[self.text(part)] = [module, "default"]
                        elif part.type == "namespace_import":
                            for ident in part.named_children:
                                out[self.text(ident)] = [module, "*"]
                        elif part.type == "named_imports":
                            for spec in part.named_children:
                                if spec.type != "import_specifier":
                                    continue
                                name = spec.child_by_field_name("name")
                                alias = spec.child_by_field_name("alias")
                                if name is not None:
                                    out[self.text(alias or name)] = [module, self.text(name)]
            self._imports = out
        return self._imports

    def reexported_imports(self) -> set[str]:
        """Modules this file imports a name from and exports it again (`export default prisma`,
        `export { prisma }`): a client module's wrapper."""
        exported: set[str] = set()
        for m in _EXPORTED.finditer(self.data):
            if m.group(1):
                exported.add(m.group(1).decode("utf-8", "replace"))
            else:
                for part in m.group(2).decode("utf-8", "replace").split(","):
                    exported.add(part.strip().split(" ")[0])
        return {module for local, (module, _) in self.imports().items() if local in exported}

    # -- one call ---------------------------------------------------------------------------

    def _declaration(self, name: str, at):
        """The innermost declarator of ``name`` whose scope encloses ``at``."""
        cands = self.decls().get(name)
        if not cands:
            return None
        best, best_depth = None, -1
        for d in cands:
            scope = scope_of(d)
            if scope is None:
                depth = 0
            elif scope.start_byte <= at.start_byte and at.end_byte <= scope.end_byte:
                depth = function_depth(scope)
            else:
                continue
            if depth > best_depth:
                best, best_depth = d, depth
        return best


def unwrap(node):
    while node is not None and node.type in WRAPPERS and node.named_children:
        node = node.named_children[-1] if node.type == "await_expression" else node.named_children[0]
    return node


def branches(node) -> list:
    """The object branches of a conditional spread: `cond ? {...} : {}`, `cond && {...}`
    (iterative: generated code nests ternaries thousands deep)."""
    out, stack = [], [node]
    while stack:
        n = unwrap(stack.pop())
        if n.type == "ternary_expression":
            stack.extend(b for b in (n.child_by_field_name("alternative"), n.child_by_field_name("consequence")) if b is not None)
        elif n.type == "binary_expression":
            right = n.child_by_field_name("right")
            if right is not None:
                stack.append(right)
        else:
            out.append(n)
    return out


def pattern_names(node):
    t = node.type
    if t in ("identifier", "shorthand_property_identifier_pattern"):
        yield node
    elif t in ("object_pattern", "array_pattern"):
        for c in node.named_children:
            yield from pattern_names(c)
    elif t == "pair_pattern":
        v = node.child_by_field_name("value")
        if v is not None:
            yield from pattern_names(v)
    elif t in ("assignment_pattern", "object_assignment_pattern"):
        left = node.child_by_field_name("left")
        if left is not None:
            yield from pattern_names(left)
    elif t == "rest_pattern":
        for c in node.named_children:
            yield from pattern_names(c)


def scope_of(node):
    """The nearest enclosing function (None: module scope)."""
    p = node.parent
    while p is not None:
        if p.type in FUNCTIONS:
            return p
        p = p.parent
    return None


def function_depth(node) -> int:
    if node is None:
        return 0
    d = 0
    p = node
    while p is not None:
        if p.type in FUNCTIONS:
            d += 1
        p = p.parent
    return d
