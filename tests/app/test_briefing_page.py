"""The Briefing pack page and the chart download menu, under Streamlit's AppTest."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from exports import images
from tests.support.export_charts import TEST_CHARTS
from tests.support.helpers import CHROMIUM, open_every_panel, open_page
from ui import briefing_pack

PAGE = "pages/briefing.py"


def two_charts(db: str) -> list:
    import duckdb

    with duckdb.connect(db, read_only=True) as conn:
        return [TEST_CHARTS["test_net_budget"](conn), TEST_CHARTS["test_sample_budget"](conn)]


def in_pack(at: AppTest, charts: list) -> AppTest:
    at.session_state["briefing_pack_entries"] = [
        briefing_pack.PackEntry(briefing_pack.entry_key(chart), chart.title, chart.subtitle, None, chart)
        for chart in charts
    ]
    return at


def listed_titles(at: AppTest) -> list[str]:
    """The items' titles as the page writes them (Markdown, its escapes taken out)."""
    return [md.value.replace("\\", "").split(". ", 1)[1].strip("*") for md in at.markdown if md.value.startswith("**")]


def test_the_pack_starts_empty_and_says_how_to_fill_it(app_test):
    """It started with all 24 items ticked: a 5-chart pack took 19 unticks."""
    at = open_page(app_test, PAGE)
    assert at.title[0].value == "Briefing pack"
    assert "Add to briefing pack" in at.info[0].value
    assert all(button.key != "pack_build" for button in at.button)
    assert listed_titles(at) == []


def test_items_are_listed_by_their_titles_with_year_and_period_to_reorder_and_remove(app_test, built_db):
    charts = two_charts(str(built_db))
    at = open_page(in_pack(app_test, charts), PAGE)
    assert listed_titles(at) == [charts[0].title, charts[1].title]
    captions = " ".join(caption.value for caption in at.caption).replace("\\", "")
    assert charts[1].subtitle in captions and "2020/21" in captions, "the year and period each item uses"
    at.button(key=f"pack_down_{briefing_pack.entry_key(charts[0])}").click().run()
    assert listed_titles(at) == [charts[1].title, charts[0].title]
    at.button(key="pack_add_headline").click().run()
    assert listed_titles(at)[0] == "Headline figures"
    at.button(key=f"pack_remove_{briefing_pack.entry_key(charts[1])}").click().run()
    assert listed_titles(at) == ["Headline figures", charts[0].title]
    assert not at.exception


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_building_a_pptx_gives_the_listed_slides_in_order(app_test, built_db):
    charts = two_charts(str(built_db))
    at = open_page(in_pack(app_test, list(reversed(charts))), PAGE)
    at.button(key="pack_add_headline").click().run()
    chosen = at.multiselect(key="pack_figures").value[:2]
    at.multiselect(key="pack_figures").set_value(chosen).run()
    at.button(key="pack_build").click().run()
    assert not at.exception
    assert not at.error
    pack = at.session_state["briefing_pack"]
    assert pack["file_name"].endswith(f"-{date.today().isoformat()}.pptx"), "named for the day it shows"
    deck = Presentation(io.BytesIO(pack["content"]))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[1:] == ["Headline figures", charts[1].title, charts[0].title]
    table = next(shape for shape in deck.slides[1].shapes if shape.has_table).table
    assert [table.cell(row, 0).text for row in range(1, len(table.rows))] == chosen
    at.button(key=f"pack_up_{briefing_pack.entry_key(charts[0])}").click().run()
    assert not at.get("download_button"), "a pack built from another order is not offered"


def test_without_chromium_the_page_says_how_to_enable_and_does_not_crash(app_test, monkeypatch, tmp_path, built_db):
    monkeypatch.setenv(images.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    at = open_page(in_pack(app_test, two_charts(str(built_db))[:1]), PAGE)
    at.radio(key="pack_format").set_value("PDF").run()
    assert not at.exception
    assert "apt-get install -y chromium" in at.warning[0].value
    assert all(button.key != "pack_build" for button in at.button)


def chart_script(db: str, chart_id: str) -> None:
    import duckdb

    from tests.support.export_charts import TEST_CHARTS
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
    assert [button.label for button in at.button] == ["Add to briefing pack"]
    assert "sample data" in " ".join(caption.value for caption in at.caption)


def test_without_chromium_data_downloads_remain_and_the_menu_says_how(built_db, monkeypatch, tmp_path):
    monkeypatch.setenv(images.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    at = open_every_panel(
        AppTest.from_function(chart_script, args=(str(built_db), "test_net_budget"), default_timeout=60).run()
    )
    assert not at.exception
    assert download_labels(at) == ["Data (CSV)", "Data (Excel)"]
    assert any("apt-get install -y chromium" in caption.value for caption in at.caption)


def test_add_to_briefing_pack_keeps_the_chart_as_shown_once(built_db):
    at = open_every_panel(
        AppTest.from_function(chart_script, args=(str(built_db), "test_sample_budget"), default_timeout=60).run()
    )
    at.button(key="pack_add_test_sample_budget").click().run()
    (entry,) = at.session_state["briefing_pack_entries"]
    assert entry.chart.title == entry.title and entry.uses == entry.chart.subtitle
    assert [button.label for button in at.button] == ["In the briefing pack (1 item)"]
    assert at.button[0].disabled


def test_the_pages_link_reopens_the_pack_in_a_new_session(app_test, built_db):
    """The pack's chart ids are kept in the Briefing pack page's address; opened in a new session the link puts
    the items back in order, each chart drawn as the catalogue draws it."""
    import duckdb

    from charts.all import load_catalogue

    with duckdb.connect(str(built_db), read_only=True) as conn:
        net_budget = load_catalogue()["net_budget_by_year"].chart(conn)
    at = open_page(app_test, PAGE, pack="headline_figures,net_budget_by_year,no_such_chart")
    assert listed_titles(at) == ["Headline figures", net_budget.title]
    assert "names a chart this dashboard does not have" in at.warning[0].value
    assert at.query_params["pack"] == "headline_figures,net_budget_by_year"
    at.button(key=f"pack_remove_{briefing_pack.entry_key(net_budget)}").click().run()
    assert at.query_params["pack"] == "headline_figures"


def test_the_pages_position_and_sources_come_from_the_figure_cache(app_test, monkeypatch):
    """Every run of the Briefing pack worked out the current position and the sources afresh: most of the
    page's server time per visit. They come from the figure cache, keyed by the data version."""
    from collections import Counter

    from metrics import current, figures
    from tests.support.helpers import counting

    calls: Counter = Counter()
    counting(monkeypatch, current, "current_position", calls)
    counting(monkeypatch, figures, "source_documents", calls)
    at = open_page(app_test, PAGE)
    built = calls.copy()
    assert built["current_position"] >= 1
    at.run()
    assert not at.exception
    assert calls == built, "a second run with nothing written is served from the cache"
