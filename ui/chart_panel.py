"""Show a Chart the same way everywhere: the figure, and beside it its alt text, its data and its downloads."""

from __future__ import annotations

import logging
import threading
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from charts import style
from charts.spec import Chart
from data import vocab
from exports import images
from exports.data import CSV_MIME, XLSX_MIME, chart_file_name, csv_bytes, xlsx_bytes
from ui import as_at as as_at_control
from ui import briefing_pack
from ui.document import window_is_narrow
from ui.panel import opened_menu, opened_panel
from ui.safe import plain
from ui.tables import table_or_grid

log = logging.getLogger(__name__)

IMAGE_DOWNLOADS = (
    ("png", "PNG image", ":material/image:"),
    ("svg", "SVG image", ":material/draw:"),
    ("pdf", "PDF", ":material/picture_as_pdf:"),
)

DATA_DOWNLOADS = (
    ("Data (CSV)", csv_bytes, "csv", CSV_MIME, ":material/table:"),
    ("Data (Excel)", xlsx_bytes, "xlsx", XLSX_MIME, ":material/table_view:"),
)


@st.cache_resource(show_spinner=False)
def image_exporter() -> images.ImageExporter:
    """The app's one image-export browser: started in the background on first use, stopped at exit."""
    exporter = images.default_exporter()
    if exporter.available:
        threading.Thread(target=_warm_up, args=(exporter,), name="kaleido-warm-up", daemon=True).start()
    return exporter


def _warm_up(exporter: images.ImageExporter) -> None:
    try:
        exporter.start()
    except images.ExportUnavailable:
        log.warning("image export browser did not start", exc_info=True)


def show_chart(chart: Chart) -> None:
    """Render a chart with the Plotly template it was built with (theme=None: screen = export).

    For people who cannot see it: the chart's accessible name is its statement title and alt text; after it
    come the Download menu and the description, then "Show the data", which opens the numbers as a table
    (one keystroke; the table is drawn when it is opened).
    Plotly's own toolbar is off: its PNG button duplicates the Download menu and added tab stops.

    Call it at the top level of a page (not inside st.columns): it lays out its own two columns.
    """
    figure_column, side = st.columns([3, 1], gap="medium")
    with figure_column:
        st.plotly_chart(
            style.narrow_figure(chart) if window_is_narrow() else chart.figure,
            theme=None,
            width="stretch",
            key=f"chart_{chart.chart_id}",
            config={"displayModeBar": False, "responsive": True},
            alt=f"Chart: {chart.title}. {chart.alt_text}",
        )
    with side:
        download_menu(chart)
        st.caption(f"**What this chart shows.** {plain(chart.alt_text)}")
        if chart.labels:
            st.caption("Includes values that are: " + ", ".join(chart.labels) + " (marked in the chart).")
    # The whole width, under the chart and its menu: a chart's data (with its sources and quotes) did not fit
    # the side column, nor always the chart's, and a table scrolling sideways is out of the keyboard's reach.
    if (showing := opened_panel("Show the data", f"data_{chart.chart_id}")) is not None:
        with showing:
            data_table(chart)


def table_display(data: pd.DataFrame) -> Styler:
    """The data as the table under a chart shows it: each number with the decimals it has ('37.9', not
    '37.9000'; '2.35', not '2.4'), money with thousands separated, missing cells blank (not "None"). A modelled,
    derived or interpolated amount (its row's basis says so) reads to one decimal place ('58.7', not '58.675').
    Only how the cells read changes: the values (and the CSV/XLSX downloads, which keep them whole) are untouched."""
    basis = next((column for column in data.columns if str(column).lower() == "basis"), None)
    shown = data.copy()
    floats = [column for column in data.columns if pd.api.types.is_float_dtype(data[column])]
    for column in floats:
        money = vocab.is_money_column(column)
        shown[column] = [
            vocab.number(round(value, 1) if money and not _as_reported(row_basis) else value, thousands=money)
            for value, row_basis in zip(data[column], data[basis] if basis else ["reported"] * len(data), strict=True)
        ]
    others = [column for column in data.columns if column not in floats]
    return shown.style.format(na_rep="", subset=others)


def _as_reported(basis: object) -> bool:
    return not isinstance(basis, str) or basis in ("reported", "sample")


# On screen the chart's source line, just above, names each document and its date; the downloads, which travel
# without it, keep both on every row. With them the table was wider than the page at 1400 px.
ONLY_IN_DOWNLOADS = ("source_document", "source_date")


def data_table(chart: Chart) -> None:
    data = chart.data.drop(columns=[column for column in ONLY_IN_DOWNLOADS if column in chart.data.columns])
    table_or_grid(data, alt=f"Data behind the chart: {chart.title}", display=table_display)


def add_to_pack_button(chart: Chart) -> None:
    """ "Add to briefing pack": the chart as shown goes to the end of this session's pack (once)."""
    if briefing_pack.contains(briefing_pack.entry_key(chart)):
        st.button(
            f"In the briefing pack ({briefing_pack.count_words()})",
            key=f"pack_added_{chart.chart_id}",
            icon=":material/playlist_add_check:",
            disabled=True,
            width="stretch",
        )
        return
    st.button(
        "Add to briefing pack",
        key=f"pack_add_{chart.chart_id}",
        icon=":material/playlist_add:",
        on_click=briefing_pack.add_chart,
        args=(chart, as_at_control.current()),
        width="stretch",
    )


def download_menu(chart: Chart) -> None:
    """ "Add to briefing pack"; PNG, SVG and PDF rendered when clicked (in the app's warm browser); the data as
    CSV and XLSX. The menu's items are drawn when it is opened. File names end with the dashboard's as-at date
    (the day itself when the latest figures are shown)."""
    exporter = image_exporter()  # started (in the background) with the first chart, so the first PNG is quick
    menu = opened_menu("Download", f"downloads_{chart.chart_id}", icon=":material/download:")
    if menu is None:
        return
    view_date = as_at_control.current() or date.today()
    with menu:
        add_to_pack_button(chart)
        if exporter.available:
            for fmt, label, icon in IMAGE_DOWNLOADS:
                st.download_button(
                    label,
                    data=partial(images.chart_image, chart, fmt, exporter=exporter),
                    file_name=chart_file_name(chart, fmt, as_at=view_date),
                    mime=images.IMAGE_FORMATS[fmt],
                    key=f"{fmt}_{chart.chart_id}",
                    icon=icon,
                    on_click="ignore",
                    width="stretch",
                )
        else:
            st.caption(images.HOW_TO_ENABLE)
        for label, build, fmt, mime, icon in DATA_DOWNLOADS:
            st.download_button(
                label,
                data=partial(build, chart),
                file_name=chart_file_name(chart, fmt, as_at=view_date),
                mime=mime,
                key=f"{fmt}_{chart.chart_id}",
                icon=icon,
                on_click="ignore",
                width="stretch",
            )
