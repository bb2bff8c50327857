"""The command line: ``prisma-lint check | graph | rules | rule | migrate | stats``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage, config or input errors
(syntax errors, unreadable files). Only this module (and config loading) reads the environment.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Optional

import click

from . import __version__, records
from .emit import FORMATS
from .paths import clean, parents

if TYPE_CHECKING:  # a plain check's paths are str (paths.py); the other commands' are Paths
    from pathlib import Path

    from .paths import StrPath

# One instance per kind of path, shared by the options: click looks up the translation of each
# type's name (gettext searches the locale folders) once per instance, 17 times at import before;
# 0.2 M instructions a lookup (`migrate --out`'s folder type is made in commands/migrate.py).
ANY_PATH = click.Path()
FILE_PATH = click.Path(dir_okay=False)
EXISTING_FILE = click.Path(exists=True, dir_okay=False)
EXISTING_FOLDER = click.Path(exists=True, file_okay=False)


def _exit_now(code: int) -> None:
    """Exit without tearing the interpreter down (freeing every module and object costs a
    pre-commit run ~10 ms); everything written is flushed first."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _interrupted() -> type[BaseException]:
    from .fix.write import Interrupted

    return Interrupted


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _fail(message: str) -> None:
    click.echo(f"prisma-lint: error: {message}", err=True)
    raise _Exit(2)


