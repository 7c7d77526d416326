"""Briefing packs: a PowerPoint deck or a PDF of chosen charts and headline figures, in the user's order.

Data-free: the builders take finished `Chart`s and `HeadlineFigure`s (see `headline_figures`) and render
images with an `ImageExporter`. Both packs open with a title slide/page giving the as-at date and the
source; each chart then gets a slide/page with its statement title, the image (title, subtitle, source
line and labels inside it), the source line and its description (alt text on the PowerPoint picture,
printed under the chart in the PDF).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt
from pypdf import PdfReader, PdfWriter

from charts.spec import SAMPLE_LABEL, Chart
from data import vocab
from exports.chromium import PrintFailed, print_to_pdf
from exports.images import (
    HOW_TO_ENABLE,
    ExportFailed,
    ExportUnavailable,
    ImageExporter,
    default_exporter,
    export_figure,
)

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
# HTML printed by Chromium, so the PDF is tagged (WCAG 1.1.1, 1.3.1; PDF/UA's structure): headings, a
# figure per chart with its description as /Alt, a real table of headline figures, /Lang and /Title.

_PDF_CSS = f"""
@page {{ size: {PAGE_WIDTH_PT:g}pt {PAGE_HEIGHT_PT:g}pt; margin: {PAGE_MARGIN_PT:g}pt; }}
body {{ font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 0; }}
section + section {{ break-before: page; }}
h1 {{ color: #12436d; font-size: 30pt; margin: 90pt 0 14pt; }}
h2 {{ color: #12436d; font-size: 16pt; margin: 0 0 6pt; }}
p {{ color: #3d3d3d; font-size: 10.5pt; margin: 3pt 0; }}
p.lead {{ font-size: 17pt; margin-bottom: 12pt; }}
img {{ display: block; max-width: 100%; max-height: 400pt; margin: 0 auto 6pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; }}
th, td {{ border: 1px solid #b1b4b6; padding: 3pt 5pt; text-align: left; vertical-align: top; }}
th {{ background: #f3f2f1; }}
p.page {{ font-size: 9pt; }}
"""


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _title_section(info: PackInfo, note: str | None) -> str:
    parts = [
        f"<h1>{_text(info.title)}</h1>",
        f"<p class='lead'>Briefing pack: figures as at {info.as_at:%-d %B %Y}</p>",
        f"<p>Source: {_text(info.source)}</p>",
        f"<p>Produced {info.produced_on:%-d %B %Y} from the financial position dashboard</p>",
    ]
    if note:
        parts.append(f"<p>{_text(note)}</p>")
    return "<section>" + "".join(parts) + "</section>"


def _chart_section(chart: Chart, svg: bytes, page_number: int) -> str:
    image = base64.b64encode(svg).decode("ascii")
    return (
        f"<section><h2>{_text(chart.title)}</h2>"
        f"<img src='data:image/svg+xml;base64,{image}' alt='{html.escape(chart.alt_text, quote=True)}'>"
        f"<p>{_text(_labels_line(chart))}</p>"
        f"<p>Description: {_text(chart.alt_text)}</p>"
        f"<p class='page'>Page {page_number}</p></section>"
    )


def _headline_section(item: HeadlineSlide, page_number: int) -> str:
    rows = "".join(
        f"<tr><td>{_text(f.label if f.basis == 'reported' else f'{f.label} ({f.basis})')}</td>"
        f"<td>{_text(f.value)}</td><td>{_text(f.source)}</td></tr>"
        for f in item.figures
    )
    return (
        f"<section><h2>{_text(item.title)}</h2>"
        "<table><thead><tr><th scope='col'>Figure</th><th scope='col'>Value</th><th scope='col'>Source</th></tr>"
        f"</thead><tbody>{rows}</tbody></table><p class='page'>Page {page_number}</p></section>"
    )


def pdf_document(items: Sequence[PackItem], info: PackInfo, chart_svgs: Sequence[bytes]) -> str:
    """The pack as one HTML document: a section (printed page) per item after the title page."""
    svgs = iter(chart_svgs)
    sections = [_title_section(info, _sample_note(items))]
    for page_number, item in enumerate(items, start=2):
        if isinstance(item, Chart):
            sections.append(_chart_section(item, next(svgs), page_number))
        else:
            sections.append(_headline_section(item, page_number))
    return (
        f"<!DOCTYPE html>\n<html lang='{vocab.DOCUMENT_LANGUAGE}'><head><meta charset='utf-8'>"
        f"<title>{_text(info.title)}</title><style>{_PDF_CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>\n"
    )


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
    svgs = _render_charts(_charts(items), "svg", exporter, progress, 0.7)
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
