"""In headless Chromium: a chart's download menu gives a real PNG, rendered server-side by the warm browser."""

from __future__ import annotations

import io
import os
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from bench.serving import free_port, start_server, stop
from exports import images
from exports.data import chart_file_name
from tests.support.export_charts import TEST_CHARTS
from tests.support.helpers import TEST_OUTPUT, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture
def chart_app(db_path, tmp_path):
    port = free_port()
    env = {**os.environ, "FINANCE_DB": str(db_path), "PYTHONPATH": "."}
    command = [
        sys.executable, "-m", "streamlit", "run", "tests/support/export_app.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    process = start_server(command, env, port, tmp_path / "server.log")
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop(process)


def browser_children(pid: int) -> list[int]:
    """Chromium processes the server started (kaleido's, in their own session so not in the server's group)."""
    children = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"chromium" in cmdline:
            children.append(int(entry.name))
    return children


def test_png_download_gives_a_valid_image(chart_app, page, db_path):
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = TEST_CHARTS["test_sample_budget"](conn)
    url, process = chart_app
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Download").click()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="PNG image").click()
    download = download_info.value
    # named for the dashboard's as-at date: with none chosen (the latest figures), the day it was downloaded
    assert download.suggested_filename == chart_file_name(chart, "png", as_at=date.today())
    image = Image.open(io.BytesIO(Path(download.path()).read_bytes()))
    image.load()
    assert image.format == "PNG"
    options = images.image_options(images.ImageJob(images.export_figure(chart), "png"))
    assert image.size == (2 * options["width"], 2 * options["height"])
    assert image.convert("L").getextrema()[0] < 100, "something dark is drawn"
    TEST_OUTPUT.mkdir(exist_ok=True)
    image.save(TEST_OUTPUT / "exported-chart.png")

    browsers = browser_children(process.pid)
    assert len(browsers) == 1, "one image browser, kept running for the life of the app"
    stop(process)
    assert not any(Path(f"/proc/{pid}").exists() for pid in browsers), "the image browser stops with the app"
