"""Briefing packs: a PowerPoint deck or a PDF of chosen charts and headline figures, in the user's order.

Data-free: the builders take finished `Chart`s and `HeadlineFigure`s (see `headline_figures`) and render
images with an `ImageExporter`. Both packs open with a title slide/page giving the as-at date the pack was
built for, the date it was built and the sources; each item then gets one slide/page: the statement title
and subtitle as text, the chart's plot as a picture (legend, labels and notes inside it, but not the title
or source again: `charts.style.slide_figure`), the source line, and its description (alt text on the
PowerPoint picture, printed under the chart in the PDF). Pictures are drawn at one pixel to a point at the
size they are placed, so the text inside them is at least 12 pt on the slide.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt
from pypdf import PdfReader, PdfWriter

from charts.spec import SAMPLE_LABEL, Chart
from charts.style import slide_figure
from data import vocab
from exports.chromium import PrintFailed, print_to_pdf
from exports.images import (
    HOW_TO_ENABLE,
    PNG_SCALE,
    ExportFailed,
    ExportUnavailable,
    ImageExporter,
    ImageJob,
    default_exporter,
)
from exports.templating import render

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_MIME = "application/pdf"

SLIDE_WIDTH = Inches(13.333)  # 16:9
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
DARK_BLUE = RGBColor(0x12, 0x43, 0x6D)
GREY = RGBColor(0x3D, 0x3D, 0x3D)

PAGE_WIDTH_PT = 842.0  # A4 landscape
PAGE_HEIGHT_PT = 595.0
PAGE_MARGIN_PT = 36.0

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class HeadlineFigure:
    label: str  # "Net revenue budget 2021/22"
    value: str  # "c. £312m"
    basis: str  # "reported", "derived", "interpolated" or "sample"
    source: str  # '"The Council operates ..." (Dorset Council Cabinet, ..., Appendix 2)'


@dataclass(frozen=True)
class HeadlineSlide:
    figures: tuple[HeadlineFigure, ...]
    title: str = "Headline figures"


@dataclass(frozen=True)
class PackInfo:
    title: str  # "Dorset Council: financial position"
    as_at: date | None  # the dashboard's as-at date the pack was built for; None: the latest figures held
    source: str  # the source documents' citations
    produced_on: date  # the day it was built
    newest_source: date | None = None  # the newest source document's date, as known at the as-at date

    @property
    def view_date(self) -> date:
        """The date the figures are shown as at: the chosen as-at date, else the day the pack was built."""
        return self.as_at or self.produced_on

    def built_for(self) -> str:
        if self.as_at is not None:
            return f"Built for the dashboard as at {self.as_at:%-d %B %Y}: figures known on that date"
        return f"Built for the latest figures held on {self.produced_on:%-d %B %Y} (no as-at date chosen)"

    def built_on(self) -> str:
        newest = f"; newest source {self.newest_source:%-d %B %Y}" if self.newest_source else ""
        return f"Built on {self.produced_on:%-d %B %Y} from the financial position dashboard{newest}"

    def subject(self) -> str:
        return f"Briefing pack, figures as at {self.view_date:%-d %B %Y}"


PackItem = Chart | HeadlineSlide


def headline_figures(frame: pd.DataFrame) -> list[HeadlineFigure]:
    """Headline figures from rows of reported_figures (e.g. metrics.current.current_position)."""
    result = []
    for _, row in frame.iterrows():
        qualifier = row["qualifier"] if isinstance(row["qualifier"], str) else None
        year = row["fiscal_year"] if isinstance(row["fiscal_year"], str) else None
        result.append(
            HeadlineFigure(
                label=f"{row['label']} {year}" if year else str(row["label"]),
                value=vocab.figure(row["value"], row["unit"], qualifier),
                basis=str(row["basis"]),
                source=f'"{row["source_quote"]}" ({row["source_document"]}, {row["source_section"]})',
            )
        )
    return result


def _charts(items: Sequence[PackItem]) -> list[Chart]:
    return [item for item in items if isinstance(item, Chart)]


def _picture_job(chart: Chart, width_pt: float, most_height_pt: float, fmt: str) -> ImageJob:
    """The chart's plot for a box this size, at one pixel to a point (PNGs at twice that for sharpness)."""
    figure = slide_figure(chart, int(width_pt), int(most_height_pt))
    return ImageJob(figure, fmt, scale=PNG_SCALE if fmt == "png" else 1)


def _check(items: Sequence[PackItem]) -> None:
    if not items:
        raise ValueError("A briefing pack needs at least one chart or the headline figures: choose some.")


