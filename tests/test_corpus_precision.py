"""Real-world precision: the corpus, every rule, and Prisma's own relationMode warnings."""

from pathlib import Path

import pytest
from conftest import corpus_entries, manifest_rows
from helpers import REGISTRY

from prisma_lint.config import Config
from prisma_lint.engine import lint
from prisma_lint.frontends.prisma.loader import load_schema

WARNING = "relation fields will not benefit from the index"
WARNED = [e for e in corpus_entries() if int(manifest_rows().get(e.name, {}).get("prisma_relationMode_index_warnings") or 0) > 0]


def test_every_rule_runs_on_the_whole_corpus(corpus):
    for entry in corpus:
        result = lint(load_schema(entry), REGISTRY, Config())
        crashes = [d.render() for d in result.diagnostics if d.code == "rule-crash"]
        assert not crashes, f"{entry.name}: {crashes}"


@pytest.fixture(scope="module")
def prisma_warnings(oracle, corpus):
    need_entries = [e for e in corpus if e in WARNED]
    return {Path(k).name: v for k, v in oracle.validate_many(need_entries).items()}


@pytest.mark.parametrize("entry", WARNED, ids=[e.name for e in WARNED])
def test_missing_fk_index_includes_every_relation_prisma_warns_about(entry, prisma_warnings):
    expected_count = int(manifest_rows()[entry.name]["prisma_relationMode_index_warnings"])
    result = prisma_warnings[entry.name]
    warned = {
        (Path(w["file"]).name, w["line"], w["column"]) for w in result["warnings"] if WARNING in w["message"]
    }
    assert len(warned) == expected_count  # the MANIFEST's label
    ours = {
        (Path(f.file).name, f.line, f.column)
        for f in lint(load_schema(entry), REGISTRY, Config(), ["missing-fk-index"]).findings
    }
    missing = warned - ours
    assert not missing, f"Prisma warns about these relations and prisma-lint does not: {sorted(missing)}"
