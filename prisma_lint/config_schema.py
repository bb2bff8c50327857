"""The JSON Schema of the configuration (``prisma-lint.schema.json`` at the top of the
repository), generated from the rule registry so that editors (Even Better TOML / taplo, VS Code)
complete and check rule ids, keys and options::

    python -m prisma_lint.config_schema           # rewrite prisma-lint.schema.json
    python -m prisma_lint.config_schema --check   # exit 1 when it is stale (a test runs this too)

Built-in rules only: a locally installed plugin must not change the shipped file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .config import _TOP_KEYS
from .findings import SEVERITIES

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "prisma-lint.schema.json"

_TYPES: dict[type, dict[str, Any]] = {
    int: {"type": "integer", "minimum": 0},
    str: {"type": "string"},
    bool: {"type": "boolean"},
    list: {"type": "array", "items": {"type": "string"}},
}


def _option(o) -> dict[str, Any]:
    return {**_TYPES[o.type], "default": o.default, "description": o.doc}


def config_schema(rules) -> dict[str, Any]:
    """The schema of the prisma-lint table (``prisma-lint.toml``, or ``[tool.prisma-lint]``)."""
    rules = sorted(rules, key=lambda r: r.id)
    selectors = {"type": "array", "items": {"$ref": "#/definitions/rule-selector"}, "uniqueItems": True}
    severity = {"$ref": "#/definitions/severity"}
    properties: dict[str, Any] = {
        "select": {**selectors, "description": 'Only these rules (ids, or "all": the default).'},
        "extend-select": {**selectors, "description": "Rules added to `select` (or to the default set)."},
        "ignore": {**selectors, "description": "Rules not to run."},
        "extend-ignore": {**selectors, "description": "Rules added to `ignore`."},
        "exclude": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Files and folders not to lint: gitignore-style patterns, relative to the config "
            "file's folder (applied to each file, the files of a multi-file schema included).",
        },
        "per-file-ignores": {
            "type": "object",
            "additionalProperties": selectors,
            "description": "Rules not to report in some files: a gitignore-style pattern = a list of rule ids.",
        },
        "fail-on": {**severity, "description": "The lowest severity that makes the exit code 1 (default warning)."},
        "docs-url": {
            "type": "string",
            "pattern": "\\{rule\\}",
            "description": "Where the rules' pages are, `{rule}` standing for the id (SARIF helpUri, Markdown "
            "links): for a fork with its own pages.",
        },
        "app": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "The app's code (folders, files or globs, relative to the config file), read for its "
            "Prisma Client calls; default: the project above the schema.",
        },
        "app-exclude": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "Paths of the app not to read (replaces the default: tests, seeds, scripts).",
        },
        "client-names": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "Receivers that are Prisma clients whatever they are bound to (`db`, `ctx.db`).",
        },
        "severity": {
            "type": "object",
            "properties": {r.id: severity for r in rules},
            "additionalProperties": False,
            "description": "A rule's severity (rule id = severity).",
        },
        "rules": {
            "type": "object",
            "properties": {
                r.id: {
                    "type": "object",
                    "properties": {"severity": severity, **{o.name: _option(o) for o in r.options}},
                    "additionalProperties": False,
                    "description": r.summary,
                }
                for r in rules
            },
            "additionalProperties": False,
            "description": "Per rule: its severity and options.",
        },
    }
    assert set(properties) == _TOP_KEYS, "the config loader and its schema name different keys"
    for r in rules:  # an option at the top level applies to every rule that has it
        for o in r.options:
            properties.setdefault(o.name, {**_option(o), "description": f"{o.doc} (every rule with this option)"})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "prisma-lint configuration",
        "description": "prisma-lint.toml, .prisma-lint.toml, or [tool.prisma-lint] in pyproject.toml.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "definitions": {
            "severity": {"enum": list(reversed(SEVERITIES))},
            "rule-selector": {"enum": ["all", *(r.id for r in rules)]},
        },
    }


def render() -> str:
    from .rules import load_registry

    return json.dumps(config_schema(load_registry(include_plugins=False).rules.values()), indent=2) + "\n"


def main(argv: list[str]) -> int:
    from .resources import update_generated

    return update_generated(SCHEMA_FILE, render(), "--check" in argv, "python -m prisma_lint.config_schema")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
