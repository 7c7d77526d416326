"""Briefing packs: a PowerPoint deck or a PDF of chosen charts and headline figures, in the user's order.

Data-free: the builders take finished `Chart`s and `HeadlineFigure`s (see `headline_figures`) and render
images with an `ImageExporter`. Both packs open with a title slide/page giving the as-at date and the
source; each chart then gets a slide/page with its statement title, the image (title, subtitle, source
line and labels inside it), the source line and its description (alt text on the PowerPoint picture,
printed under the chart in the PDF).
"""

from __future__ import annotations

import html
import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from charts.spec import SAMPLE_LABEL, Chart
from data import vocab
from exports.images import ImageExporter, ImageJob, default_exporter, export_figure

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
PX_PER_PT = 4 / 3  # kaleido's PDF page is the figure's pixel size at 0.75 pt per pixel

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
    as_at: date  # the date the figures are as at
    source: str  # the source document's citation
    produced_on: date


PackItem = Chart | HeadlineSlide


def headline_figures(frame: pd.DataFrame) -> list[HeadlineFigure]:
    """Headline figures from rows of reported_figures (e.g. metrics.figures.headline_position)."""
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
    return f"{chart.source.rstrip('.')}. Includes {', '.join(chart.labels)}." if chart.labels else chart.source


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _render_charts(
    charts: Sequence[Chart], fmt_name: str, exporter: ImageExporter, progress: Progress | None, share: float
) -> list[bytes]:
    images = []
    for index, chart in enumerate(charts):
        _report(progress, share * index / max(len(charts), 1), f"Rendering {chart.title}")
        images.append(exporter.render(export_figure(chart), fmt_name))
    return images


# PowerPoint ------------------------------------------------------------------------------------------


def _text_box(slide, left, top, width, height, text: str, *, size: int, color=GREY, bold=False):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = color
    return box


def _slide_title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.3), SLIDE_WIDTH - 2 * MARGIN, Inches(1.0)
    title.text = text
    paragraph = title.text_frame.paragraphs[0]
    # Long statement titles shrink rather than run into the picture below (the box is one inch tall).
    paragraph.font.size = Pt(28 if len(text) <= 70 else 22 if len(text) <= 110 else 18)
    paragraph.font.bold = True
    paragraph.font.color.rgb = DARK_BLUE
    title.text_frame.word_wrap = True


def _title_slide(prs, info: PackInfo, note: str | None) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.left, slide.shapes.title.top = MARGIN, Inches(1.6)
    slide.shapes.title.width, slide.shapes.title.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.5)
    slide.shapes.title.text = info.title
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = DARK_BLUE
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(3.3)
    subtitle.width, subtitle.height = SLIDE_WIDTH - 2 * MARGIN, Inches(3.2)
    lines = [
        f"Briefing pack: figures as at {info.as_at:%-d %B %Y}",
        f"Source: {info.source}",
        f"Produced {info.produced_on:%-d %B %Y} from the financial position dashboard",
    ]
    if note:
        lines.append(note)
    frame = subtitle.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(20 if index == 0 else 14)
        paragraph.font.color.rgb = GREY


def _chart_slide(prs, chart: Chart, png: bytes) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _slide_title(slide, chart.title)
    top, bottom = Inches(1.4), SLIDE_HEIGHT - Inches(0.9)
    box_width, box_height = SLIDE_WIDTH - 2 * MARGIN, bottom - top
    picture = slide.shapes.add_picture(io.BytesIO(png), MARGIN, top)
    ratio = min(box_width / picture.width, box_height / picture.height)
    picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
    picture.left = Emu(int((SLIDE_WIDTH - picture.width) / 2))
    picture.name = f"Chart: {chart.title}"[:250]
    picture._element.nvPicPr.cNvPr.set("descr", chart.alt_text)  # alt text, read by screen readers
    _text_box(slide, MARGIN, bottom + Inches(0.1), box_width, Inches(0.6), _labels_line(chart), size=12)
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
    images = iter(_render_charts(_charts(items), "png", exporter, progress, 0.9))
    _report(progress, 0.9, "Assembling the PowerPoint file")
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    prs.core_properties.title = info.title
    prs.core_properties.subject = f"Briefing pack, figures as at {info.as_at:%-d %B %Y}"
    _title_slide(prs, info, _sample_note(items))
    for item in items:
        if isinstance(item, Chart):
            _chart_slide(prs, item, next(images))
        else:
            _headline_slide(prs, item)
    buffer = io.BytesIO()
    prs.save(buffer)
    _report(progress, 1.0, "Done")
    return buffer.getvalue()


# PDF -------------------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Text for a Plotly label: &, < and > as entities (Plotly reads those), quotes left alone."""
    return html.escape(text, quote=False)


def _wrap(text: str, width: int) -> str:
    return "<br>".join(_escape(line) for line in textwrap.wrap(text, width)) or " "


def _text_figure(blocks: Sequence[tuple[str, int, str]], width_px: float, height_px: float) -> go.Figure:
    """A page of text as a Plotly figure: (html text, font size, colour) blocks from the top down."""
    figure = go.Figure()
    figure.update_layout(
        width=width_px,
        height=height_px,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": "Sans-serif"},
    )
    y_px = 0.0
    for text, size, color in blocks:
        figure.add_annotation(
            text=text,
            xref="paper",
            yref="paper",
            x=0,
            y=1,
            yshift=-y_px,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": size, "color": color},
        )
        y_px += (text.count("<br>") + 1) * size * 1.35 + size
    return figure


