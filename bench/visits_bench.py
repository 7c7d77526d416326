"""`python -m bench visits` (part of `make bench`): the server's CPU time per fresh visit, every page against the
bare page.

It builds a database (`python -m data build --sample-rows 1000000`), serves the app (`serve.py`) on it and the
bare Streamlit page with one small Plotly chart (bench/browser_bench.py's, the framework's floor), visits every
page once to warm the cache, then drives headless Chromium in rounds: for each page of the registry
(ui/pages_registry.py), a batch of fresh browser contexts on the bare page, then a batch on the page. Each visit
waits until the page has settled (bench/browser_bench.py's clock in the page). Before and after each batch it
reads the server process's CPU time (user + system, every thread: /proc/PID/stat), after a pause for the
closed sessions to be let go.

Per page: CPU seconds per visit (the median over the rounds' batches) and its ratio to the bare page's median.
CPU time is what limits how many people one replica serves; other work on the machine moves it far less than
wall-clock time. Target (issue 23): every page within 1.3x the bare page.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.browser_bench import (
    BARE_PAGE,
    CHROMIUM,
    LOCAL_TOKEN,
    build_database,
    launch_chromium,
    peak_rss_mb,
    server,
    visit,
)
from ui import pages_registry as registry

PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE_LINES = 1_000_000
VISITS_PER_BATCH = int(os.environ.get("BENCH_VISITS_PER_BATCH", "3"))
ROUNDS = int(os.environ.get("BENCH_VISITS_ROUNDS", "3"))
TARGET_RATIO = 1.3
LET_GO_S = 1.0  # after a batch's last context closes, for the server to end its session
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def page_path(info: registry.PageInfo) -> str:
    """The page's address under the server: the Overview is the default page, at `/`."""
    return "" if info is registry.OVERVIEW else info.url_path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far, all its threads together."""
    # The command name (field 2) is in parentheses and may hold spaces: count the fields after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def batch(browser, url: str, pid: int, expected_charts: int, visits: int) -> float:
    """CPU seconds of the server per fresh visit to `url`, over `visits` visits one after another."""
    time.sleep(LET_GO_S)
    before = cpu_seconds(pid)
    for _ in range(visits):
        visit(browser, url, expected_charts)
    time.sleep(LET_GO_S)
    return (cpu_seconds(pid) - before) / visits


def run(pages: list[registry.PageInfo], rounds: int, visits: int) -> dict:
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    started = time.perf_counter()
    results: dict = {"bare": [], "pages": {info.title: {"cpu_s": [], "charts": 0} for info in pages}}
    with tempfile.TemporaryDirectory(prefix="finance-visits-bench-") as folder, ExitStack() as stack:
        folder_path = Path(folder)
        bare_script = folder_path / "bare_page.py"
        bare_script.write_text(BARE_PAGE)
        bare_url, bare_pid = stack.enter_context(server(bare_script, dict(os.environ), folder_path / "bare.log"))
        db = folder_path / "bench.duckdb"
        print(f"building {SAMPLE_LINES:,} sample lines ...", flush=True)
        results["build_s"] = round(build_database(db, SAMPLE_LINES), 1)
        env = {**os.environ, "FINANCE_DB": str(db), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
        app_url, app_pid = stack.enter_context(server(PROJECT_DIR / "serve.py", env, folder_path / "app.log"))
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)
        # Warm-up, not measured: each server's first session (imports, the first st.navigation), every page's
        # figures into the cache, and how many charts each page draws.
        visit(browser, bare_url, None)
        expected = {info.title: visit(browser, f"{app_url}/{page_path(info)}", None)["charts"] for info in pages}
        for number in range(rounds):
            print(f"round {number + 1}/{rounds} ...", flush=True)
            for info in pages:
                results["bare"].append(batch(browser, bare_url, bare_pid, 1, visits))
                page = results["pages"][info.title]
                page["cpu_s"].append(
                    batch(browser, f"{app_url}/{page_path(info)}", app_pid, expected[info.title], visits)
                )
                page["charts"] = expected[info.title]
        results["server_peak_rss_mb"] = {"bare": peak_rss_mb(bare_pid), "app": peak_rss_mb(app_pid)}
    results["load_average"] = {"start": load_start, "end": os.getloadavg()}
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    results["rounds"] = rounds
    results["visits_per_batch"] = visits
    return results


def report(results: dict) -> str:
    load = results["load_average"]
    bare = statistics.median(results["bare"])
    lines = [
        f"Server CPU per fresh visit ({platform.machine()}, {os.cpu_count()} cores, headless Chromium, "
        f"{results['rounds']} rounds of {results['visits_per_batch']} fresh visits per page, each batch after one "
        f"of the bare page; {results['minutes']} min). Load average at the start "
        f"{', '.join(f'{x:.1f}' for x in load['start'])}; at the end {', '.join(f'{x:.1f}' for x in load['end'])}.",
        f"Database: `python -m data build --sample-rows {SAMPLE_LINES}` ({results['build_s']} s), cache warm.",
        "",
        f"Bare Streamlit page, one Plotly chart: {bare:.3f} s per visit "
        f"(batches {min(results['bare']):.3f}–{max(results['bare']):.3f}).",
        "",
        "| page | charts | server CPU s per visit, median (batches) | × bare | within 1.3× |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for title, page in results["pages"].items():
        median = statistics.median(page["cpu_s"])
        batches = ", ".join(f"{x:.3f}" for x in page["cpu_s"])
        ratio = median / bare
        lines.append(
            f"| {title} | {page['charts']} | {median:.3f} ({batches}) | {ratio:.2f}× | "
            f"{'yes' if ratio <= TARGET_RATIO else 'no'} |"
        )
    memory = results["server_peak_rss_mb"]
    lines += ["", f"Server peak memory (VmHWM): app {memory['app']} MB, bare page {memory['bare']} MB."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Every page under `python -m bench`; `python -m bench.visits_bench action_plan overview` for some."""
    argv = argv or []
    if not CHROMIUM.exists():
        print("Debian chromium is not installed (make chromium); skipping the visits benchmark.")
        return 0
    pages = [info for info in registry.PAGES if not argv or info.url_path in argv]
    results = run(pages, ROUNDS, VISITS_PER_BATCH)
    print()
    print(report(results))
    print()
    print("raw results:", json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
