"""Which Chromium renders images and prints PDFs: one answer for every export and test."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "CHROMIUM_PATH"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> Path | None:
    """$CHROMIUM_PATH if set (and only that, so a wrong setting is noticed), else the first browser on PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


PRINT_TIMEOUT_SECONDS = 120
# A tagged PDF (structure tree, /Lang from <html lang>, /Alt from <img alt>) and an outline from the headings.
# Chromium 156 tags printed PDFs by default; the switch says so explicitly for builds where it is optional.
TAGGED_PDF_SWITCHES = ("--export-tagged-pdf", "--generate-pdf-document-outline")


class PrintFailed(RuntimeError):
    """Chromium could not print the page to PDF; the message says why."""


def print_to_pdf(document: str, chromium: Path) -> bytes:
    """Print an HTML document to a tagged PDF with headless Chromium (pages sized by the document's @page)."""
    with tempfile.TemporaryDirectory(prefix="print-to-pdf-") as folder:
        page, pdf = Path(folder) / "document.html", Path(folder) / "document.pdf"
        page.write_text(document, encoding="utf-8")
        command = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            *TAGGED_PDF_SWITCHES,
            f"--user-data-dir={folder}/profile",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=True)
        except (subprocess.SubprocessError, OSError) as error:
            raise PrintFailed(f"Chromium could not print to PDF: {error}") from error
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise PrintFailed("Chromium did not write the PDF.")
        return pdf.read_bytes()
