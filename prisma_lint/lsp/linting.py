"""Linting a unit through the engine and turning findings into LSP diagnostics."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Optional

from ..records import replace
from ..source import Anchor
from .positions import Positions
from .state import MIGRATIONS_RECHECK, SEVERITY, SOURCE, FixRecord, Record, StateBase, Unit


class Linting(StateBase):
    # -- linting ---------------------------------------------------------------------------
    def _config(self, unit: Unit):
        from ..config import ConfigError, config_for

        key = str(unit.root)
        if key not in self.configs:
            try:
                self.configs[key] = config_for(unit.root, self.registry)
            except ConfigError as e:
                self.configs[key] = e
        return self.configs[key]

    def _lint(self, unit: Unit) -> dict[str, list[Record]]:
        from ..config import Config, ConfigError
        from ..engine import Engine, load_inputs
        from ..frontends.prisma.loader import SchemaNotFound

        open_docs = {str(d.path): d for d in self.docs.values() if d.kind is not None}
        overrides = {p: d.text for p, d in open_docs.items()}
        # where each open document changed since the last lint read it (see Document.edit)
        changed = {p: (d.linted, d.edit) for p, d in open_docs.items() if d.linted is not None and d.edit is not None}
        unit.generation += 1
        unit.fix_all = {}
        unit.versions = {}
        cwd = self.cwd or Path.cwd()
        out: dict[str, list[Record]] = {}
        own = [u for u, k in self.doc_unit.items() if k == unit.key]

        config = self._config(unit)
        if isinstance(config, ConfigError):
            for uri in own:
                out.setdefault(uri, []).append(self._record(self._zero_range(), str(config), "error", "config-error"))
            config = Config()
        unit.config = config
        if config.is_excluded(unit.root):
            unit.inputs = None
            return out

        previous, unit.inputs = unit.inputs, None  # given up to the parse (see load_inputs): never reused twice
        previous_unit, records_for = (previous.unit if previous is not None else None), unit.records_for
        try:
            inputs = load_inputs(
                unit.root,
                cwd,
                overrides,
                migrations_loader=lambda f: self._migrations(f, cwd, overrides),
                previous=previous,
                changed=changed,
            )
            self.garbage.append(previous)  # what the parse did not take: freed after the publish
        except SchemaNotFound as e:
            for uri in own:
                out.setdefault(uri, []).append(self._record(self._zero_range(), str(e), "error", "io-error"))
            unit.inputs = None
            return out
        if self.timing is not None:
            self.timing.mark("loaded")
        engine = Engine(self.registry, config)
        if inputs.kind == "prisma" and (config.app or engine.reads("queries")):
            inputs = replace(inputs, queries=self._app_queries(unit, inputs, config))
        unit.inputs = inputs
        loaded, migrations = inputs.unit, inputs.migrations
        if unit.findings_cache is None and inputs.kind == "prisma":  # SQL tables have no block to keep findings by
            from ..rule_cache import FindingsCache

            unit.findings_cache = FindingsCache()
        result = engine.lint(inputs, unit.findings_cache if inputs.kind == "prisma" else None)
        if self.timing is not None:
            self.timing.mark("linted")

        shown_to_path = {s: p.resolve() for s, p in loaded.paths.items()}
        if migrations is not None:
            shown_to_path.update({s: p.resolve() for s, p in migrations.paths.items()})
        unit.shown_to_path = shown_to_path
        for p in loaded.paths.values():  # the documents this lint read: their next changes start here
            d = open_docs.get(str(Path(p).resolve()))
            if d is not None:
                d.linted, d.edit = d.text, None
        uri_of = {}  # shown path -> uri of the open document
        for shown, p in shown_to_path.items():
            d = open_docs.get(str(p))
            if d is not None:
                uri_of[shown] = d.uri
                unit.versions[d.uri] = d.version
        for uri in own:  # a file the loader did not list (say, excluded) still gets cleared
            out.setdefault(uri, [])
        for uri in uri_of.values():
            out.setdefault(uri, [])
        errors_in = {d.file for d in loaded.diagnostics if d.severity == "error" and d.file}
        if migrations is not None:
            errors_in |= {d.file for d in migrations.diagnostics if d.severity == "error" and d.file}

        positions = Positions(self.encoding, open_docs, shown_to_path)
        last_positions = unit.positions
        unit.positions, unit.uri_of = positions, uri_of
        # A finding the rule cache handed out again (the same object: its block did not change)
        # at the same range keeps its record: the same diagnostic, id and JSON (building and
        # serialising ~200 diagnostics again took ~1 ms of a change on 7,600 lines). Only
        # findings without fix edits: those are made anew for each load. Its range is not even
        # worked out again when its block is one the parse did not lex and every such block
        # kept its line and column (SchemaFile.places_kept): its text, and the text above it
        # on its first line, are as they were (~1 ms of a change typed in a model). (A finding
        # handed out again is anchored to its model's block: rule_cache.py.)
        still_in, moved = _still(loaded.schema.files, last_positions, positions) if records_for is not None and records_for is previous_unit else (set(), set())
        unit.records_for = None
        last, unit.records = unit.records, {}
        for f in result.findings:
            span = f.span
            found_in = uri_of.get(span.file.path)
            if found_in is None:
                continue
            if f.fix is None or not f.fix.edits:
                old = last.get(id(f))
                if (
                    old is not None
                    and old.finding is f
                    and type(span._anchor) is Anchor
                    and span._anchor.file.path in still_in
                    and id(span._anchor) not in moved
                ):
                    unit.records[id(f)] = old
                    out[found_in].append(old)
                    continue
            a, b = positions.of(span.file, span.start), positions.of(span.file, span.end)
            if f.fix is None or not f.fix.edits:
                if old is not None and old.finding is f and old.start == a and old.end == b:
                    unit.records[id(f)] = old
                    out[found_in].append(old)
                    continue
            rng = _range_json(a, b)
            rec = self._record(rng, f.message, f.severity, f.rule, tags=self._tags(f.rule))
            rec.help = f.help
            rec.finding = f
            if f.fix is not None and f.fix.edits and f.fix.applicability in ("safe", "unsafe"):
                touched = {f.span.file.path} | {e.file.path for e in f.fix.edits}
                if not (touched & errors_in):
                    rec.fix = self._fix_record(positions, f.fix, uri_of, unit)
                    rec.diagnostic["data"] = {"id": rec.id, "fix": f.fix.applicability}
            elif f.fix is None or not f.fix.edits:
                unit.records[id(f)] = rec
            out[found_in].append(rec)
        for diag in result.diagnostics:
            target: Optional[str]
            if diag.span is not None:
                target = uri_of.get(diag.span.file.path)
                if target is None:
                    continue
                rng = self._wire_range(positions, diag.span.file, diag.span.start, diag.span.end)
            else:
                target = uri_of.get(diag.path) if diag.path else None
                if target is None:
                    if diag.path or not own:
                        continue
                    target = sorted(own)[0]
                rng = self._zero_range()
            out.setdefault(target, []).append(self._record(rng, diag.message, diag.severity, diag.code))
        unit.records_for = loaded
        if self.timing is not None:
            self.timing.mark("records")
        return out

    def _app_queries(self, unit: Unit, inputs, config):
        """The app's Prisma Client calls for a schema unit, read as ``check`` reads them, and kept
        until an app file is saved (reading walks the project: too slow for every keystroke).
        None when no app file is found (rules that need the queries then do not run)."""
        key = str(unit.root)
        if key not in self.app_cache:
            from ..frontends.app.cache import default_cache_dir
            from ..frontends.app.read import read_app

            try:
                app = read_app(
                    inputs.unit, [], config, cache_dir=default_cache_dir(config.path, self.env), cwd=self.cwd, schema_path=unit.root
                )
            except Exception as e:  # a broken app must not take the schema's diagnostics with it
                self.log(f"prisma-lint: reading the app for {unit.root} failed: {type(e).__name__}: {e}", error=True)
                app = None
            self.app_cache[key] = app if app is not None and app.files_read else None
        return self.app_cache[key]

    def _migrations(self, mig: Path, cwd: Path, overrides: dict[str, str]):
        """The migrations folder ``mig`` replayed (cached until its files change).

        Listing and stating every migration file on each change cost 30-37 ms with 1,000
        migrations, as much as the whole lint. So the full check runs only when the folder's
        own entries changed (its mtime: a migration added or removed), an open migration's
        text changed, or, for a client that does not report changed files to us, 2 s after the
        last one; a client that does (``initialized`` registers the watchers) reports edits to
        migration files on disk, which clear this cache (``files_changed``)."""
        from ..frontends.sql.replay import load_sql

        cached = self.migration_cache.get(str(mig))
        try:
            real = str(mig.resolve())
            folder_stamp = mig.stat().st_mtime_ns
        except OSError:
            real, folder_stamp = str(mig), 0
        prefix = real.rstrip(os.sep) + os.sep
        quick = (str(cwd), folder_stamp, tuple(sorted((k, hash(v)) for k, v in overrides.items() if k.startswith(prefix))))
        now = time.monotonic()
        if cached is not None and cached[2] == quick and (self.watching or now - cached[3] < MIGRATIONS_RECHECK):
            return cached[1]
        try:
            files = sorted(mig.glob("*/migration.sql")) if mig.is_dir() else []
        except OSError:
            files = []
        if not files:
            self.migration_cache.pop(str(mig), None)
            return None
        stamp = []
        for f in files:
            key = str(f.resolve())
            try:
                st = f.stat()
                stamp.append((key, st.st_mtime_ns, st.st_size, hash(overrides.get(key))))
            except OSError:
                stamp.append((key, 0, 0, 0))
        stamp_key = (str(cwd), tuple(stamp))
        if cached is not None and cached[0] == stamp_key:
            self.migration_cache[str(mig)] = (stamp_key, cached[1], quick, now)
            return cached[1]
        result = load_sql(mig, cwd, overrides)
        self.migration_cache[str(mig)] = (stamp_key, result, quick, now)
        return result

    # -- building LSP objects --------------------------------------------------------------
    # Diagnostics are built and sent as plain JSON (dicts), the same JSON lsprotocol's converter
    # makes of its Diagnostic (tests/test_lsp_wire.py compares them): building ~200 lsprotocol
    # objects and having cattrs unstructure them took 3-4 ms of each change on the 7,600-line
    # benchmark schema.
    def _zero_range(self) -> dict:
        return _range_json((0, 0), (0, 0))

    def _wire_range(self, positions: "Positions", src, start: int, end: int) -> dict:
        """The LSP Range (JSON) of the span ``start``-``end`` of ``src``."""
        return _range_json(positions.of(src, start), positions.of(src, end))

    def _range(self, positions: "Positions", src, start: int, end: int):
        """The lsprotocol Range of the span (for edits)."""
        t = self.types
        (l1, c1), (l2, c2) = positions.of(src, start), positions.of(src, end)
        return t.Range(start=t.Position(line=l1, character=c1), end=t.Position(line=l2, character=c2))

    def _tags(self, rule: str) -> Optional[list[int]]:
        return [1] if rule == "unused-suppression" else None  # DiagnosticTag.Unnecessary

    def _record(self, rng: dict, message: str, severity: str, code: Optional[str], tags: Optional[list[int]] = None) -> Record:
        """A diagnostic (JSON, in the order of lsprotocol's fields, None left out as its
        converter does) and its record."""
        self.next_id += 1
        is_rule = code in self.registry.rules
        diag: dict = {"range": rng, "message": message, "severity": SEVERITY.get(severity, 1)}
        if code is not None:
            diag["code"] = code
            link = self._code_description(code) if is_rule else None
            if link is not None:
                diag["codeDescription"] = link
        diag["source"] = SOURCE
        if tags:
            diag["tags"] = tags
        diag["data"] = {"id": self.next_id}
        return Record(self.next_id, diag, code if is_rule else None)

    def _code_description(self, rule: str) -> Optional[dict]:
        """A link to the rule's page (the Markdown file shipped with prisma-lint)."""
        if rule in self.code_descriptions:
            return self.code_descriptions[rule]
        from ..resources import resource_dir

        try:
            page = resource_dir("rules") / f"{rule}.md"
            found = {"href": page.resolve().as_uri()} if page.is_file() else None
        except FileNotFoundError:
            found = None
        self.code_descriptions[rule] = found
        return found

    def _uri_for(self, path: Path) -> str:
        for d in self.docs.values():
            if d.path == path:
                return d.uri
        return self.from_fs_path(str(path)) or path.as_uri()

    def _fix_record(self, positions: "Positions", fix, uri_of: dict[str, str], unit: Unit) -> FixRecord:
        t = self.types
        edits: dict[str, list] = {}
        versions: dict[str, Optional[int]] = {}
        for e in fix.edits:
            uri = uri_of.get(e.file.path)
            if uri is None:
                uri = self._uri_for(unit.shown_to_path.get(e.file.path, Path(e.file.path)))
            versions[uri] = unit.versions.get(uri)
            edits.setdefault(uri, []).append(t.TextEdit(range=self._range(positions, e.file, e.start, e.end), new_text=e.text))
        title = fix.title + (" (unsafe)" if fix.applicability == "unsafe" else "")
        return FixRecord(title, fix.applicability, edits, versions)

    def _workspace_edit(self, edits: dict[str, list], versions: dict[str, Optional[int]]):
        t = self.types
        if self._capability("workspace", "workspace_edit", "document_changes", default=False):
            return t.WorkspaceEdit(
                document_changes=[
                    t.TextDocumentEdit(
                        text_document=t.OptionalVersionedTextDocumentIdentifier(uri=uri, version=versions.get(uri)),
                        edits=list(items),
                    )
                    for uri, items in edits.items()
                ]
            )
        return t.WorkspaceEdit(changes={uri: list(items) for uri, items in edits.items()})

    # -- publishing ------------------------------------------------------------------------
    def _merged(self, uri: str) -> list[Record]:
        seen: set[tuple] = set()
        out = []
        for records in (self.contributions.get(uri) or {}).values():
            for r in records:
                if r.key not in seen:
                    seen.add(r.key)
                    out.append(r)
        out.sort(key=_order)
        return out

    def _publish_merged(self, uri: str) -> None:
        doc = self.docs.get(uri)
        merged = self._merged(uri)
        if self.timing is not None:
            self.timing.mark("merged")
        self._publish(uri, merged, doc.version if doc else None)

    def _publish(self, uri: str, records: list[Record], version: Optional[int]) -> None:
        """Send the diagnostics: the text ``json.dumps`` makes of the message lsprotocol's
        converter made (tests/test_lsp_wire.py), from each record's JSON made once."""
        parts = []
        for r in records:
            if r.json is None:
                r.json = json.dumps(r.diagnostic)
            parts.append(r.json)
        tail = "" if version is None else f", \"version\": {json.dumps(version)}"
        self.server.protocol.send_text(
            f'{{"params": {{"uri": {json.dumps(uri)}, "diagnostics": [{", ".join(parts)}]{tail}}}, '
            '"method": "textDocument/publishDiagnostics", "jsonrpc": "2.0"}'
        )


def _still(files, last: Optional[Positions], now: Positions) -> tuple[set[str], set[int]]:
    """(the files, the ids of block anchors): a span of a file of the first set whose anchor
    (source.Anchor) is a block's not in the second is at the same LSP positions as at the last
    lint. The files whose parse lexed only some blocks and kept the others' lines and columns
    (with the same encoding and byte order mark as then); the anchors of the blocks lexed."""
    if last is None or last.encoding != now.encoding or last.bom_shift != now.bom_shift:
        return set(), set()
    paths: set[str] = set()
    moved: set[int] = set()
    for f in files:
        if f.fresh is not None and f.places_kept:
            paths.add(f.source.path)
            moved.update(id(b.span._anchor) for b in f.fresh)
    return paths, moved


def _range_json(start: tuple[int, int], end: tuple[int, int]) -> dict:
    """An LSP Range as sent: (line, character) pairs, 0-based."""
    return {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}


def _order(r: Record) -> tuple:
    return r.order
