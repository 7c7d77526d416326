"""Which Chromium renders images and prints PDFs: one answer for every export and test."""

from __future__ import annotations

import os
import shutil
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