def _title_page_figure(info: PackInfo, note: str | None) -> go.Figure:
    width = (PAGE_WIDTH_PT - 2 * PAGE_MARGIN_PT) * PX_PER_PT
    blocks = [
        (f"<b>{_escape(info.title)}</b>", 36, "#12436D"),
        (_escape(f"Briefing pack: figures as at {info.as_at:%-d %B %Y}"), 22, "#3D3D3D"),
        (_wrap(f"Source: {info.source}", 110), 15, "#3D3D3D"),
        (_escape(f"Produced {info.produced_on:%-d %B %Y} from the financial position dashboard"), 15, "#3D3D3D"),
    ]
    if note:
        blocks.append((_wrap(note, 110), 15, "#3D3D3D"))
    return _text_figure(blocks, width, 420 * PX_PER_PT)


def _caption_figure(chart: Chart, page_number: int) -> go.Figure:
    width = (PAGE_WIDTH_PT - 2 * PAGE_MARGIN_PT) * PX_PER_PT
    blocks = [
        (_wrap(_labels_line(chart), 130), 13, "#3D3D3D"),
        (_wrap(f"Description: {chart.alt_text}", 130), 13, "#3D3D3D"),
        (f"Page {page_number}", 11, "#3D3D3D"),
    ]
    return _text_figure(blocks, width, 100 * PX_PER_PT)


def _headline_figure(item: HeadlineSlide) -> go.Figure:
    width = (PAGE_WIDTH_PT - 2 * PAGE_MARGIN_PT) * PX_PER_PT
    labels = [f.label if f.basis == "reported" else f"{f.label} ({f.basis})" for f in item.figures]
    figure = go.Figure(
        go.Table(
            columnwidth=[3, 1.5, 7],
            header={"values": ["<b>Figure</b>", "<b>Value</b>", "<b>Source</b>"], "align": "left", "height": 30},
            cells={
                "values": [
                    [_escape(text) for text in labels],
                    [_escape(f.value) for f in item.figures],
                    [_wrap(f.source, 80) for f in item.figures],
                ],
                "align": "left",
                "font": {"size": 13},
                "height": 28,
            },
        )
    )
    figure.update_layout(
        width=width,
        height=(PAGE_HEIGHT_PT - 2 * PAGE_MARGIN_PT) * PX_PER_PT,
        title={"text": f"<b>{_escape(item.title)}</b>", "x": 0, "font": {"size": 28, "color": "#12436D"}},
        margin={"l": 0, "r": 0, "t": 70, "b": 0},
    )
    return figure


def _place(page: PageObject, pdf: bytes, *, top: float, max_height: float) -> float:
    """Draw the first page of `pdf` on `page`, centred, its top at `top` (pt from the bottom). Returns its bottom."""
    source = PdfReader(io.BytesIO(pdf)).pages[0]
    width, height = float(source.mediabox.width), float(source.mediabox.height)
    scale = min((PAGE_WIDTH_PT - 2 * PAGE_MARGIN_PT) / width, max_height / height)
    x = (PAGE_WIDTH_PT - width * scale) / 2
    y = top - height * scale
    page.merge_transformed_page(source, Transformation().scale(scale, scale).translate(x, y))
    return y


def build_pdf(
    items: Sequence[PackItem],
    info: PackInfo,
    *,
    exporter: ImageExporter | None = None,
    progress: Progress | None = None,
) -> bytes:
    """A PDF: a title page, then one A4 landscape page per item in the given order."""
    _check(items)
    exporter = exporter or default_exporter()
    charts = _charts(items)
    chart_pdfs = iter(_render_charts(charts, "pdf", exporter, progress, 0.7))
    _report(progress, 0.7, "Rendering the title page, captions and headline figures")
    extra_jobs = [ImageJob(_title_page_figure(info, _sample_note(items)), "pdf")]
    for page_number, item in enumerate(items, start=2):
        figure = _caption_figure(item, page_number) if isinstance(item, Chart) else _headline_figure(item)
        extra_jobs.append(ImageJob(figure, "pdf"))
    extras = iter(exporter.render_many(extra_jobs))
    _report(progress, 0.9, "Assembling the PDF")

    writer = PdfWriter()
    title_page = writer.add_blank_page(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
    _place(title_page, next(extras), top=PAGE_HEIGHT_PT - 90, max_height=PAGE_HEIGHT_PT - 120)
    writer.add_outline_item(title=info.title, page_number=0)
    for page_index, item in enumerate(items, start=1):
        page = writer.add_blank_page(PAGE_WIDTH_PT, PAGE_HEIGHT_PT)
        if isinstance(item, Chart):
            bottom = _place(page, next(chart_pdfs), top=PAGE_HEIGHT_PT - PAGE_MARGIN_PT, max_height=430)
            _place(page, next(extras), top=bottom - 8, max_height=bottom - 8 - 20)
        else:
            _place(page, next(extras), top=PAGE_HEIGHT_PT - PAGE_MARGIN_PT, max_height=PAGE_HEIGHT_PT - 72)
        writer.add_outline_item(title=item.title, page_number=page_index)
    writer.add_metadata({"/Title": info.title, "/Subject": f"Briefing pack, figures as at {info.as_at:%-d %B %Y}"})
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
    """The title slide's facts from metrics.figures.source_documents (newest document first).

    The as-at date is the date the dashboard was shown at (`as_at`), else the newest document's date (its
    publication, else the day it was loaded); the source names every document, newest first.
    """
    if sources.empty:
        raise ValueError("The database names no source document, so the pack cannot state its as-at date.")
    dates = sources["known_on"] if "known_on" in sources else sources["published_on"]
    newest = pd.to_datetime(dates).max()
    return PackInfo(
        title=title,
        as_at=as_at or (date.today() if pd.isna(newest) else newest.date()),  # no dated document: as held today
        source="; ".join(dict.fromkeys(str(t) for t in sources["title"])),
        produced_on=produced_on or date.today(),
    )
