"""Habits of ruff and GitHub users (issue #15): colour, exit codes, SARIF for code scanning, the
configuration (exclude, extend-*, per-file-ignores, its JSON Schema), the Markdown report, several
reports from one run, and the small things (statistics, "did you mean", the line after --fix)."""

import json
import os
import pty
import re
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, run_cli

EXAMPLE = "examples/schema.prisma"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
GOLDEN = REPO / "tests" / "data" / "golden"

PG = 'datasource db {\n  provider = "postgresql"\n}\n'
USER = "model User {\n  id    Int    @id\n  posts Post[]\n  notes Note[]\n}\n"
POST = "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n"
NOTE = "model Note {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n"


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


# -- colour: as ruff ------------------------------------------------------------------------------
def _under_pty(args: list[str], env: dict) -> str:
    """Run with stdout on a pseudo-terminal (what a user's terminal is) and return what it shows."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "prisma_lint", *args], cwd=REPO, stdout=slave, stderr=subprocess.DEVNULL, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 1
    return b"".join(chunks).decode()


def _piped(args: list[str], env: dict) -> str:
    proc = subprocess.run([sys.executable, "-m", "prisma_lint", *args], cwd=REPO, capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    "where, flags, env, coloured",
    [
        ("pty", [], {}, True),
        ("pipe", [], {}, False),
        ("pty", [], {"NO_COLOR": "1"}, False),
        ("pty", [], {"NO_COLOR": ""}, True),  # empty means unset (no-color.org)
        ("pipe", [], {"FORCE_COLOR": "1"}, True),
        ("pipe", [], {"FORCE_COLOR": ""}, False),
        ("pipe", [], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR before FORCE_COLOR
        ("pipe", ["--color"], {}, True),  # CI logs: --color into a pipe
        ("pipe", ["--color"], {"NO_COLOR": "1"}, True),  # the flag wins
        ("pty", ["--no-color"], {}, False),
        ("pty", ["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_like_ruff(where, flags, env, coloured):
    args = ["check", *flags, EXAMPLE]
    out = (_under_pty if where == "pty" else _piped)(args, _env(**env))
    assert "missing-fk-index" in out
    assert bool(ANSI.search(out)) is coloured, out[:300]


def test_no_colour_in_report_files_even_when_forced(tmp_path):
    out = tmp_path / "report.txt"
    run_cli("check", "--color", "-o", str(out), EXAMPLE, env=_env())
    assert "missing-fk-index" in out.read_text() and not ANSI.search(out.read_text())


# -- exit codes: --exit-zero and a schema that cannot be read -------------------------------------
HALF_TYPED = PG + "model User {\n  id Int @id\n  email Str\n  name String @default(\n}\n"


def _readme_nvim_lint_args(buffer_name: str) -> list[str]:
    text = (REPO / "README.md").read_text()
    block = text[text.index('require("lint").linters.prisma_lint') :]
    assert re.search(r'cmd = "prisma-lint"', block)
    args = re.search(r"args = \{(.*?)\},\n", block).group(1)
    parts = re.findall(r'"([^"]*)"|(function\(\).*?end)', args)
    return [quoted or buffer_name for quoted, _function in parts]


def test_nvim_lint_command_on_a_half_typed_buffer_exits_0_with_the_error_in_json(tmp_path):
    buffer = tmp_path / "prisma" / "schema.prisma"
    buffer.parent.mkdir()
    buffer.write_text(PG)  # the file on disk is fine; the unsaved buffer is not
    # the README's nvim-lint linter: its args, the function giving the buffer's name, the buffer on stdin
    args = _readme_nvim_lint_args(str(buffer))
    assert "--exit-zero" in args and args[-1] == "-"
    proc = run_cli(*args, cwd=tmp_path, input=HALF_TYPED)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["errors"] and doc["errors"][0]["code"] == "syntax-error"
    assert doc["errors"][0]["line"] >= 4 and doc["errors"][0]["file"].endswith("schema.prisma")
    # without --exit-zero the same buffer is exit 2, as before
    assert run_cli(*[a for a in args if a != "--exit-zero"], cwd=tmp_path, input=HALF_TYPED).returncode == 2


def test_exit_zero_keeps_usage_and_config_errors_at_2(tmp_path):
    (tmp_path / "schema.prisma").write_text(PG)
    assert run_cli("check", "--exit-zero", "--select", "no-such-rule", "schema.prisma", cwd=tmp_path).returncode == 2
    assert run_cli("check", "--exit-zero", "--output-format", "x.sarif:nope", "schema.prisma", cwd=tmp_path).returncode == 2
    (tmp_path / "prisma-lint.toml").write_text('fail_on = "warning"\n')
    proc = run_cli("check", "--exit-zero", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown key `fail_on` (did you mean `fail-on`?)" in proc.stderr


# -- SARIF for GitHub code scanning ---------------------------------------------------------------
def _git_repo(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "prisma").mkdir()
    (root / "prisma" / "schema.prisma").write_text(PG + USER + POST + NOTE)
    (root / "app").mkdir()
    return root


def test_sarif_for_github_from_a_subfolder(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    proc = run_cli("check", "--format", "sarif", "../prisma/schema.prisma", cwd=repo / "app")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, SARIF_SCHEMA)
    run = doc["runs"][0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert len(locations) == 2
    assert all(loc == {"uri": "prisma/schema.prisma", "uriBaseId": "%SRCROOT%"} for loc in locations)
    fixes = [c["artifactLocation"] for r in run["results"] for f in r.get("fixes", []) for c in f["artifactChanges"]]
    assert fixes and all(loc["uri"] == "prisma/schema.prisma" for loc in fixes)
    assert run["automationDetails"]["id"] == "prisma-lint/"
    driver = run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")


def test_sarif_rules_fit_githubs_limits_and_link_their_pages(tmp_path):
    doc = json.loads(run_cli("check", "--format", "sarif", EXAMPLE).stdout)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) >= 17
    for r in rules:
        assert 0 < len(r["fullDescription"]["text"]) <= 1024, r["id"]
        assert r["helpUri"] == f"https://github.com/prisma-lint/prisma-lint/blob/main/rules/{r['id']}.md"
        assert r["help"]["markdown"].startswith(f"# {r['id']}")
        text = r["help"]["text"]  # plain: no Markdown marks
        assert text.startswith(r["id"] + "\n") and "`" not in text and "](" not in text and "\n#" not in text
    # the three that went over 1,024 characters are cut at a sentence end
    long = {r["id"]: r["fullDescription"]["text"] for r in rules}
    for rid in ("missing-fk-index", "schema-drift", "non-immutable-index-expression"):
        assert long[rid].endswith((".", "\u2026")), long[rid][-80:]
    # a fork points the links at its own pages
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "schema.prisma").write_text((REPO / EXAMPLE).read_text())
    (tmp_path / "prisma-lint.toml").write_text('docs-url = "https://docs.example.org/prisma-lint/{rule}.html"\n')
    forked = json.loads(run_cli("check", "--format", "sarif", EXAMPLE, cwd=tmp_path).stdout)
    fk = next(r for r in forked["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "missing-fk-index")
    assert fk["helpUri"] == "https://docs.example.org/prisma-lint/missing-fk-index.html"
    (tmp_path / "prisma-lint.toml").write_text('docs-url = "https://docs.example.org/"\n')
    proc = run_cli("check", EXAMPLE, cwd=tmp_path)
    assert proc.returncode == 2 and "`docs-url` must be a URL with `{rule}`" in proc.stderr


# -- the configuration ----------------------------------------------------------------------------
def _multi_file(root: Path, config: str, folder: str = "prisma/schema") -> Path:
    schema = root / folder
    (schema / "legacy").mkdir(parents=True)
    (schema / "main.prisma").write_text(PG + USER + NOTE)
    (schema / "legacy" / "post.prisma").write_text(POST + "\nmodel Flag {\n  id Int @id\n  on Boolean\n\n  @@index([on])\n}\n")
    (root / "prisma-lint.toml").write_text(config)
    return schema


def _findings(proc) -> list[tuple[str, str]]:
    return sorted((f["file"], f["rule"]) for f in json.loads(proc.stdout)["findings"])


def test_exclude_is_gitignore_style_and_applies_to_files_of_a_multi_file_schema(tmp_path):
    # the README's own example, which had no effect on a file inside a multi-file schema
    schema = _multi_file(tmp_path, 'exclude = ["prisma/schema/legacy/*"]\n')
    proc = run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path)
    assert _findings(proc) == [("prisma/schema/main.prisma", "missing-fk-index")]
    # `*` does not cross `/` (fnmatch's did): nothing below prisma/ is excluded by prisma/*.prisma
    (tmp_path / "prisma-lint.toml").write_text('exclude = ["prisma/*.prisma"]\n')
    assert len(_findings(run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path))) == 3
    # `**` and a folder pattern work
    for pattern in ("**/legacy/**", "legacy/", "/prisma/schema/legacy"):
        (tmp_path / "prisma-lint.toml").write_text(f"exclude = [{json.dumps(pattern)}]\n")
        found = _findings(run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path))
        assert found == [("prisma/schema/main.prisma", "missing-fk-index")], pattern
    # --fix leaves the excluded file alone, byte for byte
    legacy = (schema / "legacy" / "post.prisma").read_bytes()
    proc = run_cli("check", "--fix", "--no-color", "prisma/schema", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (schema / "legacy" / "post.prisma").read_bytes() == legacy
    assert "@@index([userId])" in (schema / "main.prisma").read_text()
    # pre-commit passing only the excluded file: nothing to report
    proc = run_cli("check", "prisma/schema/legacy/post.prisma", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout


def test_the_readme_exclude_on_a_multi_file_schema(tmp_path):
    """The issue's case: `exclude = ["prisma/legacy/*"]` from the README, a multi-file schema in
    prisma/ with prisma/legacy/post.prisma; pre-commit passes both files."""
    pattern = _readme_config()["exclude"]
    assert pattern == ["prisma/legacy/*"]
    _multi_file(tmp_path, f"exclude = {json.dumps(pattern)}\n", folder="prisma")
    for args in (["prisma"], ["prisma/main.prisma", "prisma/legacy/post.prisma"]):
        proc = run_cli("check", "--format", "json", *args, cwd=tmp_path)
        assert _findings(proc) == [("prisma/main.prisma", "missing-fk-index")], (args, proc.stdout, proc.stderr)


def test_per_file_ignores(tmp_path):
    _multi_file(tmp_path, '[per-file-ignores]\n"**/legacy/*.prisma" = ["missing-fk-index"]\n')
    found = _findings(run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path))
    assert found == [
        ("prisma/schema/legacy/post.prisma", "boolean-index"),
        ("prisma/schema/main.prisma", "missing-fk-index"),
    ]
    (tmp_path / "prisma-lint.toml").write_text('[per-file-ignores]\n"*.prisma" = ["boolean-index", "missng-fk-index"]\n')
    proc = run_cli("check", "prisma/schema", cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean `missing-fk-index`?" in proc.stderr


def test_extend_select_and_extend_ignore(tmp_path):
    _multi_file(tmp_path, 'select = ["boolean-index"]\nextend-select = ["missing-fk-index"]\n')
    assert {r for _, r in _findings(run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path))} == {
        "boolean-index",
        "missing-fk-index",
    }
    (tmp_path / "prisma-lint.toml").write_text('ignore = ["boolean-index"]\nextend-ignore = ["missing-fk-index"]\n')
    assert _findings(run_cli("check", "--format", "json", "prisma/schema", cwd=tmp_path)) == []
    # as ruff: --select on the command line replaces select and extend-select
    (tmp_path / "prisma-lint.toml").write_text('extend-select = ["missing-fk-index"]\n')
    found = _findings(run_cli("check", "--format", "json", "--select", "boolean-index", "prisma/schema", cwd=tmp_path))
    assert {r for _, r in found} == {"boolean-index"}


def test_pathspec_is_imported_only_when_exclude_is_set(tmp_path):
    code = (
        "import sys; from pathlib import Path; from prisma_lint.config import Config; "
        "c = Config(path=Path('x.toml')); c.is_excluded(Path('a.prisma')); c.ignored_in(Path('a.prisma')); "
        "print('pathspec' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=_env())
    assert out.stdout.strip() == "False", out.stderr


def _readme_config() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    text = (REPO / "README.md").read_text()
    section = text[text.index("## Configuration") :]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    return tomllib.loads(block)["tool"]["prisma-lint"]


def test_config_json_schema_is_current_validates_the_readme_and_rejects_typos():
    proc = subprocess.run([sys.executable, "-m", "prisma_lint.config_schema", "--check"], cwd=REPO, capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stderr
    schema = json.loads((REPO / "prisma-lint.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    example = _readme_config()
    assert {"exclude", "extend-select", "per-file-ignores"} <= set(example)
    jsonschema.validate(example, schema)
    # the loader accepts the README's example too
    from prisma_lint.config import load_config
    from prisma_lint.rules import load_registry

    load_config(Path("prisma-lint.toml"), example, load_registry())
    for typo in (
        {"exlude": ["x"]},
        {"select": ["missing-fk-idx"]},
        {"fail-on": "warn"},
        {"rules": {"composite-order": {"range-type": ["DateTime"]}}},
        {"severity": {"boolean-index": "fatal"}},
        {"per-file-ignores": {"x/*": ["nope"]}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(typo, schema)


# -- the Markdown report, and several reports from one run ----------------------------------------
def test_markdown_golden():
    proc = run_cli("check", "--format", "markdown", EXAMPLE)
    assert proc.returncode == 1
    assert proc.stdout == (GOLDEN / "example.md").read_text()
    clean = run_cli("check", "--format", "markdown", "--select", "identifier-too-long", EXAMPLE)
    assert clean.returncode == 0 and clean.stdout == "## prisma-lint\n\nAll checks passed.\n"


def test_markdown_of_a_syntax_error(tmp_path):
    (tmp_path / "schema.prisma").write_text(HALF_TYPED)
    proc = run_cli("check", "--format", "markdown", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 2
    assert "| error | `schema.prisma:" in proc.stdout and "| `syntax-error` |" in proc.stdout


def test_one_run_writes_several_reports(tmp_path):
    sarif, md = tmp_path / "out" / "lint.sarif", tmp_path / "summary.md"
    proc = run_cli("check", "--format", "github", "--output-format", f"{sarif}:sarif", "--output-format", f"{md}:markdown", EXAMPLE)
    assert proc.returncode == 1
    assert sum(line.startswith("::warning ") for line in proc.stdout.splitlines()) == 7
    doc = json.loads(sarif.read_text())
    jsonschema.validate(doc, SARIF_SCHEMA)
    assert len(doc["runs"][0]["results"]) == 7
    assert md.read_text() == (GOLDEN / "example.md").read_text()


def test_output_format_takes_the_format_after_the_last_colon(tmp_path):
    # as a Windows path would have it (C:\\out\\lint.sarif:sarif): the first colon is the file's
    out = tmp_path / "C:lint.sarif"
    proc = run_cli("check", "--format", "json", "--output-format", f"{out}:sarif", EXAMPLE)
    assert proc.returncode == 1 and json.loads(proc.stdout)["summary"]["findings"] == 7
    assert json.loads(out.read_text())["version"] == "2.1.0"
    proc = run_cli("check", "--output-format", str(out), EXAMPLE)
    assert proc.returncode == 2 and "--output-format takes FILE:FORMAT" in proc.stderr


def test_report_files_get_the_usual_mode(tmp_path):
    out = tmp_path / "report.json"
    code = "import os, sys, runpy; os.umask(0o022); sys.argv = ['prisma-lint'] + sys.argv[1:]; runpy.run_module('prisma_lint', run_name='__main__')"
    subprocess.run([sys.executable, "-c", code, "check", "--format", "json", "-o", str(out), EXAMPLE], cwd=REPO, env=_env())
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o664)  # an existing file keeps its mode
    subprocess.run([sys.executable, "-c", code, "check", "--format", "json", "-o", str(out), EXAMPLE], cwd=REPO, env=_env())
    assert stat.S_IMODE(out.stat().st_mode) == 0o664
    assert json.loads(out.read_text())["summary"]["findings"] == 7


# -- small things ---------------------------------------------------------------------------------
def test_statistics_prints_only_the_table():
    proc = run_cli("check", "--statistics", "--no-color", EXAMPLE)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines == [
        "2  missing-fk-index         warning  [*]",
        "2  redundant-index          warning  [*]",
        "1  boolean-index            warning",
        "1  composite-order          warning  [*]",
        "1  low-cardinality-index    warning",
    ]


def test_did_you_mean_for_unknown_rule_ids():
    proc = run_cli("check", "--select", "missing-fk-indx", EXAMPLE)
    assert proc.returncode == 2 and "unknown rule `missing-fk-indx` (did you mean `missing-fk-index`?)" in proc.stderr
    proc = run_cli("rule", "redundant-indexes")
    assert proc.returncode == 2 and "(did you mean `redundant-index`?)" in proc.stderr
    proc = run_cli("check", "--ignore", "zzz", EXAMPLE)
    assert proc.returncode == 2 and "see `prisma-lint rules`" in proc.stderr  # nothing close


def test_one_accurate_line_after_fix(tmp_path):
    (tmp_path / "schema.prisma").write_text((REPO / EXAMPLE).read_text())
    proc = run_cli("check", "--fix", "--no-color", "-q", "schema.prisma", cwd=tmp_path)
    assert proc.returncode == 1
    summary = [line for line in (proc.stdout + proc.stderr).splitlines() if "fixed" in line.lower() or "fixes" in line.lower()]
    # 3 safe fixes (two foreign-key indexes, one reorder); the 2 redundant indexes need --unsafe-fixes
    assert summary == ["Found 7 problems (3 fixed, 4 remaining). 2 more fixable with --unsafe-fixes."]
    proc = run_cli("check", "--fix", "--unsafe-fixes", "--no-color", "-q", "schema.prisma", cwd=tmp_path)
    assert proc.stdout.splitlines()[-1] == "Found 4 problems (2 fixed, 2 remaining)."
    proc = run_cli("check", "--fix", "--format", "json", "schema.prisma", cwd=tmp_path)
    assert proc.stderr.strip().splitlines()[-1] == "Found 2 problems (0 fixed, 2 remaining)."


# -- what a package has ---------------------------------------------------------------------------
def test_the_wheel_has_licence_types_urls_and_classifiers(tmp_path):
    import zipfile

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("prisma_lint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "prisma_lint/py.typed" in names
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert zipfile.ZipFile(wheel).read(licence).decode().startswith("MIT License")
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License: MIT" in metadata and "Classifier: License :: OSI Approved :: MIT License" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    from prisma_lint.docs import HOMEPAGE

    # one home page: the package's URLs, the SARIF informationUri and the rule links agree
    assert f"Project-URL: Homepage, {HOMEPAGE}" in metadata
    assert f"Project-URL: Changelog, {HOMEPAGE}/blob/main/CHANGELOG.md" in metadata
    assert (REPO / "CHANGELOG.md").read_text().startswith("# Changelog")
