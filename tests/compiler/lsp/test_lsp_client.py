"""``stc lsp`` driven by a real LSP client (pytest-lsp) over stdio: the server is the
``stc lsp`` process an editor starts, and every request goes through JSON-RPC."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
SERVER = [sys.executable, "-m", "stc.commands.cli", "lsp", "--debounce", "0.05"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = lsp.InitializeParams(
        capabilities=lsp.ClientCapabilities(), root_uri=REPO.as_uri(), workspace_folders=None
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.server_capabilities_seen = result.capabilities  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _open(
    client: LanguageClient, path: Path, text: str | None = None
) -> list[lsp.Diagnostic]:
    """Open ``path`` (with ``text`` instead of the file's) and wait for its diagnostics."""
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1,
                                 text=text if text is not None else path.read_text("utf-8"))
        )
    )  # fmt: skip
    return await _diagnostics(client, uri)


async def _diagnostics(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    for _ in range(200):  # 10 s at most: a stall fails here instead of hanging the suite
        if uri in client.diagnostics:
            return list(client.diagnostics[uri])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics published for {uri}")


def _close(client: LanguageClient, path: Path) -> None:
    client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri=path.as_uri()))
    )


def _position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    before = text[: text.index(needle) + offset]
    return lsp.Position(line=before.count("\n"), character=len(before.split("\n")[-1]))


@pytest.mark.asyncio(loop_scope="module")
async def test_initialize_announces_the_features(client: LanguageClient) -> None:
    caps: lsp.ServerCapabilities = client.server_capabilities_seen  # type: ignore[attr-defined]
    assert caps.completion_provider is not None
    assert caps.hover_provider and caps.definition_provider and caps.references_provider
    assert caps.rename_provider and caps.code_action_provider


@pytest.mark.asyncio(loop_scope="module")
async def test_unknown_plugin_is_stc003_on_the_token(client: LanguageClient) -> None:
    path = FIXTURES / "stc003_unknown_plugin.yaml"
    text = path.read_text("utf-8")
    found = await _open(client, path)
    (diagnostic,) = [d for d in found if d.code == "STC003"]
    start = _position(text, "- plugin: EMADetecter", len("- plugin: "))
    assert diagnostic.range == lsp.Range(
        start=start, end=lsp.Position(start.line, start.character + len("EMADetecter"))
    )
    assert diagnostic.severity == lsp.DiagnosticSeverity.Error
    assert diagnostic.source == "stc"
    assert "unknown plugin `EMADetecter`" in diagnostic.message
    assert "did you mean `EMADetector`?" in diagnostic.message
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_change_rechecks_and_close_clears(client: LanguageClient) -> None:
    path = FIXTURES / "stc003_unknown_plugin.yaml"
    text = path.read_text("utf-8")
    assert await _open(client, path)
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    fixed = text.replace("EMADetecter", "EMADetector")
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    assert await _diagnostics(client, uri) == []
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    assert [d.code for d in await _diagnostics(client, uri)] == ["STC003"]
    client.diagnostics.pop(uri, None)
    _close(client, path)
    assert await _diagnostics(client, uri) == []


@pytest.mark.asyncio(loop_scope="module")
async def test_operation_unit_publishes_the_operation_and_its_blueprint(
    client: LanguageClient,
) -> None:
    operation = REPO / "blueprints" / "dca_weekly.operation.yaml"
    blueprint = REPO / "blueprints" / "dca_weekly.yaml"
    text = blueprint.read_text("utf-8")
    broken = text.replace("plugin: ", "plugin: Nope", 1)
    found = await _open(client, blueprint, broken)
    assert "STC003" in [d.code for d in found]
    assert operation.as_uri() in client.diagnostics  # the operation is published with it
    _close(client, blueprint)


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_of_plugin_lists_only_the_slot_type(client: LanguageClient) -> None:
    path = FIXTURES / "stc003_unknown_plugin.yaml"
    text = path.read_text("utf-8").replace("- plugin: EMADetecter", "- plugin: ")
    await _open(client, path, text)
    where = _position(text, "- plugin: \n", len("- plugin: "))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri=path.as_uri()), where)
    )
    assert isinstance(result, lsp.CompletionList)
    labels = {item.label for item in result.items}
    assert {"EMADetector", "MarketStructureDetector", "ATRVolatility"} <= labels
    assert "FixedRiskSizer" not in labels and "FVGEntryDetector" not in labels
    ema = next(item for item in result.items if item.label == "EMADetector")
    assert ema.detail == "context_worker · indicator_calculation"
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_completion_of_params_keys_and_enum_values(client: LanguageClient) -> None:
    path = REPO / "blueprints" / "ema_trend.yaml"
    text = path.read_text("utf-8").replace("params: {periods: [20, 50]}", "params: {per")
    await _open(client, path, text)
    where = _position(text, "params: {per", len("params: {per"))
    result = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri=path.as_uri()), where)
    )
    assert isinstance(result, lsp.CompletionList)
    periods = next(item for item in result.items if item.label == "periods")
    assert periods.detail is not None and "array" in periods.detail
    _close(client, path)