def _sample_note(items: Sequence[PackItem]) -> str | None:
    sample_charts = [chart for chart in _charts(items) if SAMPLE_LABEL in chart.labels]
    sample_figures = [
        figure
        for item in items
        if isinstance(item, HeadlineSlide)
        for figure in item.figures
        if figure.basis == "sample"
    ]
    if not sample_charts and not sample_figures:
        return None
    return (
        f"Items marked '{SAMPLE_LABEL}' are built on sample monitoring lines, not the council's ledger: "
        "their totals reconcile to the reported position but the split is invented."
    )


def _labels_line(chart: Chart) -> str:
    """The source line with the chart's notes, as under the chart on screen (a modelled projection's assumptions
    left the pack with only "Includes modelled"), then what its values include."""
    line = " ".join((f"{chart.source.rstrip('.')}.", *chart.notes))
    return f"{line.rstrip('.')}. Includes {', '.join(chart.labels)}." if chart.labels else line


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _render_charts(
    jobs: Sequence[tuple[Chart, ImageJob]], exporter: ImageExporter, progress: Progress | None, share: float
) -> list[bytes]:
    images = []
    for index, (chart, job) in enumerate(jobs):
        _report(progress, share * index / max(len(jobs), 1), f"Rendering {chart.title}")
        images.append(exporter.render_many([job])[0])
    return images


CHAR_EM = 0.55  # an average character's width in ems, on the wide side of Calibri's and Arial's


# Liberation Sans's average: on a printed page a line more than estimated only shrinks the picture a little (its
# column gives way), where on a slide it would run into the picture.
PRINTED_CHAR_EM = 0.5


def text_lines(text: str, size_pt: float, width_pt: float, *, char_em: float = CHAR_EM) -> int:
    """How many lines the text takes at this size in a box this wide (an estimate on the generous side)."""
    per_line = max(1, int(width_pt / (char_em * size_pt)))
    return sum(max(1, math.ceil(len(paragraph) / per_line)) for paragraph in text.split("\n"))


# Liberation Sans has Arial's widths, wider than the deck's Calibri: text that fits measured in it fits.
SLIDE_FONT = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")


@functools.cache
def _slide_font(size_pt: float) -> ImageFont.FreeTypeFont | None:
    return ImageFont.truetype(str(SLIDE_FONT), size=int(size_pt * 10)) if SLIDE_FONT.is_file() else None


def slide_text_lines(text: str, size_pt: float, width_pt: float) -> int:
    """How many lines a slide's text box needs, wrapped word by word as measured in bold Liberation Sans (so a
    one-line title is given one line, not two), or `text_lines`' estimate where that font is not installed."""
    font = _slide_font(size_pt)
    if font is None:
        return text_lines(text, size_pt, width_pt)
    lines = 0
    for paragraph in text.split("\n"):
        lines, line = lines + 1, ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if font.getlength(trial) / 10 > width_pt and line:
                lines, line = lines + 1, word
            else:
                line = trial
    return lines


# PowerPoint ------------------------------------------------------------------------------------------


