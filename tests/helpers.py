"""Small helpers for tests: lint schema text, find findings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from prisma_lint.config import Config, load_config
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import LoadedSchema, parse_files
from prisma_lint.rules import load_registry
from prisma_lint.source import SourceFile

REGISTRY = load_registry()


def datasource(provider: str = "postgresql", relation_mode: Optional[str] = None) -> str:
    mode = f'\n  relationMode = "{relation_mode}"' if relation_mode else ""
    return f'datasource db {{\n  provider = "{provider}"{mode}\n}}\n\n'


PG = datasource()


def load_text(text: str, path: str = "schema.prisma") -> LoadedSchema:
    return LoadedSchema(parse_files([SourceFile(path, text)]), path)


def load_files(files: dict[str, str]) -> LoadedSchema:
    return LoadedSchema(parse_files([SourceFile(p, t) for p, t in files.items()]), "schema")


def lint_loaded(loaded: LoadedSchema, select: Optional[Iterable[str]] = None, config: Optional[dict] = None):
    cfg = load_config(Path("test.toml"), config, REGISTRY) if config else Config()
    result = lint(loaded, REGISTRY, cfg, list(select) if select else None)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, [d.render() for d in errors]
    return result.findings


def lint_text(text: str, select: Optional[Iterable[str]] = None, config: Optional[dict] = None, path: str = "schema.prisma"):
    return lint_loaded(load_text(text, path), select, config)


def summarize(findings) -> list[tuple]:
    """(rule, model, fields) for each finding, sorted."""
    return sorted((f.rule, f.model, tuple(f.fields)) for f in findings)
