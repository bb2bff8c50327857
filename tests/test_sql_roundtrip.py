"""Round trip: Prisma's own migration for a schema, read back as SQL, is the same schema.

For corpus schemas of different shapes, Prisma's schema engine writes the migration that creates
the schema from nothing (``node migrate-diff.js --from-empty --to-schema SCHEMA``, see
../shared/prisma-oracle; the SQL ``prisma migrate dev`` would put in ``migration.sql``). That SQL
is saved as ``<tmp>/migrations/20240101000000_init/migration.sql`` and:

1. linted as SQL with the index rules, it gives the same findings as linting the schema with the
   same rules, once the schema's findings are put in database names (model -> table
   ``db_name``, fields -> column ``db_name``);
2. the model prisma-lint builds from the SQL (tables, columns, indexes, foreign keys) equals the
   schema's model graph in database names (implicit many-to-many join tables included);
3. read as the schema's migrations, it shows no ``schema-drift``.

Every migrate-diff call takes several seconds, so all of them run in parallel, once per module.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, manifest_rows, need, prisma7_copy, run_cli
from helpers import REGISTRY

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import load_schema
from prisma_lint.frontends.sql.replay import load_sql
from prisma_lint.model import naming

pytestmark = [pytest.mark.oracle, pytest.mark.postgres]

INDEX_RULES = [
    "missing-fk-index",
    "redundant-index",
    "boolean-index",
    "low-cardinality-index",
    "composite-order",
    "btree-on-json-or-list",
    "too-many-indexes",
]

CASES = {
    # big single file: views, @map, @@map, composite ids, implicit m-n
    "calcom": "calcom__cal.com__packages__prisma__schema.prisma",
    # multi-file schema folder, map: names
    "formbricks": "formbricks__formbricks__packages__database__schema",
    # @@map / @map on every model, a Hash index
    "fonoster": "fonoster__fonoster__mods__identity__schema.prisma",
    # GIN index with ops, sort orders, implicit m-n, @@map
    "inbox_zero": "elie222__inbox-zero__apps__web__prisma__schema.prisma",
    # relationMode = "prisma" (no foreign keys), @@map / @map everywhere, many @db types
    "umami": "umami-software__umami__prisma__schema.prisma",
    # three implicit m-n relations, @@map on every model, list fields
    "plunk": "useplunk__plunk__prisma__schema.prisma",
    # implicit m-n, @@id
    "ghostfolio": "ghostfolio__ghostfolio__prisma__schema.prisma",
}
MIGRATION = "20240101000000_init"

# ---------------------------------------------------------------------------------------------
# Prisma's migrations (all cases at once)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(oracle, postgres, tmp_path_factory) -> dict[str, dict]:
    """case -> {schema, migrations (folder), sql | error}: one migrate-diff per case, in parallel."""
    rows = manifest_rows()
    base = tmp_path_factory.mktemp("roundtrip")
    paths: dict[str, Path] = {}
    for case, name in CASES.items():
        src = CORPUS / name
        if not src.exists():
            continue
        row = rows.get(name, {})
        assert row.get("provider") == "postgresql" and row.get("prisma7_validates") == "yes", (name, row)
        paths[case] = prisma7_copy(src, base / case / "schema")
    out: dict[str, dict] = {}
    for case, (returncode, stdout, stderr) in oracle.sql_from_empty(paths, postgres).items():
        result = {"schema": paths[case]}
        if returncode == 0 and "CREATE TABLE" in stdout:
            mig = base / case / "migrations"
            (mig / MIGRATION).mkdir(parents=True)
            (mig / MIGRATION / "migration.sql").write_text(stdout, encoding="utf-8")
            (mig / "migration_lock.toml").write_text('provider = "postgresql"\n', encoding="utf-8")
            result["migrations"] = mig
            result["sql"] = stdout
        else:
            result["error"] = f"migrate-diff exited {returncode}:\n{stderr[-3000:]}\n{stdout[-1000:]}"
        out[case] = result
    return out


def _case(generated, case):
    need(case in generated, f"the corpus schema {CASES[case]}")
    g = generated[case]
    assert "error" not in g, g["error"]
    return g


def _load(g):
    schema = load_schema(g["schema"])
    errors = [d.render() for d in schema.diagnostics if d.severity == "error"]
    assert not errors, errors
    sql = load_sql(g["migrations"])
    errors = [d.render() for d in sql.diagnostics if d.severity == "error"]
    assert not errors, errors
    return schema, sql


def _diff(what: str, in_schema, in_sql) -> str:
    only_schema = sorted(set(in_schema) - set(in_sql), key=repr)
    only_sql = sorted(set(in_sql) - set(in_schema), key=repr)
    lines = [f"{what} differ: {len(only_schema)} only in the schema, {len(only_sql)} only in the SQL"]
    lines += ["  only in schema: " + repr(x) for x in only_schema]
    lines += ["  only in SQL:    " + repr(x) for x in only_sql]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# 1. the same findings
# ---------------------------------------------------------------------------------------------
def _lint_findings(loaded, **kw):
    result = lint(loaded, REGISTRY, Config(), select=INDEX_RULES, **kw)
    crashes = [d.render() for d in result.diagnostics if d.severity == "error"]
    assert not crashes, crashes
    return result.findings


def _schema_tables(schema) -> dict:
    """Prisma model name -> model, for models and implicit m-n join tables."""
    return {**schema.models, **schema.join_tables}


def schema_findings_in_db_names(loaded) -> set[tuple]:
    tables = _schema_tables(loaded.schema)
    out = set()
    for f in _lint_findings(loaded):
        m = tables.get(f.model)
        assert m is not None, f"finding on an unknown model {f.model!r}: {f.message}"
        cols = tuple(m.fields[x].db_name if x in m.fields else x for x in f.fields)
        out.add((f.rule, m.db_name, cols))
    return out


def sql_findings(loaded) -> set[tuple]:
    return {(f.rule, f.model, tuple(f.fields)) for f in _lint_findings(loaded)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_index_findings_as_the_schema(generated, case):
    schema, sql = _load(_case(generated, case))
    in_schema = schema_findings_in_db_names(schema)
    in_sql = sql_findings(sql)
    assert in_schema == in_sql, _diff(f"{case}: index findings (rule, table, columns)", in_schema, in_sql)


# ---------------------------------------------------------------------------------------------
# 2. the same model graph, in database names
# ---------------------------------------------------------------------------------------------
def _index_rows(model) -> set[tuple]:
    return {
        (
            i.db_name,
            tuple(c.db_name for c in i.columns),
            "index" if i.kind == "fulltext" else i.kind,
            i.type or "BTree",
            tuple(c.sort or "Asc" for c in i.columns),
        )
        for i in model.indexes
    }


def schema_graph(schema) -> dict[str, set]:
    """Tables, columns, indexes and foreign keys Prisma creates for the schema, in db names."""
    tables = {n: m for n, m in _schema_tables(schema).items() if m.kind in ("model", "join-table")}
    out: dict[str, set] = {"tables": set(), "columns": set(), "indexes": set(), "foreign keys": set()}
    for m in tables.values():
        out["tables"].add(m.db_name)
        out["columns"] |= {(m.db_name, f.db_name) for f in m.fields.values() if f.kind in ("scalar", "enum", "unsupported")}
        out["indexes"] |= {(m.db_name, *row) for row in _index_rows(m)}
    if schema.relation_mode == "foreignKeys":
        for r in schema.relations:
            if r.kind == "m-n":
                jt = r.join_table
                for col, target in (("A", schema.models[r.model]), ("B", schema.models[r.target])):
                    pk = target.primary_key
                    assert pk is not None and len(pk.columns) == 1, (r.name, target.name)
                    name = naming.with_suffix(jt.db_name, f"_{col}_fkey", "postgresql")
                    out["foreign keys"].add((name, jt.db_name, (col,), target.db_name, (pk.columns[0].db_name,)))
            elif r.fields:
                m, t = schema.models[r.model], schema.models[r.target]
                out["foreign keys"].add(
                    (
                        r.db_name,
                        m.db_name,
                        tuple(m.fields[x].db_name for x in r.fields),
                        t.db_name,
                        tuple(t.fields[x].db_name for x in r.references),
                    )
                )
    return out


def sql_graph(schema) -> dict[str, set]:
    out: dict[str, set] = {"tables": set(), "columns": set(), "indexes": set(), "foreign keys": set()}
    for m in schema.models.values():
        out["tables"].add(m.db_name)
        out["columns"] |= {(m.db_name, f.db_name) for f in m.fields.values()}
        out["indexes"] |= {(m.db_name, *row) for row in _index_rows(m)}
    for r in schema.relations:
        out["foreign keys"].add((r.db_name, r.model, tuple(r.fields), r.target, tuple(r.references)))
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_sql_model_is_the_schema_model(generated, case):
    schema, sql = _load(_case(generated, case))
    ours, theirs = schema_graph(schema.schema), sql_graph(sql.schema)
    problems = [_diff(f"{case}: {part}", ours[part], theirs[part]) for part in ours if ours[part] != theirs[part]]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 3. no drift between the schema and its own migrations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_schema_drift_against_own_migrations(generated, case):
    g = _case(generated, case)
    schema, sql = _load(g)
    result = lint(schema, REGISTRY, Config(), select=["schema-drift"], migrations=sql)
    crashes = [d.render() for d in result.diagnostics if d.severity == "error"]
    assert not crashes, crashes
    drift = [f"{f.span.file.path}:{f.span.line}: {f.message}" for f in result.findings if f.rule == "schema-drift"]
    assert not drift, f"{case}: {len(drift)} schema-drift finding(s) against Prisma's own migration:\n" + "\n".join(drift)


@pytest.mark.parametrize("case", ["calcom", "formbricks"])
def test_no_schema_drift_from_the_cli(generated, case):
    """The same through the CLI: `prisma-lint check SCHEMA --migrations DIR`."""
    g = _case(generated, case)
    proc = run_cli("check", str(g["schema"]), "--migrations", str(g["migrations"]), "--select", "schema-drift", "--format", "json")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["errors"] == [], report["errors"]
    assert [f for f in report["findings"] if f["rule"] == "schema-drift"] == []


def test_drift_check_is_not_vacuous(generated, tmp_path):
    """Control: the same migration without one of its CREATE INDEX statements does drift."""
    g = _case(generated, "fonoster")
    lines = g["sql"].splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if line.startswith("CREATE UNIQUE INDEX") and line.rstrip().endswith(";"))
    name = re.search(r'INDEX "([^"]+)"', lines[k]).group(1)
    mig = tmp_path / "migrations" / MIGRATION
    mig.mkdir(parents=True)
    (mig / "migration.sql").write_text("".join(lines[:k] + lines[k + 1 :]), encoding="utf-8")
    schema = load_schema(g["schema"])
    result = lint(schema, REGISTRY, Config(), select=["schema-drift"], migrations=load_sql(tmp_path / "migrations"))
    drift = [f.message for f in result.findings if f.rule == "schema-drift"]
    assert len(drift) == 1 and name in drift[0], drift
