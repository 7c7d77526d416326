"""`python -m bench browser` (part of `make bench`, not `make test`): the speed a person feels, in Chromium.

It builds two databases with `python -m data build --sample-rows N` (1M and 10M sample monitoring lines),
serves the app on each (`streamlit run serve.py` on a loopback port) and a bare Streamlit page that draws one
small Plotly chart (the framework's floor), and drives them with headless Chromium (Debian's, through
Playwright), each visit in a fresh browser context. Visits alternate: for every page of the app, a visit to
the bare page, then the page at each size, and round again. It measures:

- per page: time from navigation to the first drawn chart, and to every chart drawn with the script
  finished ("settled"), read from a clock inside the page;
- on the Directorates page: a directorate chosen (or cleared) in the sidebar until the first chart shows it,
  and until the page settles, beside the same change on a bare page with a filter (BARE_FILTER_PAGE, the
  framework's floor for it); the period close changed until the first chart shows it;
- on the Action plan: "Record update" clicked until the note is in the history table;
- the load average at the start and end, and each server's peak memory.

Medians, p95 and the ratio to the bare page. The machine is shared: the ratios, measured side by side,
are the figures to compare; absolute times move with the load.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.serving import free_port, start_server, stop
from ui.identity import local_token_script

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SIZES = {"1M": 1_000_000, "10M": 10_000_000}
# Local mode serves only a browser that brings the server's token (ui.identity); every context here does.
LOCAL_TOKEN = secrets.token_urlsafe(24)
REPETITIONS = int(os.environ.get("BENCH_BROWSER_REPS", "7"))
SETTLE_QUIET_MS = 1500  # a page counts as settled once it has stayed complete this long
TIMEOUT_MS = 120_000

# (url path, what to call it) of the pages that draw charts; the bare page is measured before each of them.
# Data & sources and Briefing pack draw none and are left out to keep a run short.
PAGES = [
    ("", "Overview"),
    ("budget_outturn", "Budget & outturn"),
    ("reserves", "Reserves"),
    ("dsg", "DSG & high needs"),
    ("action_plan", "Action plan"),
    ("directorates", "Directorates"),
]

BARE_PAGE = """
import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), theme=None)
"""

# The framework's floor for a directorate change: a sidebar box whose change reruns one fragment that
# draws one small chart titled as the Directorates page's first chart is (the same waits find it).
BARE_FILTER_PAGE = """
import plotly.graph_objects as go
import streamlit as st


def rerun_view():
    st.rerun("view")


st.sidebar.multiselect(
    "Directorate", ["Place", "People", "Corporate"], key="chosen", on_change=rerun_view,
    placeholder="All directorates",
)
st.title("Bare page with a filter")


@st.fragment(key="view")
def view():
    scope = ", ".join(st.session_state.get("chosen") or []) or "all directorates"
    figure = go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2]), layout_title_text=f"£m, {scope}, 2020/21")
    st.plotly_chart(figure, theme=None)


