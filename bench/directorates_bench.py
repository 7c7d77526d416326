"""`python -m bench directorates` (part of `make bench`): the Directorates page at 1M and 10M snapshot lines.

For each size it builds a database (sample period-close snapshots P1-P12 from `data.sample.generate`;
the 10M one copies the 1M lines nine more times in SQL under new cost-centre codes, in period order),
then, each in its own process:

- metrics: the calls one page run makes (sidebar and Directorates page), each opening the database
  as the app does, timed over repeated directorate changes: median and p95 per call and per run;
- pandas: the naive baseline, reading the whole table into pandas and computing the same figures;
- app: the real page under Streamlit's AppTest, changing directorate in the sidebar; its peak memory.

Run it with nothing else busy: the figures are wall-clock times on this machine.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SIZES = {"1M": 1_000_000, "10M": 10_000_000}
SELECTIONS = [["Adults & Housing"], ["Children's Services"], ["Place"], ["Corporate Development"],
              ["Central budgets"], []]  # fmt: skip
YEAR = "2020/21"
DRILL_SERVICE = {
    "Adults & Housing": "Adult Care & Support",
    "Children's Services": "Care & Protection",
    "Place": "Highways",
    "Corporate Development": "ICT",
    "Central budgets": "Capital financing",
}


def build(path: Path, lines: int) -> float:
    import duckdb

    from data.build import build as build_db

    started = time.perf_counter()
    base = min(lines, 1_000_000)
    build_db(path, sample_rows=base, built_by="bench", force=True)
    copies = lines // base - 1
    if copies:
        with duckdb.connect(str(path)) as conn:
            conn.execute(
                """
                INSERT INTO monitoring
                SELECT fiscal_year, period, directorate, service, cost_centre || '-R' || copy,
                       annual_budget_gbp, actual_ytd_gbp, forecast_outturn_gbp, basis, load_id
                FROM monitoring, range(1, $copies + 1) AS c(copy)
                ORDER BY period
                """,
                {"copies": copies},
            )
            conn.execute("CHECKPOINT")
    return time.perf_counter() - started


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1), "n": len(ordered)}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_metrics(db: Path, rounds: int) -> dict:
    """The metrics calls of one sidebar + Directorates page run, per directorate change."""
    from data.db import connect
    from data.load import directorate_aliases as aliases
    from metrics import monitoring
    from metrics.figures import source_documents
    from metrics.loads import last_data_change

    calls: dict[str, dict[str, list[float]]] = {"one": {}, "all": {}}
    cpu: dict[str, dict[str, list[float]]] = {"one": {}, "all": {}}
    runs: dict[str, list[float]] = {"one": [], "all": []}
    group = "one"

    def timed(name, function, *args, **kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        calls[group].setdefault(name, []).append((time.perf_counter() - started) * 1000)
        cpu[group].setdefault(name, []).append((time.process_time() - cpu_started) * 1000)
        return result

    for _ in range(rounds):
        for chosen in SELECTIONS:
            group = "one" if chosen else "all"
            started = time.perf_counter()
            with ExitStack() as stack:
                conn = timed("connect", stack.enter_context, connect(db, read_only=True))
                timed("sidebar: sources, loads, directorates", lambda c: (source_documents(c), last_data_change(c),
                      monitoring.directorate_names(c), aliases(c)), conn)  # fmt: skip
                years = timed("years", monitoring.years, conn)
                held = timed("periods", monitoring.periods, conn, fiscal_year=YEAR)
                period = held[-1] if years.size else 12
                previous = monitoring.previous_period(held, period)
                filters = {"fiscal_year": YEAR, "period": period, "previous": previous, "directorates": chosen}
                timed("monitoring_table (directorates)", monitoring.monitoring_table, conn, **filters)
                timed("council_total", monitoring.council_total, conn, **filters)
                timed("drift", monitoring.drift, conn, fiscal_year=YEAR, directorates=chosen)
                timed("monitoring_table (15 largest cost centres)", monitoring.monitoring_table, conn, **filters,
                      level="cost_centre", limit=15)  # fmt: skip
                drilled = chosen[0] if chosen else "Place"
                drill = {"fiscal_year": YEAR, "period": period, "previous": previous, "directorate": drilled}
                timed("monitoring_table (services of one directorate)", monitoring.monitoring_table, conn, **drill,
                      level="service")  # fmt: skip
                timed("monitoring_table (cost centres of one service, 200)", monitoring.monitoring_table, conn,
                      **drill, level="cost_centre", service=DRILL_SERVICE[drilled], limit=200)  # fmt: skip
                timed("savings", lambda c, d: (monitoring.savings_snapshots(c), monitoring.savings_by_directorate(
                    c, fiscal_year="2021/22", period=6, directorates=d), monitoring.savings_schemes(
                    c, fiscal_year="2021/22", period=6, directorates=d)), conn, chosen)  # fmt: skip
            runs[group].append((time.perf_counter() - started) * 1000)
    return {
        "calls": {g: {name: summary(samples) for name, samples in c.items()} for g, c in calls.items()},
        "cpu": {g: {name: summary(samples) for name, samples in c.items()} for g, c in cpu.items()},
        "page_run": {g: summary(samples) for g, samples in runs.items()},
        "peak_rss_mb": peak_rss_mb(),
    }


def run_pandas(db: Path, rounds: int) -> dict:
    """Naive baseline: the whole table in pandas, then the same figures with pandas per change."""
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as conn:
        frame = conn.execute("SELECT * FROM monitoring").df()
    for column in ("annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp"):
        frame[column] = frame[column].astype(float)
    frame["variance"] = frame["forecast_outturn_gbp"] - frame["annual_budget_gbp"]
    read_ms = (time.perf_counter() - started) * 1000
    calls: dict[str, dict[str, list[float]]] = {"one": {}, "all": {}}
    group = "one"

    def timed(name, function):
        started = time.perf_counter()
        function()
        calls[group].setdefault(name, []).append((time.perf_counter() - started) * 1000)

    period = int(frame["period"].max())
    for _ in range(rounds):
        for chosen in SELECTIONS:
            group = "one" if chosen else "all"
            started = time.perf_counter()
            subset = frame[(frame["fiscal_year"] == YEAR) & frame["period"].isin([period, period - 1])]
            if chosen:
                subset = subset[subset["directorate"].isin(chosen)]
            calls[group].setdefault("filter", []).append((time.perf_counter() - started) * 1000)
            timed("monitoring_table (directorates)", lambda s=subset: s.groupby(["directorate", "period"])[
                ["annual_budget_gbp", "forecast_outturn_gbp", "variance"]].sum())  # fmt: skip
            timed("council_total", lambda s=subset: s.groupby("period")[["annual_budget_gbp", "variance"]].sum())
            timed("drift", lambda c=chosen: (frame if not c else frame[frame["directorate"].isin(c)]).groupby(
                ["directorate", "period"])["variance"].sum())  # fmt: skip
            timed("monitoring_table (15 largest cost centres)", lambda s=subset: s[s["period"] == period].groupby(
                "cost_centre")["variance"].sum().abs().nlargest(15))  # fmt: skip
    return {
        "read_whole_table_ms": round(read_ms, 1),
        "calls": {g: {name: summary(samples) for name, samples in c.items()} for g, c in calls.items()},
        "peak_rss_mb": peak_rss_mb(),
    }


APP_FRAME = """
import streamlit as st
from ui import sidebar
navigation = st.navigation([st.Page({page!r}, default=True)])
sidebar.render()
navigation.run()
"""


def run_app(db: Path, rounds: int) -> dict:
    """The real sidebar and Directorates page under AppTest, changing directorate; peak memory."""
    os.environ["FINANCE_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    from ui.filters import DIRECTORATE_KEY

    at = AppTest.from_string(
        APP_FRAME.format(page=str(PROJECT_DIR / "pages" / "directorates.py")), default_timeout=300
    ).run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    runs = []
    for _ in range(rounds):
        for chosen in SELECTIONS:
            started = time.perf_counter()
            # A whole page run: AppTest's tree after a fragment rerun holds only the fragment (no sidebar).
            at.session_state[DIRECTORATE_KEY] = chosen
            at.run()
            runs.append((time.perf_counter() - started) * 1000)
            if at.exception:
                raise RuntimeError(at.exception[0].message)
    return {"page_run_apptest": summary(runs), "peak_rss_mb": peak_rss_mb()}


def run_child(module: str, args: list[str], env: dict[str, str] | None = None) -> dict:
    """`python -m module args...` in its own process; its last output line is the JSON result."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"bench {module} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def child(mode: str, db: Path, rounds: int) -> dict:
    return run_child("bench.directorates_bench", ["--child", mode, str(db), str(rounds)])