async def _hover(client: LanguageClient, path: Path, needle: str, offset: int) -> str:
    """The hover text at ``needle`` (+ ``offset``) in the open file ``path``."""
    where = _position(path.read_text("utf-8"), needle, offset)
    found = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri=path.as_uri()), where)
    )
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_on_plugin_and_param(client: LanguageClient) -> None:
    path = REPO / "blueprints" / "ema_trend.yaml"
    await _open(client, path)
    plugin = await _hover(client, path, "EMADetector", 3)
    assert "provides:   EMAValues" in plugin and "trend_strength" in plugin
    param = await _hover(client, path, "risk_reward_ratio", 2)
    assert "**param** `risk_reward_ratio` of `AdaptiveMomentumPlanner`" in param
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_event_hover_payload_and_definition_in_the_operation(
    client: LanguageClient,
) -> None:
    path = REPO / "blueprints" / "dca_weekly.yaml"
    text = path.read_text("utf-8")
    await _open(client, path)
    event = await _hover(client, path, "trigger: WEEKLY_DCA_TICK", 12)
    assert "payload `ScheduledTick`" in event and "reference_price: Decimal" in event
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri=path.as_uri()),
                             _position(text, "trigger: WEEKLY_DCA_TICK", 12))
    )  # fmt: skip
    operation = REPO / "blueprints" / "dca_weekly.operation.yaml"
    assert isinstance(found, list) and [loc.uri for loc in found] == [operation.as_uri()]
    assert found[0].range.start == _position(operation.read_text("utf-8"), "WEEKLY_DCA_TICK:")
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_dto_hover_and_definition_in_a_manifest(client: LanguageClient) -> None:
    path = REPO / "stc" / "plugins" / "context_worker" / "ema_detector" / "plugin_manifest.yaml"
    await _open(client, path)
    dto = await _hover(client, path, "provides_dtos: [EMAValues", 17)
    assert "class EMAValues:\n    values: dict[int, float]" in dto
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri=path.as_uri()),
                             _position(path.read_text("utf-8"), "provides_dtos: [EMAValues", 17))
    )  # fmt: skip
    dtos = REPO / "stc" / "plugins" / "dtos.py"
    assert isinstance(found, list) and [loc.uri for loc in found] == [dtos.as_uri()]
    assert found[0].range.start == _position(dtos.read_text("utf-8"), "class EMAValues", 6)
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_definition_of_plugin_is_manifest_and_worker_class(client: LanguageClient) -> None:
    path = REPO / "blueprints" / "ema_trend.yaml"
    text = path.read_text("utf-8")
    await _open(client, path)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(
            lsp.TextDocumentIdentifier(uri=path.as_uri()), _position(text, "EMADetector", 2)
        )
    )
    assert isinstance(found, list)
    folder = REPO / "stc" / "plugins" / "context_worker" / "ema_detector"
    assert [loc.uri for loc in found] == [
        (folder / "plugin_manifest.yaml").as_uri(), (folder / "worker.py").as_uri()
    ]  # fmt: skip
    manifest_text = (folder / "plugin_manifest.yaml").read_text("utf-8")
    assert found[0].range.start == _position(manifest_text, "name: EMADetector", 6)
    code = (folder / "worker.py").read_text("utf-8")
    assert found[1].range.start == _position(code, "class EMADetector", 6)
    _close(client, path)


WIRED = """\
blueprint_version: 1
name: wired
symbol: EURUSD
timeframes: [1h]
workforce:
  context_workers:
    - plugin: EMADetector
  opportunity_workers:
    - {id: cross, plugin: EMACrossDetector}
  strategy_planner:
    plugin: AdaptiveMomentumPlanner
  planning_workers:
    entry: [{plugin: AggressiveMarketEntryPlanner}]
    size: [{plugin: FixedRiskSizer}]
    exit: [{plugin: FixedRRExitPlanner}]
    routing: [{plugin: MarketOrderRouter}]
wiring:
  - {event: POSITION_UPDATE, worker: cross, method: on_position_update}
"""


