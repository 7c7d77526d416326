"""Static images of charts (PNG, SVG, PDF), rendered by kaleido in one long-lived headless Chromium.

Starting Chromium costs about two seconds; rendering in a warm browser a fraction of that. So an
`ImageExporter` starts the browser once, keeps it on an event loop in a background thread, and stops
it when the process exits. Requests from any thread (Streamlit runs download callables on worker
threads) are submitted to that loop, each with its own future, so concurrent callers never receive each
other's images. Without Chromium every call raises `ExportUnavailable`, whose message says how to fix it.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from charts.spec import Chart
from exports.chromium import CHROMIUM_ENV, find_chromium

log = logging.getLogger(__name__)

IMAGE_FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DEFAULT_WIDTH = 1000  # px, used when the figure does not set its own size
DEFAULT_HEIGHT = 560
PNG_SCALE = 2  # PNGs at twice the pixel size, for print and high-density screens
RELOAD_EVERY = 50  # images per tab between page reloads (kaleido itself reloads after every image)
START_TIMEOUT = 60.0
RENDER_TIMEOUT = 60.0

HOW_TO_ENABLE = (
    "Image export (PNG, SVG, PDF, PowerPoint) needs Chromium. Install it with "
    "`sudo apt-get install -y chromium` (`make run` does this when run as root), or set "
    f"{CHROMIUM_ENV} to a Chrome or Chromium executable, then restart the app. "
    "CSV and XLSX downloads work without it."
)


class ExportUnavailable(RuntimeError):
    """Image export cannot run here (no Chromium, or it would not start). The message says what to do."""


class ExportFailed(RuntimeError):
    """One image could not be rendered."""


def image_export_available() -> bool:
    return find_chromium() is not None


@dataclass(frozen=True)
class ImageJob:
    figure: go.Figure | dict
    fmt: str
    width: int | None = None
    height: int | None = None
    scale: float | None = None


def _figure_size(figure: go.Figure | dict) -> tuple[int, int]:
    layout = figure.to_dict().get("layout", {}) if isinstance(figure, go.Figure) else figure.get("layout", {})
    return int(layout.get("width") or DEFAULT_WIDTH), int(layout.get("height") or DEFAULT_HEIGHT)


def image_options(job: ImageJob) -> dict[str, Any]:
    """kaleido's layout options: format, size (the figure's own, else the default) and scale."""
    if job.fmt not in IMAGE_FORMATS:
        raise ValueError(f"image format must be one of {', '.join(IMAGE_FORMATS)}; got {job.fmt!r}")
    width, height = _figure_size(job.figure)
    scale = job.scale if job.scale is not None else (PNG_SCALE if job.fmt == "png" else 1)
    return {"format": job.fmt, "width": job.width or width, "height": job.height or height, "scale": scale}


def _figure_text(figure: go.Figure) -> str:
    layout = figure.layout
    parts = [layout.title.text or "", layout.title.subtitle.text or ""]
    parts += [annotation.text or "" for annotation in layout.annotations]
    return " ".join(parts).lower()


def export_figure(chart: Chart) -> go.Figure:
    """The chart's figure as it will be exported: the figure itself, plus any label it lists but does not show.

    Chart builders put their labels ("sample data", "interpolated") inside the figure. If one is missing
    the export adds it in the top right corner rather than leave an image that hides it.
    """
    figure = go.Figure(chart.figure)
    text = _figure_text(figure)
    missing = [label for label in chart.labels if label.lower() not in text]
    if missing:
        log.warning("chart %s lists labels its figure does not show: %s", chart.chart_id, missing)
        figure.add_annotation(
            text="Includes " + ", ".join(missing),
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="bottom",
            yshift=4,
            showarrow=False,
            font={"size": 14, "color": "#3D3D3D"},
        )
    return figure


def _kaleido_class() -> type:
    """kaleido's browser, but reloading each tab every RELOAD_EVERY images instead of after every image.

    kaleido 1.5 reloads the tab (re-parsing 4 MB of plotly.js) after each image, which is most of the cost
    of a warm render. Plotly.toImage draws into a temporary element it purges itself, and the PDF step
    overwrites its <img> and page size each time, so nothing carries over between images (tests check
    that a figure renders to the same bytes whatever came before). The occasional reload bounds memory.
    This overrides a private method of the pinned kaleido version; the export tests fail if it changes.
    """
    import kaleido  # imported here: importing kaleido is slow and only image export needs it

    class WarmKaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab: Any) -> None:
            renders = getattr(self, "_renders_per_tab", {})
            self._renders_per_tab = renders
            renders[id(tab)] = renders.get(id(tab), 0) + 1
            if renders[id(tab)] % RELOAD_EVERY == 0:
                await tab.reload()
            await self.tabs_ready.put(tab)

    return WarmKaleido


def _page_generator() -> Any:
    """kaleido's page, with no margin around a PDF's page.

    kaleido 1.5 prints a PDF with Chromium's margins of 0.1 inch and sets only the page's size in CSS, so the
    figure came out ~8 px lower than drawn and the last line of a source note under the plot was cut at the
    page's foot (a PNG is drawn, not printed, and was whole). A page margin set in CSS takes their place.
    """
    import kaleido

    class PageWithoutMargin(kaleido.PageGenerator):
        header = kaleido.PageGenerator.header.replace("<title>", "<style>@page { margin: 0; }</style>\n<title>", 1)

    return PageWithoutMargin(mathjax=False)


class ImageExporter:
    """One headless Chromium, started on first use (or by `start`) and stopped by `stop` or at exit."""

    def __init__(self, chromium: Path | str | None = None, *, tabs: int = 1, timeout: float = RENDER_TIMEOUT):
        self._configured = Path(chromium) if chromium else None
        self._tabs = tabs
        self._timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._atexit_registered = False

    @property
    def chromium(self) -> Path | None:
        if self._configured is not None:
            return self._configured if self._configured.is_file() else None
        return find_chromium()

    @property
    def available(self) -> bool:
        return self.chromium is not None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> ImageExporter:
        """Start Chromium if it is not running. Raises ExportUnavailable if it cannot."""
        with self._lock:
            if self._kaleido is not None:
                return self
            path = self.chromium
            if path is None:
                raise ExportUnavailable(f"Chromium was not found. {HOW_TO_ENABLE}")
            browser_class = _kaleido_class()
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="kaleido-browser", daemon=True)
            thread.start()

            async def open_browser() -> Any:
                browser = browser_class(
                    n=self._tabs, path=str(path), page_generator=_page_generator(), timeout=self._timeout
                )
                await browser.open()
                return browser

            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT)
            except Exception as error:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(5)
                raise ExportUnavailable(f"Chromium at {path} did not start ({error}). {HOW_TO_ENABLE}") from error
            self._loop, self._thread = loop, thread
            if not self._atexit_registered:
                atexit.register(self.stop)
                self._atexit_registered = True
            log.info("image export browser started: %s", path)
            return self

    def stop(self) -> None:
        """Close the browser and its loop. Safe to call twice; a later render starts it again."""
        with self._lock:
            browser, loop, thread = self._kaleido, self._loop, self._thread
            self._kaleido = self._loop = self._thread = None
            if browser is None or loop is None:
                return
            try:
                asyncio.run_coroutine_threadsafe(browser.close(), loop).result(30)
            except Exception:
                log.warning("image export browser did not close cleanly", exc_info=True)
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(5)
            if not loop.is_running():
                loop.close()

    def render(self, figure: go.Figure | dict, fmt: str, **size: Any) -> bytes:
        """One image of the figure as PNG, SVG or PDF bytes."""
        return self.render_many([ImageJob(figure, fmt, **size)])[0]

    def render_many(self, jobs: Sequence[ImageJob]) -> list[bytes]:
        """Several images at once (concurrently when the exporter has more than one tab), in order."""
        options = [image_options(job) for job in jobs]
        self.start()
        browser, loop = self._kaleido, self._loop
        if browser is None or loop is None:
            raise ExportUnavailable(f"The image export browser was stopped. {HOW_TO_ENABLE}")

        async def render_all() -> list[bytes]:
            return await asyncio.gather(
                *(browser.calc_fig(job.figure, opts=opts) for job, opts in zip(jobs, options, strict=True))
            )

        future = asyncio.run_coroutine_threadsafe(render_all(), loop)
        try:
            return future.result(self._timeout * max(1, len(jobs)) + 5)
        except (FutureTimeout, TimeoutError) as error:
            future.cancel()
            self.stop()
            raise ExportFailed("Rendering the image took too long; the browser has been restarted.") from error
        except (ValueError, TypeError, AttributeError):
            raise
        except Exception as error:
            self.stop()  # the next request starts a fresh browser
            raise ExportFailed(f"The image could not be rendered: {error}") from error


_default_lock = threading.Lock()
_default: ImageExporter | None = None


def default_exporter() -> ImageExporter:
    """The process's exporter (created on first call, browser started on first render, stopped at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ImageExporter()
        return _default


def chart_image(chart: Chart, fmt: str, *, exporter: ImageExporter | None = None, **size: Any) -> bytes:
    """The chart as PNG (2x), SVG or PDF bytes, with its title, source and labels inside the image."""
    return (exporter or default_exporter()).render(export_figure(chart), fmt, **size)


def render_cold(figure: go.Figure | dict, fmt: str, **size: Any) -> bytes:
    """One image with a browser started and stopped for it alone: the slow way, kept for the benchmark."""
    import kaleido

    path = find_chromium()
    if path is None:
        raise ExportUnavailable(f"Chromium was not found. {HOW_TO_ENABLE}")
    opts = image_options(ImageJob(figure, fmt, **size))
    return kaleido.calc_fig_sync(figure, opts=opts, kopts={"path": str(path), "mathjax": False})
