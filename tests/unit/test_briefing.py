"""Briefing packs: PowerPoint and PDF of chosen charts and headline figures, in the chosen order."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from charts.all import load_catalogue
from charts.spec import SAMPLE_LABEL
from data import vocab
from exports import briefing, images
from metrics.figures import headline_position, source_documents
from tests.support.export_charts import TEST_CHARTS
from tests.support.helpers import CHROMIUM, pdf_accessibility_faults, pdf_figures_alt
from tests.support.pack_checks import (
    deck_problems,
    pdf_problems,
    pictures,
    smallest_font_px,
    svg_width_px,
    turned_text,
)

LATER_FIGURES = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"


@pytest.fixture(scope="module")
def material(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        charts = {chart_id: build(conn) for chart_id, build in TEST_CHARTS.items()}
        headline = headline_position(conn)
        info = briefing.pack_info(source_documents(conn))
    return charts, headline, info


@pytest.fixture(scope="module")
def exporter():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    exporter = images.ImageExporter(CHROMIUM).start()
    yield exporter
    exporter.stop()


@pytest.fixture(scope="module")
def items(material):
    """Sample chart first, then two headline figures, then the net budget chart: not catalogue order."""
    charts, headline, _ = material
    figures = tuple(briefing.headline_figures(headline))
    return [charts["test_sample_budget"], briefing.HeadlineSlide((figures[4], figures[0])), charts["test_net_budget"]]


def slide_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_headline_figures_carry_value_basis_and_quote(material):
    _, headline, _ = material
    figures = briefing.headline_figures(headline)
    assert len(figures) == len(headline)
    for figure, (_, row) in zip(figures, headline.iterrows(), strict=True):
        qualifier = row["qualifier"] if isinstance(row["qualifier"], str) else None
        assert figure.value == vocab.figure(row["value"], row["unit"], qualifier)
        assert row["source_quote"] in figure.source
        assert figure.basis == row["basis"]


def test_pptx_has_the_chosen_slides_in_order(material, items, exporter):
    _, _, info = material
    progress = []
    content = briefing.build_pptx(items, info, exporter=exporter, progress=lambda f, m: progress.append(f))
    deck = Presentation(io.BytesIO(content))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(items)
    assert [slide.shapes.title.text for slide in slides[1:]] == [items[0].title, "Headline figures", items[2].title]

    title = slide_text(slides[0])
    assert f"{info.produced_on:%-d %B %Y}" in title
    assert info.source in title
    assert SAMPLE_LABEL in title, "the title slide warns that sample data is included"

    for slide, chart in ((slides[1], items[0]), (slides[3], items[2])):
        pictures = [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == chart.alt_text
        image = Image.open(io.BytesIO(pictures[0].image.blob))
        # drawn at one pixel to a point, twice over for sharpness, and placed at that size
        assert image.size == (round(pictures[0].width / 12700 * 2), round(pictures[0].height / 12700 * 2))
        assert pictures[0].left >= 0 and pictures[0].left + pictures[0].width <= deck.slide_width
        assert pictures[0].top + pictures[0].height <= deck.slide_height
        assert chart.source in slide_text(slide)
        assert chart.subtitle in slide_text(slide)
        assert slide.notes_slide.notes_text_frame.text == chart.alt_text
    assert SAMPLE_LABEL in slide_text(slides[1])
    assert deck_problems(content) == []

    table = next(shape for shape in slides[2].shapes if shape.has_table).table
    assert [table.cell(row, 1).text for row in range(1, len(table.rows))] == [f.value for f in items[1].figures]
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_the_title_slide_says_the_as_at_date_it_was_built_for_and_the_day_it_was_built(material, exporter, built_db):
    """It said 'figures as at' the newest source's date (5 October 2021) whatever date the pack was built for."""
    charts, _, _ = material
    with duckdb.connect(str(built_db), read_only=True) as conn:
        sources = source_documents(conn, as_at=date(2022, 3, 31))
    info = briefing.pack_info(sources, as_at=date(2022, 3, 31), produced_on=date(2026, 12, 6))
    deck = Presentation(io.BytesIO(briefing.build_pptx([charts["test_net_budget"]], info, exporter=exporter)))
    title = slide_text(deck.slides[0])
    assert "as at 31 March 2022" in title
    assert "Built on 6 December 2026" in title
    latest = briefing.pack_info(sources, produced_on=date(2026, 12, 6))
    assert latest.built_for() == "Built for the latest figures held on 6 December 2026 (no as-at date chosen)"


