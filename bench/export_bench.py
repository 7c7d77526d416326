"""Image export speed: warm (one browser kept running) against cold (a new browser per image), and packs.

    python -m bench export

Targets: median warm image <= 0.3 s; a 10-chart PowerPoint pack <= 3 s (with the browser already warm).
Charts: the catalogue's, cycled to ten; while the catalogue is empty, the two test charts built from the
database. Results are printed and written to bench/results/images.json.
"""

from __future__ import annotations

import itertools
import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from charts.all import load_catalogue
from charts.spec import Chart
from data.build import build
from data.db import database_path
from exports import briefing, images
from metrics.current import current_position
from metrics.figures import source_documents

RESULTS = Path(__file__).parent / "results" / "images.json"
WARM_TARGET_S = 0.3
PACK_TARGET_S = 3.0
PACK_CHARTS = 10
COLD_RUNS = 3


def _charts(path: Path) -> tuple[list[Chart], list[briefing.HeadlineFigure], briefing.PackInfo, str]:
    catalogue = load_catalogue()
    with duckdb.connect(str(path), read_only=True) as conn:
        charts, source = [entry.build(conn) for entry in catalogue.values()], "catalogue"
        headline = briefing.headline_figures(current_position(conn))
        info = briefing.pack_info(source_documents(conn))
    return charts, headline, info, source


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def run(path: Path) -> dict:
    charts, headline, info, source = _charts(path)
    ten = list(itertools.islice(itertools.cycle(charts), PACK_CHARTS))
    figures = [images.export_figure(chart) for chart in ten]

    cold = [_timed(lambda figure=figure: images.render_cold(figure, "png")) for figure in figures[:COLD_RUNS]]

    exporter = images.ImageExporter()
    start = _timed(exporter.start)
    try:
        exporter.render(figures[0], "png")  # the first image after start loads plotly.js in the tab
        warm = {
            fmt: [_timed(lambda f=figure, k=fmt: exporter.render(f, k)) for figure in figures]
            for fmt in ("png", "svg", "pdf")
        }
        items = [briefing.HeadlineSlide(tuple(headline)), *ten]
        pptx = _timed(lambda: briefing.build_pptx(items, info, exporter=exporter))
        pdf = _timed(lambda: briefing.build_pdf(items, info, exporter=exporter))
    finally:
        exporter.stop()

    return {
        "charts": f"{len(charts)} {source}, cycled to {PACK_CHARTS}",
        "cold_png_s": {"median": statistics.median(cold), "runs": cold},
        "browser_start_s": start,
        "warm_s": {fmt: {"median": statistics.median(times), "max": max(times)} for fmt, times in warm.items()},
        "pack_10_charts_pptx_s": pptx,
        "pack_10_charts_pdf_s": pdf,
    }


def main() -> int:
    path = database_path()
    with tempfile.TemporaryDirectory() as scratch:
        if not path.exists():
            path = Path(scratch) / "bench.duckdb"
            build(path, sample_rows=12_000, built_by="bench")
        result = run(path)
    warm_png = result["warm_s"]["png"]["median"]
    checks = {
        f"warm PNG median <= {WARM_TARGET_S} s": warm_png <= WARM_TARGET_S,
        f"10-chart PPTX <= {PACK_TARGET_S} s": result["pack_10_charts_pptx_s"] <= PACK_TARGET_S,
    }
    result["targets_met"] = checks
    print(f"charts: {result['charts']}")
    print(f"cold PNG (new browser per image): median {result['cold_png_s']['median']:.2f} s over {COLD_RUNS}")
    print(f"browser start (once per app):     {result['browser_start_s']:.2f} s")
    for fmt, times in result["warm_s"].items():
        print(f"warm {fmt.upper():<4} per image:            median {times['median']:.3f} s, max {times['max']:.3f} s")
    print(f"10-chart pack, PPTX:              {result['pack_10_charts_pptx_s']:.2f} s (plus a headline slide)")
    print(f"10-chart pack, PDF:               {result['pack_10_charts_pdf_s']:.2f} s")
    for name, met in checks.items():
        print(f"{'PASS' if met else 'FAIL'}  {name}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str))
    return 0 if all(checks.values()) else 1
