"""Every word a page puts on screen under AppTest: text elements, figures, widget labels and options, table
headings and cells, and the words drawn in its charts (titles, notes, axis titles, trace names, hover text)."""

from __future__ import annotations

import json

import pandas as pd

TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text")
WIDGETS = ("selectbox", "multiselect", "radio", "checkbox", "toggle", "button", "text_input", "date_input",
           "number_input", "text_area", "slider", "select_slider")  # fmt: skip
CHART_TRACE_TEXT = ("name", "text", "hovertemplate", "hovertext", "texttemplate")


def _frame_words(frame: pd.DataFrame | None) -> list[str]:
    if frame is None:
        return []
    words = [str(column) for column in frame.columns]
    for column in frame.columns:
        words.extend(str(value) for value in frame[column].tolist() if isinstance(value, str))
    return words


def _chart_words(spec: dict) -> list[str]:
    words: list[str] = []
    layout = spec.get("layout", {})
    title = layout.get("title")
    words.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
    words.extend(str(note.get("text", "")) for note in layout.get("annotations", []))
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis_title = axis.get("title")
            words.append(axis_title.get("text", "") if isinstance(axis_title, dict) else str(axis_title or ""))
            words.extend(str(tick) for tick in axis.get("ticktext", []) or [])
    for trace in spec.get("data", []):
        for key in CHART_TRACE_TEXT:
            value = trace.get(key)
            if isinstance(value, str):
                words.append(value)
            elif isinstance(value, list):
                words.extend(str(item) for item in value)
    return words


def screen_words(at) -> list[str]:
    """The texts an AppTest run drew, main area and sidebar; panels drawn closed are not opened."""
    words: list[str] = []
    for kind in TEXT_ELEMENTS:
        words.extend(str(element.value) for element in at.get(kind))
    for metric in at.metric:
        words.extend([metric.label, str(metric.value), str(metric.proto.help or "")])
    for kind in WIDGETS:
        for widget in at.get(kind):
            words.extend([str(getattr(widget, "label", "")), str(getattr(widget, "help", "") or "")])
            words.extend(str(option) for option in getattr(widget, "options", []) or [])
            placeholder = getattr(widget, "placeholder", None)
            if placeholder:
                words.append(str(placeholder))
    for table in at.table:
        words.extend(_frame_words(table.value))
    for frame in at.dataframe:
        words.extend(_frame_words(frame.value))
    for chart in at.get("plotly_chart"):
        words.extend(_chart_words(json.loads(chart.proto.spec)))
    return [word for word in words if word]
