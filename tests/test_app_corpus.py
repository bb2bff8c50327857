"""The app front end on the nine real apps in ../shared/apps (issue #13's proof): every app is
read without error, and `queries` agrees with the hand labels in tests/data/app_queries."""

from __future__ import annotations

import csv
import json
from collections import defaultdict

import pytest
from conftest import REPO, SHARED, need

from prisma_lint.frontends.app.discover import app_files
from prisma_lint.frontends.app.read import ReadOptions, read_files
from prisma_lint.frontends.prisma.loader import load_schema

APPS = SHARED / "apps"
SCHEMAS = SHARED / "corpus" / "schemas"
LABELS = REPO / "tests" / "data" / "app_queries" / "labels.json"


def _manifest() -> dict[str, dict]:
    with open(APPS / "MANIFEST.tsv", encoding="utf-8") as f:
        return {row["local_name"]: row for row in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="module")
def apps() -> dict[str, tuple]:
    """Each app read whole (no default excludes: the labels sample every file), no cache."""
    need((APPS / "MANIFEST.tsv").is_file(), "../shared/apps")
    out = {}
    for name in sorted(_manifest()):
        files = app_files([APPS / name], exclude=())
        loaded = load_schema(SCHEMAS / name)
        out[name] = (files, read_files(loaded.schema, files, ReadOptions(), cwd=APPS / name, roots=[APPS / name]))
    return out


def test_every_app_is_read(apps):
    manifest = _manifest()
    assert len(apps) == 9
    report = []
    for name, (files, app) in apps.items():
        rough = int(manifest[name]["prisma_call_sites"])  # a grep: look-alikes included
        report.append(f"{name}: {len(app.patterns)} call sites in {app.files_read} files (MANIFEST ~{rough})")
        assert app.files_read == len(files) and len(files) >= 0.97 * int(manifest[name]["files"])
        # the grep counts look-alikes and misses multi-line chains: same order of magnitude
        assert 0.6 * rough <= len(app.patterns) <= 1.05 * rough, report[-1]
        for p in app.patterns:
            assert p.line >= 1 and p.column >= 1 and (p.end_line, p.end_column) > (p.line, p.column)
    print("\n".join(report))


def _compare(label: dict, got) -> list[str]:
    diffs = []
    j = got.to_json()
    for k in ("model", "operation"):
        if j[k] != label[k]:
            diffs.append(f"{k}: got {j[k]!r}, labelled {label[k]!r}")
    for k in ("equals", "in", "range"):
        if set(j[k]) != set(label[k]):
            diffs.append(f"{k}: got {sorted(j[k])}, labelled {sorted(label[k])}")
    if j["order_by"] != label["order_by"]:
        diffs.append(f"order_by: got {j['order_by']}, labelled {label['order_by']}")
    if j["take"] != label["take"]:
        diffs.append(f"take: got {j['take']}, labelled {label['take']}")
    return diffs


def test_hand_labels(apps):
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    by_app = defaultdict(list)
    for label in labels:
        by_app[label["app"]].append(label)
    matched, static, mismatches, lookalikes = 0, 0, [], []
    for name, group in by_app.items():
        found = {(p.file, p.line, p.column): p for p in apps[name][1].patterns}
        for label in group:
            where = f"{name}/{label['file']}:{label['line']}:{label['column']}"
            got = found.get((label["file"], label["line"], label["column"]))
            if not label["prisma"]:
                if got is not None:
                    lookalikes.append(f"{where}: reported a look-alike ({label['note']})")
                continue
            if not label["static"]:
                if got is not None and got.static:
                    mismatches.append(f"{where}: static, labelled dynamic")
                continue
            static += 1
            diffs = ["not found"] if got is None else _compare(label, got)
            if diffs:
                mismatches.append(f"{where}: " + "; ".join(diffs))
            else:
                matched += 1
    assert static >= 150
    assert not lookalikes, "\n".join(lookalikes)
    assert matched >= 0.95 * static, f"{matched}/{static} static labels matched:\n" + "\n".join(mismatches)
    print(f"{matched}/{static} static labels matched; mismatches: {mismatches}")
