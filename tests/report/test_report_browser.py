"""The report and the wiring page in headless Chromium (no downloads: /usr/bin/chromium).

Skipped when Chromium, chromedriver or selenium are missing (`.ci/run` installs the
Debian ``chromium`` and ``chromium-driver`` packages). Screenshots go to
``tests/report/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stc.commands.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]
CHROME_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1400,1000",
)  # fmt: skip


def _chromedriver() -> str | None:
    found = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return found if Path(found).is_file() else None


def _skip_reason() -> str | None:
    if not CHROMIUM.is_file():
        return "no /usr/bin/chromium (apt-get install chromium chromium-driver)"
    if _chromedriver() is None:
        return "no chromedriver (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="stc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(_chromedriver()))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser: Any, page: Path) -> float:
    """Load ``page`` from disk; the navigation's load time in ms."""
    browser.get(page.resolve().as_uri())
    return float(
        browser.execute_script(
            "var n=performance.getEntriesByType('navigation')[0];return n.loadEventEnd-n.startTime;"
        )
    )


def test_report_renders_and_loads_fast(browser: Any, reference_run: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")  # a first, cold load warms the browser
    load_ms = _open(browser, reference_run / "report.html")
    assert 0 < load_ms < 1000, f"report.html took {load_ms:.0f} ms to load"
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert {c.get_attribute("class") for c in charts} >= {
        "chart equity", "chart drawdown", "chart price"
    }  # fmt: skip
    for chart in charts:
        assert chart.size["width"] > 300 and chart.size["height"] > 50
        line = chart.find_element(By.CSS_SELECTOR, "polyline.line")
        assert line.size["width"] > 100
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_top.png"))


def test_clicking_a_trade_shows_its_chain_and_highlights_workers(
    browser: Any, reference_run: Path
) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")
    body = browser.find_elements(By.CSS_SELECTOR, "tbody.trade")[1]
    chain = body.find_element(By.CSS_SELECTOR, "tr.chain")
    assert not chain.is_displayed()
    row = body.find_element(By.CSS_SELECTOR, "tr.row")
    browser.execute_script("arguments[0].scrollIntoView({block:'center'})", row)
    row.click()
    assert chain.is_displayed()
    text = chain.text
    for prefix in ("CTX_", "OPP_", "STR_", "ENT_", "SIZ_", "EXT_", "ROU_", "EXE_", "/F1"):
        assert prefix in text
    trade_id = body.get_attribute("data-trade")
    selected = browser.find_elements(By.CSS_SELECTOR, "svg.chart .sel")
    assert selected and all(m.get_attribute("data-trade") == trade_id for m in selected)
    if browser.find_elements(By.CSS_SELECTOR, ".wiring svg"):
        lit = browser.execute_script(
            "return Array.from(document.querySelectorAll('.wiring g.node.hl'))"
            ".map(n => n.querySelector('title').textContent)"
        )
        assert {"ema_cross_detector", "fixed_risk_sizer"} <= set(lit)
    browser.save_screenshot(str(ARTIFACTS / "report_chain.png"))
    row.click()  # a second click closes it
    assert not chain.is_displayed()


def test_sorting_by_pnl(browser: Any, reference_run: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")
    header = browser.find_element(By.CSS_SELECTOR, "th[data-col='9']")
    assert header.text.startswith("P&L")
    header.click()

    def pnls() -> list[float]:
        cells = browser.find_elements(By.CSS_SELECTOR, "tbody.trade tr.row td:last-child")
        return [float(c.get_attribute("data-v")) for c in cells]

    assert pnls() == sorted(pnls())
    header.click()
    assert pnls() == sorted(pnls(), reverse=True)


def test_marker_click_opens_its_trade(browser: Any, reference_run: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")
    marker = browser.find_elements(By.CSS_SELECTOR, "svg.price .mk")[4]
    browser.execute_script("arguments[0].scrollIntoView({block:'center'})", marker)
    trade_id = marker.get_attribute("data-trade")
    browser.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", marker
    )
    body = browser.find_element(By.ID, f"t-{trade_id}")
    assert body.find_element(By.CSS_SELECTOR, "tr.chain").is_displayed()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
def test_graph_page_hover_and_edge_click(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = tmp_path / "wiring.html"
    assert main(["graph", str(REPO / "blueprints/ema_trend.yaml"), "--html", "-o", str(page)]) == 0
    _open(browser, page)
    node = browser.find_element(By.ID, "graph").find_element(
        By.XPATH,
        ".//*[local-name()='g'][contains(@class,'node')][*[local-name()='title']='ema_detector']",
    )
    ActionChains(browser).move_to_element(node).perform()
    tip = browser.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert "EMADetector" in tip.text and "requires" in tip.text and "periods" in tip.text
    edges = browser.find_elements(By.CSS_SELECTOR, "g.edge, g.node.event")
    target = next(e for e in edges if "OpportunitySignal" in e.text)
    browser.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", target
    )
    panel = browser.find_element(By.ID, "panel").text
    assert "OPPORTUNITY_DETECTED" in panel and "confidence" in panel and "direction" in panel
    browser.save_screenshot(str(ARTIFACTS / "graph_page.png"))