def _text_box(slide, left, top, width, height, text: str, *, size: int, color=GREY, bold=False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.margin_top = frame.margin_bottom = 0
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = color
    return box


def title_size(text: str) -> int:
    """Long statement titles get a smaller font, so a title takes at most about two lines of the slide."""
    return 28 if len(text) <= 70 else 22 if len(text) <= 110 else 18


PT = 12700  # EMU per point
SLIDE_WIDTH_PT = SLIDE_WIDTH / PT
SLIDE_HEIGHT_PT = SLIDE_HEIGHT / PT
CONTENT_WIDTH_PT = (SLIDE_WIDTH - 2 * MARGIN) / PT
TEXT_WIDTH_PT = CONTENT_WIDTH_PT - 2 * 7.2  # a text box's width less its default left and right insets
LINE = 1.2  # line height in ems


@dataclass(frozen=True)
class SlideLayout:
    """Where a chart slide's parts go, in points: the title, the subtitle, the picture's box and the source."""

    title_top: float
    title_height: float
    subtitle_top: float
    subtitle_height: float
    picture_top: float
    picture_height: float
    source_top: float
    source_height: float


TITLE_TOP_PT = 20.0
SUBTITLE_SIZE_PT = 16
SOURCE_SIZE_PT = 12


def slide_layout(chart: Chart) -> SlideLayout:
    """A chart slide's layout, the text's height estimated from its length, the picture given what is left."""
    size = title_size(chart.title)
    title_height = slide_text_lines(chart.title, size, TEXT_WIDTH_PT) * size * LINE + 10
    subtitle_top = TITLE_TOP_PT + title_height
    subtitle_lines = slide_text_lines(chart.subtitle, SUBTITLE_SIZE_PT, TEXT_WIDTH_PT)
    subtitle_height = subtitle_lines * SUBTITLE_SIZE_PT * LINE + 8
    source_lines = slide_text_lines(_labels_line(chart), SOURCE_SIZE_PT, TEXT_WIDTH_PT)
    source_height = source_lines * SOURCE_SIZE_PT * LINE + 8
    source_top = SLIDE_HEIGHT_PT - 16 - source_height
    picture_top = subtitle_top + subtitle_height + 4
    return SlideLayout(
        TITLE_TOP_PT, title_height, subtitle_top, subtitle_height, picture_top, source_top - 4 - picture_top,
        source_top, source_height,
    )  # fmt: skip


def _slide_title(slide, text: str, top_pt: float = TITLE_TOP_PT, height_pt: float | None = None) -> None:
    title = slide.shapes.title
    size = title_size(text)
    height = height_pt or slide_text_lines(text, size, TEXT_WIDTH_PT) * size * LINE + 10
    title.left, title.top, title.width = MARGIN, Emu(int(top_pt * PT)), SLIDE_WIDTH - 2 * MARGIN
    title.height = Emu(int(height * PT))
    title.text = text
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_top = frame.margin_bottom = 0
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.font.size = Pt(size)
    paragraph.font.bold = True
    paragraph.font.color.rgb = DARK_BLUE


def _title_slide(prs, info: PackInfo, note: str | None) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.left, slide.shapes.title.top = MARGIN, Inches(1.2)
    slide.shapes.title.width, slide.shapes.title.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.5)
    slide.shapes.title.text = info.title
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = DARK_BLUE
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(2.9)
    subtitle.width, subtitle.height = SLIDE_WIDTH - 2 * MARGIN, Inches(4.2)
    lines = [info.built_for(), info.built_on(), f"Sources: {info.source}"]
    if note:
        lines.append(note)
    frame = subtitle.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(20 if index == 0 else 14)
        paragraph.font.color.rgb = GREY


def _chart_slide(prs, chart: Chart, png: bytes, layout: SlideLayout) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _slide_title(slide, chart.title, layout.title_top, layout.title_height)
    _text_box(
        slide, MARGIN, Emu(int(layout.subtitle_top * PT)), SLIDE_WIDTH - 2 * MARGIN,
        Emu(int(layout.subtitle_height * PT)), chart.subtitle, size=SUBTITLE_SIZE_PT,
    )  # fmt: skip
    picture = slide.shapes.add_picture(io.BytesIO(png), MARGIN, Emu(int(layout.picture_top * PT)))
    # The image is drawn at one pixel to a point: placed at that size, its text keeps its size in points. A
    # chart whose rows need more height than the box has (many long category names) is shrunk to fit it.
    width_px, height_px = (dimension / PNG_SCALE for dimension in Image.open(io.BytesIO(png)).size)
    ratio = min(1.0, layout.picture_height / height_px)
    picture.width, picture.height = Emu(int(width_px * ratio * PT)), Emu(int(height_px * ratio * PT))
    picture.left = Emu(int((SLIDE_WIDTH - picture.width) / 2))
    picture.name = f"Chart: {chart.title}"[:250]
    picture._element.nvPicPr.cNvPr.set("descr", chart.alt_text)  # alt text, read by screen readers
    _text_box(
        slide, MARGIN, Emu(int(layout.source_top * PT)), SLIDE_WIDTH - 2 * MARGIN,
        Emu(int(layout.source_height * PT)), _labels_line(chart), size=SOURCE_SIZE_PT,
    )  # fmt: skip
    slide.notes_slide.notes_text_frame.text = chart.alt_text


def _headline_slide(prs, item: HeadlineSlide) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _slide_title(slide, item.title)
    rows = len(item.figures) + 1
    shape = slide.shapes.add_table(rows, 3, MARGIN, Inches(1.5), SLIDE_WIDTH - 2 * MARGIN, Inches(0.5) * min(rows, 11))
    table = shape.table
    widths = (Inches(3.4), Inches(1.8), SLIDE_WIDTH - 2 * MARGIN - Inches(5.2))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for column, heading in enumerate(("Figure", "Value", "Source")):
        table.cell(0, column).text = heading
    for row, figure in enumerate(item.figures, start=1):
        label = figure.label if figure.basis == "reported" else f"{figure.label} ({figure.basis})"
        for column, text in enumerate((label, figure.value, figure.source)):
            cell = table.cell(row, column)
            cell.text = text
            cell.text_frame.paragraphs[0].font.size = Pt(16 if column < 2 else 11)


