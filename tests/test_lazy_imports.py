"""Cold starts stay cheap: a schema check imports none of the heavy modules it does not need."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from prisma_lint.records import replace
from prisma_lint.rules import BUILTIN_MODULES
from prisma_lint.rules._catalog import RULES as CATALOG

HEAVY = ("lark", "networkx", "jinja2", "pglast", "pygls", "importlib.metadata", "pathspec", "tree_sitter", "psycopg")

PROBE = """
import sys
from prisma_lint.cli import main_group
try:
    main_group(sys.argv[1:], standalone_mode=False)
except BaseException:
    pass
seen = {m: m in sys.modules for m in %r}
import json  # after looking: json is one of the modules looked for
print(json.dumps(seen), file=sys.stderr)
"""


def imported(*args: str, modules: tuple[str, ...] = HEAVY, cwd: Path = REPO) -> dict:
    """Which of ``modules`` a run of the CLI with ``args`` (from ``cwd``) imported."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE % (modules,), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_schema_check_imports_no_heavy_module():
    assert imported("check", "-q", "examples/schema.prisma") == {m: False for m in HEAVY}


def test_graph_json_does_not_need_networkx_but_the_graph_does():
    assert imported("graph", "examples/schema.prisma")["networkx"] is False
    from prisma_lint.frontends.prisma.loader import load_schema

    g = load_schema(REPO / "examples" / "schema.prisma").schema.graph()
    assert sorted(g.edges()) == [("Order", "User"), ("OrderItem", "Order"), ("Session", "User")]
    assert "networkx" in sys.modules


def test_migrate_renders_without_jinja2(tmp_path):
    """The SQL templates run as the Python generated from them (migrate/_templates.py): jinja2
    (134 M instructions to import), hashlib (11.6 M) and, without an app to read, pathlib (16 M)
    are not imported."""
    schema = tmp_path / "schema.prisma"
    schema.write_text((REPO / "examples" / "schema.prisma").read_text(encoding="utf-8"), encoding="utf-8")
    modules = ("jinja2", "pathlib", "hashlib", "tempfile")
    for extra in ((), ("--concurrently",), ("--unsafe-fixes",)):
        assert imported("migrate", "--stdout", *extra, str(schema), modules=modules, cwd=tmp_path) == {m: False for m in modules}
    assert imported("migrate", "--stdout", "examples/schema.prisma")["jinja2"] is False  # with its app


def test_each_heavy_module_is_paid_only_where_needed():
    assert imported("check", "-q", "fixtures/seeds/seed003/indexes.sql")["pglast"] is True


def test_check_with_a_statistics_file_needs_no_psycopg(tmp_path):
    from prisma_lint.frontends.db.stats import DatabaseStats, TableStats

    stats = DatabaseStats("15.8", 150008, "app", "2025-03-01T00:00:00+00:00", stats_reset="2025-01-01T00:00:00+00:00")
    stats.tables["public.User"] = TableStats("public", "User", 50_000, True, 9_000_000, 7_000_000)
    path = tmp_path / "stats.json"
    path.write_text(stats.to_json())
    seen = imported("check", "-q", "examples/schema.prisma", "--stats", str(path))
    assert seen["psycopg"] is False
    assert imported("stats", "--database-url", "postgresql://nobody@127.0.0.1:1/none")["psycopg"] is True


def test_reading_the_app_imports_tree_sitter(tmp_path):
    (tmp_path / "a.ts").write_text("prisma.user.findMany();\n")
    assert imported("queries", "examples/schema.prisma", "--app", str(tmp_path), "--no-cache")["tree_sitter"] is True
    # an app with no candidate call is never parsed: nothing to import
    (tmp_path / "a.ts").write_text("export const x = 1;\n")
    assert imported("queries", "examples/schema.prisma", "--app", str(tmp_path), "--no-cache")["tree_sitter"] is False


