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
