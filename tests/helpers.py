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

# the smallest schema with a foreign key, unindexed (missing-fk-index reports Post.authorId)
USER_POST = PG + """model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""


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


def app_queries(records: list[dict], raw_sql_tables: Iterable[str] = ()):
    """AppQueries from records of the `queries` JSON (version 1), as hand labels write them:
    missing keys take the QueryPattern defaults."""
    from prisma_lint.frontends.app.patterns import AppQueries, QueryPattern

    patterns = []
    for k, r in enumerate(records):
        patterns.append(
            QueryPattern(
                file=r.get("file", "src/app.ts"),
                line=r.get("line", k + 1),
                column=r.get("column", 1),
                end_line=r.get("end_line", r.get("line", k + 1)),
                end_column=r.get("end_column", 2),
                client=r.get("client", "prisma"),
                model=r["model"],
                operation=r.get("operation", "findMany"),
                equals=list(r.get("equals", [])),
                in_=list(r.get("in", [])),
                range=list(r.get("range", [])),
                other=list(r.get("other", [])),
                or_=r.get("or", False),
                order_by=[(f, d) for f, d in r.get("order_by", [])],
                take=r.get("take", False),
                cursor=r.get("cursor", False),
                distinct=r.get("distinct", False),
                static=r.get("static", True),
                snippet=r.get("snippet", ""),
                suppressed=frozenset(r.get("suppressed", ())),
                values=dict(r.get("values", {})),
            )
        )
    return AppQueries(patterns, set(raw_sql_tables), len({p.file for p in patterns}))


def lint_with_queries(text: str, records: list[dict], select: Optional[Iterable[str]] = None, raw_sql_tables=(), config: Optional[dict] = None):
    """Lint schema text with the app's query patterns (records as in `app_queries`)."""
    cfg = load_config(Path("test.toml"), config, REGISTRY) if config else Config()
    result = lint(load_text(text), REGISTRY, cfg, list(select) if select else None, queries=app_queries(records, raw_sql_tables))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, [d.render() for d in errors]
    return result.findings


def edited_templates(folder: Path) -> Path:
    """A copy of the SQL templates in ``folder``, each with a comment added at its top: the same
    SQL from another text, so ``migrate.sql`` renders them with jinja2 (not ``_templates.py``)."""
    source = Path(__file__).resolve().parent.parent / "prisma_lint" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        (folder / path.name).write_text("{#- edited -#}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return folder
