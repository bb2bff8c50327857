"""prisma_lint's model of each corpus schema equals what Prisma's own engine makes of it.

For every schema of the corpus that Prisma 7 accepts (``tests/oracle_batch.js`` runs Prisma's
``@prisma/prisma-schema-wasm`` on the whole corpus once per module, with the datasource ``url``
lines blanked in memory), the model graph built by :func:`prisma_lint.frontends.prisma.loader.load_schema` must
describe the same models, fields, enums, composite types and indexes as Prisma's DMMF
(``get_datamodel``), and prisma_lint must report no error on it.

DMMF conventions used below:

* ``dbName`` is null when there is no ``@@map`` / ``@map`` (ours: the Prisma name);
* field ``kind`` is ``scalar`` / ``enum`` / ``object`` (relations *and* composite types);
  ``Unsupported(...)`` fields, ``@ignore`` fields and ``@@ignore`` models are left out;
* ``isRequired`` is true for lists (lists cannot be optional): it is ``not optional``;
* ``relationFromFields`` / ``relationToFields`` are the ``fields`` / ``references`` of the
  side that holds them, ``[]`` on the other side and on implicit many-to-many fields;
* in ``indexes``, ``type`` is id / unique / normal / fulltext, ``sortOrder`` is lower case and
  only present when written, ``dbName`` only when mapped, ``name`` only for a named compound
  ``@@id`` / ``@@unique``, ``algorithm`` only when ``type:`` is given.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_entries, manifest_rows, need

from prisma_lint.frontends.prisma.loader import load_schema

pytestmark = pytest.mark.oracle

# the schemas Prisma 7 accepts (MANIFEST; test_manifest_verdicts checks the column against Prisma)
ENTRIES = [e for e in corpus_entries() if manifest_rows().get(e.name, {}).get("prisma7_validates") == "yes"]
NOT_CLASSIC = "prisma__prisma__packages__3-extensions__supabase__src__contract__contract.prisma"


@pytest.fixture(scope="module")
def prisma(oracle, corpus) -> dict[str, dict]:
    """oracle_batch.js's result for every corpus schema, by local name (one node process)."""
    results = oracle.validate_many(corpus)
    return {Path(k).name: v for k, v in results.items()}


@functools.cache
def ours(path: str):
    return load_schema(path)


def _accepted(prisma: dict[str, dict], entry: Path) -> dict:
    result = prisma.get(entry.name)
    assert result is not None, f"oracle_batch.js gave no result for {entry}"
    first = (result.get("validateMessage") or "").strip().splitlines()[:1]
    assert result["ok"], f"Prisma 7 rejects this schema, MANIFEST says it accepts it: {first}"
    return result["dmmf"]["datamodel"]


# ---------------------------------------------------------------------------------------------
# canonical rows: one tuple per model / field / index / enum, the same shape for both sides
# ---------------------------------------------------------------------------------------------
KIND_TO_DMMF = {"scalar": "scalar", "enum": "enum", "relation": "object", "composite": "object"}
INDEX_KIND_TO_DMMF = {"id": "id", "unique": "unique", "index": "normal", "fulltext": "fulltext"}


def _algorithm(value):
    return None if value in (None, "BTree") else value


def dmmf_rows(dm: dict) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {"models": [], "fields": [], "types": [], "indexes": [], "enums": []}
    for m in dm["models"]:
        rows["models"].append(("model", m["name"], m["dbName"] or m["name"], m.get("schema")))
        for f in m["fields"]:
            rows["fields"].append(
                (
                    m["name"],
                    f["name"],
                    f.get("dbName") or f["name"],
                    f["kind"],
                    f["type"],
                    f["isList"],
                    f["isRequired"],
                    f["isId"],
                    f["isUnique"],
                    f.get("isUpdatedAt", False),
                    f.get("relationName"),
                    tuple(f.get("relationFromFields") or ()),
                    tuple(f.get("relationToFields") or ()),
                )
            )
    for t in dm["types"]:
        rows["models"].append(("type", t["name"], t["dbName"] or t["name"], t.get("schema")))
        for f in t["fields"]:
            rows["types"].append(
                (t["name"], f["name"], f.get("dbName") or f["name"], f["kind"], f["type"], f["isList"], f["isRequired"])
            )
    for i in dm["indexes"]:
        rows["indexes"].append(
            (
                i["model"],
                i["type"],
                tuple(
                    (c["name"], (c.get("sortOrder") or "").lower() or None, c.get("length"), c.get("operatorClass"))
                    for c in i["fields"]
                ),
                i.get("dbName"),
                i.get("name"),
                _algorithm(i.get("algorithm")),
                i["isDefinedOnField"],
            )
        )
    for e in dm["enums"]:
        rows["enums"].append(
            (e["name"], e["dbName"] or e["name"], tuple((v["name"], v["dbName"] or v["name"]) for v in e["values"]))
        )
    return rows


def _in_dmmf(f) -> bool:
    return not f.ignored and f.kind != "unsupported"


def _relation_sides(f, model_name: str) -> tuple[tuple, tuple]:
    r = f.relation
    if r is None or not r.fields:
        return (), ()
    if r.model == model_name and r.field == f.name:
        return tuple(r.fields), tuple(r.references)
    if r.target == model_name and r.back_field == f.name and r.back_fields:
        return tuple(r.back_fields), tuple(r.back_references)  # MongoDB many-to-many
    return (), ()


