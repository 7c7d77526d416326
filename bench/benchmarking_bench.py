"""`python -m bench benchmarking` (part of `make bench`): one year's RS workbook of 450 authorities, loaded
through `python -m data load`, and the Benchmarking page drawn.

Three workbooks (2017-18 to 2019-20, the published layouts of bench/rs_workbook.py) of 450 authorities each:
Dorset Council, its 15 nearest neighbours and 434 made-up authorities (values generated, never real). Each
is loaded in its own process (wall time and that process's peak memory), after the neighbours list; then,
in another process, the page for Dorset Council in 2019/20 is run under AppTest (first run and reruns),
and its metrics and eight charts are timed on their own.

Run it with nothing else busy: the figures are wall-clock times on this machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
YEARS = ("2017-18", "2018-19", "2019-20")
AUTHORITIES = 450
ROUNDS = 5


def _workbooks(folder: Path) -> list[Path]:
    from bench.rs_workbook import Authority, rs_workbook, synthetic_authorities
    from data.authorities import COUNCIL_CODE, NEIGHBOURS_FILE

    codes = [COUNCIL_CODE] + [line.split(",")[1] for line in NEIGHBOURS_FILE.read_text().splitlines()[1:]]
    paths = []
    for offset, year in enumerate(YEARS):
        made_up = synthetic_authorities(AUTHORITIES, seed=offset + 1)
        named = [
            Authority(a.ecode, code, f"Neighbour {code}" if code != COUNCIL_CODE else "Dorset Council", "UA", a.values)
            for a, code in zip(made_up, codes, strict=False)
        ]
        path = folder / f"RS_{year}_data_by_LA.xlsx"
        path.write_bytes(rs_workbook(year, named + made_up[len(codes) :], layout=offset))
        paths.append(path)
    return paths


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _load(db: Path, path: Path, kind: str) -> dict:
    """`python -m data load` in its own process: its time in the load, the process's wall time, its peak memory."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", LOAD_CHILD, str(db), str(path), kind],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode:
        raise RuntimeError(f"load of {path.name} failed:\n{result.stderr[-3000:]}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return {"file": path.name, "wall_s": round(time.perf_counter() - started, 2), **out}


LOAD_CHILD = """
import json, sys, time
from data.__main__ import main
started = time.perf_counter()
status = main(["load", sys.argv[2], "--kind", sys.argv[3], "--db", sys.argv[1]])
took = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"status": status, "load_s": round(took, 2), "peak_rss_mb": round(peak, 1)}))
sys.exit(status)
"""


def _page(db: Path) -> dict:
    os.environ["FINANCE_DB"] = str(db)
    import duckdb
    from streamlit.testing.v1 import AppTest

    from charts import benchmarking as charts
    from metrics.benchmarking import INDICATORS, benchmark

    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        with duckdb.connect(str(db), read_only=True) as conn:
            result = benchmark(conn, "E06000059", "2019/20")
        for indicator in INDICATORS:
            charts.dot_strip_chart(result, indicator.key)
            charts.trend_chart(result, indicator.key)
        times.append((time.perf_counter() - started) * 1000)
    frame = (
        "import streamlit as st\nfrom ui import sidebar\n"
        "navigation = st.navigation([st.Page({page!r}, default=True)])\nsidebar.render()\nnavigation.run()\n"
    )
    at = AppTest.from_string(frame.format(page=str(PROJECT_DIR / "pages" / "benchmarking.py")), default_timeout=300)
    at.query_params["authority"] = "E06000059"
    at.query_params["year"] = "2019/20"
    started = time.perf_counter()
    at.run()
    first = (time.perf_counter() - started) * 1000
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    reruns = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        at.run()
        reruns.append((time.perf_counter() - started) * 1000)
    return {
        "metrics_and_8_charts_ms": round(statistics.median(times), 1),
        "page_first_run_ms": round(first, 1),
        "page_rerun_median_ms": round(statistics.median(reruns), 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--page":
        print(json.dumps(_page(Path(sys.argv[2]))))
        return 0
    from data.authorities import NEIGHBOURS_FILE
    from data.build import build

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        build(db, sample_rows=0, built_by="bench", force=True)
        loads = [_load(db, NEIGHBOURS_FILE, "neighbours")]
        loads += [_load(db, path, "returns") for path in _workbooks(Path(folder))]
        result = subprocess.run(
            [sys.executable, "-m", "bench.benchmarking_bench", "--page", str(db)],
            cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode:
            print(result.stderr[-3000:], file=sys.stderr)
            return 1
        page = json.loads(result.stdout.strip().splitlines()[-1])
    print("| file | load (in-process) s | process wall s | peak RSS MB |")
    print("| --- | --- | --- | --- |")
    for entry in loads:
        print(f"| {entry['file']} | {entry['load_s']} | {entry['wall_s']} | {entry['peak_rss_mb']} |")
    print(
        f"page (Dorset Council, 2019/20, {AUTHORITIES} authorities a year): metrics + 8 charts "
        f"{page['metrics_and_8_charts_ms']} ms (median of {ROUNDS}); AppTest first run {page['page_first_run_ms']} ms, "
        f"rerun median {page['page_rerun_median_ms']} ms; peak RSS {page['peak_rss_mb']} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