def test_one_title_per_slide_and_text_in_the_picture_at_least_12_pt(material, items, exporter):
    """The title, subtitle and source were drawn inside the picture and again as slide text; the picture, an
    800 px figure shrunk onto the slide, put its 12 px source line at about 7 pt."""
    _, _, info = material
    deck = briefing.build_pptx(items, info, exporter=exporter)
    charts = [item for item in items if not isinstance(item, briefing.HeadlineSlide)]
    for chart, picture in zip(charts, pictures(deck), strict=True):
        layout = briefing.slide_layout(chart)
        svg = exporter.render_many([briefing._picture_job(chart, briefing.CONTENT_WIDTH_PT, layout.picture_height,
                                                          "svg")])[0]  # fmt: skip
        text = b" ".join(re.findall(rb">([^<>]+)</text>", svg)).decode()
        assert chart.title.split(",")[0] not in text, "the statement title is the slide's, not the picture's"
        assert "Source:" not in text
        points_per_px = picture.width / 12700 / svg_width_px(svg)
        assert smallest_font_px(svg) * points_per_px >= 12, chart.chart_id


def test_pdf_has_a_title_page_and_one_page_per_item(material, items, exporter):
    _, _, info = material
    pdf = briefing.build_pdf(items, info, exporter=exporter)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 + len(items)
    assert [entry.title for entry in reader.outline] == [info.title, items[0].title, "Headline figures", items[2].title]
    assert reader.metadata.title == info.title
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert info.built_for() in texts[0] and info.built_on() in texts[0]
    assert items[0].title in texts[1] and "Description:" in texts[1]
    assert items[1].figures[0].value in texts[2]
    assert items[2].title in texts[3]
    for page in reader.pages:
        # Chromium prints to whole device pixels: within a tenth of a point of A4 landscape.
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            (briefing.PAGE_WIDTH_PT, briefing.PAGE_HEIGHT_PT), abs=0.1
        )
    assert pdf_problems(pdf, [item.title for item in items]) == []


def test_a_long_description_shrinks_the_picture_rather_than_spill_onto_a_page_of_its_own(material, exporter):
    """9 pages for 7 items: a description that did not fit went to a page of its own, and a blank one followed."""
    charts, _, info = material
    wordy = [replace(chart, alt_text=f"{chart.alt_text} " + "A sentence of description. " * 40) for chart in
             charts.values()]  # fmt: skip
    pdf = briefing.build_pdf(wordy, info, exporter=exporter)
    assert pdf_problems(pdf, [chart.title for chart in wordy]) == []


def test_the_pdf_is_tagged_with_language_title_and_alt_text_for_each_chart(material, items, exporter):
    _, _, info = material
    pdf = briefing.build_pdf(items, info, exporter=exporter)
    assert pdf_accessibility_faults(pdf) == []
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == vocab.DOCUMENT_LANGUAGE
    assert pdf_figures_alt(pdf) == [items[0].alt_text, items[2].alt_text]


def test_a_pack_of_only_headline_figures_needs_no_chart_images(material, tmp_path):
    _, headline, info = material
    items = [briefing.HeadlineSlide(tuple(briefing.headline_figures(headline)))]
    no_browser = images.ImageExporter(tmp_path / "no-chromium")
    deck = Presentation(io.BytesIO(briefing.build_pptx(items, info, exporter=no_browser)))
    assert len(deck.slides) == 2
    with pytest.raises(images.ExportUnavailable):
        briefing.build_pdf(items, info, exporter=no_browser)


