"""Charts for people who cannot see them, and text in charts that people can read (WCAG 1.1.1, 1.4.1, 1.4.3)."""

from __future__ import annotations

import re

import pytest

from charts import style
from charts.all import load_catalogue

AA_TEXT = 4.5
HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def as_hex(colour) -> str | None:
    """#RRGGBB from a Plotly colour given as hex or a CSS name used here; None where Plotly picks it."""
    if colour is None:
        return None
    named = {"black": "#000000", "white": "#FFFFFF"}
    colour = named.get(str(colour).lower(), str(colour))
    return colour if HEX.fullmatch(colour) else None


@pytest.fixture(scope="module")
def charts(conn):
    return [entry.build(conn) for entry in load_catalogue().values()]


def test_the_contrast_helper_matches_wcag():
    assert style.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert style.contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert style.text_on(style.TURQUOISE) == style.TEXT_DARK
    assert style.text_on(style.DARK_BLUE) == style.TEXT_LIGHT


def test_every_chart_has_a_title_and_alt_text(charts):
    assert charts
    for chart in charts:
        assert chart.title.strip() and chart.alt_text.strip(), chart.chart_id
        assert not chart.data.empty, chart.chart_id


def test_text_inside_bars_meets_aa_contrast(charts):
    checked = 0
    for chart in charts:
        for trace in chart.figure.data:
            if getattr(trace, "textposition", None) not in ("inside", "auto") or trace.text is None:
                continue
            colours = trace.marker.color if isinstance(trace.marker.color, list | tuple) else [trace.marker.color]
            text_colour = as_hex(trace.insidetextfont.color)
            assert text_colour, f"{chart.chart_id}: text inside {trace.name!r} bars has no set colour"
            for colour in map(as_hex, colours):
                assert style.contrast(text_colour, colour) >= AA_TEXT, f"{chart.chart_id}: {trace.name!r}"
                checked += 1
    assert checked, "no chart has text inside its bars: the check would pass on nothing"


def test_annotations_and_axis_text_meet_aa_contrast_on_white(charts):
    for chart in charts:
        layout = chart.figure.layout
        template_font = as_hex(layout.template.layout.font.color) or "#000000"
        assert style.contrast(template_font, "#FFFFFF") >= AA_TEXT
        for annotation in layout.annotations:
            colour = as_hex(annotation.font.color)
            if colour:
                assert style.contrast(colour, "#FFFFFF") >= AA_TEXT, f"{chart.chart_id}: {annotation.text!r}"
        for colour in HEX.findall(str(layout.title.text)):
            assert style.contrast(colour, "#FFFFFF") >= AA_TEXT, chart.chart_id


def test_on_a_phone_titles_wrap_short_and_the_export_layout_is_untouched(charts):
    for chart in charts:
        wide_title = chart.figure.layout.title.text
        narrow = style.narrow_figure(chart)
        title_lines = narrow.layout.title.text.split("<span")[0].replace("<b>", "").replace("</b>", "").split("<br>")
        assert all(len(line) <= style.NARROW.title_wrap for line in title_lines if line), chart.chart_id
        assert [note.name for note in narrow.layout.annotations].count("source") == 1, chart.chart_id
        assert chart.figure.layout.title.text == wide_title, "the chart itself (and so every export) keeps its layout"


def test_on_a_phone_no_axis_label_is_slanted_and_column_labels_fit_their_columns(charts):
    for chart in charts:
        narrow = style.narrow_figure(chart)
        for axis in (narrow.layout.xaxis, narrow.layout.yaxis):
            assert axis.tickangle in (None, 0), chart.chart_id
        if narrow.layout.xaxis.ticktext:
            width_px = (style.NARROW_COLUMN_PX - 56) / len(narrow.layout.xaxis.ticktext)
            for label in narrow.layout.xaxis.ticktext:
                longest = max(len(line) for line in label.split("<br>"))
                assert longest * style.NARROW_TICK_CHAR_PX <= max(width_px, 4 * style.NARROW_TICK_CHAR_PX), (
                    chart.chart_id,
                    label,
                )