@pytest.mark.asyncio(loop_scope="module")
async def test_references_and_rename_of_a_worker_id(client: LanguageClient) -> None:
    path = FIXTURES / "lsp_wired.yaml"  # not on disk: the buffer is the only text
    await _open(client, path, WIRED)
    uri = lsp.TextDocumentIdentifier(uri=path.as_uri())
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(text_document=uri, position=_position(WIRED, "worker: cross", 9),
                            context=lsp.ReferenceContext(include_declaration=True))
    )  # fmt: skip
    assert refs is not None
    assert [r.range.start for r in refs] == [
        _position(WIRED, "id: cross", 4), _position(WIRED, "worker: cross", 8)
    ]  # fmt: skip
    edit = await client.text_document_rename_async(
        lsp.RenameParams(
            text_document=uri, position=_position(WIRED, "id: cross", 5), new_name="crossing"
        )
    )
    assert edit is not None and edit.changes is not None
    assert sorted(e.new_text for e in edit.changes[path.as_uri()]) == ["crossing", "crossing"]
    _close(client, path)


async def _fixes(
    client: LanguageClient, path: Path, code: str, text: str | None = None
) -> tuple[lsp.Diagnostic, list[lsp.CodeAction]]:
    """Open ``path``, find its diagnostic ``code`` and ask for the code actions on it."""
    (diagnostic,) = [d for d in await _open(client, path, text) if d.code == code]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
                             range=diagnostic.range,
                             context=lsp.CodeActionContext(diagnostics=[diagnostic]))
    )  # fmt: skip
    assert actions is not None
    return diagnostic, [a for a in actions if isinstance(a, lsp.CodeAction)]


def _apply(text: str, edit: lsp.TextEdit) -> str:
    lines = text.split("\n")
    start, end = edit.range.start, edit.range.end
    head = "\n".join([*lines[: start.line], lines[start.line][: start.character]])
    tail = "\n".join([lines[end.line][end.character :], *lines[end.line + 1 :]])
    return head + edit.new_text + tail


@pytest.mark.asyncio(loop_scope="module")
async def test_code_action_did_you_mean_is_preferred(client: LanguageClient) -> None:
    path = FIXTURES / "stc003_unknown_plugin.yaml"
    stc003, actions = await _fixes(client, path, "STC003")
    (fix,) = actions
    assert fix.is_preferred and fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[path.as_uri()]
    assert (edit.range, edit.new_text) == (stc003.range, "EMADetector")
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_code_action_adds_the_missing_provider(client: LanguageClient) -> None:
    path = FIXTURES / "stc010_missing_provider.yaml"
    _, actions = await _fixes(client, path, "STC010")
    provider = "add the missing provider `MarketStructureDetector` (provides `MarketStructure`)"
    assert [a.title for a in actions] == [provider]
    assert not actions[0].is_preferred and actions[0].edit and actions[0].edit.changes
    (edit,) = actions[0].edit.changes[path.as_uri()]
    fixed = _apply(path.read_text("utf-8"), edit)
    assert "    - plugin: EMADetector\n    - plugin: MarketStructureDetector\n" in fixed
    found = await _open(client, path, fixed)  # the fix applied: the problem is gone
    assert "STC010" not in [d.code for d in found]
    _close(client, path)


@pytest.mark.asyncio(loop_scope="module")
async def test_code_actions_are_the_diagnostics_suggestions(client: LanguageClient) -> None:
    """A suggestion ``stc check --fix`` would apply is the code action: its span and
    text, preferred because it is machine-applicable (the help here is more than a bare
    did-you-mean, which the text fallback could not read)."""
    path = REPO / "blueprints" / "managed_trend.yaml"
    text = path.read_text("utf-8").replace("timeframe: 4h}", "timeframe: 4H}")
    diagnostic, actions = await _fixes(client, path, "STC002", text)
    (fix,) = actions
    assert fix.title == "STC002: write `4h`" and fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    (edit,) = fix.edit.changes[path.as_uri()]
    assert (edit.range, edit.new_text) == (diagnostic.range, "4h")
    fixed = _apply(text, edit)
    assert fixed == path.read_text("utf-8")
    assert [d for d in await _open(client, path, fixed) if d.severity == 1] == []
    _close(client, path)
