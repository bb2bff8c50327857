"""Third-party rules plug in through the `prisma_lint.rules` entry-point group."""

import json
import shutil
import textwrap

from conftest import REPO, run_cli

SCHEMA = """datasource db {
  provider = "postgresql"
}

model Note {
  id    Int    @id
  title String
  body  String
}
"""


def install_plugin(site, name: str, target: str, module_source=None) -> None:
    """A distribution on the path (dist-info with entry_points.txt): what pip install makes."""
    dist = site / f"{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[prisma_lint.rules]\n{name} = {target}\n")
    if module_source is not None:
        module, text = module_source
        (site / f"{module}.py").write_text(text)


def test_plugin_rule_is_picked_up_and_configurable(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "tests" / "plugin_example" / "prisma_lint_example_plugin.py", site)
    install_plugin(site, "example", "prisma_lint_example_plugin:RULES")
    env = {"PYTHONPATH": f"{REPO}:{site}"}
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)

    listing = run_cli("rules", env=env)
    assert "example-model-without-index" in listing.stdout

    proc = run_cli("check", "--format", "json", str(schema), env=env)
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["model"], f["severity"]) for f in findings] == [("example-model-without-index", "Note", "info")]
    assert proc.returncode == 0  # info is below the default fail-on

    # its options are validated and configurable like a built-in rule's
    (tmp_path / "prisma-lint.toml").write_text("[rules.example-model-without-index]\nmin-fields = 4\n")
    proc = run_cli("check", "--format", "json", str(schema), env=env, cwd=tmp_path)
    assert json.loads(proc.stdout)["findings"] == []


def test_broken_plugin_is_reported_and_skipped(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site, "broken", "no_such_module:RULES")
    install_plugin(
        site,
        "notarule",
        "not_a_rule:RULES",
        ("not_a_rule", textwrap.dedent("RULES = ['just a string']\n")),
    )
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    proc = run_cli("check", str(schema), env={"PYTHONPATH": f"{REPO}:{site}"})
    assert proc.returncode == 0
    assert "rule plugin `broken`" in proc.stderr and "failed to load" in proc.stderr
    assert "rule plugin `notarule`" in proc.stderr and "not a Rule" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_entry_point_reader_agrees_with_importlib_metadata(tmp_path):
    """The reader skips importlib.metadata and configparser for speed: it must find what they find."""
    import importlib.metadata
    import sys

    from prisma_lint.rules import ENTRY_POINT_GROUP, entry_points

    # a distribution with comments, other sections and odd spacing around the entries
    dist = tmp_path / "odd_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: odd-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "# comment\n[console_scripts]\nodd = odd:main\n\n"
        f"[{ENTRY_POINT_GROUP}]\n; another comment\n  spaced   =  odd_plugin.rules : RULES \nplain=odd_plugin:RULE\n"
        "[other.group]\nnot-ours = x:y\n"
    )
    path = [str(tmp_path)] + sys.path
    ours = sorted((e.name, e.value) for e in entry_points(ENTRY_POINT_GROUP, path))
    theirs = sorted(
        (e.name, e.value) for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if e.dist is not None
    )
    assert ("spaced", "odd_plugin.rules : RULES") in ours and ("plain", "odd_plugin:RULE") in ours
    assert ("not-ours", "x:y") not in ours
    # everything importlib.metadata sees on the real path, the reader sees too
    assert set(theirs) <= set(ours)