view()
"""

# Runs in every page before its own scripts: samples the page every 10 ms on the page's own clock
# (performance.now(), 0 = navigation start). Complete = the script finished and at least EXPECTED charts
# drawn (Plotly's code loads lazily, so a page can look finished before its first chart exists).
PAGE_CLOCK = """
window.__bench = {first: null, complete: null, hit: null, expected: EXPECTED, changed: 0};
// Not a change: a screen reader's announcement ("6 options available.", which a multiselect clears about a
// second after it closes), drawn nowhere.
const drawn = (record) => {
  const element = record.target.nodeType === 1 ? record.target : record.target.parentElement;
  return !(element && element.closest('[aria-live]'));
};
new MutationObserver((records) => { if (records.some(drawn)) window.__bench.changed = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
setInterval(() => {
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  let drawn = 0;
  for (const chart of charts) if (chart.querySelector('.main-svg')) drawn++;
  const running = !!document.querySelector('[data-testid="stStatusWidget"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const now = performance.now();
  if (drawn && window.__bench.first === null) window.__bench.first = now;
  const complete = !running && !!main && main.querySelectorAll('*').length > 10 && drawn === charts.length
    && drawn >= window.__bench.expected;
  if (!complete) window.__bench.complete = null;
  else if (window.__bench.complete === null) window.__bench.complete = now;
}, 10);
"""

SETTLED = """
(quiet) => window.__bench.complete !== null && performance.now() - window.__bench.complete > quiet
  && performance.now() - window.__bench.changed > quiet
"""

# True once the first chart's text contains `text`; remembers when (page clock).
FIRST_CHART_SHOWS = """
(text) => {
  const chart = document.querySelector('[data-testid="stPlotlyChart"] .main-svg');
  const shown = !!chart && chart.closest('[data-testid="stPlotlyChart"]').textContent.includes(text);
  if (shown && window.__bench.hit === null) window.__bench.hit = performance.now();
  return shown;
}
"""

GRID_SHOWS = """
(text) => {
  const shown = [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')]
    .some(cell => cell.textContent.includes(text));
  if (shown && window.__bench.hit === null) window.__bench.hit = performance.now();
  return shown;
}
"""


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {}
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered)), "p95_ms": round(p95), "n": len(ordered)}


def build_database(path: Path, lines: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "data", "build", "--db", str(path), "--sample-rows", str(lines), "--force"],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


@contextmanager
def server(script: Path, env: dict[str, str], log_path: Path):
    """`streamlit run script` on a free loopback port; yields (url, pid)."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = start_server(command, env, port, log_path, timeout=120)
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop(process)


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def settle(page, quiet_ms: int = SETTLE_QUIET_MS) -> None:
    page.wait_for_function(SETTLED, arg=quiet_ms, timeout=TIMEOUT_MS, polling=50)


@contextmanager
def fresh_page(browser, expected_charts: int = 0):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(local_token_script(LOCAL_TOKEN))
    context.add_init_script(PAGE_CLOCK.replace("EXPECTED", str(expected_charts)))
    try:
        yield context.new_page()
    finally:
        context.close()


def visit(browser, url: str, expected_charts: int | None) -> dict[str, float | None]:
    """A cold visit in a fresh context: ms to the first drawn chart and to settled, on the page's clock.

    With expected_charts None (the warm-up) it waits longer and counts the charts drawn.
    """
    with fresh_page(browser, expected_charts or 0) as page:
        page.goto(url)
        settle(page, SETTLE_QUIET_MS if expected_charts is not None else 4 * SETTLE_QUIET_MS)
        clock = page.evaluate("() => window.__bench")
        charts = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
            ".filter(chart => chart.querySelector('.main-svg')).length"
        )
        main = page.inner_text("[data-testid='stMain']")
    if "Something went wrong" in main or "Traceback" in main:
        raise RuntimeError(f"{url} showed an error: {main[:500]}")
    return {"first_ms": clock["first"], "settled_ms": clock["complete"], "charts": charts}


def _mark(page) -> None:
    page.evaluate("() => { window.__bench.hit = null; window.__bench.mark = performance.now(); }")


def _since_mark(page) -> tuple[float, float]:
    """(ms from the mark to the awaited text, ms from the mark to the page's last change before it settled)."""
    settle(page)
    clock = page.evaluate("() => window.__bench")
    return clock["hit"] - clock["mark"], max(clock["hit"], clock["changed"]) - clock["mark"]


def directorate_changes(browser, url: str, charts: int, results: dict) -> None:
    """Choose Place in the sidebar, then clear it; then the period close: each until the first chart shows it."""
    with fresh_page(browser, charts) as page:
        page.goto(f"{url}/directorates")
        settle(page)
        choose_and_clear(page, results)
        period_box = page.get_by_test_id("stSelectbox").filter(has_text="Period close")
        for label in ("P6 (Sep)", "P12 (Mar)"):
            period_box.locator("input").click()
            page.keyboard.type(label.split()[0])
            page.get_by_role("option", name=label, exact=True).wait_for()
            _mark(page)
            page.keyboard.press("Enter")
            shows = f"2020/21 at {label.split()[0]}"
            page.wait_for_function(FIRST_CHART_SHOWS, arg=shows, timeout=TIMEOUT_MS, polling="raf")
            chart_ms, settled_ms = _since_mark(page)
            results["period_chart"].append(chart_ms)
            results["period_settled"].append(settled_ms)


def bare_directorate_changes(browser, url: str, results: dict) -> None:
    """The same two changes on the bare page with a filter (BARE_FILTER_PAGE)."""
    with fresh_page(browser, 1) as page:
        page.goto(url)
        settle(page)
        choose_and_clear(page, results)


def choose_and_clear(page, results: dict) -> None:
    """Choose Place in the sidebar's directorate box, then clear it, each until the first chart shows it."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input")
    for chosen, text in (("Place", "£m, Place, 2020/21"), (None, "£m, all directorates, 2020/21")):
        box.click()
        option = page.get_by_role("option", name=chosen, exact=True) if chosen else None
        if option is not None:
            option.wait_for()
        _mark(page)
        if option is not None:
            option.click()
        else:
            page.keyboard.press("Backspace")
        page.wait_for_function(FIRST_CHART_SHOWS, arg=text, timeout=TIMEOUT_MS, polling="raf")
        chart_ms, settled_ms = _since_mark(page)
        results["directorate_chart"].append(chart_ms)
        results["directorate_settled"].append(settled_ms)
        page.keyboard.press("Escape")


def action_update(browser, url: str, note: str, results: dict) -> None:
    with fresh_page(browser) as page:
        page.goto(f"{url}/action_plan?rec=9")
        settle(page)
        page.get_by_role("textbox", name="Note").fill(note)
        _mark(page)
        page.get_by_role("button", name="Record update").click()
        page.wait_for_function(GRID_SHOWS, arg=note, timeout=TIMEOUT_MS, polling="raf")
        table_ms, settled_ms = _since_mark(page)
        results["update_table"].append(table_ms)
        results["update_settled"].append(settled_ms)


def launch_chromium(playwright):
    """Debian's headless Chromium, as every browser benchmark drives it."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )


def new_results() -> dict:
    keys = ["directorate_chart", "directorate_settled", "period_chart", "period_settled", "update_table",
            "update_settled", "overview_after_write", "bare_after_write"]  # fmt: skip
    return {"pages": {name: {"first": [], "settled": [], "charts": 0} for name, _ in PAGES}, **{k: [] for k in keys}}


def run(sizes: list[str], repetitions: int) -> dict:
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    started = time.perf_counter()
    results: dict = {
        "sizes": {},
        "bare": {"first": [], "settled": []},
        "bare_filter": {"directorate_chart": [], "directorate_settled": []},
        "build_s": {},
    }
    with tempfile.TemporaryDirectory(prefix="finance-browser-bench-") as folder, ExitStack() as stack:
        folder_path = Path(folder)
        bare_script = folder_path / "bare_page.py"
        bare_script.write_text(BARE_PAGE)
        bare_url, _ = stack.enter_context(server(bare_script, dict(os.environ), folder_path / "bare.log"))
        bare_filter_script = folder_path / "bare_filter_page.py"
        bare_filter_script.write_text(BARE_FILTER_PAGE)
        bare_filter_url, _ = stack.enter_context(
            server(bare_filter_script, dict(os.environ), folder_path / "bare_filter.log")
        )
        apps = {}
        for size in sizes:
            db = folder_path / f"bench-{size}.duckdb"
            print(f"building {size} lines ...", flush=True)
            results["build_s"][size] = round(build_database(db, SIZES[size]), 1)
            env = {**os.environ, "FINANCE_DB": str(db), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
            apps[size] = stack.enter_context(server(PROJECT_DIR / "serve.py", env, folder_path / f"app-{size}.log"))
            results["sizes"][size] = new_results()
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)
        # Warm-up, not timed: each server's first session (Python imports, the first st.navigation), and
        # how many charts each page draws.
        visit(browser, bare_url, None)
        visit(browser, bare_filter_url, None)
        expected = {}
        for size, (url, _) in apps.items():
            visit(browser, url, None)
            for name, _ in PAGES:
                expected[size, name] = visit(browser, f"{url}/{name}", None)["charts"]
        for repetition in range(repetitions):
            print(f"round {repetition + 1}/{repetitions} ...", flush=True)
            for name, _ in PAGES:
                for size, (url, _) in apps.items():
                    bare = visit(browser, bare_url, 1)
                    results["bare"]["first"].append(bare["first_ms"])
                    results["bare"]["settled"].append(bare["settled_ms"])
                    shown = visit(browser, f"{url}/{name}", expected[size, name])
                    page = results["sizes"][size]["pages"][name]
                    if shown["first_ms"] is not None:
                        page["first"].append(shown["first_ms"])
                    page["settled"].append(shown["settled_ms"])
                    page["charts"] = shown["charts"]
            for size, (url, _) in apps.items():
                bare_directorate_changes(browser, bare_filter_url, results["bare_filter"])
                directorate_changes(browser, url, expected[size, "directorates"], results["sizes"][size])
        # Writes last, so that the rounds above measure pages in a steady data version; after each write
        # the Overview is visited once more: the first visit after a write builds its charts afresh.
        for repetition in range(repetitions):
            for size, (url, _) in apps.items():
                result = results["sizes"][size]
                action_update(browser, url, f"Browser bench update {size} round {repetition + 1}", result)
                bare = visit(browser, bare_url, 1)
                result["bare_after_write"].append(bare["first_ms"])
                result["overview_after_write"].append(visit(browser, url, expected[size, ""])["first_ms"])
        for size, (_, pid) in apps.items():
            results["sizes"][size]["server_peak_rss_mb"] = peak_rss_mb(pid)
    results["load_average"] = {"start": load_start, "end": os.getloadavg()}
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    results["repetitions"] = repetitions
    return results


def _cell(samples: list[float]) -> str:
    stats = summary(samples)
    return f"{stats['median_ms']} / {stats['p95_ms']}" if stats else "–"


def _ratio(samples: list[float], bare: list[float]) -> str:
    if not samples or not bare:
        return "–"
    return f"{statistics.median(samples) / statistics.median(bare):.2f}×"


def report(results: dict) -> str:
    load = results["load_average"]
    bare = results["bare"]
    lines = [
        f"Browser benchmark ({platform.machine()}, {os.cpu_count()} cores, headless Chromium, fresh context per visit, "
        f"{results['repetitions']} rounds, {results['minutes']} min). Load average at the start "
        f"{', '.join(f'{x:.1f}' for x in load['start'])}; at the end {', '.join(f'{x:.1f}' for x in load['end'])}.",
        "Databases built with `python -m data build --sample-rows N`: "
        + ", ".join(f"{size} in {seconds} s" for size, seconds in results["build_s"].items())
        + ".",
        "",
        f"Bare Streamlit page, one Plotly chart: first chart {_cell(bare['first'])} ms, "
        f"settled {_cell(bare['settled'])} ms (median / p95).",
        "",
        "| lines | page | charts | first chart ms, median / p95 | × bare | all charts, settled ms | × bare |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, result in results["sizes"].items():
        for name, title in PAGES:
            page = result["pages"][name]
            lines.append(
                f"| {size} | {title} | {page['charts']} | {_cell(page['first'])} | "
                f"{_ratio(page['first'], bare['first'])} | {_cell(page['settled'])} | "
                f"{_ratio(page['settled'], bare['settled'])} |"
            )
    floor = results["bare_filter"]
    lines += [
        "",
        "Bare Streamlit page with a filter (a sidebar box rerunning one fragment that draws one small chart): "
        f"directorate chosen or cleared until the chart shows it {_cell(floor['directorate_chart'])} ms, "
        f"settled {_cell(floor['directorate_settled'])} ms (median / p95).",
        "",
        "| lines | interaction | until the first chart / table shows it, ms median / p95 | until settled, ms |",
        "| --- | --- | ---: | ---: |",
    ]
    for size, result in results["sizes"].items():
        lines += [
            f"| {size} | directorate chosen or cleared (Directorates) | {_cell(result['directorate_chart'])} "
            f"({_ratio(result['directorate_chart'], floor['directorate_chart'])} bare with a filter) | "
            f"{_cell(result['directorate_settled'])} |",
            f"| {size} | period close changed (Directorates) | {_cell(result['period_chart'])} | "
            f"{_cell(result['period_settled'])} |",
            f"| {size} | action update recorded → in the history table | {_cell(result['update_table'])} | "
            f"{_cell(result['update_settled'])} |",
            f"| {size} | Overview's first chart, first visit after that update (bare page just before: "
            f"{_cell(result['bare_after_write'])}) | {_cell(result['overview_after_write'])} "
            f"({_ratio(result['overview_after_write'], result['bare_after_write'])} bare) | |",
        ]
    lines += ["", "Server peak memory (VmHWM): " + ", ".join(
        f"{size} {result['server_peak_rss_mb']} MB" for size, result in results["sizes"].items())]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Both sizes under `python -m bench`; `python -m bench.browser_bench 1M` for one."""
    argv = argv or []
    if not CHROMIUM.exists():
        print("Debian chromium is not installed (make chromium); skipping the browser benchmark.")
        return 0
    results = run(argv or list(SIZES), REPETITIONS)
    print()
    print(report(results))
    print()
    print("raw results:", json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