def build_pptx(
    items: Sequence[PackItem],
    info: PackInfo,
    *,
    exporter: ImageExporter | None = None,
    progress: Progress | None = None,
) -> bytes:
    """A PowerPoint deck: a title slide, then one slide per item in the given order."""
    _check(items)
    exporter = exporter or default_exporter()
    layouts = {id(chart): slide_layout(chart) for chart in _charts(items)}
    jobs = [(chart, _picture_job(chart, CONTENT_WIDTH_PT, layouts[id(chart)].picture_height, "png")) for chart in
            _charts(items)]  # fmt: skip
    images = iter(_render_charts(jobs, exporter, progress, 0.9))
    _report(progress, 0.9, "Assembling the PowerPoint file")
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = info.title
    prs.core_properties.subject = info.subject()
    _title_slide(prs, info, _sample_note(items))
    for item in items:
        if isinstance(item, Chart):
            _chart_slide(prs, item, next(images), layouts[id(item)])
        else:
            _headline_slide(prs, item)
    buffer = io.BytesIO()
    prs.save(buffer)
    _report(progress, 1.0, "Done")
    return buffer.getvalue()


# PDF -------------------------------------------------------------------------------------------------
# HTML printed by Chromium, so the PDF is tagged (WCAG 1.1.1, 1.3.1; PDF/UA's structure): headings, a
# figure per chart with its description as /Alt, a real table of headline figures, /Lang and /Title.

ITEM_HEIGHT_PT = PAGE_HEIGHT_PT - 2 * PAGE_MARGIN_PT - 3  # an item's page, a little under the printable height
PDF_WIDTH_PT = PAGE_WIDTH_PT - 2 * PAGE_MARGIN_PT
PDF_TITLE_PT, PDF_SUBTITLE_PT, PDF_TEXT_PT, PDF_PAGE_PT = 20, 12, 11, 9

# Each item is one page: a column of fixed height whose picture takes the room the text leaves, so a long
# description shrinks the picture rather than spilling onto a page of its own.
_PDF_CSS = f"""
@page {{ size: {PAGE_WIDTH_PT:g}pt {PAGE_HEIGHT_PT:g}pt; margin: {PAGE_MARGIN_PT:g}pt; }}
body {{ font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 0; }}
section + section {{ break-before: page; }}
section.item {{ height: {ITEM_HEIGHT_PT:g}pt; display: flex; flex-direction: column; }}
section.item > * {{ flex: none; }}
section.item > img {{ flex: 0 1 auto; min-height: 0; object-fit: contain; object-position: left top; }}
h1 {{ color: #12436d; font-size: 30pt; margin: 90pt 0 14pt; }}
h2 {{ color: #12436d; font-size: {PDF_TITLE_PT}pt; line-height: {LINE}; margin: 0 0 4pt; }}
p {{ color: #3d3d3d; font-size: {PDF_TEXT_PT}pt; line-height: 1.3; margin: 2pt 0; }}
p.subtitle {{ font-size: {PDF_SUBTITLE_PT}pt; margin-bottom: 6pt; }}
p.lead {{ font-size: 17pt; margin-bottom: 12pt; }}
img {{ display: block; margin: 0 0 4pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; }}
th, td {{ border: 1px solid #b1b4b6; padding: 3pt 5pt; text-align: left; vertical-align: top; }}
th {{ background: #f3f2f1; }}
p.page {{ font-size: {PDF_PAGE_PT}pt; margin-top: auto; }}
"""


def _description(chart: Chart) -> str:
    return f"Description: {chart.alt_text}"


def pdf_picture_height(chart: Chart) -> float:
    """The height (pt) left for the chart's picture on its page once its text is set (estimated generously)."""
    lines = (
        (chart.title, PDF_TITLE_PT, LINE, 4),
        (chart.subtitle, PDF_SUBTITLE_PT, 1.3, 8),
        (_labels_line(chart), PDF_TEXT_PT, 1.3, 4),
        (_description(chart), PDF_TEXT_PT, 1.3, 4),
        ("Page 99", PDF_PAGE_PT, 1.3, 4),
    )
    text_pt = sum(
        text_lines(text, size, PDF_WIDTH_PT, char_em=PRINTED_CHAR_EM) * size * height + gap
        for text, size, height, gap in lines
    )
    return ITEM_HEIGHT_PT - text_pt - 8


