"""The pygls server: the protocol on one side, :class:`Analysis` on the other.

Diagnostics: a document is checked when it opens, and again ``debounce`` seconds
after the last change (typing a word does not re-check at every key). Each check
publishes every file of the unit; a file that a unit no longer reports on is
cleared. Nothing a document contains may take the server down: a failing check is
logged to the client and leaves the previous diagnostics in place.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from stc.compiler.diagnostics import Diagnostic
from stc.compiler.lsp import actions, completion, convert, hover, navigation
from stc.compiler.lsp.analysis import Analysis, UnitResult, is_plugin_file, normal
from stc.compiler.lsp.symbols import Place
from stc.compiler.sources import Mark
from stc.compiler.version import __version__

DEBOUNCE_SECONDS = 0.15
T = TypeVar("T")


class StcLanguageServer(LanguageServer):
    """``stc lsp``: the analysis, what was published, and the pending re-checks."""

    def __init__(self, analysis: Analysis, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__("stc", __version__)
        self.analysis = analysis
        self.debounce = debounce
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.files_of: dict[str, set[str]] = {}
        """Owner → the files its last published check covered."""
        self.shown: dict[str, list[tuple[lsp.Diagnostic, Diagnostic]]] = {}
        """File → what is published for it (for code actions)."""

    # ------------------------------------------------------------------ positions

    def lines(self, path: str) -> list[str]:
        """The file's lines (the open buffer's when there is one)."""
        return convert.lines_of(self.analysis.text(path))

    def to_client(self, path: str, rng: lsp.Range) -> lsp.Range:
        """A code-point range as the client's units (UTF-16 unless negotiated)."""
        return self.workspace.position_codec.range_to_client_units(self.lines(path), rng)

    def from_client(self, path: str, position: lsp.Position) -> tuple[list[str], int, int]:
        """The client's position as (lines, line, code-point column)."""
        lines = self.lines(path)
        server = self.workspace.position_codec.position_from_client_units(lines, position)
        return lines, server.line, server.character

    def location(self, place: Place) -> lsp.Location:
        """A compiler-style place as an LSP location in the client's units."""
        rng = convert.mark_range([], place.mark)
        return lsp.Location(
            uri=convert.uri_of_path(place.path), range=self.to_client(place.path, rng)
        )

    # ------------------------------------------------------------------ diagnostics

    def check_and_publish(self, path: str) -> None:
        """Check the unit of ``path`` and publish every file of it (never raises)."""
        self.pending.pop(path, None)
        try:
            result = self.analysis.check(path)
            self.publish(result)
            if is_plugin_file(path):
                for dependent in self.analysis.dependents(path):
                    self.publish(self.analysis.check(dependent))
        except Exception:  # a checker bug must not take the editor's server down
            self.window_log_message(
                lsp.LogMessageParams(
                    type=lsp.MessageType.Error,
                    message=f"stc: checking {path} failed:\n{traceback.format_exc()}",
                )
            )

    def publish(self, result: UnitResult) -> None:
        """Publish the files of ``result``, and clear those its owner reported before."""
        before = self.files_of.get(result.owner, set())
        self.files_of[result.owner] = set(result.by_file)
        for file in sorted(before | set(result.by_file)):
            self._publish_file(file)

    def forget(self, owner: str) -> None:
        """A unit is gone (its documents closed): clear what it published."""
        for file in sorted(self.files_of.pop(owner, set())):
            self._publish_file(file)

    def _publish_file(self, file: str) -> None:
        found: list[Diagnostic] = []
        for owner, files in self.files_of.items():
            result = self.analysis.results.get(owner)
            if file in files and result is not None:
                found += result.by_file.get(file, [])
        lines = self.lines(file)
        shown = [(self._convert(d, lines, file), d) for d in dict.fromkeys(found)]
        self.shown[file] = shown
        uri = convert.uri_of_path(file)
        document = self.workspace.text_documents.get(uri)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[lsp_diagnostic for lsp_diagnostic, _ in shown],
                version=document.version if document is not None else None,
            )
        )

    def _convert(self, diagnostic: Diagnostic, lines: list[str], file: str) -> lsp.Diagnostic:
        converted = convert.to_lsp(
            diagnostic,
            lines,
            self.lines,
            lambda display: self.analysis.path_of(display) if display else file,
        )
        converted.range = self.workspace.position_codec.range_to_client_units(
            lines, converted.range
        )
        for note in converted.related_information or []:
            target = convert.path_of_uri(note.location.uri)
            note.location.range = self.to_client(target, note.location.range)
        return converted

    def schedule(self, path: str) -> None:
        """Re-check ``path`` ``debounce`` seconds after the last change."""
        handle = self.pending.pop(path, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self.pending[path] = loop.call_later(self.debounce, self.check_and_publish, path)


def _guard(server: StcLanguageServer, default: T, function: Callable[[], T]) -> T:
    """Run a request handler; a failure is logged and answered with ``default``."""
    try:
        return function()
    except Exception:
        server.window_log_message(
            lsp.LogMessageParams(type=lsp.MessageType.Error, message=traceback.format_exc())
        )
        return default


def build_server(analysis: Analysis, debounce: float = DEBOUNCE_SECONDS) -> StcLanguageServer:
    """The server with every feature registered."""
    server = StcLanguageServer(analysis, debounce)
    _register_sync(server)
    _register_features(server)
    return server


def _path(uri: str) -> str:
    return normal(convert.path_of_uri(uri))


def _register_sync(server: StcLanguageServer) -> None:
    @server.feature(lsp.INITIALIZED)
    def initialized(ls: StcLanguageServer, params: lsp.InitializedParams) -> None:
        folders = ls.workspace.folders
        ls.analysis.folders = [Path(_path(f.uri)) for f in folders.values()]

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: StcLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        ls.analysis.open(path, params.text_document.text)
        ls.check_and_publish(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: StcLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        path = _path(params.text_document.uri)
        ls.analysis.change(path, document.source)
        ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: StcLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if is_plugin_file(path):
            ls.analysis.plugins_changed()
            for owner in sorted(ls.files_of):
                ls.check_and_publish(owner)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: StcLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        handle = ls.pending.pop(path, None)
        if handle is not None:
            handle.cancel()
        for owner in ls.analysis.close(path):
            ls.forget(owner)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: StcLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(is_plugin_file(_path(change.uri)) for change in params.changes):
            ls.analysis.plugins_changed()
            for owner in sorted(ls.files_of):
                ls.check_and_publish(owner)


def _register_features(server: StcLanguageServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[":", " ", "-"])
    )
    def complete(ls: StcLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        path = _path(params.text_document.uri)

        def run() -> lsp.CompletionList:
            lines, line, column = ls.from_client(path, params.position)
            items = completion.complete(ls.analysis, path, lines, line, column)
            for item in items:
                if isinstance(item.text_edit, lsp.TextEdit):
                    item.text_edit.range = ls.to_client(path, item.text_edit.range)
            return lsp.CompletionList(is_incomplete=False, items=items)

        return _guard(ls, lsp.CompletionList(is_incomplete=False, items=[]), run)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: StcLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        path = _path(params.text_document.uri)

        def run() -> lsp.Hover | None:
            _, line, column = ls.from_client(path, params.position)
            found = hover.hover(ls.analysis, path, line, column)
            if found is None:
                return None
            text, mark = found
            return lsp.Hover(
                contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                range=ls.to_client(path, convert.mark_range([], mark)),
            )

        return _guard(ls, None, run)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: StcLanguageServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        path = _path(params.text_document.uri)

        def run() -> list[lsp.Location]:
            _, line, column = ls.from_client(path, params.position)
            places = navigation.definition(ls.analysis, path, line, column)
            return [ls.location(p) for p in places]

        return _guard(ls, [], run)

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: StcLanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        path = _path(params.text_document.uri)

        def run() -> list[lsp.Location]:
            _, line, column = ls.from_client(path, params.position)
            places = navigation.references(
                ls.analysis, path, line, column,
                include_declaration=params.context.include_declaration,
            )  # fmt: skip
            return [ls.location(p) for p in places]

        return _guard(ls, [], run)

    _register_edits(server)


def _register_edits(server: StcLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    def on_rename(ls: StcLanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        path = _path(params.text_document.uri)
        _, line, column = ls.from_client(path, params.position)
        try:
            edits = navigation.rename_edits(ls.analysis, path, line, column, params.new_name)
        except navigation.RenameError as exc:
            raise_error(str(exc))
        return _workspace_edit(ls, [(place, text) for place, text in edits])

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def on_code_action(ls: StcLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        path = _path(params.text_document.uri)
        return _guard(ls, [], lambda: _code_actions(ls, path, params.range))


def raise_error(message: str) -> Any:
    """Answer the request with an error the client shows (a rename that cannot be)."""
    from pygls.exceptions import JsonRpcInvalidParams

    raise JsonRpcInvalidParams(message)


def _workspace_edit(ls: StcLanguageServer, edits: list[tuple[Place, str]]) -> lsp.WorkspaceEdit:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for place, text in edits:
        rng = ls.to_client(place.path, convert.mark_range([], place.mark))
        changes.setdefault(convert.uri_of_path(place.path), []).append(
            lsp.TextEdit(range=rng, new_text=text)
        )
    return lsp.WorkspaceEdit(changes=changes)


def _code_actions(ls: StcLanguageServer, path: str, wanted: lsp.Range) -> list[lsp.CodeAction]:
    found: list[lsp.CodeAction] = []
    text = ls.analysis.text(path) or ""
    for shown, diagnostic in ls.shown.get(path, []):
        if shown.range.end.line < wanted.start.line or shown.range.start.line > wanted.end.line:
            continue
        server_range = ls.workspace.position_codec.range_from_client_units(
            ls.lines(path), shown.range
        )
        start, end = server_range.start, server_range.end
        token = Mark(start.line + 1, start.character + 1, end.line + 1, end.character + 1)
        fixes = actions.fixes_of(diagnostic, path, token)
        unit = ls.analysis.unit(path)
        if unit is not None:
            fixes += actions.provider_fixes(unit, diagnostic, text)
        for fix in fixes:
            found.append(
                lsp.CodeAction(
                    title=fix.title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    is_preferred=fix.preferred,
                    edit=_workspace_edit(ls, [(fix.place, fix.new_text)]),
                )
            )
    return found