def lint_rows(schema) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {"models": [], "fields": [], "types": [], "indexes": [], "enums": []}
    for m in schema.models.values():
        if m.ignored:
            continue
        rows["models"].append(("model", m.name, m.db_name, m.schema))
        for f in m.fields.values():
            if not _in_dmmf(f):
                continue
            from_fields, to_fields = _relation_sides(f, m.name)
            rows["fields"].append(
                (
                    m.name,
                    f.name,
                    f.db_name,
                    KIND_TO_DMMF.get(f.kind, f.kind),
                    f.type,
                    f.list,
                    not f.optional,
                    f.is_id,
                    f.is_unique,
                    f.is_updated_at,
                    f.relation.name if f.kind == "relation" and f.relation is not None else None,
                    from_fields,
                    to_fields,
                )
            )
        for i in m.indexes:
            if i.synthetic:
                continue
            rows["indexes"].append(
                (
                    m.name,
                    INDEX_KIND_TO_DMMF.get(i.kind, i.kind),
                    tuple((c.field, c.sort.lower() if c.sort else None, c.length, c.ops) for c in i.columns),
                    i.map,
                    i.name,
                    _algorithm(i.type),
                    i.on_field,
                )
            )
    for t in schema.composite_types.values():
        rows["models"].append(("type", t.name, t.db_name, t.schema))
        for f in t.fields.values():
            if not _in_dmmf(f):
                continue
            rows["types"].append(
                (t.name, f.name, f.db_name, KIND_TO_DMMF.get(f.kind, f.kind), f.type, f.list, not f.optional)
            )
    for e in schema.enums.values():
        rows["enums"].append((e.name, e.db_name, tuple((v.name, v.db_name) for v in e.values)))
    return rows


HEADERS = {
    "models": "(block, name, dbName, schema)",
    "fields": "(model, field, dbName, kind, type, isList, isRequired, isId, isUnique, isUpdatedAt, "
    "relationName, relationFromFields, relationToFields)",
    "types": "(type, field, dbName, kind, type, isList, isRequired)",
    "indexes": "(model, type, ((field, sortOrder, length, operatorClass), ...), dbName, name, algorithm, "
    "isDefinedOnField)",
    "enums": "(enum, dbName, ((value, dbName), ...))",
}


def _key(row: tuple) -> tuple:
    return row[:2]


def diff_rows(section: str, prisma_rows: list[tuple], lint: list[tuple]) -> list[str]:
    """Readable multiset difference; rows with the same (owner, name) are shown side by side."""
    a, b = Counter(prisma_rows), Counter(lint)
    only_prisma = sorted((a - b).elements(), key=repr)
    only_lint = sorted((b - a).elements(), key=repr)
    if not only_prisma and not only_lint:
        return []
    out = [f"[{section}] {HEADERS[section]}"]
    if section in ("fields", "types", "models"):
        by_key = {}
        for r in only_lint:
            by_key.setdefault(_key(r), []).append(r)
        for r in only_prisma:
            pair = by_key.get(_key(r))
            if pair:
                other = pair.pop(0)
                only_lint.remove(other)
                names = HEADERS[section].strip("()").split(", ")
                changed = [
                    f"{names[n] if n < len(names) else n}: prisma={x!r} ours={y!r}"
                    for n, (x, y) in enumerate(zip(r, other))
                    if x != y
                ]
                out.append(f"  ~ {'.'.join(str(x) for x in _key(r))}: " + "; ".join(changed))
            else:
                out.append(f"  - only in Prisma:      {r!r}")
    else:
        out += [f"  - only in Prisma:      {r!r}" for r in only_prisma]
    out += [f"  + only in prisma_lint: {r!r}" for r in only_lint]
    return out


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------
def test_prisma_verdicts_match_the_manifest(prisma, corpus):
    """oracle_batch.js (url lines blanked) accepts exactly the schemas MANIFEST says Prisma 7 accepts."""
    rows = manifest_rows()
    wrong = []
    for entry in corpus:
        expected = rows.get(entry.name, {}).get("prisma7_validates")
        got = "yes" if prisma[entry.name]["ok"] else "no"
        if expected is not None and expected != got:
            msg = (prisma[entry.name].get("validateMessage") or "").strip().splitlines()[:1]
            wrong.append(f"{entry.name}: MANIFEST says {expected}, oracle_batch.js says {got} {msg}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_model_matches_prisma_dmmf(prisma, entry):
    dm = _accepted(prisma, entry)
    loaded = ours(str(entry))
    expected, got = dmmf_rows(dm), lint_rows(loaded.schema)
    problems = []
    for section in ("models", "fields", "types", "indexes", "enums"):
        problems += diff_rows(section, expected[section], got[section])
    assert not problems, f"{entry.name}: prisma_lint's model differs from Prisma's DMMF\n" + "\n".join(problems)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_no_errors_on_schemas_prisma_accepts(prisma, entry):
    _accepted(prisma, entry)
    errors = [d for d in ours(str(entry)).diagnostics if d.severity == "error"]
    assert not errors, f"{entry.name}: Prisma accepts it, prisma_lint reports:\n" + "\n".join(
        d.render() for d in errors
    )


def test_not_classic_prisma_is_rejected_with_positions(corpus):
    path = CORPUS / NOT_CLASSIC
    need(path.exists(), f"{NOT_CLASSIC} in the corpus")
    loaded = load_schema(path)
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    assert errors, "the prisma-next contract dialect must be rejected"
    positioned = [d for d in errors if d.span is not None and re.match(r"^.+\.prisma:\d+:\d+: error: \S", d.render())]
    assert positioned, "no error carries file:line:col:\n" + "\n".join(d.render() for d in errors[:20])
