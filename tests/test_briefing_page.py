"""The Briefing pack page and the chart download menu, under Streamlit's AppTest."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from charts.catalogue import CATALOGUE, CatalogueEntry
from exports import images
from tests.export_charts import TEST_CHARTS
from tests.helpers import CHROMIUM, open_every_panel, open_page

PAGE = "pages/briefing.py"


@pytest.fixture
def test_charts_registered():
    """Only the test charts in the catalogue, so the pack's slide count is known; restored afterwards."""
    from charts.all import load_catalogue

    saved = dict(load_catalogue())
    CATALOGUE.clear()
    for chart_id, build in TEST_CHARTS.items():
        CATALOGUE[chart_id] = CatalogueEntry(chart_id, f"Test {chart_id}", "Tests", build)
    yield
    CATALOGUE.clear()
    CATALOGUE.update(saved)


def test_briefing_page_runs_and_lists_headline_figures(app_test):
    at = open_page(app_test, PAGE)
    assert at.title[0].value == "Briefing pack"
    assert len(at.multiselect(key="pack_figures").value) == 5
    editor = [element for element in at.dataframe if element.key == "pack_items"]
    assert len(editor) == 1
    assert "Headline figures" in editor[0].value["item"].tolist()
    assert any(button.key == "pack_build" for button in at.button)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_building_a_pptx_gives_the_chosen_slides(app_test, test_charts_registered):
    at = open_page(app_test, PAGE)
    chosen = at.multiselect(key="pack_figures").value[:2]
    at.multiselect(key="pack_figures").set_value(chosen).run()
    at.button(key="pack_build").click().run()
    assert not at.exception
    assert not at.error
    pack = at.session_state["briefing_pack"]
    assert pack["file_name"].endswith(".pptx")
    deck = Presentation(io.BytesIO(pack["content"]))
    slides = list(deck.slides)
    assert len(slides) == 1 + 1 + len(TEST_CHARTS)
    assert slides[1].shapes.title.text == "Headline figures"
    table = next(shape for shape in slides[1].shapes if shape.has_table).table
    assert [table.cell(row, 0).text for row in range(1, len(table.rows))] == chosen


def test_without_chromium_the_page_says_how_to_enable_and_does_not_crash(app_test, monkeypatch, tmp_path):
    monkeypatch.setenv(images.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    at = open_page(app_test, PAGE)
    at.radio(key="pack_format").set_value("PDF").run()
    assert not at.exception
    assert "apt-get install -y chromium" in at.warning[0].value
    assert all(button.key != "pack_build" for button in at.button)


def chart_script(db: str, chart_id: str) -> None:
    import duckdb

    from tests.export_charts import TEST_CHARTS
    from ui.chart_panel import show_chart

    with duckdb.connect(db, read_only=True) as conn:
        chart = TEST_CHARTS[chart_id](conn)
    show_chart(chart)


def download_labels(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def test_every_chart_has_image_and_data_downloads(built_db):
    at = AppTest.from_function(chart_script, args=(str(built_db), "test_sample_budget"), default_timeout=60).run()
    assert not at.exception
    assert download_labels(at) == [], "the menu's items are drawn when it is opened"
    at = open_every_panel(at)
    assert download_labels(at) == ["PNG image", "SVG image", "PDF", "Data (CSV)", "Data (Excel)"]
    assert "sample data" in " ".join(caption.value for caption in at.caption)


def test_without_chromium_data_downloads_remain_and_the_menu_says_how(built_db, monkeypatch, tmp_path):
    monkeypatch.setenv(images.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    at = open_every_panel(
        AppTest.from_function(chart_script, args=(str(built_db), "test_net_budget"), default_timeout=60).run()
    )
    assert not at.exception
    assert download_labels(at) == ["Data (CSV)", "Data (Excel)"]
    assert any("apt-get install -y chromium" in caption.value for caption in at.caption)
