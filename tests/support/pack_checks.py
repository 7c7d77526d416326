"""Looking at a briefing pack as a reader would: the PDF page by page (Debian's pdftoppm), the deck slide by slide.

Not collected by pytest (no test_ prefix). Used by the briefing tests and the officer's browser test.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

PT = 12700  # EMU per point
# Liberation Sans is Arial's metrics, wider than the deck's Calibri: text that fits measured in it fits.
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
LINE_HEIGHT = 1.2
INK_LEVEL = 200  # a pixel darker than this (0-255 grey) is ink
MIN_INK_SHARE = 0.004  # a page with less ink than this is blank but for its page number


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        pytest.skip("pdftoppm is not installed: `make test` installs Debian's poppler-utils (as root)")
    return found


def pdf_pages(pdf: bytes, dpi: int = 40) -> list[Image.Image]:
    """Every page of the PDF drawn by pdftoppm, in order."""
    with tempfile.TemporaryDirectory(prefix="pack-pages-") as folder:
        source = Path(folder) / "pack.pdf"
        source.write_bytes(pdf)
        subprocess.run([pdftoppm(), "-r", str(dpi), "-png", str(source), f"{folder}/page"], check=True, timeout=120)
        pages = []
        for path in sorted(Path(folder).glob("page-*.png"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1])):
            with Image.open(path) as image:
                pages.append(image.convert("L"))
        return pages


def ink_share(page: Image.Image) -> float:
    histogram = page.histogram()
    return sum(histogram[:INK_LEVEL]) / (page.width * page.height)


def pdf_problems(pdf: bytes, titles: list[str]) -> list[str]:
    """What is wrong with the pack's PDF: not one page per item after the title page, a blank page, or an item
    whose statement title is printed other than once on its page (in the text or inside the chart)."""
    problems = []
    pages = pdf_pages(pdf)
    if len(pages) != 1 + len(titles):
        problems.append(f"{len(pages)} pages for a title page and {len(titles)} items")
    problems += [f"page {n} is blank" for n, page in enumerate(pages, start=1) if ink_share(page) < MIN_INK_SHARE]
    reader = PdfReader(io.BytesIO(pdf))
    for number, title in enumerate(titles, start=2):
        if number > len(reader.pages):
            break
        text = " ".join(reader.pages[number - 1].extract_text().split())
        if text.count(title) != 1:
            problems.append(f"page {number} shows its title {text.count(title)} times: {title!r}")
    return problems


def deck_problems(deck: bytes) -> list[str]:
    """What is wrong with the deck: a slide with other than one title, a shape off the slide, or shapes that
    overlap (a picture running into its source line)."""
    prs = Presentation(io.BytesIO(deck))
    problems = []
    for number, slide in enumerate(prs.slides, start=1):
        title = slide.shapes.title
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        if title is None or sum(title.text_frame.text in text for text in texts) != 1:
            problems.append(f"slide {number}: not one title")
        boxes = []
        for shape in slide.shapes:
            left, top = shape.left / PT, shape.top / PT
            right, bottom = left + shape.width / PT, top + shape.height / PT
            if left < 0 or top < 0 or right > prs.slide_width / PT + 0.5 or bottom > prs.slide_height / PT + 0.5:
                problems.append(f"slide {number}: {shape.name} runs off the slide")
            boxes.append((shape.name, top, bottom))
        problems += [f"slide {number}: {problem}" for shape in slide.shapes for problem in text_overflow(shape)]
        for index, (name, top, bottom) in enumerate(boxes):
            for other, other_top, other_bottom in boxes[index + 1 :]:
                if top < other_bottom - 0.5 and other_top < bottom - 0.5:
                    problems.append(f"slide {number}: {name} overlaps {other}")
    return problems


def pictures(deck: bytes) -> list:
    prs = Presentation(io.BytesIO(deck))
    return [shape for slide in prs.slides for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


def smallest_font_px(svg: bytes) -> float:
    """The smallest font size (px) of any text in an SVG drawn by Plotly."""
    sizes = [float(size) for size in re.findall(rb"font-size:\s*([0-9.]+)px", svg)]
    return min(sizes)


# Axis titles read upwards by design; any other text turned from level (a value label, a tick label) is a defect.
_TURNED_TEXT = re.compile(rb'<text class="(?!ytitle|y2title)([^"]*)"[^>]*rotate\((-?[0-9.]+)')


def turned_text(svg: bytes) -> list[str]:
    """The classes of texts in a Plotly SVG that are not level (other than axis titles)."""
    return [match.group(1).decode() for match in _TURNED_TEXT.finditer(svg) if float(match.group(2)) != 0]


def svg_width_px(svg: bytes) -> float:
    return float(re.search(rb'<svg[^>]* width="([0-9.]+)"', svg).group(1))


def _font(bold: bool, size_pt: float) -> ImageFont.FreeTypeFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    if not (FONT_DIR / name).exists():
        pytest.skip("fonts-liberation is not installed (make test installs it with chromium)")
    return ImageFont.truetype(str(FONT_DIR / name), size=int(size_pt * 10))  # tenths of a point


def text_overflow(shape) -> list[str]:
    """The text box's text is taller, wrapped at its width, than the box: measured word by word in Liberation
    Sans (wider than Calibri, so a pass is safe) at each paragraph's size, 1.2 lines per em."""
    if not shape.has_text_frame or not shape.text_frame.text.strip():
        return []
    frame = shape.text_frame
    width = (shape.width - (frame.margin_left or 0) - (frame.margin_right or 0)) / PT
    height = (shape.height - (frame.margin_top or 0) - (frame.margin_bottom or 0)) / PT
    needed = 0.0
    for paragraph in frame.paragraphs:
        size = paragraph.font.size.pt if paragraph.font.size else 18
        font = _font(bool(paragraph.font.bold), size)
        lines, line = 1, ""
        for word in paragraph.text.split():
            trial = f"{line} {word}".strip()
            if font.getlength(trial) / 10 > width and line:
                lines, line = lines + 1, word
            else:
                line = trial
        needed += lines * size * LINE_HEIGHT
    return [f"{shape.name}: text needs {needed:.0f} pt, the box has {height:.0f}"] if needed > height + 1 else []