def test_a_check_with_cascade_findings_imports_no_graph_library(tmp_path):
    """unindexed-cascade and missing-fk-index's fan-out walk the relations in plain Python."""
    from test_new_rules import chain

    schema = tmp_path / "schema.prisma"
    schema.write_text(chain(set()))
    assert imported("check", "-q", "--select", "unindexed-cascade,missing-fk-index", str(schema))["networkx"] is False


# What a plain check of a schema with no app beside it does not need: each was measured on its
# own (callgrind, a 100-line schema): dataclasses ~2 M instructions per class defined (replaced by
# prisma_lint.records), hashlib 12 M (file snapshots keep the bytes), configparser 35 M (the
# plug-in scan reads entry_points.txt itself), the app reader and its cache 34 M, difflib 3.3 M
# (click's suggestions for `-q` tried as a long option first: cli._Command skips them).
NOT_FOR_A_PLAIN_CHECK = (
    "difflib",
    # 16 M with the urllib.parse it imports: discovery, config, loading and the app's root above
    # the schema use str paths (prisma_lint/paths.py); glob and fnmatch only with an app to read
    "pathlib",
    "urllib.parse",
    "glob",
    "fnmatch",
    "dataclasses",
    "hashlib",
    "configparser",
    "json",  # 6 M; the parse tables are Python literals, package.json files are read when there
    "prisma_lint.frontends.sql.expr",  # only for indexes with a condition or expression
    "prisma_lint.frontends.app.discover",  # 1.4 M; no app root above the schema: none to find
    "prisma_lint.frontends.app.read",
    "prisma_lint.frontends.app.cache",
    "prisma_lint.frontends.app.extract",
    "prisma_lint.frontends.prisma.incremental",  # a re-parse after an edit (fix rounds, the editor)
    # its regular expressions: 6 M to compile, paid back from FAST_PATH_FROM characters of schema
    "prisma_lint.frontends.prisma.fastpath",
    # the rules whose inputs a plain check lacks (SQL, migrations, app queries, statistics) and
    # their helpers: the registry's built-ins come from rules/_catalog.py, a rule's module is
    # imported when it runs (~5.4 M)
    *(f"prisma_lint.rules.{m}" for m, rule in zip(BUILTIN_MODULES, CATALOG) if not {"schema", "prisma"}.issuperset(rule.needs)),
    "prisma_lint.rules._queries",
    "prisma_lint.model.serving",
    # 6 M together: only with prisma-lint- comments, SQL to read, or a fix to write
    "prisma_lint.suppressions",
    "prisma_lint.frontends.sql.dialect",
    "prisma_lint.fix.write",
)


