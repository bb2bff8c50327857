"""How a call's receiver is bound: the part of the extractor that tells a Prisma client
(`prisma`, `tx`, `this.prisma`, `prisma.client`) from a look-alike (`stripe`, `cache`,
`this.client`). The answer is a small tree the resolver finishes with the other files
(an import is a client when its module creates one)."""

from __future__ import annotations

import re
from typing import Optional

from .jsfile import FUNCTIONS, JsFile, function_depth, pattern_names, scope_of, unwrap

CREATES_CLIENT = re.compile(rb"new\s+PrismaClient\b|\.\s*\$extends\s*\(")


class Receivers(JsFile):
    def _receiver_binding(self, receiver, at, depth: int) -> Optional[list]:
        """How the receiver is bound, as a small tree the resolver reads with the other files:
        ["client"] (surely one), ["no"] (surely not), ["name", n] (judge by the name),
        ["import", module, name, local], ["member", base, prop] (`prisma.client`, `ctx.prisma`),
        ["this", prop] (a class member with no type on record). None: not a receiver at all."""
        r = unwrap(receiver)
        if depth > 6:
            return ["no"]
        if r.type == "identifier":
            return self._name_binding(self.text(r), at, depth)
        if r.type == "member_expression":
            obj = r.child_by_field_name("object")
            prop = r.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            pname = self.text(prop)
            if obj.type == "this":
                return self._this_binding(pname, r)
            base = self._receiver_binding(obj, at, depth + 1)
            return ["member", base or ["no"], pname]
        if r.type == "this":
            # `this.user.findMany()` in `class PrismaService extends PrismaClient` (NestJS)
            cls = _enclosing_class(r)
            if cls is not None:
                heritage = next((c for c in cls.children if c.type == "class_heritage"), None)
                if heritage is not None and re.search(rb"\bextends\s+[\w.]*PrismaClient\b", self.data[heritage.start_byte : heritage.end_byte]):
                    return ["client"]
            return None
        return None  # `getClient().user.findMany()`: unknown, never a call site

    def _this_binding(self, prop: str, at) -> list:
        cls = _enclosing_class(at)
        if cls is not None:
            body = self.data[cls.start_byte : cls.end_byte]
            n = re.escape(prop.encode())
            m = re.search(rb"(?<![\w$.])" + n + rb"\s*[?!]?\s*:\s*([\w$.]+)", body)
            if m:
                return ["client"] if b"prisma" in m.group(1).lower() else ["no"]
            m = re.search(rb"this\s*\.\s*" + n + rb"\s*=(?!=)\s*([^;\n]+)", body)
            if m:
                if CREATES_CLIENT.search(m.group(1)) or b"prisma" in m.group(1).lower():
                    return ["client"]
                return ["no"]
        return ["this", prop]

    def _name_binding(self, name: str, at, depth: int) -> list:
        # the innermost of: a parameter of an enclosing function, a declaration in scope
        decl = self._declaration(name, at)
        decl_depth = function_depth(scope_of(decl)) if decl is not None else -1
        node = at.parent
        while node is not None:
            if node.type in FUNCTIONS:
                if function_depth(node) <= decl_depth:
                    break
                param = self._param(node, name)
                if param is not None:
                    return self._param_binding(node, param, name)
            node = node.parent
        if decl is not None:
            return self._decl_binding(decl, name, depth)
        imp = self.imports().get(name)
        if imp is not None:
            return ["import", imp[0], imp[1], name]
        return ["name", name]

    def _param(self, fn, name: str):
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if params is None:
            return None
        if params.type == "identifier":
            return params if self.text(params) == name else None
        for p in params.named_children:
            target = p.child_by_field_name("pattern") if p.type in ("required_parameter", "optional_parameter") else p
            if target is None:
                continue
            if target.type == "assignment_pattern":
                target = target.child_by_field_name("left") or target
            for ident in pattern_names(target):
                if self.text(ident) == name:
                    return p
        return None

    def _param_binding(self, fn, param, name: str) -> list:
        parent = fn.parent
        if parent is not None and parent.type == "arguments":
            call = parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is not None:
                ctext = self.text(callee)
                if re.search(r"(?:^|\.)\$?transaction$", ctext):
                    return ["client"]  # `prisma.$transaction(async (tx) => ...)`, or a wrapper
        ann = param.child_by_field_name("type") if param.type in ("required_parameter", "optional_parameter") else None
        if ann is not None:
            atext = self.text(ann)
            if "prisma" in atext.lower():
                if re.search(r"\{", atext) and not re.search(r"\b" + re.escape(name) + r"\s*[?]?:\s*[\w.]*Prisma", atext):
                    return ["name", name]  # a destructured param typed as a bag: judge the name
                return ["client"]  # `tx: Prisma.TransactionClient`, `prisma: PrismaClient`
            if not re.search(r"\{", atext):
                # typed as something else: an alias (`ResponseDbClient`) if it is named like a client
                return ["name", name] if "prisma" in name.lower() else ["no"]
        return ["name", name]

    def _decl_binding(self, decl, name: str, depth: int) -> list:
        pattern = decl.child_by_field_name("name")
        value = decl.child_by_field_name("value")
        if value is None:
            return ["name", name]
        v = unwrap(value)
        vtext = self.data[v.start_byte : v.end_byte]
        if pattern.type != "identifier":
            # `const { client } = prisma`, `const { prisma } = ctx`
            base = self._receiver_binding(v, decl, depth + 1) if v.type in ("identifier", "member_expression") else None
            if v.type == "call_expression":
                fn = v.child_by_field_name("function")
                if fn is not None and self.text(fn) == "require":
                    arg = v.child_by_field_name("arguments")
                    mod = self.text(arg).strip("()'\"` ") if arg is not None else ""
                    return ["import", mod, name, name]
            return ["member", base or ["no"], name]
        if CREATES_CLIENT.search(vtext) or re.search(rb"\bas\s+(?:unknown\s+as\s+)?\w*PrismaClient\b", vtext):
            return ["client"]
        if v.type in ("identifier", "member_expression"):
            return self._receiver_binding(v, decl, depth + 1) or ["no"]
        if v.type == "call_expression":
            fn = v.child_by_field_name("function")
            if fn is not None and self.text(fn) == "require":
                arg = v.child_by_field_name("arguments")
                mod = self.text(arg).strip("()'\"` ") if arg is not None else ""
                return ["import", mod, "default", name]
        if v.type in ("binary_expression", "ternary_expression"):
            # `const client = tx ?? prisma`: a client when either side is one
            sides = [v.child_by_field_name(f) for f in ("left", "right", "consequence", "alternative")]
            found = [self._receiver_binding(x, decl, depth + 1) for x in sides if x is not None]
            return ["any", *[b for b in found if b is not None]]
        if v.type == "new_expression":
            return ["no"]  # `new Map()`, `new Stripe(key)`
        return ["name", name]  # `const prisma = getPrisma()`: judged by its name


def _enclosing_class(node):
    cls = node.parent
    while cls is not None and cls.type not in ("class_declaration", "class", "abstract_class_declaration"):
        cls = cls.parent
    return cls
