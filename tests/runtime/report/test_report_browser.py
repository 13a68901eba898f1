"""The report and the wiring page in headless Chromium (no downloads: /usr/bin/chromium).

Skipped when Chromium, chromedriver or selenium are missing (`.ci/run` installs the
Debian ``chromium`` and ``chromium-driver`` packages). Screenshots go to
``tests/runtime/report/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stc.commands.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parents[3]
HANG = 30_000
"""ms: a page that takes longer has hung (timings are benchmarks/report_open.py's)."""
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


def _charts_drawn(browser: Any) -> None:
    """Every chart container holds lightweight-charts' canvases, really painted."""
    from selenium.webdriver.common.by import By

    for box in browser.find_elements(By.CSS_SELECTOR, "div.lwc"):
        assert box.size["width"] > 300 and box.size["height"] > 100
        canvases = box.find_elements(By.TAG_NAME, "canvas")
        assert canvases, box.get_attribute("id")
        painted = browser.execute_script(
            """var best=0;arguments[0].querySelectorAll('canvas').forEach(function(c){
              if(!c.width||!c.height)return;var d=c.getContext('2d')
                .getImageData(0,0,c.width,c.height).data,n=0;
              for(var i=3;i<d.length;i+=4*17)if(d[i]>0&&(d[i-3]<240||d[i-2]<240))n++;
              best=Math.max(best,n);});return best;""",
            box,
        )
        assert painted > 200, (box.get_attribute("id"), painted)


def test_report_renders_and_loads_fast(browser: Any, reference_run: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")  # a first, cold load warms the browser
    load_ms = _open(browser, reference_run / "report.html")
    assert 0 < load_ms < HANG, f"report.html took {load_ms:.0f} ms to load"
    ids = {b.get_attribute("id") for b in browser.find_elements(By.CSS_SELECTOR, "div.lwc")}
    assert ids == {"price-chart", "equity-chart", "drawdown-chart"}
    _charts_drawn(browser)
    assert len(browser.execute_script("return window.stcReport.markers()")) == 2 * 46
    months = browser.find_elements(By.CSS_SELECTOR, "table.monthly tbody tr")
    assert [m.find_element(By.TAG_NAME, "th").text for m in months] == ["2017", "2018"]
    assert len(browser.find_elements(By.CSS_SELECTOR, "tbody.trade")) == 46
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_top.png"))


_CARD_LINES = """return Array.from(document.querySelectorAll('.metric')).map(function(card){
  function lines(el){var r=document.createRange();r.selectNodeContents(el);
    return r.getClientRects().length;}
  var k=card.querySelector('.k'),v=card.querySelector('.v');
  return [card.dataset.key,lines(k),lines(v),v.scrollWidth>v.clientWidth];});"""


@pytest.mark.parametrize("width", [1366, 1920])
def test_every_metric_card_fits_on_one_line(browser: Any, reference_run: Path, width: int) -> None:
    """At a laptop's and a desktop's width each metric card shows its label and its
    value on one line each, uncut: the largest-gap timestamps included (they wrapped)."""
    browser.set_window_size(width, 1000)
    try:
        _open(browser, reference_run / "report.html")
        cards = browser.execute_script(_CARD_LINES)
    finally:
        browser.set_window_size(1400, 1000)
    keys = {key for key, *_ in cards}
    assert {"largest_gap_from", "largest_gap_to"} <= keys
    assert [c for c in cards if c[1:] != [1, 1, False]] == []


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
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-selected") == trade_id
    marked = browser.execute_script("return window.stcReport.markers()")
    lit = [m["id"] for m in marked if m["color"] == "#f59e0b"]
    assert lit == [f"{trade_id}|e", f"{trade_id}|x"]  # its entry and exit stand out
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

    assert len(pnls()) == 46 and pnls() == sorted(pnls())
    header.click()
    assert pnls() == sorted(pnls(), reverse=True)


def test_marker_click_opens_its_trade(browser: Any, reference_run: Path) -> None:
    """A real mouse click on an entry arrow of the price chart opens that trade."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    _open(browser, reference_run / "report.html")
    chart = browser.find_element(By.ID, "price-chart")
    browser.execute_script("arguments[0].scrollIntoView({block:'center'})", chart)
    marker = browser.execute_script("return window.stcReport.markers()[8]")
    trade_id = marker["id"].split("|")[0]
    spot = browser.execute_script(
        """var r=window.stcReport,c=r.charts[0],s=r.series(),m=arguments[0];
        var bar=s.data().find(function(b){return b.time===m.time;});
        var box=document.getElementById('price-chart').getBoundingClientRect();
        return [c.timeScale().timeToCoordinate(m.time),
                s.priceToCoordinate(m.position==='belowBar'?bar.low:bar.high),
                box.width/2, box.height/2];""",
        marker,
    )
    x, y, half_w, half_h = spot
    step = 1 if marker["position"] == "belowBar" else -1
    for dy in range(4, 40, 2):  # the arrow sits a few pixels past the bar's wick
        ActionChains(browser).move_to_element_with_offset(
            chart, int(x - half_w), int(y + step * dy - half_h)
        ).click().perform()
        opened = browser.find_elements(By.CSS_SELECTOR, "tbody.trade.open")
        if opened:
            break
    assert opened and opened[0].get_attribute("data-trade") == trade_id
    assert opened[0].find_element(By.CSS_SELECTOR, "tr.chain").is_displayed()


def test_a_long_busy_run_opens_with_pages(browser: Any, tmp_path: Path) -> None:
    """Issue 23: the report of a long run with 10k trades (here 100k bars; the 1M-bar
    page has the same bounded size) loads, draws and pages. Its opening time is
    measured by benchmarks/report_open.py (docs/performance.md), not asserted here."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from stc.runtime.report import write_report
    from tests.runtime.report.synthetic_run import write_run

    run_dir, data = write_run(tmp_path / "run", bars=100_000, trades=10_000)
    page = write_report(run_dir, data=data)
    assert page.stat().st_size < 5_000_000
    _open(browser, page)
    load_ms = _open(browser, page)
    assert 0 < load_ms < HANG, f"report.html took {load_ms:.0f} ms to load"
    _charts_drawn(browser)
    assert len(browser.find_elements(By.CSS_SELECTOR, "tbody.trade")) == 100
    pager = browser.find_element(By.CSS_SELECTOR, "nav.pager")
    assert re.search(r"trades 1–100 of \d{4} \(page 1 of \d\d\)", pager.text), pager.text
    pager.find_element(By.CSS_SELECTOR, "button[data-go='1']").click()
    first = browser.find_element(By.CSS_SELECTOR, "tbody.trade")
    assert first.get_attribute("data-trade") == "TRD_000100"
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.monthly tbody tr")) == 12
    hint = browser.find_element(By.ID, "marker-hint")
    assert re.search(r"\d{4,} trade markers in view: zoom in", hint.text), hint.text
    assert browser.execute_script("return window.stcReport.markers().length") == 0
    browser.execute_script(  # a month of 100k hourly bars: ~72 trades in view
        """var ts=window.stcReport.charts[0].timeScale(),r=ts.getVisibleRange();
        ts.setVisibleRange({from:r.from,to:r.from+30*86400});"""
    )
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return window.stcReport.markers().length") > 0
    )
    zoomed = browser.execute_script("return window.stcReport.markers().length")
    assert 0 < zoomed <= 1500 and not hint.text
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert not errors
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_long_run.png"))


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