def _svg_size(svg: bytes) -> tuple[float, float]:
    """The SVG's own width and height (px), to print it at one pixel to a point."""
    head = svg[:400].decode("utf-8", "replace")
    width = re.search(r'width="([0-9.]+)', head)
    height = re.search(r'height="([0-9.]+)', head)
    if width is None or height is None:
        return PDF_WIDTH_PT, ITEM_HEIGHT_PT / 2
    return float(width.group(1)), float(height.group(1))


def pdf_document(items: Sequence[PackItem], info: PackInfo, chart_svgs: Sequence[bytes]) -> str:
    """The pack as one HTML document: a section (printed page) per item after the title page."""
    svgs = iter(chart_svgs)
    pages = []
    for number, item in enumerate(items, start=2):
        if isinstance(item, Chart):
            svg = next(svgs)
            width, height = _svg_size(svg)
            pages.append(
                {
                    "number": number,
                    "chart": item,
                    "image": base64.b64encode(svg).decode("ascii"),
                    "width": f"{width:g}",
                    "height": f"{height:g}",
                    "labels": _labels_line(item),
                    "description": _description(item),
                }
            )
        else:
            pages.append({"number": number, "chart": None, "headline": item})
    return render("briefing.html.j2", css=_PDF_CSS, info=info, note=_sample_note(items), pages=pages)


def build_pdf(
    items: Sequence[PackItem],
    info: PackInfo,
    *,
    exporter: ImageExporter | None = None,
    progress: Progress | None = None,
) -> bytes:
    """A tagged PDF: a title page, then one A4 landscape page per item in the given order."""
    _check(items)
    exporter = exporter or default_exporter()
    chromium = exporter.chromium
    if chromium is None:
        raise ExportUnavailable(f"Chromium was not found. {HOW_TO_ENABLE}")
    jobs = [(chart, _picture_job(chart, PDF_WIDTH_PT, pdf_picture_height(chart), "svg")) for chart in _charts(items)]
    svgs = _render_charts(jobs, exporter, progress, 0.7)
    _report(progress, 0.7, "Printing the pages")
    try:
        printed = print_to_pdf(pdf_document(items, info, svgs), chromium)
    except PrintFailed as error:
        raise ExportFailed(str(error)) from error
    _report(progress, 0.9, "Assembling the PDF")

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(printed)))
    # One flat outline entry per page (Chromium's own nests the items under the title).
    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]
    writer.add_outline_item(title=info.title, page_number=0)
    for page_index, item in enumerate(items, start=1):
        writer.add_outline_item(title=item.title, page_number=page_index)
    writer.add_metadata({"/Title": info.title, "/Subject": info.subject()})
    buffer = io.BytesIO()
    writer.write(buffer)
    _report(progress, 1.0, "Done")
    return buffer.getvalue()


def build_pack(
    items: Sequence[PackItem],
    info: PackInfo,
    kind: str,
    *,
    exporter: ImageExporter | None = None,
    progress: Progress | None = None,
) -> bytes:
    """`kind` is "pptx" or "pdf"."""
    builders = {"pptx": build_pptx, "pdf": build_pdf}
    if kind not in builders:
        raise ValueError(f"A briefing pack is a .pptx or a .pdf file; got {kind!r}")
    return builders[kind](items, info, exporter=exporter, progress=progress)


DEFAULT_TITLE = "Dorset Council: financial position"


def pack_info(
    sources: pd.DataFrame,
    *,
    title: str = DEFAULT_TITLE,
    produced_on: date | None = None,
    as_at: date | None = None,
) -> PackInfo:
    """The title slide's facts from metrics.figures.source_documents (the documents known at `as_at`).

    `as_at` is the dashboard's as-at date the pack is built for (None: the latest figures held); the newest
    source's date (its publication, else the day it was loaded) is stated beside it, never in its place.
    """
    if sources.empty:
        raise ValueError("The database names no source document, so the pack cannot say where its figures are from.")
    dates = sources["known_on"] if "known_on" in sources else sources["published_on"]
    newest = pd.to_datetime(dates).max()
    return PackInfo(
        title=title,
        as_at=as_at,
        source="; ".join(dict.fromkeys(str(t) for t in sources["title"])),
        produced_on=produced_on or date.today(),
        newest_source=None if pd.isna(newest) else newest.date(),
    )