def test_an_empty_pack_or_unknown_kind_is_refused(material):
    _, _, info = material
    with pytest.raises(ValueError, match="at least one"):
        briefing.build_pptx([], info)
    with pytest.raises(ValueError, match=r"\.pptx or a \.pdf"):
        briefing.build_pack([], info, "docx")


def test_a_long_statement_title_gets_a_smaller_font_so_it_stays_above_the_picture():
    from pptx import Presentation

    from exports.briefing import _slide_title

    deck = Presentation()
    sizes = []
    for text in ("Short title", "A statement title long enough to need a third line on a wide slide " * 2):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        _slide_title(slide, text)
        sizes.append(slide.shapes.title.text_frame.paragraphs[0].font.size.pt)
    assert sizes[0] == 28
    assert sizes[1] < 22


class RecordingExporter(images.ImageExporter):
    """An exporter that keeps every figure it renders, to draw the same figures again as SVG and read them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.figures = []

    def render_many(self, jobs):
        self.figures += [job.figure for job in jobs]
        return super().render_many(jobs)


@pytest.mark.parametrize("figures", ["as built", "with later figures"])
def test_every_chart_a_pack_can_hold_has_level_text_of_12_pt_or_more_and_axes_scaled_to_its_data(db_path, figures):
    """A deck of every catalogue chart, read picture by picture: each picture's figure drawn again as SVG, its
    smallest text (px) times the points per pixel it is placed at on the slide. The cost centres' picture was
    shrunk onto its slide (text about 10 pt); eight years of budget beside outturn turned their value labels to
    read upwards, and a turned label ran the axis to £600m for £425m."""
    from data.__main__ import main as data_cli

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    if figures == "with later figures":
        assert data_cli(["load", str(LATER_FIGURES), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = [entry.chart(conn) for entry in load_catalogue().values()]
        info = briefing.pack_info(source_documents(conn))
    exporter = RecordingExporter(CHROMIUM)
    try:
        deck = briefing.build_pptx(charts, info, exporter=exporter)
        svgs = exporter.render_many([images.ImageJob(figure, "svg", scale=1) for figure in exporter.figures])
    finally:
        exporter.stop()
    assert deck_problems(deck) == []
    problems = {}
    for chart, figure, picture, svg in zip(charts, exporter.figures[: len(charts)], pictures(deck), svgs, strict=True):
        points_per_px = picture.width / 12700 / svg_width_px(svg)
        found = []
        if smallest_font_px(svg) * points_per_px < 12 - 1e-6:
            found.append(f"text at {smallest_font_px(svg) * points_per_px:.1f} pt")
        if turned_text(svg):
            found.append(f"turned text: {sorted(set(turned_text(svg)))}")
        columns = [t for t in figure.data if t.type == "bar" and t.orientation != "h" and t.y is not None]
        tops = [v for t in columns for v in t.y if v is not None]
        if tops and min(tops) >= 0 and figure.layout.yaxis.range[1] > 1.25 * max(tops):
            found.append(f"axis to {figure.layout.yaxis.range[1]:.1f} for {max(tops):.1f}")
        if found:
            problems[chart.chart_id] = found
    assert problems == {}


def test_a_slide_keeps_the_notes_under_its_chart(built_db, tmp_path):
    """On later figures the projection's assumptions were under the chart on screen and in its PNG, but the
    pack's slide said only "... Includes modelled."."""
    from data.__main__ import main as data_cli

    path = tmp_path / "later.duckdb"
    path.write_bytes(built_db.read_bytes())
    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(path), "--kind", "figures"]) == 0
    with duckdb.connect(str(path), read_only=True) as conn:
        chart = load_catalogue()["reserves_timeline"].build(conn)
    assert chart.notes and any("The projection starts from" in note for note in chart.notes)
    line = briefing._labels_line(chart)
    assert "The projection starts from the forecast for the end of 2025/26" in line
    assert line.endswith("Includes modelled.")
