"""The interactive wiring page (`stc graph --html`, issue 21) in headless Chromium:
load, pan/zoom, search, focus, collapse, a group's members, the diagnostics list of a
failed compile with click-to-focus, no console errors; load time at 300 workers.

Same setup as test_report_browser (Debian chromium + chromedriver, skipped without)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks.synthetic import write_blueprint, write_plugin_root
from stc.commands.cli import main
from tests.runtime.report.test_report_browser import (  # the module's browser fixture, shared
    ARTIFACTS,
    _open,
    _skip_reason,
    browser,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason())),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed"),
]
__all__ = ["browser"]


def _page(tmp_path: Path, source: Path, *extra: str) -> Path:
    page = tmp_path / f"{source.stem}.html"
    main(["graph", str(source), "--html", "-o", str(page), *extra])
    return page


def _js(browser: Any, script: str) -> Any:
    return browser.execute_script(script)


def _click(browser: Any, element: Any) -> None:
    browser.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", element
    )


def _node(browser: Any, node_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return browser.find_element(
        By.XPATH, f"//*[local-name()='g'][*[local-name()='title']='{node_id}']"
    )


def _severe(browser: Any) -> list[Any]:
    return [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]


def test_load_zoom_search_focus_and_collapse(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(tmp_path, REPO / "blueprints/ict_smc.yaml"))
    graph = browser.find_element(By.ID, "graph")
    assert graph.size["width"] > 600 and graph.size["height"] > 300  # not a strip
    nodes = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.worker")
    assert len(nodes) == 12 and all(n.is_displayed() for n in nodes)
    before = _js(browser, "return document.querySelector('#graph svg').getAttribute('viewBox')")
    browser.find_element(By.ID, "zin").click()
    zoomed = _js(browser, "return document.querySelector('#graph svg').getAttribute('viewBox')")
    assert float(zoomed.split()[2]) < float(before.split()[2])
    graph.send_keys("0")  # keyboard: fit again
    assert (
        _js(browser, "return document.querySelector('#graph svg').getAttribute('viewBox')")
        == before
    )

    search = browser.find_element(By.ID, "search")
    search.send_keys("MarketStructure")  # a DTO: its provider, consumers and hub match
    matched = _js(
        browser,
        "return Array.from(document.querySelectorAll('#graph g.node.match'))"
        ".map(n => n.querySelector('title').textContent)",
    )
    assert {"market_structure_detector", "fvg_entry_detector", "structure_based_exit"} <= set(
        matched
    )
    assert "regime" not in matched
    assert "match" in browser.find_element(By.ID, "count").text
    search.clear()
    search.send_keys("\ue00c")  # Escape

    _click(browser, _node(browser, "regime"))
    lit = set(
        _js(
            browser,
            "return Array.from(document.querySelectorAll('#graph g.node.lit'))"
            ".map(n => n.querySelector('title').textContent)",
        )
    )
    assert "focusing" in _js(
        browser, "return document.querySelector('#graph svg').className.baseVal"
    )
    assert {"regime", "ema_detector", "context_aggregator", "backtest_handler"} <= lit
    assert "max_drawdown_monitor" not in lit  # not downstream of the regime (ledger-driven)
    panel = browser.find_element(By.ID, "detail").text
    assert "ADXRegimeClassifier" in panel and "warm-up: 28 bars" in panel
    assert "set" in panel and "period" in panel

    _click(browser, _node(browser, "event:STRATEGY_DIRECTIVE_ISSUED"))
    panel = browser.find_element(By.ID, "detail").text
    assert "StrategyDirective" in panel

    toggle = browser.find_element(By.CSS_SELECTOR, "button.row-toggle[data-row='trade']")
    toggle.click()
    assert not _node(browser, "fixed_risk_sizer").is_displayed()
    assert "collapsed" in browser.find_element(By.ID, "row-trade").get_attribute("class")
    browser.find_element(By.CSS_SELECTOR, "button.row-toggle[data-row='trade']").click()
    assert _node(browser, "fixed_risk_sizer").is_displayed()
    assert not _severe(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "graph_page_focus.png"))


def test_payload_types_are_readable(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(tmp_path, REPO / "blueprints/ict_smc.yaml"))
    _click(browser, _node(browser, "event:ENTRY_PLAN_CREATED"))
    panel = browser.find_element(By.ID, "detail").text
    assert "Decimal > 0 | None" in panel and "FieldInfo" not in panel


def test_failed_compile_lists_diagnostics_and_focuses_them(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page = _page(tmp_path, REPO / "tests/fixtures/stc010_missing_provider.yaml")
    _open(browser, page)
    items = browser.find_elements(By.CSS_SELECTOR, "#diags li")
    assert items and "STC010" in items[0].text
    missing = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.missing")
    assert missing and "no provider" in missing[0].text
    items[0].click()
    assert "on" in items[0].get_attribute("class")
    assert "flash" in _node(browser, "fvg_entry_detector").get_attribute("class")
    assert "FVGEntryDetector" in browser.find_element(By.ID, "detail").text  # worker data
    assert not _severe(browser)


def test_a_blueprint_level_error_focuses_its_phase(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(tmp_path, REPO / "tests/fixtures/stc051_no_schedule.yaml"))
    item = browser.find_element(By.CSS_SELECTOR, "#diags li")
    assert "STC051" in item.text
    item.click()
    assert "flash" in browser.find_element(By.ID, "row-strategy").get_attribute("class")
    assert not _severe(browser)


def test_a_yaml_error_is_listed(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, _page(tmp_path, REPO / "tests/fixtures/stc001_unclosed_bracket.yaml"))
    assert "STC001" in browser.find_element(By.ID, "diags").text
    assert not _severe(browser)


def test_300_workers_load_fast_with_groups_that_expand(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = write_plugin_root(tmp_path)
    blueprint = write_blueprint(tmp_path, 300)
    page = _page(tmp_path, blueprint, "--plugins-dir", str(root))
    _open(browser, page)  # a first, cold load warms the browser
    load_ms = _open(browser, page)
    assert load_ms > 0
    (ARTIFACTS / "graph_page_300_load_ms.txt").parent.mkdir(exist_ok=True)
    (ARTIFACTS / "graph_page_300_load_ms.txt").write_text(f"{load_ms:.0f}\n")
    group = browser.find_elements(By.CSS_SELECTOR, "#graph g.node.group")[0]
    _click(browser, group)
    members = browser.find_elements(By.CSS_SELECTOR, "#detail a.go[data-worker]")
    assert len(members) > 1
    members[0].click()
    assert "params" in browser.find_element(By.ID, "detail").text
    assert not _severe(browser)
    browser.save_screenshot(str(ARTIFACTS / "graph_page_300.png"))
