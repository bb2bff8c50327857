"""The command line: ``prisma-lint check | graph | rules | rule | migrate``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config or input errors
(syntax errors, unreadable files). Only this module (and config loading) reads the environment.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from . import __version__

FORMATS = ["text", "json", "github", "sarif", "gitlab", "junit"]


def _exit_now(code: int) -> None:
    """Exit without tearing the interpreter down (freeing every module and object costs a
    pre-commit run ~10 ms); everything written is flushed first."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _fail(message: str) -> None:
    click.echo(f"prisma-lint: error: {message}", err=True)
    raise _Exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="prisma-lint")
def main_group() -> None:
    """Find and fix index mistakes in Prisma schemas and PostgreSQL migrations."""


def main() -> None:
    try:
        main_group(standalone_mode=False)
    except _Exit as e:
        _exit_now(e.code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if e.exit_code not in (0, 1) else e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:  # `prisma-lint ... | head`
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug: say so in one line, not a traceback
        import os

        if os.environ.get("PRISMA_LINT_DEBUG"):
            raise
        click.echo(
            f"prisma-lint: internal error: {type(e).__name__}: {e} "
            "(please report it; set PRISMA_LINT_DEBUG=1 to see where)",
            err=True,
        )
        sys.exit(2)


def _resolve_targets(paths: tuple[str, ...], schema: Optional[str]) -> list[tuple[Path, Optional[str]]]:
    from .frontends.prisma.loader import SchemaNotFound, discover_schema

    if schema:
        return [(Path(schema), None)]
    if paths:
        return [(Path(p), None) for p in paths]
    try:
        found, how = discover_schema(Path.cwd())
    except SchemaNotFound as e:
        _fail(str(e))
    return [(found, how)]


@main_group.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder (as Prisma's --schema).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these rules (comma-separated ids, or `all`).")
@click.option("--ignore", multiple=True, help="Skip these rules (comma-separated ids).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="One line per finding; no summary when clean.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Use this config file.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
@click.option("--fix", is_flag=True, help="Apply safe fixes to the schema files.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe fixes (deleting or renaming indexes).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option(
    "--add-ignore",
    is_flag=True,
    help="Add a `// prisma-lint-ignore` comment for every finding in the schema files (to adopt the linter "
    "on an existing schema: later runs report only new problems). With --diff, print the change instead.",
)
@click.option(
    "--migrations",
    "migrations_dir",
    type=click.Path(exists=True, file_okay=False),
    help="The schema's migrations folder (default: migrations/ next to the schema, when there is one).",
)
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout.")
@click.option(
    "--stdin-filename",
    type=click.Path(dir_okay=False),
    help="With the path `-`: the schema text comes from stdin and stands for this file (editors' unsaved buffers).",
)
def check(
    paths,
    schema,
    output_format,
    select,
    ignore,
    fail_on,
    exit_zero,
    quiet,
    statistics,
    config_path,
    color,
    fix,
    unsafe_fixes,
    show_diff,
    add_ignore,
    migrations_dir,
    output_file,
    stdin_filename,
):
    """Lint schemas (files or multi-file folders) and SQL migrations (.sql files or migration
    folders). With no path, find the schema as Prisma does."""
    from .config import ConfigError, config_for
    from .engine import exit_code, lint
    from .frontends.prisma.loader import SchemaNotFound, is_sql_path, load_schema
    from .emit.formats import get_formatter
    from .rules import load_registry

    registry = load_registry()
    for message in registry.load_errors:
        click.echo(f"prisma-lint: warning: {message}", err=True)
    selected, ignored = _split(select), _split(ignore)
    for rid in selected + ignored:
        if rid != "all" and rid not in registry.rules:
            _fail(f"unknown rule `{rid}` (see `prisma-lint rules`)")
    overrides = None
    from_stdin = False
    if paths == ("-",) or (stdin_filename and not paths):
        if not stdin_filename:
            _fail("reading from stdin (`-`) needs --stdin-filename PATH (the file the text stands for)")
        text = sys.stdin.read()
        overrides = {str(Path(stdin_filename).resolve()): text[1:] if text.startswith("\ufeff") else text}
        paths = (stdin_filename,)
        from_stdin = True
    elif "-" in paths:
        _fail("`-` (stdin) cannot be combined with other paths")
    if add_ignore and (fix or unsafe_fixes):
        _fail("--add-ignore cannot be combined with --fix or --unsafe-fixes (fix first, then add ignores)")
    if add_ignore and from_stdin:
        _fail("--add-ignore edits the schema files: it cannot read the schema from stdin")
    targets = _group_targets(paths, schema, overrides)
    findings, diagnostics = [], []
    linted_files: list[str] = []
    diffs: list[str] = []
    fixed_count = 0  # fixes applied, or with --add-ignore the comments added
    sql_left = 0  # --add-ignore: findings in SQL files, left alone
    stdin_fixed: Optional[str] = None
    fail_level = fail_on
    for target, how, only in targets:
        try:
            config = config_for(target, registry, Path(config_path) if config_path else None)
        except ConfigError as e:
            _fail(str(e))
        if config.is_excluded(target) and not only:
            continue
        if how and output_format == "text" and not quiet:
            click.echo(f"Using the schema at {target} (found by {how}).", err=True)
        migrations = None
        try:
            if is_sql_path(target):
                from .frontends.sql import dialect
                from .frontends.sql.replay import load_sql

                provider = dialect.sql_provider(target)
                if not dialect.is_read(provider):
                    diagnostics.append(dialect.skipped_note(_shown(target), provider))
                    continue
                loaded = load_sql(target, overrides=overrides)
            else:
                loaded = load_schema(target, overrides=overrides)
                mig = Path(migrations_dir) if migrations_dir else _migrations_dir(loaded)
                if migrations_dir or (mig.is_dir() and any(mig.glob("*/migration.sql"))):
                    from .frontends.sql import dialect
                    from .frontends.sql.replay import load_sql

                    provider = dialect.sql_provider(mig, loaded.schema.provider)
                    if dialect.is_read(provider):
                        migrations = load_sql(mig)
                    else:
                        diagnostics.append(dialect.skipped_note(_shown(mig), provider))
        except SchemaNotFound as e:
            _fail(str(e))
        result = lint(loaded, registry, config, selected or None, ignored, migrations=migrations)
        if add_ignore:
            result, diff_text, added, left_in_sql = _add_ignores(
                loaded, result, registry, config, selected, ignored, migrations, show_diff
            )
            diffs.append(diff_text)
            fixed_count += added
            sql_left += left_in_sql
        elif fix or unsafe_fixes or show_diff:
            result, diff_text, fixed, texts = _fix(
                loaded, result, registry, config, selected, ignored, unsafe_fixes, show_diff or from_stdin
            )
            diffs.append(diff_text)
            fixed_count += fixed
            if from_stdin:
                shown = next((p for p, f in loaded.paths.items() if str(f.resolve()) in overrides), None)
                stdin_fixed = texts.get(shown, overrides[next(iter(overrides))]) if shown else None
        kept = result.findings
        kept_diags = result.diagnostics
        if only is not None:  # pre-commit passed some files of the schema: report on those
            kept = [f for f in kept if _resolved(loaded, f.file) in only]
            kept_diags = [d for d in kept_diags if d.file is None or _resolved(loaded, d.file) in only]
            linted_files.extend(p for p in loaded.paths if _resolved(loaded, p) in only)
        else:
            linted_files.extend(loaded.paths)
        findings.extend(kept)
        diagnostics.extend(kept_diags)
        fail_level = fail_level or config.fail_on
    if from_stdin and (fix or unsafe_fixes):
        # the fixed buffer goes to stdout; what is left to fix goes to stderr
        if stdin_fixed is not None:
            click.echo(stdin_fixed, nl=False)
        formatter = get_formatter("text" if output_format == "text" else output_format)
        report = formatter(findings, diagnostics, color=False, quiet=True, rules=registry.rules, files=linted_files)
        click.echo(report, nl=False, err=True)
        raise _Exit(_final_code(findings, diagnostics, fail_level, exit_zero, exit_code))
    if show_diff:
        patch = "".join(diffs)
        if patch:
            click.echo(patch, nl=False)
        for d in diagnostics:
            if d.severity == "error":
                click.echo(d.render(), err=True)
        if any(d.severity == "error" for d in diagnostics):
            raise _Exit(2)
        if add_ignore:
            click.echo(f"{_ignore_comments(fixed_count)} {'would be ' if patch else ''}added.", err=True)
        else:
            click.echo(f"{fixed_count} fix{'es' if fixed_count != 1 else ''} {'would be ' if patch else ''}applied.", err=True)
        raise _Exit(1 if patch else 0)
    formatter = get_formatter(output_format)
    use_color = (color if color is not None else sys.stdout.isatty()) and not output_file
    text = formatter(
        findings,
        diagnostics,
        color=use_color,
        quiet=quiet,
        statistics=statistics,
        rules=registry.rules,
        files=linted_files,
    )
    if output_file:
        _write_report(Path(output_file), text)
    elif text:
        click.echo(text, nl=False)
    if (fix or unsafe_fixes) and output_format == "text":
        click.echo(f"Fixed {fixed_count} problem{'s' if fixed_count != 1 else ''}.", err=True)
    if add_ignore and output_format == "text":
        click.echo(f"Added {_ignore_comments(fixed_count)}.", err=True)
    if add_ignore and sql_left:
        click.echo(
            f"prisma-lint: {sql_left} finding{'s' if sql_left != 1 else ''} in SQL migrations left as they are: "
            "Prisma checks applied migrations against their checksum, so their text must not change "
            "(use `exclude` in the config, or write `-- prisma-lint-ignore` into migrations not yet applied)",
            err=True,
        )
    raise _Exit(_final_code(findings, diagnostics, fail_level, exit_zero, exit_code))


def _final_code(findings, diagnostics, fail_level, exit_zero, exit_code) -> int:
    code = exit_code(findings, diagnostics, fail_level or "warning")
    return 0 if exit_zero and code == 1 else code


def _write_report(path: Path, text: str) -> None:
    import os
    import tempfile

    folder = path.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _resolved(loaded, shown: str) -> str:
    p = loaded.paths.get(shown)
    return str((p or Path(shown)).resolve())


_DATASOURCE = None


def _has_datasource(path: Path) -> bool:
    import re

    global _DATASOURCE
    if _DATASOURCE is None:
        _DATASOURCE = re.compile(r"(?m)^\s*datasource\s+\w+\s*\{")
    try:
        return bool(_DATASOURCE.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def _schema_root(file: Path) -> Path:
    """The schema a .prisma file belongs to: the folder of a multi-file schema, else the file.

    From the file's folder, go up while the folder's own .prisma files have no datasource and
    its parent holds .prisma files; the folder reached is the schema's when, with everything
    below it, it has several .prisma files and one datasource between them. Files that each
    have their own datasource are separate schemas (and nothing is walked)."""
    from .frontends.prisma.loader import schema_files_in

    folder = file.resolve().parent
    while True:
        here = list(folder.glob("*.prisma"))
        with_datasource = [p for p in here if _has_datasource(p)]
        if len(with_datasource) > 1:
            return file  # several schemas side by side
        if with_datasource or folder.parent == folder or not any(folder.parent.glob("*.prisma")):
            break
        folder = folder.parent
    files = schema_files_in(folder)
    if len(files) > 1 and sum(1 for f in files if _has_datasource(f)) <= 1:
        return folder
    return file


def _migrations_root(file: Path) -> Path:
    """A migration.sql inside `<dir>/<timestamp>_<name>/`: the migrations folder `<dir>`."""
    parent = file.resolve().parent
    if file.name == "migration.sql" and (
        (parent.parent / "migration_lock.toml").exists() or len(list(parent.parent.glob("*/migration.sql"))) > 1
    ):
        return parent.parent
    return file


def _group_targets(paths, schema, overrides) -> list[tuple[Path, Optional[str], Optional[set]]]:
    """(path to lint, how it was found, the files to report on or None for all).

    Files that belong to a bigger unit — a file of a multi-file schema, a migration of a
    migrations folder — are linted with the whole unit (relations across files, the replayed
    migrations), and only what concerns the files named is reported (what pre-commit needs
    when it passes some of the files)."""
    if schema or not paths:
        return [(t, how, None) for t, how in _resolve_targets(paths, schema)]
    groups: dict[str, tuple[Path, set]] = {}
    out: list[tuple[Path, Optional[str], Optional[set]]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir() or (not p.exists() and not (overrides and str(p.resolve()) in overrides)):
            out.append((p, None, None))
            continue
        root = _schema_root(p) if p.suffix == ".prisma" else _migrations_root(p) if p.suffix == ".sql" else p
        if root == p or root.resolve() == p.resolve():
            out.append((p, None, None))
            continue
        key = str(root)
        if key not in groups:
            groups[key] = (root, set())
            out.append((root, None, groups[key][1]))
        groups[key][1].add(str(p.resolve()))
    return out


def _fix(loaded, result, registry, config, selected, ignored, unsafe, dry_run):
    """Apply the fixes (in memory, then to disk unless ``dry_run``); returns the lint result of
    the fixed schema, the unified diff, how many findings were fixed, and the fixed texts."""
    from .fix.planner import fix_texts, unified_diff, write_atomically
    from .engine import lint
    from .frontends.prisma.loader import reparse

    if loaded.has_errors:
        bad = sorted({d.file for d in loaded.diagnostics if d.severity == "error" and d.file})
        click.echo(f"prisma-lint: not fixing {', '.join(bad) or loaded.root}: the schema has errors", err=True)
        return result, "", 0, {}

    def lint_round(texts):
        current = reparse(loaded, texts)
        r = lint(current, registry, config, selected or None, ignored)
        return current.schema, r.findings, current.has_errors

    def verify(texts):  # every rule: a fix must not create a finding of a rule not selected
        current = reparse(loaded, texts)
        r = lint(current, registry, config, ["all"], ignored)
        return current.schema, r.findings, current.has_errors

    outcome = fix_texts(loaded.texts(), lint_round, unsafe, verify)
    if not outcome.texts:
        _mark_refused(result.findings, outcome)
        return result, "", 0, {}
    final = reparse(loaded, {**loaded.texts(), **outcome.texts})
    final_result = lint(final, registry, config, selected or None, ignored)
    _mark_refused(final_result.findings, outcome)
    fixed = max(len(result.findings) - len(final_result.findings), 0)
    patch = unified_diff(outcome.originals, outcome.texts)
    if not dry_run:
        boms = loaded.boms()
        for path, text in outcome.texts.items():
            write_atomically(loaded.paths[path], text, boms.get(path, False))
    return final_result, patch, fixed, outcome.texts


def _mark_refused(findings, outcome) -> None:
    """A fix the planner left out (the schema it makes has a finding the original lacks) is
    shown, not offered: a second --fix would leave it out again."""
    for f in findings:
        if outcome.was_refused(f):
            f.fix.applicability = "display"
            f.fix.title += " (not applied: it would create a new finding)"


def _ignore_comments(n: int) -> str:
    return f"{n} prisma-lint-ignore comment{'s' if n != 1 else ''}"


def _add_ignores(loaded, result, registry, config, selected, ignored, migrations, dry_run):
    """Add ignore comments for the findings in the schema files (to disk unless ``dry_run``);
    returns the lint result afterwards, the unified diff, how many comments were added, and how
    many findings are in SQL files (left alone)."""
    from .fix.edits import apply_edits
    from .fix.planner import unified_diff, write_atomically
    from .engine import lint
    from .frontends.prisma.loader import reparse
    from .suppressions import ignore_edits

    schema_paths = {f.source.path for f in loaded.schema.files if f.source.path.endswith(".prisma")}
    in_sql = sum(1 for f in result.findings if f.file not in schema_paths and f.rule != "unused-suppression")
    if loaded.has_errors:
        bad = sorted({d.file for d in loaded.diagnostics if d.severity == "error" and d.file})
        click.echo(f"prisma-lint: not adding ignore comments to {', '.join(bad) or loaded.root}: the schema has errors", err=True)
        return result, "", 0, in_sql
    files = [f for f in loaded.schema.files if f.source.path in schema_paths]
    edits = ignore_edits(result.findings, files)
    if not edits:
        return result, "", 0, in_sql
    originals = loaded.texts()
    texts = {}
    for path in {e.file.path for e in edits}:
        texts[path], _ = apply_edits(originals[path], [e for e in edits if e.file.path == path])
    final = reparse(loaded, {**originals, **texts})
    if final.has_errors:  # never write a schema the comments broke (they cannot: a safety net)
        click.echo("prisma-lint: internal error: the ignore comments would break the schema; nothing written", err=True)
        raise _Exit(2)
    final_result = lint(final, registry, config, selected or None, ignored, migrations=migrations)
    patch = unified_diff(originals, texts)
    if not dry_run:
        boms = loaded.boms()
        for path, text in texts.items():
            write_atomically(loaded.paths[path], text, boms.get(path, False))
    return final_result, patch, len(edits), in_sql


@main_group.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder.")
@click.option("--format", "output_format", type=click.Choice(["json", "mermaid", "dot"]), default="json", show_default=True)
def graph(path, schema, output_format):
    """Print the model graph: JSON for tools, Mermaid or Graphviz dot for people."""
    from .emit.graph import to_dot, to_json, to_mermaid
    from .frontends.prisma.loader import SchemaNotFound, load_schema
    from .emit.formats import render_diagnostic

    (target, _how), = _resolve_targets((path,) if path else (), schema)
    try:
        loaded = load_schema(target)
    except SchemaNotFound as e:
        _fail(str(e))
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    for d in errors:
        click.echo(render_diagnostic(d), err=True)
    if errors:
        raise _Exit(2)
    render = {"json": to_json, "mermaid": to_mermaid, "dot": to_dot}[output_format]
    click.echo(render(loaded.schema), nl=False)


@main_group.command()
@click.argument("path", required=False, type=click.Path())
@click.option("--schema", "schema", type=click.Path(), help="The schema file or folder.")
@click.option("--name", default="prisma_lint_indexes", show_default=True, help="The migration's name.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="The migrations folder (default: migrations/ next to the datasource's file).")
@click.option("--concurrently", is_flag=True, help="CREATE/DROP INDEX CONCURRENTLY, one migration folder per statement.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the SQL instead of writing a migration folder.")
@click.option("--unsafe-fixes", is_flag=True, help="Include unsafe fixes (dropping redundant indexes).")
@click.option("--write-schema", is_flag=True, help="Also write the fixed schema (as `check --fix` does).")
@click.option("--select", multiple=True, help="Only the fixes of these rules.")
@click.option("--ignore", multiple=True, help="Not the fixes of these rules.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), help="Use this config file.")
def migrate(path, schema, name, out_dir, concurrently, to_stdout, unsafe_fixes, write_schema, select, ignore, config_path):
    """Write the migration SQL that applies the schema's index fixes, as Prisma would."""
    from .config import ConfigError, config_for
    from .fix.planner import fix_texts, write_atomically
    from .engine import lint
    from .frontends.prisma.loader import SchemaNotFound, load_schema, reparse
    from .migrate.sql import MigrationError, diff, render, statements, write_migrations
    from .emit.formats import render_diagnostic
    from .rules import load_registry

    registry = load_registry()
    selected, ignored = _split(select), _split(ignore)
    (target, _how), = _resolve_targets((path,) if path else (), schema)
    try:
        config = config_for(target, registry, Path(config_path) if config_path else None)
        loaded = load_schema(target)
    except (ConfigError, SchemaNotFound) as e:
        _fail(str(e))
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors:
        for d in errors:
            click.echo(render_diagnostic(d), err=True)
        raise _Exit(2)

    def lint_round(texts):
        current = reparse(loaded, texts)
        r = lint(current, registry, config, selected or None, ignored)
        return current.schema, r.findings, current.has_errors

    def verify(texts):  # every rule, as check --fix
        current = reparse(loaded, texts)
        r = lint(current, registry, config, ["all"], ignored)
        return current.schema, r.findings, current.has_errors

    outcome = fix_texts(loaded.texts(), lint_round, unsafe_fixes, verify)
    fixed = reparse(loaded, {**loaded.texts(), **outcome.texts})
    try:
        migration = diff(loaded.schema, fixed.schema)
        if migration.empty:
            click.echo("No index changes: nothing to migrate.", err=True)
            raise _Exit(0)
        if to_stdout:
            if concurrently:
                parts = statements(migration, concurrently=True)
                click.echo(
                    "-- Each statement below must run on its own (CONCURRENTLY cannot run in a transaction).\n\n"
                    + "\n".join(parts),
                    nl=False,
                )
            else:
                click.echo(render(migration), nl=False)
        else:
            out = Path(out_dir) if out_dir else _migrations_dir(loaded)
            folders = write_migrations(migration, out, name, concurrently)
            for folder in folders:
                click.echo(f"Wrote {folder / 'migration.sql'} (and down.sql)", err=True)
            if concurrently:
                click.echo(
                    f"CONCURRENTLY cannot run inside a transaction, and Prisma runs each migration file as one: "
                    f"wrote {len(folders)} migration folder{'s' if len(folders) != 1 else ''}, one statement each.",
                    err=True,
                )
    except MigrationError as e:
        _fail(str(e))
    if write_schema and outcome.texts:
        boms = loaded.boms()
        for p, text in outcome.texts.items():
            write_atomically(loaded.paths[p], text, boms.get(p, False))
        click.echo(f"Updated {', '.join(sorted(outcome.texts))}", err=True)
    elif outcome.texts and not to_stdout:
        click.echo("The schema is unchanged: run `prisma-lint check --fix` (or pass --write-schema) so it matches.", err=True)


def _migrations_dir(loaded) -> Path:
    """Prisma keeps migrations next to the file with the datasource block."""
    ds = loaded.schema.datasource
    shown = ds.span.file.path if ds else next(iter(loaded.paths), loaded.root)
    return loaded.paths.get(shown, Path(shown)).resolve().parent / "migrations"


@main_group.command()
def lsp():
    """Run the language server over stdio (needs the [lsp] extra: pygls)."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        _fail("the language server needs pygls: pip install 'prisma-lint[lsp]'")
    from .lsp.server import main as serve

    serve()


@main_group.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(output_format):
    """List the rules: id, default severity, fix, summary."""
    import json as _json

    from .rules import load_registry

    registry = load_registry()
    rows = [
        {
            "id": r.id,
            "severity": r.severity,
            "fixable": r.fixable,
            "needs": list(r.needs),
            "default_enabled": r.default_enabled,
            "summary": r.summary,
            "options": [{"name": o.name, "default": o.default, "doc": o.doc} for o in r.options],
        }
        for r in registry.rules.values()
    ]
    if output_format == "json":
        click.echo(_json.dumps(rows, indent=2))
        return
    width = max(len(r["id"]) for r in rows)
    click.echo(f"{'RULE':<{width}}  {'SEVERITY':<8}  {'FIX':<6}  SUMMARY")
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['severity']:<8}  {r['fixable']:<6}  {r['summary']}")


@main_group.command("rule")
@click.argument("rule_id")
def rule_cmd(rule_id):
    """Print a rule's documentation page."""
    from .docs import rule_page
    from .rules import load_registry

    registry = load_registry()
    if rule_id not in registry.rules:
        _fail(f"unknown rule `{rule_id}` (see `prisma-lint rules`)")
    page = rule_page(rule_id)
    if page is None:
        rule = registry.rules[rule_id]
        click.echo(f"# {rule.id}\n\n{rule.summary}")
        return
    click.echo(page, nl=not page.endswith("\n"))


if __name__ == "__main__":  # pragma: no cover
    main()


def _shown(path: Path) -> str:
    from .frontends.prisma.loader import display_path

    return display_path(path)
