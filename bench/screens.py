"""`python -m bench.screens --out DIR`: a screenshot of every page at 1400 and 390 px, to compare two commits.

It builds a database with this checkout's own `python -m data build` (default sample lines), serves this
checkout's app on it (`streamlit run serve.py` on a loopback port, one server), and saves each page of the
page registry at each width as `DIR/<page>-<width>.png`: headless Chromium (Debian's, through Playwright), a
fresh browser context per shot, a 3000 px tall viewport (Streamlit scrolls inside the page, so a full-page
shot would stop at the window; a taller page gets a taller window), animations and the text caret off, the
shot taken once the app has settled.

`python -m bench.screens --compare DIR_A DIR_B --out DIFF_DIR` counts the pixels that differ between the
shots of the same name and writes a diff image per page that differs (differing pixels red over a faded
copy of A). Not part of `make bench`: it takes a few minutes and measures no speed.

To compare two commits, run it in each checkout (an older one without this file: copy it, and
bench/waiting.py and bench/serving.py where absent, into that checkout's bench/ for the run, without
committing them), then `--compare` the two folders; run it twice on one checkout to learn the run-to-run
noise. docs/testing.md says more.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
from PIL import Image, ImageChops

from bench.serving import free_port, start_server, stop
from bench.waiting import wait_for_app, wait_until_settled
from ui.identity import local_token_script

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1400, 390)
VIEWPORT_HEIGHT = 3000
MAX_HEIGHT = 16_000  # Chromium's screenshots grow unreliable past this
LOCAL_TOKEN = "tok-long-enough-1234567"
TIMEOUT_MS = 120_000

# What the page scrolls inside: Streamlit's main area, not the document.
CONTENT_HEIGHT = """() => Math.max(...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]')]
    .map(node => node.scrollHeight), document.documentElement.scrollHeight)"""


def _registry():
    """The pages in sidebar order: ui/pages_registry.py, or data/vocab.py in commits before it moved."""
    try:
        from ui.pages_registry import PAGES
    except ImportError:
        from data.vocab import PAGES
    return PAGES


def build_database(path: Path) -> None:
    """This checkout's own build, from its CSVs, with its default sample lines; then each load's time of day
    set to midnight plus its id in seconds, since the sidebar and Data & sources show when the database was
    built to the minute. The date (which figures are known by) and the loads' order stay as built."""
    env = {**os.environ, "FINANCE_DB": str(path)}
    subprocess.run(
        [sys.executable, "-m", "data", "build", "--db", str(path)],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with duckdb.connect(str(path)) as conn:
        conn.execute("UPDATE loads SET loaded_at = date_trunc('day', loaded_at) + to_seconds(load_id)")


def settle_and_save(page, path: Path, width: int) -> None:
    """Once the app has settled: a window tall enough for the whole page, then the shot."""
    wait_for_app(page, TIMEOUT_MS)
    wait_until_settled(page)
    height = max(min(page.evaluate(CONTENT_HEIGHT), MAX_HEIGHT), VIEWPORT_HEIGHT)
    if height != page.viewport_size["height"]:
        page.set_viewport_size({"width": width, "height": height})
        wait_for_app(page, TIMEOUT_MS)
        wait_until_settled(page)
    page.wait_for_timeout(500)  # Plotly's last relayout after the final element
    page.screenshot(path=str(path), animations="disabled", caret="hide")


def shoot(browser, url: str, stem: Path, width: int) -> list[Path]:
    """One page at one width, and each of its tabs after the first, in a fresh context (a first visit, as a
    person's would be). The shots are `<stem>.png`, then `<stem>-tab2.png`, ..."""
    context = browser.new_context(viewport={"width": width, "height": VIEWPORT_HEIGHT}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(local_token_script(LOCAL_TOKEN))
    try:
        page = context.new_page()
        page.goto(url)
        paths = [stem.with_suffix(".png")]
        settle_and_save(page, paths[0], width)
        tabs = page.locator("[data-testid='stMain'] [role='tab']")
        for index in range(1, tabs.count()):
            tabs.nth(index).click()
            paths.append(stem.with_name(f"{stem.name}-tab{index + 1}.png"))
            settle_and_save(page, paths[-1], width)
        return paths
    finally:
        context.close()


def screenshot_every_page(out: Path) -> list[Path]:
    """Build, serve, and shoot every page at every width into `out`; the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="screens-") as work:
        db = Path(work) / "finance.duckdb"
        build_database(db)
        port = free_port()
        env = {**os.environ, "FINANCE_DB": str(db), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
        command = [
            sys.executable, "-m", "streamlit", "run", "serve.py",
            "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        ]  # fmt: skip
        server = start_server(command, env, port, Path(work) / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--font-render-hinting=none"],
                )
                try:
                    for index, info in enumerate(_registry()):
                        # The first page is the default, served at `/`.
                        url = f"http://127.0.0.1:{port}/{'' if index == 0 else info.url_path}"
                        for width in WIDTHS:
                            for path in shoot(browser, url, out / f"{info.url_path}-{width}", width):
                                written.append(path)
                                print(path, flush=True)
                finally:
                    browser.close()
        finally:
            stop(server)
    return written


def differing_pixels(a: Image.Image, b: Image.Image) -> tuple[int, int, Image.Image]:
    """How many pixels differ (on the larger of the two canvases), the largest difference in any channel
    (0-255: 1 or 2 is anti-aliasing, text or a shape that moved reaches 100 and more), and an image that
    shows where."""
    size = (max(a.width, b.width), max(a.height, b.height))
    canvases = []
    for image in (a, b):
        canvas = Image.new("RGB", size, (255, 0, 255))  # beyond a shorter image counts as different
        canvas.paste(image.convert("RGB"), (0, 0))
        canvases.append(canvas)
    # A pixel differs if any channel does (converting the difference to grey would round small ones to 0).
    red, green, blue = ImageChops.difference(*canvases).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda value: 255 if value else 0)
    count = mask.histogram()[255]
    faded = Image.blend(canvases[0], Image.new("RGB", size, "white"), 0.75)
    shown = Image.composite(Image.new("RGB", size, (255, 0, 0)), faded, mask.convert("1"))
    return count, largest.getextrema()[1], shown


def compare(dir_a: Path, dir_b: Path, out: Path) -> int:
    """Print a table of differing pixels per shot; write the diff images to `out`. Returns shots that differ."""
    names = sorted({p.name for p in dir_a.glob("*.png")} | {p.name for p in dir_b.glob("*.png")})
    out.mkdir(parents=True, exist_ok=True)
    differ = 0
    print("| shot | size A | size B | differing pixels | largest difference |\n|---|---|---|---|---|")
    for name in names:
        if not (dir_a / name).exists() or not (dir_b / name).exists():
            print(f"| {name} | {'-' if not (dir_a / name).exists() else 'yes'} | "
                  f"{'-' if not (dir_b / name).exists() else 'yes'} | missing | |")  # fmt: skip
            differ += 1
            continue
        with Image.open(dir_a / name) as a, Image.open(dir_b / name) as b:
            count, largest, shown = differing_pixels(a, b)
            sizes = f"{a.width}x{a.height} | {b.width}x{b.height}"
        if count:
            differ += 1
            shown.save(out / name)
        print(f"| {name} | {sizes} | {count} | {largest} |", flush=True)
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screens", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the shots (or, comparing, the diffs)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("DIR_A", "DIR_B"), help="compare two folders")
    args = parser.parse_args(argv)
    if args.compare:
        differ = compare(*args.compare, args.out)
        print(f"{differ} shot(s) differ; diff images in {args.out}")
        return 0
    screenshot_every_page(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
