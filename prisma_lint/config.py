"""Configuration: ``[tool.prisma-lint]`` in pyproject.toml, or prisma-lint.toml / .prisma-lint.toml.

Found by walking up from the schema. Keys (all optional)::

    select = ["missing-fk-index", "redundant-index"]   # or ["all"] (the default)
    extend-select = ["unused-suppression"]              # added to select (or to the default)
    ignore = ["boolean-index"]
    extend-ignore = ["too-many-indexes"]                # added to ignore
    exclude = ["prisma/legacy/"]                        # gitignore-style, relative to the config file
    fail-on = "warning"                                 # error | warning | info
    docs-url = "https://example.com/rules/{rule}.md"    # the rules' pages (SARIF helpUri), for forks
    max-enum-values = 4                                 # an option, for every rule that has it

    app = ["apps/web", "packages/*/src"]                # the app's code (issue #13); default: the
                                                        # project root above the schema
    app-exclude = ["scripts", "*.test.*"]               # replaces the default (tests, seeds, scripts)
    client-names = ["db", "ctx.db"]                     # receivers that are Prisma clients

    [per-file-ignores]                                  # gitignore-style pattern = rule ids
    "prisma/generated/*.prisma" = ["missing-fk-index"]

    [severity]                                          # per-rule severity
    boolean-index = "info"

    [rules.composite-order]                             # per-rule severity and options
    severity = "error"
    range-types = ["DateTime", "Float"]

Unknown keys, unknown rule ids and wrongly typed values are errors that name the key.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Optional

from .findings import SEVERITIES
from .paths import as_given, clean, name, parents, real, relative_to
from .records import field, record

if TYPE_CHECKING:
    from pathlib import Path

    from .paths import P, StrPath

CACHE_DIR_NAME = ".prisma-lint-cache"


def default_cache_dir(config_path: Optional[StrPath], env: dict[str, str]) -> Path:
    """Where prisma-lint keeps its caches (the app's facts, compiled SQL templates): beside the
    config file; else the user cache folder (XDG_CACHE_HOME, ~/.cache)."""
    from pathlib import Path  # not on a plain check's way (see paths.py)

    if config_path is not None:
        return Path(config_path).parent / CACHE_DIR_NAME
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or str(Path.home()), ".cache")
    return Path(base) / "prisma-lint"

CONFIG_FILES = ("prisma-lint.toml", ".prisma-lint.toml", "pyproject.toml")
_TOP_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "extend-ignore",
    "exclude",
    "per-file-ignores",
    "fail-on",
    "docs-url",
    "severity",
    "rules",
    "app",
    "app-exclude",
    "client-names",
}


def _spec(patterns: list[str]):
    """A gitignore-style matcher. pathspec is imported only when a config has patterns: its
    import measured 8.6 ms (``-X importtime`` inside a check) of a ~90 ms cold start."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


class ConfigError(Exception):
    pass


def did_you_mean(word: str, choices) -> str:
    """`` (did you mean `x`?)`` for the closest of ``choices``, or "" when none is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


@record(eq=False)
class Config:
    path: Optional[StrPath] = None  # of the type the search started from (the CLI's: str)
    select: Optional[list[str]] = None  # None: all
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    extend_ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)  # pattern -> rule ids
    docs_url: Optional[str] = None  # "https://.../{rule}.md": the rules' pages
    fail_on: Optional[str] = None
    severity: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> option -> value
    global_options: dict[str, Any] = field(default_factory=dict)
    app: Optional[list[str]] = None  # folders/globs of the app's code, relative to the config file
    app_exclude: Optional[list[str]] = None  # None: the default (tests, seeds, scripts)
    client_names: list[str] = field(default_factory=list)

    _matchers: dict = field(default_factory=dict, repr=False)

    def _relative(self, path: StrPath) -> Optional[str]:
        """``path`` relative to the config file's folder (``/``-separated; a folder ends with
        ``/`` so that folder-only patterns such as ``legacy/`` match it), or None outside it."""
        if self.path is None:
            return None
        try:
            resolved = os.path.realpath(path)
            rel = relative_to(resolved, os.path.realpath(os.path.dirname(clean(os.fspath(self.path))) or "."))
        except (ValueError, OSError):
            return None
        if rel is None:
            return None
        return rel + "/" if os.path.isdir(resolved) and rel != "." else rel

    def _matcher(self, key: str, patterns: list[str]):
        if key not in self._matchers:
            self._matchers[key] = _spec(patterns)
        return self._matchers[key]

    def is_excluded(self, path: StrPath) -> bool:
        """Whether ``exclude`` (gitignore-style patterns) leaves out this file or folder. A
        file is also excluded when a folder above it is (as git does)."""
        if not self.exclude:
            return False
        rel = self._relative(path)
        if rel is None or rel == ".":
            return False
        spec = self._matcher("exclude", self.exclude)
        if spec.match_file(rel):
            return True
        parts = rel.rstrip("/").split("/")
        return any(spec.match_file("/".join(parts[:k]) + "/") for k in range(1, len(parts)))

    def ignored_in(self, path: StrPath) -> set[str]:
        """The rule ids ``per-file-ignores`` turns off for this file."""
        if not self.per_file_ignores:
            return set()
        rel = self._relative(path)
        if rel is None:
            return set()
        out: set[str] = set()
        for pattern, ids in self.per_file_ignores.items():
            if self._matcher(f"pfi:{pattern}", [pattern]).match_file(rel):
                out.update(ids)
        return out

    def options_for(self, rule) -> dict[str, Any]:
        values = {o.name: o.default for o in rule.options}
        for o in rule.options:
            if o.name in self.global_options:
                values[o.name] = self.global_options[o.name]
        values.update(self.options.get(rule.id, {}))
        return values


def find_config(start: P) -> Optional[tuple[P, dict]]:
    """The nearest config at or above ``start`` (a file's folder or a folder); its path of the
    type ``start`` is (``str`` or ``Path``)."""
    here = real(start)
    if os.path.isfile(here) or not os.path.exists(here):
        here = os.path.dirname(here)
    for folder in parents(here):
        for file_name in CONFIG_FILES:
            candidate = os.path.join(folder, file_name)
            if not os.path.isfile(candidate):
                continue
            data = _read_toml(candidate)
            if file_name == "pyproject.toml":
                section = data.get("tool", {}).get("prisma-lint")
                if section is None:
                    continue
                return as_given(start, candidate), section
            return as_given(start, candidate), data
    return None


def _read_toml(path: StrPath) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None


def load_config(path: Optional[StrPath], data: dict, registry) -> Config:
    """Validate ``data`` (the prisma-lint table) against the rules in ``registry``."""
    where = str(path) if path else "configuration"
    prefix = "[tool.prisma-lint]" if path and name(path) == "pyproject.toml" else ""

    def err(msg: str) -> ConfigError:
        return ConfigError(f"{where}: {prefix + ' ' if prefix else ''}{msg}")

    all_options = {o.name: o for r in registry.rules.values() for o in r.options}
    cfg = Config(path=path)

    def rule_ids(key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise err(f"`{key}` must be a list of rule ids")
        for v in value:
            if v != "all" and v not in registry.rules:
                raise err(f"`{key}` names unknown rule `{v}`{did_you_mean(v, registry.rules) or ' (see `prisma-lint rules`)'}")
        return list(value)

    for key, value in data.items():
        if key == "select":
            cfg.select = rule_ids(key, value)
        elif key == "extend-select":
            cfg.extend_select = rule_ids(key, value)
        elif key == "ignore":
            cfg.ignore = rule_ids(key, value)
        elif key == "extend-ignore":
            cfg.extend_ignore = rule_ids(key, value)
        elif key == "exclude":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise err("`exclude` must be a list of gitignore-style patterns")
            cfg.exclude = list(value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise err('`per-file-ignores` must be a table of pattern = rule ids ("legacy/*.prisma" = ["boolean-index"])')
            for pattern, ids in value.items():
                cfg.per_file_ignores[pattern] = rule_ids(f"per-file-ignores.{pattern}", ids)
        elif key == "docs-url":
            if not isinstance(value, str) or "{rule}" not in value:
                raise err(f"`docs-url` must be a URL with `{{rule}}` where the rule id goes, got {value!r}")
            cfg.docs_url = value
        elif key in ("app", "app-exclude", "client-names"):
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                what = "receiver names" if key == "client-names" else "paths or glob patterns"
                raise err(f"`{key}` must be a list of {what}")
            setattr(cfg, key.replace("-", "_"), list(value))
        elif key == "fail-on":
            if value not in SEVERITIES:
                raise err(f"`fail-on` must be one of {', '.join(SEVERITIES)}, got {value!r}")
            cfg.fail_on = value
        elif key == "severity":
            if not isinstance(value, dict):
                raise err("`severity` must be a table of rule id = severity")
            for rid, sev in value.items():
                if rid not in registry.rules:
                    raise err(f"`severity` names unknown rule `{rid}`{did_you_mean(rid, registry.rules)}")
                if sev not in SEVERITIES:
                    raise err(f"`severity.{rid}` must be one of {', '.join(SEVERITIES)}, got {sev!r}")
                cfg.severity[rid] = sev
        elif key == "rules":
            if not isinstance(value, dict):
                raise err("`rules` must be a table of rule tables")
            for rid, table in value.items():
                rule = registry.rules.get(rid)
                if rule is None:
                    raise err(f"`rules.{rid}`: unknown rule `{rid}`{did_you_mean(rid, registry.rules)}")
                if not isinstance(table, dict):
                    raise err(f"`rules.{rid}` must be a table")
                for okey, ovalue in table.items():
                    if okey == "severity":
                        if ovalue not in SEVERITIES:
                            raise err(f"`rules.{rid}.severity` must be one of {', '.join(SEVERITIES)}")
                        cfg.severity[rid] = ovalue
                        continue
                    option = rule.option(okey)
                    if option is None:
                        known = ", ".join(o.name for o in rule.options) or "none"
                        raise err(f"`rules.{rid}.{okey}`: unknown option (options of {rid}: {known})")
                    try:
                        cfg.options.setdefault(rid, {})[okey] = option.validate(ovalue)
                    except ValueError as e:
                        raise err(f"`rules.{rid}.{okey}`: {e}") from None
        elif key in all_options:
            try:
                cfg.global_options[key] = all_options[key].validate(value)
            except ValueError as e:
                raise err(str(e)) from None
        else:
            known = ", ".join(sorted(_TOP_KEYS | set(all_options)))
            hint = did_you_mean(key, _TOP_KEYS | set(all_options))
            raise err(f"unknown key `{key}`{hint or f' (known keys: {known})'}")
    return cfg


def config_for(start: StrPath, registry, explicit: Optional[StrPath] = None) -> Config:
    if explicit is not None:
        data = _read_toml(explicit)
        if name(explicit) == "pyproject.toml":
            data = data.get("tool", {}).get("prisma-lint", {})
        return load_config(explicit, data, registry)
    found = find_config(start)
    if found is None:
        return Config()
    return load_config(found[0], found[1], registry)
