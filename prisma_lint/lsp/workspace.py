"""Documents, lint units and scheduling: which unit each open document belongs to, and when
each unit is linted again (debounced while typing)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from .linting import Linting
from .positions import change_offsets, combined_edit
from .state import APP_SUFFIXES, CONFIG_NAMES, Document, Unit, _kind_of, logger


class Workspace(Linting):
    # -- lifecycle -------------------------------------------------------------------------
    def initialize(self, params) -> None:
        folders = params.workspace_folders or []
        root_uri = params.root_uri or (folders[0].uri if folders else None)
        if root_uri:
            p = self.to_fs_path(root_uri)
            if p:
                self.cwd = Path(p)
        elif params.root_path:
            self.cwd = Path(params.root_path)
        options = params.initialization_options
        if isinstance(options, dict):
            ms = options.get("debounceMs", options.get("debounce_ms"))
            if isinstance(ms, (int, float)) and not isinstance(ms, bool) and ms >= 0:
                self.debounce = ms / 1000

    def initialized(self) -> None:
        for message in self.registry.load_errors:
            self.log(f"prisma-lint: {message}")
        if self._capability("workspace", "did_change_watched_files", "dynamic_registration", default=False):
            # files that are not open change too (git checkout, another editor): relint then
            t = self.types
            watchers = [
                t.FileSystemWatcher(glob_pattern=g)
                for g in (
                    "**/*.prisma",
                    "**/*.sql",
                    "**/{prisma-lint.toml,.prisma-lint.toml,pyproject.toml}",
                    "**/*.{ts,tsx,js,jsx,mts,cts,mjs,cjs}",  # the app: its queries feed the query rules
                )
            ]
            registered = self.server.client_register_capability(
                t.RegistrationParams(
                    registrations=[
                        t.Registration(
                            id="prisma-lint-watched-files",
                            method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=t.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                        )
                    ]
                )
            )
            if registered is not None:  # the client will report changed files (see _migrations)
                registered.add_done_callback(self._watching)

    def _watching(self, registered) -> None:
        self.watching = not registered.cancelled() and registered.exception() is None

    # -- documents -------------------------------------------------------------------------
    def _path_for(self, uri: str, language_id: str) -> Path:
        p = self.to_fs_path(uri) if uri.startswith("file:") else None
        if p:
            return Path(p).resolve()
        self._untitled += 1
        suffix = ".sql" if language_id in ("sql", "postgres", "pgsql", "postgresql") else ".prisma"
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", uri.rsplit("/", 1)[-1] or "untitled")
        return Path("/__prisma_lint_unsaved__") / f"{self._untitled}-{name}{'' if name.endswith(suffix) else suffix}"

    def did_open(self, params) -> None:
        td = params.text_document
        path = self._path_for(td.uri, td.language_id or "")
        doc = Document(td.uri, td.text, td.version, td.language_id or "", path, _kind_of(path, td.language_id or ""))
        self.docs[td.uri] = doc
        if doc.kind is None:
            return
        key = self._assign(doc)
        self.lint_now(key)

    def did_change(self, params) -> None:
        if self.timing is not None:
            self.timing.mark("pygls")
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
            return
        enc = self.encoding
        text = doc.text
        starts = self._line_starts_of(text)
        known = doc.linted is not None and (doc.edit is not None or doc.linted is text)
        edit = doc.edit if doc.linted is not text else None
        for change in params.content_changes:
            rng = getattr(change, "range", None)
            if rng is None:
                text = change.text
                known = False
            else:
                a, b = change_offsets(text, (rng.start.line, rng.start.character), (rng.end.line, rng.end.character), enc, starts)
                if known:
                    edit = combined_edit(edit, a, b, len(change.text))
                text = text[:a] + change.text + text[b:]
            starts = None  # (of the text before this change)
        doc.text = text
        if known:
            doc.edit = edit
        else:
            doc.linted, doc.edit = None, None
        doc.version = params.text_document.version
        if doc.kind is None:
            return
        key = self.doc_unit.get(doc.uri) or self._assign(doc)
        if self.timing is not None:
            self.timing.mark("changed")
            self.timing.change(doc.uri, doc.version)
        self.schedule(key)

    def _line_starts_of(self, text: str) -> Optional[list[int]]:
        """The line index of ``text`` when the last lint of a schema read it (the same string:
        a document's text as linted, with no byte order mark), else None."""
        for unit in self.units.values():
            inputs = unit.inputs
            if inputs is None or inputs.kind != "prisma":
                continue
            for f in inputs.unit.schema.files:
                if f.source.text is text:
                    return f.source.line_starts
        return None

    def did_save(self, params) -> None:
        doc = self.docs.get(params.text_document.uri)
        name = Path(self.to_fs_path(params.text_document.uri) or "").name
        if name in CONFIG_NAMES:
            self.files_changed()
            return
        if Path(name).suffix in APP_SUFFIXES:
            # the app's queries changed: the schemas whose app reads the file read it again
            path = self.to_fs_path(params.text_document.uri)
            for k in set(self.doc_unit.values()):
                if k[0] == "schema" and self._reads_app_file(k, path):
                    self.app_cache.pop(k[1], None)
                    self.schedule(k, 0.05)
            return
        if doc is None or doc.kind is None:
            return
        # saving may change what the schema is (a new file now on disk, a datasource added)
        changed = self._reassign_all()
        key = self.doc_unit[doc.uri]
        self.lint_now(key)
        for k in changed - {key}:
            self.lint_now(k)

    def _reads_app_file(self, key, path: Optional[str]) -> bool:
        """Whether the schema unit ``key`` reads the app file ``path`` (as ``check`` decides for
        an app file among its paths: ``discover.app_scope``); yes when it cannot tell."""
        unit = self.units.get(key)
        if unit is None or unit.config is None or path is None:
            return True
        from ..frontends.app.discover import app_scope

        try:
            scope = app_scope(unit.root, (), unit.config)
        except OSError:
            return True
        return scope is not None and Path(path) in scope

    def did_close(self, params) -> None:
        uri = params.text_document.uri
        doc = self.docs.pop(uri, None)
        key = self.doc_unit.pop(uri, None)
        self.contributions.pop(uri, None)
        for unit in self.units.values():
            unit.published.discard(uri)
            unit.fix_all.pop(uri, None)
        if doc is None or doc.kind is None:
            return
        self._publish(uri, [], None)
        if key is not None:
            if key in self.doc_unit.values():
                self.lint_now(key)  # its other open files now see the file as it is on disk
            else:
                self._drop_unit(key)

    def watched_files_changed(self, params) -> None:
        """Files changed on disk. The save of an open document was handled by didSave; any
        other change (a checkout, a config file) relints everything, a moment later: a
        checkout changes many files at once."""
        for event in params.changes:
            path = self.to_fs_path(event.uri)
            if path is None:
                continue
            p = Path(path)
            if p.name in CONFIG_NAMES or event.uri not in self.docs:
                self.files_changed(delay=0.2)
                return

    def files_changed(self, delay: Optional[float] = None) -> None:
        """A config or schema file changed outside the open documents: forget caches, relint
        (after ``delay`` seconds, or now)."""
        self.configs.clear()
        self.migration_cache.clear()
        self.app_cache.clear()
        changed = self._reassign_all()
        for key in set(self.doc_unit.values()) | changed:
            if key not in self.units:
                continue
            if delay is None:
                self.lint_now(key)
            else:
                self.schedule(key, delay)

    # -- units -----------------------------------------------------------------------------
    def _open_texts(self) -> dict[str, str]:
        return {str(d.path): d.text for d in self.docs.values() if d.kind is not None}

    def _unit_key_for(self, doc: Document) -> tuple[str, tuple[str, str], Path]:
        from ..discovery import migrations_root, schema_root

        assert doc.kind is not None  # only our documents belong to units
        if doc.kind == "sql":
            root = migrations_root(doc.path)
        else:
            root = schema_root(doc.path, self._open_texts())
        return doc.kind, (doc.kind, str(root)), root

    def _assign(self, doc: Document) -> tuple[str, str]:
        kind, key, root = self._unit_key_for(doc)
        old = self.doc_unit.get(doc.uri)
        self.doc_unit[doc.uri] = key
        if key not in self.units:
            self.units[key] = Unit(kind, root)
        if old is not None and old != key:
            self.contributions.get(doc.uri, {}).pop(old, None)
            if old in self.doc_unit.values():
                self.schedule(old)
            else:
                self._drop_unit(old)
        return key

    def _reassign_all(self) -> set[tuple[str, str]]:
        """Recompute every open document's unit; the units that gained or lost documents."""
        changed: set[tuple[str, str]] = set()
        for doc in list(self.docs.values()):
            if doc.kind is None:
                continue
            old = self.doc_unit.get(doc.uri)
            new = self._assign(doc)
            if old != new:
                changed.add(new)
                if old in self.units:
                    changed.add(old)
        return changed

    def _drop_unit(self, key) -> None:
        unit = self.units.pop(key, None)
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        self.last_change.pop(key, None)
        if unit is None:
            return
        for uri in list(unit.published):
            contrib = self.contributions.get(uri)
            if contrib and contrib.pop(key, None) is not None and uri in self.docs:
                self._publish_merged(uri)

    # -- scheduling ------------------------------------------------------------------------
    def schedule(self, key, delay: Optional[float] = None) -> None:
        """Lint ``key`` after a change: almost at once after a quiet period (a single edit, an
        applied fix), else once the changes have stopped for ``debounce`` seconds (typing)."""
        loop = self.asyncio.get_running_loop()
        if delay is not None:
            handle = self.pending.pop(key, None)
            if handle is not None:
                handle.cancel()
            self.pending[key] = loop.call_later(delay, self._timer_fired, key)
            return
        now = loop.time()
        last = self.last_change.get(key)
        self.last_change[key] = now
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        quiet = handle is None and (last is None or now - last >= self.debounce)
        if quiet:
            # on the next turn of the loop: after the other messages the reader already has (the
            # changes of one burst come in one read and are linted once), and without the 5 ms
            # timer this was before (5.5 ms of the 7,600-line benchmark's latency)
            self.pending[key] = loop.call_soon(self._timer_fired, key)
        else:
            self.pending[key] = loop.call_later(self.debounce, self._timer_fired, key)

    def _timer_fired(self, key) -> None:
        self.pending.pop(key, None)
        self.guard(self.lint_now, key)

    def lint_now(self, key) -> None:
        handle = self.pending.pop(key, None)
        if handle is not None:
            handle.cancel()
        unit = self.units.get(key)
        if unit is None:
            return
        uris_in_unit = [u for u, k in self.doc_unit.items() if k == key]
        if not uris_in_unit:
            self._drop_unit(key)
            return
        import gc

        if self.timing is not None:
            self.timing.mark("fired")
        enabled = gc.isenabled()
        gc.disable()  # no collection pause between the change and its diagnostics (see _collect_later)
        try:
            self._lint_and_publish(key, unit, uris_in_unit)
            if self.timing is not None:
                self.timing.mark("sent")
                self.timing.flush()
        finally:
            if enabled:
                gc.enable()
                self._collect_later()
            self._release_later()

    def _release_later(self) -> None:
        """Free the last lint's objects (the model graph and records it replaced) on the next
        turn of the loop, after the diagnostics were written: freeing them took ~1 ms of each
        change on the 7,600-line benchmark schema."""
        try:
            loop = self.asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop (tests driving the state directly)
            self.garbage.clear()
            return
        loop.call_soon(self.garbage.clear)

    def _lint_and_publish(self, key, unit, uris_in_unit) -> None:
        try:
            by_uri = self._lint(unit)
        except Exception as e:
            logger.exception("prisma-lint: linting %s failed", unit.root)
            self.log(f"prisma-lint: linting {unit.root} failed: {type(e).__name__}: {e}", error=True)
            message = f"prisma-lint failed on this schema: {type(e).__name__}: {e}"
            by_uri = {u: [self._record(self._zero_range(), message, "error", "internal-error")] for u in uris_in_unit}
        # every open document of the unit, and every one it published to before
        targets = set(by_uri) | set(uris_in_unit) | (unit.published & set(self.docs))
        unit.published = set()
        for uri in targets:
            records = by_uri.get(uri, [])
            contrib = self.contributions.setdefault(uri, {})
            self.garbage.append(contrib.get(key))
            if records:
                contrib[key] = records
                unit.published.add(uri)
            else:
                contrib.pop(key, None)
            self._publish_merged(uri)

    def _collect_later(self) -> None:
        """Collect garbage once the editor is quiet: a full collection walks every object of the
        schema (tens of ms on a 7,600-line schema) and would otherwise fall inside the next
        change's latency."""
        if self.idle_collect is not None:
            self.idle_collect.cancel()
        try:
            loop = self.asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop (tests driving the state directly)
            return
        self.idle_collect = loop.call_later(1.0, self._idle_collect)

    def _idle_collect(self) -> None:
        """A collection, then every object left is frozen (``gc.freeze``): the next collections
        walk only what came after. On the 7,600-line benchmark schema a full collection took
        70-100 ms (137,000 objects), and a key pressed meanwhile waited for it; after a freeze
        and 20 more changes, 0.5 ms. Lints make no reference cycles (a full collection after
        them found nothing), so frozen objects are freed by their reference counts; still,
        every 20th time everything is collected again, in case other requests made cycles."""
        import gc

        self.idle_collects += 1
        if self.idle_collects % 20 == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
