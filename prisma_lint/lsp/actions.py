"""Code actions (quick fixes, fix-all, ignore comments) and hover."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .positions import Positions, minimal_replacement
from .state import FIX_ALL_KIND, SOURCE, FixRecord, Record
from .workspace import Workspace


class Actions(Workspace):
    # -- code actions ----------------------------------------------------------------------
    def _find(self, uri: str, diag) -> Optional[Record]:
        records = self._merged(uri)
        data = diag.data if isinstance(diag.data, dict) else None
        if data and isinstance(data.get("id"), int):
            for r in records:
                if r.id == data["id"]:
                    return r
        r0 = diag.range
        key = (r0.start.line, r0.start.character, r0.end.line, r0.end.character, diag.code, diag.message)
        return next((r for r in records if r.key == key), None)

    def code_actions(self, params):
        t = self.types
        uri = params.text_document.uri
        doc = self.docs.get(uri)
        if doc is None or doc.kind is None:
            return None
        # Answer for the text as it is now: a change not linted yet would leave the records (and
        # their edits) one version behind, and a stale fix lands on the wrong line (issue #11:
        # two `///` lines inserted, "remove redundant index" deleted the relation line above).
        # After this lint a stale diagnostic matches no record (its range moved) and gets nothing.
        key = self.doc_unit.get(uri)
        if key is not None and key in self.pending:
            self.lint_now(key)
        only = params.context.only
        kinds = [getattr(k, "value", k) for k in only] if only else None

        def wanted(kind: str) -> bool:
            return kinds is None or any(kind == k or kind.startswith(k + ".") for k in kinds)

        actions = []
        if wanted("quickfix"):
            seen: set[int] = set()
            for diag in params.context.diagnostics:
                if diag.source != SOURCE:
                    continue
                rec = self._find(uri, diag)
                if rec is None or rec.id in seen or not self._current(uri, rec):
                    continue
                seen.add(rec.id)
                if rec.fix is not None:
                    actions.append(
                        t.CodeAction(
                            title=rec.fix.title,
                            kind=t.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=self._workspace_edit(rec.fix.edits, rec.fix.versions),
                            is_preferred=rec.fix.applicability == "safe",
                        )
                    )
                ignore = self._ignore_record(uri, rec)
                if ignore is not None:
                    actions.append(
                        t.CodeAction(
                            title=ignore.title,
                            kind=t.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=self._workspace_edit(ignore.edits, ignore.versions),
                            is_preferred=False,
                        )
                    )
        if wanted(FIX_ALL_KIND) and any(r.fix is not None and r.fix.applicability == "safe" for r in self._merged(uri)):
            action = t.CodeAction(
                title="Fix all safe prisma-lint problems",
                kind=FIX_ALL_KIND,
                data={"fixAll": uri, "version": doc.version},
            )
            if not self._capability("text_document", "code_action", "resolve_support", default=None):
                action.edit = self._fix_all_edit(uri)
                if action.edit is None:
                    action = None
            if action is not None:
                actions.append(action)
        return actions

    def _current(self, uri: str, rec: Record) -> bool:
        """Whether the record's edits were made for the document's current version."""
        doc = self.docs.get(uri)
        if rec.fix is None or doc is None or doc.version is None:
            return True
        made_for = rec.fix.versions.get(uri)
        return made_for is None or made_for == doc.version

    def _ignore_record(self, uri: str, rec: Record) -> Optional[FixRecord]:
        """``// prisma-lint-ignore <rule>`` for the finding's line (what ``check --add-ignore``
        writes), in a schema file without errors."""
        from ..findings import Fix
        from ..suppressions import ignore_edits

        f = rec.finding
        key = self.doc_unit.get(uri)
        unit = self.units.get(key) if key is not None else None
        if f is None or unit is None or unit.kind != "schema" or unit.inputs is None or unit.positions is None:
            return None
        files = [sf for sf in unit.inputs.unit.schema.files if sf.source is f.span.file]
        if not files or unit.inputs.unit.file_has_errors(f.span.file.path):
            return None
        edits = ignore_edits([f], files)
        if not edits:
            return None
        return self._fix_record(unit.positions, Fix(f"Ignore {f.rule} on this line", "safe", edits), unit.uri_of, unit)

    def resolve_code_action(self, action):
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("fixAll")
        if isinstance(uri, str) and action.edit is None:
            action.edit = self._fix_all_edit(uri) or self.types.WorkspaceEdit(changes={})
        return action

    def _fix_all_edit(self, uri: str):
        """Every safe fix of the document's findings, planned together as ``check --fix`` does
        (several rounds until nothing changes), as one edit per changed file."""
        from ..engine import Engine

        key = self.doc_unit.get(uri)
        if key is None:
            return None
        if key in self.pending:
            self.lint_now(key)  # plan on the text as it is now
        unit = self.units.get(key)
        if unit is None or unit.inputs is None:
            return None
        if uri in unit.fix_all:
            return unit.fix_all[uri]
        doc = self.docs[uri]
        shown = next((s for s, p in unit.shown_to_path.items() if p == doc.path), None)
        edit = None
        if unit.kind == "sql" or shown is None:
            edit = self._merge_safe_fixes(uri)
        elif not unit.inputs.unit.has_errors:
            loaded = unit.inputs.unit
            fixed = Engine(self.registry, unit.config).fix(unit.inputs, unsafe=False, only_file=shown)
            if fixed.texts:
                sources = {f.source.path: f.source for f in loaded.schema.files}
                open_docs = {str(d.path): d for d in self.docs.values() if d.kind is not None}
                positions = Positions(self.encoding, open_docs, unit.shown_to_path)
                edits: dict[str, list] = {}
                versions: dict[str, Optional[int]] = {}
                for path, new_text in fixed.texts.items():
                    src = sources[path]
                    a, b, replacement = minimal_replacement(src.text, new_text)
                    target = self._uri_for(unit.shown_to_path.get(path, Path(path)))
                    versions[target] = unit.versions.get(target)
                    edits[target] = [self.types.TextEdit(range=self._range(positions, src, a, b), new_text=replacement)]
                edit = self._workspace_edit(edits, versions)
        unit.fix_all[uri] = edit
        return edit

    def _merge_safe_fixes(self, uri: str):
        """The safe fixes of the document's diagnostics whose edits do not overlap (SQL)."""
        edits: dict[str, list] = {}
        versions: dict[str, Optional[int]] = {}
        taken: dict[str, list[tuple]] = {}

        def bounds(e) -> tuple:
            return (e.range.start.line, e.range.start.character), (e.range.end.line, e.range.end.character)

        def clashes(u: str, e) -> bool:
            a, b = bounds(e)
            return any((a, b) == (c, d) or (a < d and c < b) for c, d in taken.get(u, []))

        for r in self._merged(uri):
            if r.fix is None or r.fix.applicability != "safe":
                continue
            if any(clashes(u, e) for u, items in r.fix.edits.items() for e in items):
                continue
            for u, items in r.fix.edits.items():
                edits.setdefault(u, []).extend(items)
                taken.setdefault(u, []).extend(bounds(e) for e in items)
                versions[u] = r.fix.versions.get(u)
        return self._workspace_edit(edits, versions) if edits else None

    # -- hover -----------------------------------------------------------------------------
    def _call_sites(self, evidence, shown: int = 10) -> str:
        """The app's call sites behind a finding, each a link to its line."""
        base = self.cwd or Path.cwd()
        lines = ["call sites:"]
        for e in evidence[:shown]:
            path = Path(os.path.normpath(base / e.file))  # shown relative to the server's folder
            label = f"`{e.snippet.strip()}` " if e.snippet.strip() else ""
            lines.append(f"- {label}[{e.file}:{e.line}]({path.as_uri()}#L{e.line})")
        if len(evidence) > shown:
            lines.append(f"- (+{len(evidence) - shown} more)")
        return "\n".join(lines)

    def hover(self, params):
        t = self.types
        uri = params.text_document.uri
        pos = (params.position.line, params.position.character)
        hits = []
        for r in self._merged(uri):
            if r.start <= pos <= r.end:
                hits.append(r)
        if not hits:
            return None
        from ..docs import rule_page

        parts = []
        for r in hits:
            code = r.diagnostic.get("code")
            name = f"{SOURCE}({code})" if code else SOURCE
            head = f"**{name}**: {r.diagnostic['message']}"
            if r.help:
                head += f"\n\nhelp: {r.help}"
            if r.fix is not None:
                head += f"\n\nfix: {r.fix.title}"
            evidence = getattr(r.finding, "evidence", None) or []
            if evidence:
                head += "\n\n" + self._call_sites(evidence)
            if r.rule:
                page = rule_page(r.rule)
                if page is None:
                    rule = self.registry.rules.get(r.rule)
                    page = f"# {r.rule}\n\n{rule.summary}" if rule else None
                if page:
                    head += "\n\n---\n\n" + page.rstrip()
            parts.append(head)
        formats = self._capability("text_document", "hover", "content_format", default=None) or []
        markdown = not formats or any(getattr(f, "value", f) == "markdown" for f in formats)
        return t.Hover(
            contents=t.MarkupContent(kind=t.MarkupKind.Markdown if markdown else t.MarkupKind.PlainText, value="\n\n---\n\n".join(parts)),
            range=t.Range(start=t.Position(*hits[0].start), end=t.Position(*hits[0].end)),
        )
