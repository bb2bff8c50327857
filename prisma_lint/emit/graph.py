"""`prisma-lint graph`: the model graph as JSON (a documented contract), Mermaid or Graphviz dot."""

from __future__ import annotations

import json

from ..model.schema import Index, Model, Schema

GRAPH_JSON_VERSION = 1


def _index(i: Index) -> dict:
    return {
        "kind": i.kind,
        "fields": i.fields,
        "columns": [c.db_name for c in i.columns],
        "db_name": i.db_name,
        "map": i.map,
        "name": i.name,
        "type": i.type,
        "where": i.where,
        "sort": [c.sort for c in i.columns],
        "length": [c.length for c in i.columns],
        "ops": [c.ops for c in i.columns],
        "on_field": i.on_field,
        "synthetic": i.synthetic,
        "location": {"file": i.span.file.path, "line": i.span.line, "column": i.span.column},
    }


def _model(m: Model) -> dict:
    return {
        "name": m.name,
        "db_name": m.db_name,
        "kind": m.kind,
        "schema": m.schema,
        "ignored": m.ignored,
        "documentation": m.doc,
        "location": {"file": m.span.file.path, "line": m.span.line, "column": m.span.column},
        "fields": [
            {
                "name": f.name,
                "db_name": f.db_name,
                "type": f.type,
                "kind": f.kind,
                "optional": f.optional,
                "list": f.list,
                "native_type": str(f.native_type) if f.native_type else None,
                "default": f.default,
                "id": f.is_id,
                "unique": f.is_unique,
                "updated_at": f.is_updated_at,
                "ignored": f.ignored,
                "documentation": f.doc,
                "relation": f.relation.name if f.relation else None,
            }
            for f in m.fields.values()
        ],
        "indexes": [_index(i) for i in m.indexes],
    }


def graph_json(schema: Schema) -> dict:
    ds = schema.datasource
    return {
        "version": GRAPH_JSON_VERSION,
        "provider": schema.provider,
        "relation_mode": schema.relation_mode,
        "datasource": None
        if ds is None
        else {"name": ds.name, "provider": ds.provider, "relation_mode": ds.relation_mode, "schemas": ds.schemas},
        "preview_features": schema.preview_features,
        "files": [f.source.path for f in schema.files],
        "models": [_model(m) for m in schema.models.values()],
        "composite_types": [_model(m) for m in schema.composite_types.values()],
        "enums": [
            {
                "name": e.name,
                "db_name": e.db_name,
                "values": [{"name": v.name, "db_name": v.db_name} for v in e.values],
                "schema": e.schema,
            }
            for e in schema.enums.values()
        ],
        "relations": [
            {
                "name": r.name,
                "kind": r.kind,
                "model": r.model,
                "field": r.field,
                "target": r.target,
                "back_field": r.back_field,
                "fields": r.fields,
                "references": r.references,
                "on_delete": r.on_delete,
                "on_update": r.on_update,
                "db_name": r.db_name,
                "join_table": None
                if r.join_table is None
                else {
                    "name": r.join_table.db_name,
                    "columns": ["A", "B"],
                    "indexes": [_index(i) for i in r.join_table.indexes],
                },
            }
            for r in schema.relations
        ],
    }


def to_json(schema: Schema) -> str:
    return json.dumps(graph_json(schema), indent=2, ensure_ascii=False) + "\n"


_MERMAID_CARD = {"1-1": ("|o", "o|"), "1-n": ("}o", "o|"), "m-n": ("}o", "o{")}


def _mermaid_id(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)


def to_mermaid(schema: Schema) -> str:
    """An ER diagram: each model with its scalar fields, and one line per relation."""
    lines = ["erDiagram"]
    for m in schema.models.values():
        lines.append(f"    {_mermaid_id(m.name)} {{")
        for f in m.scalar_fields():
            keys = []
            if f.is_id or (m.primary_key and f.name in m.primary_key.fields):
                keys.append("PK")
            if any(f.name in r.fields for r in schema.relations if r.model == m.name):
                keys.append("FK")
            if f.is_unique:
                keys.append("UK")
            type_ = _mermaid_id(f.type + ("[]" if f.list else "")).rstrip("_") or "Unknown"
            lines.append(f"        {type_} {_mermaid_id(f.name)}{(' ' + ','.join(keys)) if keys else ''}")
        lines.append("    }")
    for r in schema.relations:
        left, right = _MERMAID_CARD.get(r.kind, ("}o", "o|"))
        label = r.field if r.kind == "m-n" else ", ".join(r.fields) or r.field
        lines.append(f'    {_mermaid_id(r.model)} {left}--{right} {_mermaid_id(r.target)} : "{label}"')
    return "\n".join(lines) + "\n"


def _dot_quote(s: str, escapes: bool = False) -> str:
    """A dot string; with ``escapes``, backslash sequences (record labels' \\l) are kept."""
    if not escapes:
        s = s.replace("\\", "\\\\")
    return '"' + s.replace('"', '\\"') + '"'


def to_dot(schema: Schema) -> str:
    lines = ["digraph prisma {", "  rankdir=LR;", '  node [shape=record, fontname="Helvetica"];']
    for m in schema.models.values():
        fields = "\\l".join(
            f"{f.name}: {f.type}{'[]' if f.list else ''}{'?' if f.optional else ''}".replace("{", "\\{").replace("}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")
            for f in m.scalar_fields()
        )
        label = "{" + m.name + "|" + fields + "\\l}"
        lines.append(f"  {_dot_quote(m.name)} [label={_dot_quote(label, escapes=True)}];")
    for r in schema.relations:
        label = (r.field if r.kind == "m-n" else ", ".join(r.fields)) + f" ({r.kind})"
        lines.append(f"  {_dot_quote(r.model)} -> {_dot_quote(r.target)} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