def _use_color(flag: Optional[bool], is_terminal: bool) -> bool:
    """As ruff: ``--color``/``--no-color`` win, then ``NO_COLOR`` (set and not empty: no colour),
    then ``FORCE_COLOR`` (set and not empty: colour, even into a pipe or a CI log), then whether
    the output is a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return is_terminal


def _unknown_rule(rid: str, known) -> None:
    from .config import did_you_mean

    _fail(f"unknown rule `{rid}`{did_you_mean(rid, known) or ' (see `prisma-lint rules`)'}")


def _report_files(values: tuple[str, ...], formats: list[str]) -> list[tuple[Path, str]]:
    """``--output-format FILE:FORMAT`` (repeatable): more reports from the same run. The format
    is after the last colon, so a Windows path (``C:\\out\\x.sarif:sarif``) works."""
    out = []
    for value in values:
        from pathlib import Path

        file, sep, fmt = value.rpartition(":")
        if not sep or not file or fmt not in formats:
            _fail(f"--output-format takes FILE:FORMAT with FORMAT one of {', '.join(formats)}, got {value!r}")
        out.append((Path(file), fmt))
    return out


def _git_root(start: str) -> str:
    """The repository's top folder (the nearest folder above ``start`` with ``.git``, a folder
    or a worktree's file), or ``start`` outside a repository: SARIF paths are relative to it, as
    GitHub code scanning expects."""
    start = os.path.realpath(start)
    for folder in parents(start):
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
    return start


class _LazyGroup(click.Group):
    """A group whose commands other than ``check`` are imported when they run (click's
    documented pattern for lazily loaded subcommands): a ``check`` does not build their 40
    options (2 M instructions; every pre-commit run is a ``check``)."""

    LAZY = {
        "graph": "graph:graph",
        "lsp": "lsp:lsp",
        "migrate": "migrate:migrate",
        "queries": "queries:queries",
        "rule": "rules:rule_cmd",
        "rules": "rules:rules_cmd",
        "stats": "stats:stats_cmd",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        if cmd_name not in self.LAZY:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, _, name = self.LAZY[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(f"{__package__}.commands.{module}"), name)
        return command


class _Command(click.Command):
    """A command whose short options skip click's "did you mean" search.

    click tries every option first as a long one; a short one (``-q``) is not, and the
    ``NoSuchOption`` raised on the way imports difflib to find close names (3.3 M instructions,
    1.3% of a cold ``check -q``) that nobody reads: the argument then goes on to the short
    options. The search is skipped only for what is then handled as a short option (one
    ``-``), so a mistyped long option still gets its suggestions. Click's private parser
    attributes; without them the parser is left as it is."""

    def make_parser(self, ctx: click.Context):
        parser = super().make_parser(ctx)
        long_opts = getattr(parser, "_long_opt", None)
        prefixes = getattr(parser, "_opt_prefixes", None)
        match_long = getattr(parser, "_match_long_opt", None)
        if long_opts is None or prefixes is None or match_long is None:
            return parser

        def match_long_opt(opt: str, explicit_value, state) -> None:
            # `_process_opts` tries the short options when arg[:2] is no prefix ("-q", not
            # "--quiet"): the suggestions, and the message, would be dropped (its translation
            # is a gettext lookup: 0.2 M)
            if opt not in long_opts and opt[:2] not in prefixes:
                raise click.NoSuchOption(opt, message=opt, ctx=ctx)
            match_long(opt, explicit_value, state)

        parser._match_long_opt = match_long_opt  # type: ignore[method-assign]
        return parser


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
# click's own texts, given: it would look each up in the locale folders (0.2 M each, every run)
@click.version_option(
    __version__, "-V", "--version", prog_name="prisma-lint", message="%(prog)s, version %(version)s", help="Show the version and exit."
)
def main_group() -> None:
    """Find and fix index mistakes in Prisma schemas and PostgreSQL migrations."""


def main() -> None:
    try:
        main_group(standalone_mode=False)
    except _Exit as e:
        _exit_now(e.code)
    except click.exceptions.Abort:  # click's form of Ctrl-C (KeyboardInterrupt): the shell's 128 + SIGINT
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if e.exit_code not in (0, 1) else e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:  # `prisma-lint ... | head`
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except _interrupted() as e:  # SIGTERM while writing: the files are as they were
        sys.exit(128 + getattr(e, "signum", 15))
    except Exception as e:  # a bug: say so in one line, not a traceback
        if os.environ.get("PRISMA_LINT_DEBUG"):
            raise
        click.echo(
            f"prisma-lint: internal error: {type(e).__name__}: {e} "
            "(please report it; set PRISMA_LINT_DEBUG=1 to see where)",
            err=True,
        )
        sys.exit(2)


def _targets(paths: tuple[str, ...], schema: Optional[str], overrides: Optional[dict[str, str]] = None, search=None):
    """The units to lint (``discovery.Target``): ``--schema``, the paths grouped by the unit
    each belongs to (an app file: the schemas whose app reads it; ``search`` decides with the
    run's options), or the schema Prisma would find."""
    from .discovery import Target, find_schema, group_paths, narrow_to_schema
    from .frontends.prisma.loader import SchemaNotFound

    if schema and (not paths or not os.path.exists(clean(schema))):
        return [Target(clean(schema))]  # (a --schema that is not there: the loader says so)
    if paths:
        skipped: list[StrPath] = []
        given: list[StrPath] = [clean(p) for p in paths]
        if schema:  # the paths say what of this schema to report
            targets = narrow_to_schema(clean(schema), given, overrides, search, skipped)
        else:
            targets = group_paths(given, overrides, search, skipped)
        if skipped:  # not an error: pre-commit passes every changed .ts/.js file
            names = ", ".join(str(p) for p in skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
            if schema:
                why = f"not part of the schema {schema} nor of its app"
            else:
                them = "it" if len(skipped) == 1 else "them"
                why = f"no Prisma schema's app reads {them} (another project, a test or script, build output, app-exclude)"
            click.echo(f"prisma-lint: note: skipped {names}: {why}", err=True)
        return targets
    warnings: list[str] = []
    try:
        found, how = find_schema(os.getcwd(), warnings)
    except SchemaNotFound as e:
        _fail(str(e))
    for w in warnings:
        click.echo(f"prisma-lint: warning: {w}", err=True)
    return [Target(found, how)]


def _one_target(path: Optional[str], schema: Optional[str]) -> str:
    """The one unit the other commands (graph, migrate, queries) read, as ``str(Path(...))``
    (``clean``: pathlib is 16 M instructions, 3% of `migrate --stdout` on cal.com)."""
    if schema:
        return clean(schema)
    targets = _targets((path,) if path else (), None)
    if len(targets) != 1:  # an app file given for a schema: it belongs to none, or to several
        roots = ", ".join(str(t.root) for t in targets)
        _fail(f"{path}: pass a schema (this app file belongs to {'the schemas ' + roots if roots else 'no schema'})")
    return clean(os.fspath(targets[0].root))


def _load(target: StrPath, overrides=None, migrations: Optional[str] = None):
    import gc

    from .engine import load_inputs
    from .frontends.prisma.loader import SchemaNotFound

    # The parsed tree lives until the process ends and holds no garbage: keep the collector
    # from walking it again on every later collection (100k lines: 16 s -> 6 s, mostly the
    # pauses of full collections while the rules allocate). A one-shot process only. The
    # collector is off until here (entry.main turns it off first; off here too when the command
    # runs another way, as in the tests): frozen before it is on again, since objects made
    # while it was off still count as the youngest generation, and the first collection after
    # parse_files re-enabled it walked the whole tree (100k lines: ~0.6 s of a ~3.4 s run). On
    # from here, for what the rules allocate.
    gc.disable()
    try:
        inputs = load_inputs(target, overrides=overrides, migrations=clean(migrations) if migrations else None)
    except SchemaNotFound as e:
        _fail(str(e))
    finally:
        gc.freeze()
        gc.enable()
    return inputs


def _config(target: StrPath, registry, config_path: Optional[str]):
    from .config import ConfigError, config_for

    try:
        return config_for(target, registry, clean(config_path) if config_path else None)
    except ConfigError as e:
        _fail(str(e))


def _registry():
    from .rules import load_registry

    registry = load_registry()
    for message in registry.load_errors:
        click.echo(f"prisma-lint: warning: {message}", err=True)
    return registry


def _rule_ids(registry, select, ignore) -> tuple[list[str], list[str]]:
    selected, ignored = _split(select), _split(ignore)
    for rid in selected + ignored:
        if rid != "all" and rid not in registry.rules:
            _unknown_rule(rid, registry.rules)
    return selected, ignored


def _try_write(unit, texts: dict[str, str]) -> Optional[str]:
    """Write fixed texts back to the unit's files (keeping a BOM): all or nothing, each file
    checked against what was read (see fix/write.py). Returns the one-line error, if any."""
    from .fix.write import WriteError, encode, write_files

    boms = unit.boms()
    try:
        write_files(
            [(p, unit.paths[p], encode(t, boms.get(p, False)), unit.read_as.get(p)) for p, t in texts.items()]
        )
    except WriteError as e:
        return str(e)
    return None


def _write(unit, texts: dict[str, str]) -> None:
    error = _try_write(unit, texts)
    if error:
        _fail(error)


@main_group.command(cls=_Command)
@click.argument("paths", nargs=-1, type=ANY_PATH)
@click.option("--schema", "schema", type=ANY_PATH, help="The schema file or folder (as Prisma's --schema).")
@click.option("--format", "output_format", type=click.Choice(list(FORMATS)), default="text", show_default=True)
@click.option(
    "--output-format",
    "report_files",
    multiple=True,
    metavar="FILE:FORMAT",
    help="Also write the report in FORMAT to FILE, from the same run (repeatable: "
    "`--format github --output-format lint.sarif:sarif --output-format summary.md:markdown`).",
)
@click.option("--select", multiple=True, help="Only these rules (comma-separated ids, or `all`).")
@click.option("--ignore", multiple=True, help="Skip these rules (comma-separated ids).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: warning).",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when there are findings or the schema cannot be read (the errors are in the "
    "output); usage and configuration errors still exit 2.",
)
@click.option("-q", "--quiet", is_flag=True, help="One line per finding; no summary when clean.")
@click.option("--statistics", is_flag=True, help="Print only a table counting the findings per rule.")
@click.option("--config", "config_path", type=EXISTING_FILE, help="Use this config file.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: NO_COLOR set: no; FORCE_COLOR set: yes; else when a terminal).",
)
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
    type=EXISTING_FOLDER,
    help="The schema's migrations folder (default: migrations/ next to the schema, when there is one).",
)
@click.option("-o", "--output", "output_file", type=FILE_PATH, help="Write the report to FILE instead of stdout.")
@click.option(
    "--stdin-filename",
    type=FILE_PATH,
    help="With the path `-`: the schema text comes from stdin and stands for this file (editors' unsaved buffers).",
)
@click.option(
    "--database-url",
    envvar="PRISMA_LINT_DATABASE_URL",
    show_envvar=True,
    metavar="URL",
    help="Read statistics from this PostgreSQL (read-only; needs the [db] extra) for the rules that use them.",
)
@click.option(
    "--stats",
    "stats_file",
    type=FILE_PATH,
    help="Read statistics from a file written by `prisma-lint stats` (no database access).",
)
@click.option("--app", "apps", multiple=True, help="The app's code (folder, file or glob; repeatable). Default: config `app`, else the project root above the schema.")
@click.option("--no-app", is_flag=True, help="Do not read the app's code.")
def check(
    paths,
    schema,
    output_format,
    report_files,
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
    database_url,
    stats_file,
    apps,
    no_app,
):
    """Lint schemas (files or multi-file folders) and SQL migrations (.sql files or migration
    folders). With no path, find the schema as Prisma does; with --schema and paths (pre-commit
    with `args: [--schema, ...]`), lint that schema and report what concerns the paths.

    A file of a multi-file schema, or one migration, is linted with its whole unit; only the
    findings in the files given are reported (and fixed with --fix).

    An app file (.ts .tsx .js .jsx .mts .cts .mjs .cjs) stands for the schema whose app reads
    it (the schemas of its project; --app, config `app` and `app-exclude` decide): that schema
    is linted with its app, and the findings whose call sites are in the files given are
    reported (and fixed), with the schema's errors. An app file no schema's app reads
    (another project, node_modules, build output, tests, scripts) is skipped with a note.
    """

    from .emit import get_formatter
    from .engine import Engine

    registry = _registry()
    selected, ignored = _rule_ids(registry, select, ignore)
    reports = _report_files(report_files, list(FORMATS))
    overrides = None
    from_stdin = False
    if paths == ("-",) or (stdin_filename and not paths):
        if not stdin_filename:
            _fail("reading from stdin (`-`) needs --stdin-filename PATH (the file the text stands for)")
        text = sys.stdin.read()
        overrides = {os.path.realpath(clean(stdin_filename)): text[1:] if text.startswith("\ufeff") else text}
        paths = (stdin_filename,)
        from_stdin = True
    elif "-" in paths:
        _fail("`-` (stdin) cannot be combined with other paths")
    if add_ignore and (fix or unsafe_fixes):
        _fail("--add-ignore cannot be combined with --fix or --unsafe-fixes (fix first, then add ignores)")
    if add_ignore and from_stdin:
        _fail("--add-ignore edits the schema files: it cannot read the schema from stdin")
    if from_stdin and _is_app_file(stdin_filename):
        _fail(f"--stdin-filename {stdin_filename}: only a schema or SQL file can be read from stdin (app code is read from disk)")
    stats = _database_stats(database_url, stats_file)
    run = _CheckRun()
    configs: dict[str, object] = {}

    def config_of(root: StrPath):
        key = os.path.realpath(root)
        if key not in configs:
            configs[key] = _config(root, registry, config_path)
        return configs[key]

    scopes: dict[str, object] = {}

    def reads(schema_root: Path, file: Path) -> bool:
        """Whether linting this schema reads this app file (as _with_app decides)."""
        from .frontends.app.discover import app_scope

        key = str(schema_root)
        if key not in scopes:
            config = config_of(schema_root)
            engine = Engine(registry, config, selected or None, ignored)
            wanted = not config.is_excluded(schema_root) and _reads_app(apps, no_app, config, engine)
            scopes[key] = app_scope(schema_root, apps, config) if wanted else None
        scope = scopes[key]
        return scope is not None and scope.holds(str(file))  # type: ignore[attr-defined]

    from .discovery import AppSearch

    for target in _targets(paths, schema, overrides, AppSearch(reads)):
        config = config_of(target.root)
        if config.is_excluded(target.root) and not (target.only or target.app_files):
            continue
        if target.found_by and output_format == "text" and not quiet:
            click.echo(f"Using the schema at {target.root} (found by {target.found_by}).", err=True)
        inputs = _load(target.root, overrides, migrations_dir)
        inputs = records.replace(inputs, stats=stats)  # one database for every unit; fix rounds keep it
        engine = Engine(registry, config, selected or None, ignored)
        inputs = _with_app(inputs, target.root, apps, no_app, config, engine)
        result = engine.lint(inputs)
        # fix (or add ignore comments for) what is reported: with some files passed, their findings
        keep = _reported(target, inputs.unit) if target.only is not None else None
        if add_ignore:
            result = run.add_ignores(engine, inputs, result, show_diff, keep)
        elif fix or unsafe_fixes or show_diff:
            result = run.fix(engine, inputs, result, unsafe_fixes, show_diff or from_stdin, overrides if from_stdin else None, keep)
        run.report(inputs.unit, result, target)
        run.fail_level = run.fail_level or fail_on or config.fail_on
        run.docs_url = run.docs_url or config.docs_url
    findings, diagnostics, fail_level = run.findings, run.diagnostics, run.fail_level
    if from_stdin and (fix or unsafe_fixes):
        # the fixed buffer goes to stdout; what is left to fix goes to stderr
        if run.stdin_fixed is not None:
            click.echo(run.stdin_fixed, nl=False)
        formatter = get_formatter("text" if output_format == "text" else output_format)
        report = formatter(findings, diagnostics, color=False, quiet=True, rules=registry.rules, files=run.linted_files)
        click.echo(report, nl=False, err=True)
        raise _Exit(2 if run.write_errors else _final_code(findings, diagnostics, fail_level, exit_zero))
    if show_diff:
        patch = "".join(run.diffs)
        if patch:
            click.echo(patch, nl=False)
        for d in diagnostics:
            if d.severity == "error":
                click.echo(d.render(), err=True)
        if any(d.severity == "error" for d in diagnostics):
            raise _Exit(2)
        n = run.fixed_count
        if add_ignore:
            click.echo(f"{_ignore_comments(n)} {'would be ' if patch else ''}added.", err=True)
        else:
            click.echo(f"{n} fix{'es' if n != 1 else ''} {'would be ' if patch else ''}applied.", err=True)
        raise _Exit(1 if patch else 0)
    fixing = fix or unsafe_fixes
    n = run.fixed_count
    context = {
        "quiet": quiet,
        "statistics": statistics,
        "rules": registry.rules,
        "files": run.linted_files,
        "docs_url": run.docs_url,
        "source_root": _git_root(os.getcwd()),
        "cwd": os.getcwd(),
        "fixed": n if fixing else None,
        "unsafe_fixes": unsafe_fixes,
    }
    use_color = _use_color(color, sys.stdout.isatty()) and not output_file
    text = get_formatter(output_format)(findings, diagnostics, color=use_color, **context)
    if output_file:
        from pathlib import Path

        _write_report(Path(output_file), text)
    elif text:
        click.echo(text, nl=False, color=use_color)  # click strips styles off a pipe unless told
    for path, fmt in reports:
        _write_report(path, get_formatter(fmt)(findings, diagnostics, color=False, **context))
    if fixing and output_format != "text":
        click.echo(_fix_summary(findings, n, unsafe_fixes), err=True)
    if add_ignore and output_format == "text":
        click.echo(f"Added {_ignore_comments(n)}.", err=True)
    if add_ignore and run.sql_left:
        click.echo(
            f"prisma-lint: {run.sql_left} finding{'s' if run.sql_left != 1 else ''} in SQL migrations left as they are: "
            "Prisma checks applied migrations against their checksum, so their text must not change "
            "(use `exclude` in the config, or write `-- prisma-lint-ignore` into migrations not yet applied)",
            err=True,
        )
    raise _Exit(2 if run.write_errors else _final_code(findings, diagnostics, fail_level, exit_zero))


def _served_by(loaded, target: StrPath):
    """``pattern -> index name`` (the advice's matching), with the indexes the schema's
    migrations create counting too."""
    from .discovery import migrations_dir
    from .engine import datasource_file, load_migrations, migration_indexes
    from .model.serving import Advisor

    migrations = load_migrations(migrations_dir(datasource_file(loaded)))
    extra = migration_indexes(loaded.schema, migrations.schema) if migrations is not None else None
    return Advisor(loaded.schema, extra).served_by


def _with_app(inputs, target: StrPath, apps, no_app: bool, config, engine):
    """``inputs`` with the app's queries, when they are asked for (`--app`, config `app`) or a
    rule needs them, unless `--no-app`; an app with no source file counts as none (rules that
    need the queries do not run)."""
    if inputs.kind != "prisma" or not _reads_app(apps, no_app, config, engine):
        return inputs
    from .records import replace

    app = _read_app(inputs.unit, target, apps, config, only_if_found=True)
    return replace(inputs, queries=app) if app is not None and app.files_read else inputs


def _reads_app(apps, no_app: bool, config, engine) -> bool:
    """Whether a (Prisma) unit's lint reads the app: asked for, or a rule needs the queries."""
    return not no_app and bool(apps or config.app or engine.reads("queries"))


def _is_app_file(path: StrPath) -> bool:
    from .discovery import is_app_path

    return is_app_path(path)


def _read_app(loaded, target: StrPath, apps, config, use_cache: bool = True, only_if_found: bool = False):
    """The app's queries (`--app`, else config `app`, else the project root above the schema);
    ``only_if_found``: None when there is no source file (the reader is not even imported)."""
    for raw in apps:
        if not any(ch in raw for ch in "*?[") and not os.path.exists(clean(raw)):
            _fail(f"--app {raw}: no such file or folder")
    if only_if_found and not apps and not config.app:
        from .discovery import project_root

        if project_root(target) is None:  # no app: frontends/app is not imported (1.4 M instructions)
            return None
    from .frontends.app.discover import find_app_files

    found = find_app_files(target, apps, config)
    if only_if_found and not found[0]:
        return None
    from .frontends.app.cache import default_cache_dir
    from .frontends.app.read import read_app

    cache_dir = default_cache_dir(config.path, dict(os.environ)) if use_cache else None
    return read_app(loaded, apps, config, cache_dir=cache_dir, schema_path=target, found=found)


class _CheckRun:
    """What ``check`` gathers over its targets: findings to report, diffs, counts."""

    def __init__(self) -> None:
        self.findings: list = []
        self.diagnostics: list = []
        self.linted_files: list[str] = []
        self.diffs: list[str] = []
        self.fixed_count = 0  # fixes applied, or with --add-ignore the comments added
        self.sql_left = 0  # --add-ignore: findings in SQL files, left alone
        self.stdin_fixed: Optional[str] = None
        self.fail_level: Optional[str] = None
        self.write_errors = 0  # units whose files could not be written (exit 2)
        self.docs_url: Optional[str] = None  # the config's docs-url, for the rule links

    def report(self, unit, result, target) -> None:
        kept, kept_diags = result.findings, result.diagnostics
        only = target.only
        if only is not None:  # pre-commit passed some files of the unit (or app files): report on those
            reported = _reported(target, unit)
            kept = [f for f in kept if reported(f)]
            kept_diags = [
                d
                for d in kept_diags
                if d.file is None
                or _resolved(unit, d.file) in only
                or d.code == "sql-dialect-skipped"
                # reached through app files: a schema error (no advice without a schema) is shown
                or (target.app_files and d.severity == "error")
            ]
            self.linted_files.extend(p for p in unit.paths if _resolved(unit, p) in only)
        else:
            self.linted_files.extend(unit.paths)
        self.findings.extend(kept)
        self.diagnostics.extend(kept_diags)

    def fix(self, engine, inputs, result, unsafe: bool, dry_run: bool, stdin: Optional[dict[str, str]], keep=None):
        """Apply the fixes (to disk unless ``dry_run``; ``keep``: only those of the findings it
        keeps); the lint result of the fixed unit."""
        from .fix.planner import unified_diff

        unit = inputs.unit
        if unit.has_errors:
            bad = sorted({d.file for d in unit.diagnostics if d.severity == "error" and d.file})
            click.echo(f"prisma-lint: not fixing {', '.join(bad) or unit.root}: the schema has errors", err=True)
            return result
        fixed = engine.fix(inputs, unsafe, before=result, keep=keep, give_up=True)  # `result` is all it reads of `inputs` after
        if not fixed.texts:
            return result
        excluded = sorted(p for p in fixed.texts if engine.config.is_excluded(unit.paths.get(p, p)))
        if excluded:  # a safety net: the findings of excluded files are dropped before fixing
            click.echo(f"prisma-lint: not fixing {unit.root}: the fixes would edit {', '.join(excluded)}, which `exclude` leaves out", err=True)
            return result
        if dry_run:  # the diff only when it is shown (difflib: 35 of 60 s of a 2,000-finding --fix)
            self.diffs.append(unified_diff(fixed.originals, fixed.texts))
        if stdin is not None:
            shown = next((p for p, f in unit.paths.items() if os.path.realpath(f) in stdin), None)
            self.stdin_fixed = fixed.texts.get(shown, stdin[next(iter(stdin))]) if shown else None
        if not dry_run and not self.wrote(unit, fixed.texts):
            return result  # the files are as they were: report what is in them
        self.fixed_count += fixed.fixed
        return fixed.result

    def wrote(self, unit, texts: dict[str, str]) -> bool:
        """Write the unit's fixed files; a failure is reported (one line) and counted (exit 2),
        and the other targets go on."""
        error = _try_write(unit, texts)
        if error:
            click.echo(f"prisma-lint: error: {error}", err=True)
            self.write_errors += 1
        return error is None

    def add_ignores(self, engine, inputs, result, dry_run: bool, keep=None):
        """Add ignore comments for the findings in the schema files (to disk unless ``dry_run``;
        ``keep``: only for the findings it keeps)."""
        from .fix.planner import unified_diff

        unit = inputs.unit
        if keep is not None:
            result = records.replace(result, findings=[f for f in result.findings if keep(f)])
        schema_paths = {f.source.path for f in unit.schema.files if f.source.path.endswith(".prisma")}
        self.sql_left += sum(1 for f in result.findings if f.file not in schema_paths and f.rule != "unused-suppression")
        if unit.has_errors:
            bad = sorted({d.file for d in unit.diagnostics if d.severity == "error" and d.file})
            click.echo(f"prisma-lint: not adding ignore comments to {', '.join(bad) or unit.root}: the schema has errors", err=True)
            return result
        texts, added = engine.add_ignores(inputs, result)
        if not texts:
            return result
        final = inputs.with_texts({**unit.texts(), **texts})
        if final.unit.has_errors:  # never write a schema the comments broke (they cannot: a safety net)
            click.echo("prisma-lint: internal error: the ignore comments would break the schema; nothing written", err=True)
            raise _Exit(2)
        if dry_run:
            self.diffs.append(unified_diff(unit.texts(), texts))
        if not dry_run and not self.wrote(unit, texts):
            return result
        self.fixed_count += added
        return engine.lint(final)


def _database_stats(database_url: Optional[str], stats_file: Optional[str]):
    """The statistics the rules may use: read live (read-only), from a file, or None."""
    if database_url and stats_file:
        _fail("--database-url and --stats cannot be combined (the file stands for the database)")
    if stats_file:
        from pathlib import Path

        from .frontends.db.stats import StatsFileError, read_stats

        try:
            return read_stats(Path(stats_file))
        except StatsFileError as e:
            _fail(str(e))
    if database_url:
        from .frontends.db.connect import DatabaseError, read_database

        try:
            return read_database(database_url)
        except DatabaseError as e:
            _fail(str(e))
    return None


def _final_code(findings, diagnostics, fail_level, exit_zero) -> int:
    """With ``--exit-zero`` a schema that cannot be read (syntax errors) exits 0 too: editors
    (nvim-lint) show the errors from the output instead of "exited with code 2" on every
    keystroke. Usage and config errors never get here (they exit 2 at once)."""
    from .engine import exit_code

    code = exit_code(findings, diagnostics, fail_level or "warning")
    return 0 if exit_zero else code


def _fix_summary(findings, fixed: int, unsafe_fixes: bool) -> str:
    from .emit.text import fix_summary

    return fix_summary(findings, fixed, unsafe_fixes)


def _write_report(path: Path, text: str) -> None:
    from .fix.write import WriteError, write_report

    try:
        write_report(path, text)
    except WriteError as e:
        _fail(str(e))


def _reported(target, unit):
    """Whether a finding of ``unit`` is reported for ``target`` (some files of it, app files):
    its file is one of them, or one of its call sites (shown relative to the working
    directory) is in one of the app files."""
    return lambda f: target.reports(_resolved(unit, f.file), [os.path.realpath(e.file) for e in f.evidence])


def _resolved(loaded, shown: str) -> str:
    return os.path.realpath(loaded.paths.get(shown) or shown or ".")


def _ignore_comments(n: int) -> str:
    return f"{n} prisma-lint-ignore comment{'s' if n != 1 else ''}"


if __name__ == "__main__":  # pragma: no cover
    main()