def test_plain_check_without_an_app_stays_light(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text((REPO / "examples" / "schema.prisma").read_text())
    seen = imported("check", "-q", str(schema), modules=NOT_FOR_A_PLAIN_CHECK, cwd=tmp_path)
    assert seen == {m: False for m in NOT_FOR_A_PLAIN_CHECK}


def test_short_options_skip_the_suggestions_only_where_nobody_reads_them():
    """`-q` does not import difflib (above); a mistyped long option is still answered with the
    close names, and an unknown short one with click's own message."""
    from conftest import run_cli

    typo = run_cli("check", "--quiett", "examples/schema.prisma")
    assert typo.returncode == 2 and "No such option '--quiett'. (Did you mean one of: '--output', '--quiet'?)" in typo.stderr
    for args, message in ((("-x",), "No such option '-x'."), (("-qx",), "No such option '-x'."), (("-q=1",), "No such option '-='.")):
        proc = run_cli("check", *args, "examples/schema.prisma")
        assert proc.returncode == 2 and f"Error: {message}" in proc.stderr, (args, proc.stderr)
    assert run_cli("check", "-q", "--exit-zero", "examples/schema.prisma").returncode == 0


def test_rule_catalog_is_up_to_date():
    """rules/_catalog.py is what the rule modules define (`python -m prisma_lint.rules.catalog`)."""
    from prisma_lint.rules.catalog import main

    assert main(["--check"]) == 0, "rules/_catalog.py is stale: run python -m prisma_lint.rules.catalog"


def test_registry_rules_are_the_rule_modules_rules():
    """Every built-in of the registry equals its module's RULE once its check is resolved, runs
    that check, and comes in the documented order; a plug-in naming a built-in's RULE itself is
    no conflict (as when the registry held the modules' RULEs)."""
    from prisma_lint.rules import BUILTIN_MODULES, DeferredCheck, load_registry
    from prisma_lint.rules.catalog import real_rules

    registry = load_registry(include_plugins=False)
    builtins = [r for r in registry.rules.values() if isinstance(r.check, DeferredCheck)]
    real = real_rules()
    assert [r.id for r in builtins] == [r.id for r in real] and len(real) == len(BUILTIN_MODULES)
    for lazy, rule in zip(builtins, real):
        assert lazy.check.resolve() is rule.check
        assert replace(lazy, check=rule.check) == rule
    assert load_registry().rules == registry.rules


def test_a_plugin_may_name_a_builtin_rule(tmp_path):
    from conftest import run_cli
    from test_plugins import SCHEMA, install_plugin

    site = tmp_path / "site"
    install_plugin(site, "again", "prisma_lint.rules.boolean_index:RULE")
    (tmp_path / "schema.prisma").write_text(SCHEMA)
    proc = run_cli("check", str(tmp_path / "schema.prisma"), env={"PYTHONPATH": f"{REPO}:{site}"})
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["", ".", "..", "a", "b.prisma", ".prisma", "a.", "x.sql", "/", "//", "///"]), max_size=6))
def test_str_paths_read_as_pathlib_reads_them(parts):
    """paths.py stands in for PurePosixPath where a plain check runs: the same normal form,
    name, suffix, parents and relative_to (on resolved paths)."""
    from pathlib import PurePosixPath

    from prisma_lint.paths import clean, name, parents, relative_to, suffix

    raw = "/".join(parts)
    p = PurePosixPath(raw)
    assert clean(raw) == str(p)
    assert name(raw) == p.name and suffix(raw) == p.suffix
    absolute = "/" + "/".join(x for x in parts if x not in ("", ".", "..", "/", "//", "///"))
    assert parents(absolute) == [str(x) for x in [PurePosixPath(absolute), *PurePosixPath(absolute).parents]]
    for base in ("/", "/a", "/a/b.prisma", absolute):
        try:
            want = str(PurePosixPath(absolute).relative_to(base))
        except ValueError:
            want = None
        assert relative_to(absolute, base) == want, (absolute, base)


def test_paths_come_back_as_given(tmp_path):
    """The loader and discovery hand back str paths for str (the CLI) and Paths for Paths (the
    language server, the tests): the same paths either way."""
    from prisma_lint import discovery
    from prisma_lint.config import find_config
    from prisma_lint.frontends.app.discover import project_root
    from prisma_lint.frontends.prisma.loader import load_schema

    (tmp_path / "prisma" / "schema").mkdir(parents=True)
    (tmp_path / "prisma" / "schema" / "a.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (tmp_path / "prisma" / "schema" / "b.prisma").write_text("model B {\n  id Int @id\n}\n")
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "prisma-lint.toml").write_text("")
    file = tmp_path / "prisma" / "schema" / "b.prisma"
    for fn in (discovery.unit_root, discovery.migrations_dir, project_root):
        as_path, as_str = fn(file), fn(str(file))
        assert isinstance(as_path, Path) and isinstance(as_str, str) and str(as_path) == as_str, fn
    found, how = discovery.find_schema(tmp_path)
    assert (found, how) == (tmp_path / "prisma" / "schema", "the default location prisma/schema")
    assert discovery.find_schema(str(tmp_path)) == (str(found), how)
    assert find_config(file)[0] == tmp_path / "prisma-lint.toml" and find_config(str(file))[0] == str(tmp_path / "prisma-lint.toml")
    by_path, by_str = load_schema(found), load_schema(str(found))
    assert by_path.paths == {k: Path(v) for k, v in by_str.paths.items()} and all(isinstance(v, str) for v in by_str.paths.values())
    assert by_path.root == by_str.root
