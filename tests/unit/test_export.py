"""Chart images: every chart (the catalogue's and two test charts from the real database) as PNG, SVG, PDF."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from charts.all import load_catalogue
from charts.spec import INTERPOLATED_LABEL, SAMPLE_LABEL
from exports import images
from tests.support.export_charts import TEST_CHARTS
from tests.support.helpers import CHROMIUM
from tests.support.pack_checks import INK_LEVEL, pdf_pages

CATALOGUE = load_catalogue()
CHART_IDS = [*sorted(CATALOGUE), *TEST_CHARTS]  # collected at import: the catalogue plus the test charts


@pytest.fixture(scope="module")
def charts(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        return {
            chart_id: (CATALOGUE[chart_id].build(conn) if chart_id in CATALOGUE else TEST_CHARTS[chart_id](conn))
            for chart_id in CHART_IDS
        }


@pytest.fixture(scope="module")
def exporter():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed: run `make test` as root or apt-get install chromium")
    exporter = images.ImageExporter(CHROMIUM).start()
    yield exporter
    exporter.stop()


def squash(text: str) -> str:
    """Text without whitespace, so a title Plotly split over lines still matches."""
    return re.sub(r"\s+", "", text)


def svg_text(svg: bytes) -> str:
    return " ".join(ET.fromstring(svg).itertext())


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_png_is_twice_the_figure_size_and_not_blank(charts, exporter, chart_id):
    chart = charts[chart_id]
    options = images.image_options(images.ImageJob(images.export_figure(chart), "png"))
    image = Image.open(io.BytesIO(images.chart_image(chart, "png", exporter=exporter)))
    image.load()
    assert image.format == "PNG"
    assert image.size == (options["width"] * 2, options["height"] * 2)
    grey = image.convert("L")
    low, high = grey.getextrema()
    assert high - low > 100, "the image is a flat colour"
    non_white = sum(count for value, count in enumerate(grey.histogram()) if value < 200)
    assert non_white > 0.002 * image.width * image.height, "almost nothing is drawn"


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_svg_parses_and_carries_title_subtitle_source_and_labels(charts, exporter, chart_id):
    chart = charts[chart_id]
    text = svg_text(images.chart_image(chart, "svg", exporter=exporter))
    for part in (chart.title, chart.subtitle, chart.source):
        assert squash(part) in squash(text)
    for label in chart.labels:
        assert label.lower() in text.lower()


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_pdf_is_one_page_in_the_figure_proportions(charts, exporter, chart_id):
    chart = charts[chart_id]
    options = images.image_options(images.ImageJob(images.export_figure(chart), "pdf"))
    reader = PdfReader(io.BytesIO(images.chart_image(chart, "pdf", exporter=exporter)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(options["width"] / options["height"], rel=0.01)


def test_a_pdf_page_is_the_figure_edge_to_edge_as_the_png_is(exporter):
    """kaleido printed PDFs with Chromium's 0.1-inch margins: the figure sat ~8 px low and the last line of a
    source note was cut at the page's foot. A figure painted dark to its edges must reach every edge."""
    import plotly.graph_objects as go

    figure = go.Figure(layout={"width": 600, "height": 300, "paper_bgcolor": "#000000", "plot_bgcolor": "#000000"})
    [page] = pdf_pages(exporter.render(figure, "pdf"), dpi=96)
    width, height = page.size
    edges = [page.getpixel((width // 2, 1)), page.getpixel((width // 2, height - 2)), page.getpixel((1, height // 2))]
    assert max(edges) < INK_LEVEL, edges


def test_a_chart_on_sample_lines_says_so_inside_its_image(charts, exporter):
    chart = charts["test_sample_budget"]
    assert SAMPLE_LABEL in chart.labels
    assert SAMPLE_LABEL in svg_text(images.chart_image(chart, "svg", exporter=exporter)).lower()


def test_a_label_the_figure_forgot_is_added_to_the_export(charts, exporter):
    chart = replace(charts["test_net_budget"], labels=(INTERPOLATED_LABEL,))
    assert INTERPOLATED_LABEL not in svg_text(images.chart_image(charts["test_net_budget"], "svg", exporter=exporter))
    assert INTERPOLATED_LABEL in svg_text(images.chart_image(chart, "svg", exporter=exporter))


def test_the_warm_browser_keeps_nothing_between_images(charts, exporter):
    first, second = charts["test_net_budget"], charts["test_sample_budget"]
    a1 = images.chart_image(first, "png", exporter=exporter)
    b = images.chart_image(second, "png", exporter=exporter)
    pdf = images.chart_image(second, "pdf", exporter=exporter)
    a2 = images.chart_image(first, "png", exporter=exporter)
    assert a1 == a2
    assert a1 != b
    assert squash(first.title) in squash(
        PdfReader(io.BytesIO(images.chart_image(first, "pdf", exporter=exporter))).pages[0].extract_text()
    )
    assert squash(second.title) in squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_concurrent_requests_each_get_their_own_image(charts, exporter):
    ids = ["test_net_budget", "test_sample_budget"] * 3
    expected = {chart_id: images.chart_image(charts[chart_id], "svg", exporter=exporter) for chart_id in set(ids)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda chart_id: images.chart_image(charts[chart_id], "svg", exporter=exporter), ids))
    for chart_id, svg in zip(ids, results, strict=True):
        assert squash(charts[chart_id].title) in squash(svg_text(svg))
        assert svg_text(svg) == svg_text(expected[chart_id])


def test_a_stopped_exporter_starts_again_on_the_next_image(charts):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    exporter = images.ImageExporter(CHROMIUM)
    assert not exporter.running
    try:
        assert images.chart_image(charts["test_net_budget"], "svg", exporter=exporter).startswith(b"<svg")
        assert exporter.running
        exporter.stop()
        assert not exporter.running
        exporter.stop()  # twice is harmless
        assert images.chart_image(charts["test_net_budget"], "svg", exporter=exporter).startswith(b"<svg")
    finally:
        exporter.stop()


def test_without_chromium_export_is_unavailable_with_the_fix(charts, tmp_path, monkeypatch):
    exporter = images.ImageExporter(tmp_path / "no-chromium")
    assert not exporter.available
    with pytest.raises(images.ExportUnavailable, match="apt-get install -y chromium"):
        images.chart_image(charts["test_net_budget"], "png", exporter=exporter)
    monkeypatch.setenv(images.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    assert images.find_chromium() is None
    assert not images.image_export_available()


def test_an_unknown_format_is_refused(charts):
    with pytest.raises(ValueError, match="png, svg, pdf"):
        images.image_options(images.ImageJob(charts["test_net_budget"].figure, "bmp"))


def test_a_browser_that_will_not_start_is_reported_not_hung(charts, tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    exporter = images.ImageExporter(broken)
    assert exporter.available
    with pytest.raises(images.ExportUnavailable, match="did not start"):
        images.chart_image(charts["test_net_budget"], "png", exporter=exporter)
    assert not exporter.running


def test_periodic_tab_reloads_keep_images_right(charts, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    monkeypatch.setattr(images, "RELOAD_EVERY", 2)
    exporter = images.ImageExporter(CHROMIUM)
    try:
        ids = ["test_net_budget", "test_sample_budget", "test_net_budget", "test_sample_budget", "test_net_budget"]
        svgs = [images.chart_image(charts[chart_id], "svg", exporter=exporter) for chart_id in ids]
    finally:
        exporter.stop()
    for chart_id, svg in zip(ids, svgs, strict=True):
        assert squash(charts[chart_id].title) in squash(svg_text(svg))


# ---- the y axis's title stands clear of its tick labels ---------------------------------------------------------
# afcharts' 4.7 px standoff left "£ millions" about 6 px from "£200m", touching once the image is shrunk onto a
# page. Measured in the pixels Chromium drew: across the plot's height, the columns left of the plot holding ink
# are the title's, then (after a gap) the tick labels'.
MIN_TITLE_GAP_PX = 10  # CSS pixels of white between the title and the widest tick label
PDF_DPI = 192  # kaleido's PDF is 0.75 pt to a pixel: at 192 dpi a pixel is two, as in the PNG
OVERVIEW_Y_TITLED = ("outturn_against_budget", "reserves_against_dsg_deficit", "dsg_trajectory")


def inked_runs(image: Image.Image, rows: range) -> list[tuple[int, int]]:
    """(first, last) column of each run of columns, in the left third, with ink in any of `rows`."""
    grey = image.convert("L")
    pixels = grey.load()
    inked = [any(pixels[x, y] < INK_LEVEL for y in rows) for x in range(grey.width // 3)]
    runs: list[tuple[int, int]] = []
    for x, ink in enumerate(inked):
        if ink and (not runs or runs[-1][1] != x - 1):
            runs.append((x, x))
        elif ink:
            runs[-1] = (runs[-1][0], x)
    return runs


def title_gap_px(image: Image.Image, top: float, bottom: float, scale: float) -> float:
    """CSS pixels between the y axis title's right edge and the tick labels' left edge, between the plot's
    `top` and `bottom` (CSS pixels from the image's top)."""
    runs = inked_runs(image, range(int(top * scale), int(bottom * scale)))
    assert len(runs) >= 2, f"no title and tick labels found: {runs}"
    return (runs[1][0] - runs[0][1] - 1) / scale


def test_the_gap_check_measures_the_white_between_two_inked_bands():
    image = Image.new("L", (300, 40), 255)
    image.paste(0, (10, 5, 20, 35))  # a title 10 px wide
    image.paste(0, (32, 10, 60, 14))  # a tick label 12 px to its right
    assert inked_runs(image, range(40)) == [(10, 19), (32, 59)]
    assert title_gap_px(image, 0, 40, 1) == 12


@pytest.mark.parametrize("chart_id", OVERVIEW_Y_TITLED)
def test_the_money_axis_title_stands_clear_of_its_tick_labels_in_png_and_pdf(charts, exporter, chart_id):
    chart = charts[chart_id]
    layout = chart.figure.layout
    assert layout.yaxis.title.text == "£ millions"
    plot = (layout.margin.t, layout.height - layout.margin.b)
    png = Image.open(io.BytesIO(images.chart_image(chart, "png", exporter=exporter)))
    [pdf] = pdf_pages(images.chart_image(chart, "pdf", exporter=exporter), dpi=PDF_DPI)
    assert title_gap_px(png, *plot, images.PNG_SCALE) >= MIN_TITLE_GAP_PX
    assert title_gap_px(pdf, *plot, PDF_DPI / 96) >= MIN_TITLE_GAP_PX