def _cell(stats: dict | None) -> str:
    return f"{stats['median_ms']} / {stats['p95_ms']}" if stats else ""


def report(results: dict) -> str:
    lines = [
        f"Directorate change on the Directorates page ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}). Times in ms, median / p95.",
        "",
        "| lines | call | DuckDB, one directorate | (CPU) | DuckDB, all directorates | (CPU) | "
        "pandas, one directorate | pandas, all directorates |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, result in results.items():
        duck, naive, cpu = result["metrics"]["calls"], result["pandas"]["calls"], result["metrics"]["cpu"]
        for name in duck["one"]:
            lines.append(
                f"| {size} | {name} | {_cell(duck['one'][name])} | {_cell(cpu['one'][name])} | "
                f"{_cell(duck['all'][name])} | {_cell(cpu['all'][name])} | "
                f"{_cell(naive['one'].get(name))} | {_cell(naive['all'].get(name))} |"
            )
        lines.append(
            f"| {size} | pandas: filter the in-memory table | | | | | {_cell(naive['one']['filter'])} | "
            f"{_cell(naive['all']['filter'])} |"
        )
        runs = result["metrics"]["page_run"]
        lines.append(
            f"| {size} | **all the calls of one page run** | {_cell(runs['one'])} | | {_cell(runs['all'])} | | | |"
        )
        lines.append(
            f"| {size} | pandas: read the whole table first (once) | | | | | "
            f"{result['pandas']['read_whole_table_ms']} | |"
        )
    lines += [
        "",
        "| lines | build s | app page run under AppTest, median / p95 ms | app peak RSS MB | "
        "metrics process peak RSS MB | pandas process peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, result in results.items():
        app = result["app"]
        lines.append(
            f"| {size} | {result['build_s']:.0f} | {_cell(app['page_run_apptest'])} | {app['peak_rss_mb']} | "
            f"{result['metrics']['peak_rss_mb']} | {result['pandas']['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Both sizes when run by `python -m bench`; `python -m bench.directorates_bench 1M` for one."""
    argv = argv or []
    if argv and argv[0] == "--child":
        mode, db, rounds = argv[1], Path(argv[2]), int(argv[3])
        function = {"metrics": run_metrics, "pandas": run_pandas, "app": run_app}[mode]
        print(json.dumps(function(db, rounds)))
        return 0
    sizes = argv or list(SIZES)
    results = {}
    with tempfile.TemporaryDirectory(prefix="finance-bench-") as folder:
        for size in sizes:
            db = Path(folder) / f"bench-{size}.duckdb"
            print(f"building {size} lines ...", flush=True)
            build_s = build(db, SIZES[size])
            big = SIZES[size] > 1_000_000
            results[size] = {
                "build_s": build_s,
                "metrics": child("metrics", db, 5 if big else 10),
                "pandas": child("pandas", db, 2 if big else 5),
                "app": child("app", db, 1 if big else 2),
            }
            print(f"{size}: done", flush=True)
            db.unlink()
    print()
    print(report(results))
    print()
    print("raw results:", json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
