"""Text beside horizontal bars stays inside the chart, on a phone (390 px) and in the wide layout.

Checked on the figure spec: the value axis's range, the plot's width and an estimate of each label's width
(charts.style's own, which is on the large side of Arial's).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts import style
from charts.all import load_catalogue
from data.__main__ import main as data_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"


def plot_width(fig: go.Figure, fit: style.Fit) -> float:
    margin = fig.layout.margin
    left = style.MARGIN_LEFT if margin.l is None else margin.l
    right = style.MARGIN_RIGHT if margin.r is None else margin.r
    return fit.column_px - left - right


def outside_label_overflow(fig: go.Figure, fit: style.Fit) -> list[tuple[str, float]]:
    """(label, pixels past the plot's edge) for each outside label of a horizontal bar that does not fit."""
    width = plot_width(fig, fit)
    overflow = []
    for trace in fig.data:
        if trace.type != "bar" or trace.orientation != "h" or trace.textposition != "outside" or trace.text is None:
            continue
        low, high = fig.layout.xaxis.range
        font_px = trace.textfont.size or fig.layout.font.size or 14
        for value, text in zip(trace.x, style._bar_texts(trace), strict=True):
            if not text:
                continue
            end = (value - low) / (high - low) * width
            label = style._bar_text_width(text, font_px)
            past = end + label - width if value >= 0 else -(end - label)
            if past > 0.01:
                overflow.append((str(text), past))
    return overflow


@pytest.fixture(scope="module")
def bar_charts(conn):
    charts = [entry.build(conn) for entry in load_catalogue().values()]
    return [c for c in charts if any(t.type == "bar" and t.orientation == "h" for t in c.figure.data)]


def test_every_horizontal_bar_label_fits_wide_and_on_a_phone(bar_charts):
    assert {c.chart_id for c in bar_charts} >= {
        "monitoring_variance_directorate", "monitoring_cost_centres", "monitoring_savings", "savings_picture",
        "action_overdue_by_theme",
    }  # fmt: skip
    for chart in bar_charts:
        assert outside_label_overflow(chart.figure, style.WIDE) == [], chart.chart_id
        # before: "+£9.7m · Red" ran 30 px past the phone's plot (the range was set for a 650 px column)
        assert outside_label_overflow(style.narrow_figure(chart), style.NARROW) == [], chart.chart_id


def test_on_a_phone_bar_names_fit_across_the_plot_and_tick_labels_in_the_margin(bar_charts):
    for chart in bar_charts:
        narrow = style.narrow_figure(chart)
        width = plot_width(narrow, style.NARROW)
        for note in narrow.layout.annotations:
            if note.name == style.BAR_NAME:  # names written above their bars, from the plot's left edge
                assert style._bar_text_width(note.text, note.font.size) <= width + style.BAR_TEXT_PAD_PX, note.text
        ticks = narrow.layout.yaxis.ticktext or ()
        if ticks and narrow.layout.yaxis.showticklabels is not False:  # a cut name ("ldren's Services") before
            longest = max(len(line) for tick in ticks for line in str(tick).split("<br>"))
            assert narrow.layout.margin.l >= 5.6 * longest + 8, chart.chart_id
            assert narrow.layout.yaxis.automargin is False


@settings(max_examples=60, deadline=None)
@given(
    bars=st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.text("£0123456789m ·shortRedGren", max_size=40)),
        min_size=1,
        max_size=12,
    ),
    fit=st.sampled_from([style.WIDE, style.NARROW]),
)
def test_any_values_and_labels_fit_beside_their_bars(bars, fit):
    names = [f"row {i}" for i in range(len(bars))]
    fig = go.Figure(
        go.Bar(y=names, x=[v for v, _ in bars], text=[t for _, t in bars], textposition="outside", orientation="h")
    )
    fig.update_layout(margin={"l": 48, "r": 8} if fit is style.NARROW else {})
    style.finish(fig, title="t", subtitle="s", source="Source: test.", legend=False, fit=fit)
    assert outside_label_overflow(fig, fit) == []
    low, high = fig.layout.xaxis.range
    assert low <= min(0, *(v for v, _ in bars)) and high >= max(0, *(v for v, _ in bars))  # every bar whole


def column_label_problems(fig: go.Figure, fit: style.Fit) -> list[str]:
    """Labels above vertical bars that are turned, run into another label or another bar, or run past the top of
    the plot or off its sides (into the right margin at most). Bars are placed as Plotly places them: each
    category's group takes 1 - bargap of its width, shared equally by the grouped traces."""
    width = plot_width(fig, fit)
    height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    columns = [t for t in fig.data if t.type == "bar" and t.orientation != "h" and t.y is not None]
    categories = list(fig.layout.xaxis.categoryarray or dict.fromkeys(x for t in columns for x in t.x))
    grouped = fig.layout.barmode == "group"
    template = fig.layout.template.layout
    bargap = template.bargap if fig.layout.bargap is None else fig.layout.bargap
    groupgap = (template.bargroupgap if fig.layout.bargroupgap is None else fig.layout.bargroupgap) if grouped else 0
    category = width / len(categories)
    slot = category * (1 - bargap) / (len(columns) if grouped else 1)
    low, high = fig.layout.yaxis.range
    y_px = lambda value: (value - low) / (high - low) * height  # noqa: E731
    bars, labels, problems = [], [], []
    for number, trace in enumerate(columns):
        font_px = trace.textfont.size or fig.layout.font.size or 14
        texts = style._bar_texts(trace) if trace.text is not None else [""] * len(trace.y)
        for x, value, text in zip(trace.x, trace.y, texts, strict=True):
            if value is None:
                continue
            middle = (categories.index(x) + 0.5) * category - category * (1 - bargap) / 2
            middle += slot * ((number if grouped else 0) + 0.5)
            half = slot * (1 - groupgap) / 2
            bars.append(((number, x), (middle - half, middle + half, y_px(min(0, value)), y_px(max(0, value)))))
            if text and trace.textangle not in (None, 0):
                problems.append(f"{text!r} is turned")
            if not text or trace.textposition != "outside":
                continue
            across = style._bar_text_width(text, font_px) - style.BAR_TEXT_PAD_PX
            tall = font_px * 1.3 * style.lines_in(text)
            bottom = y_px(value) if value >= 0 else y_px(value) - tall - style.BAR_TEXT_PAD_PX
            labels.append(((number, x), text, (middle - across / 2, middle + across / 2, bottom, bottom + tall)))
            if value >= 0 and y_px(value) + tall + style.BAR_TEXT_PAD_PX > height + 0.01:
                problems.append(f"{text!r} runs past the top of the plot")
            # past the plot's right edge into the figure's right margin (the template's, where none is set)
            right_margin = style.MARGIN_RIGHT if fig.layout.margin.r is None else fig.layout.margin.r
            if middle - across / 2 < 0 or middle + across / 2 > width + right_margin:
                problems.append(f"{text!r} runs off the side of the plot")

    def meet(a, b):
        return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]

    for index, (key, text, box) in enumerate(labels):
        problems += [f"{text!r} runs into {other!r}" for _, other, near in labels[index + 1 :] if meet(box, near)]
        problems += [f"{text!r} runs into the bar {near}" for near, bar in bars if near != key and meet(box, bar)]
    return problems


def test_labels_above_columns_never_run_into_each_other_or_off_the_plot(db_path):
    # later figures: eight years of budget and outturn side by side ("£304m£319m (derived)" ran together)
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = [entry.build(conn) for entry in load_catalogue().values()]
    columns = [
        c for c in charts if any(t.type == "bar" and t.orientation != "h" and t.text is not None for t in c.figure.data)
    ]
    assert {c.chart_id for c in columns} >= {"budget_and_outturn", "net_budget_by_year", "overspend_by_year"}
    for chart in columns:
        assert column_label_problems(chart.figure, style.WIDE) == [], chart.chart_id
        assert column_label_problems(style.narrow_figure(chart), style.NARROW) == [], chart.chart_id


@settings(max_examples=60, deadline=None)
@given(
    bars=st.lists(
        st.tuples(st.floats(0, 1e6, allow_nan=False), st.text("£0123456789m (derived)", max_size=24)),
        min_size=1,
        max_size=10,
    ),
    fit=st.sampled_from([style.WIDE, style.NARROW]),
    over_years=st.booleans(),
)
def test_any_labels_above_columns_fit(bars, fit, over_years):
    """Over years (a series) or over separate items (reserves beside deficits), which keep labels differently."""
    if over_years:
        columns = [f"{2019 + i}/{(20 + i) % 100:02d}" for i in range(len(bars))]
    else:
        columns = [f"Item {i}<br>(no date given)" for i in range(len(bars))]
    fig = go.Figure(go.Bar(x=columns, y=[v for v, _ in bars], text=[t for _, t in bars], textposition="outside"))
    fig.update_layout(margin={"l": 48, "r": 8} if fit is style.NARROW else {})
    style.finish(fig, title="t", subtitle="s", source="Source: test.", legend=False, fit=fit)
    assert column_label_problems(fig, fit) == []


def test_on_a_phone_reserves_beside_deficits_keep_every_value_label(conn):
    """At 390 px the bar chart of reserves beside the DSG deficit labelled only its last bar ("£54.9m
    (derived)"): the rule for years of a series (latest only) was applied to four separate items."""
    chart = load_catalogue()["reserves_against_dsg_deficit"].build(conn)
    narrow = style.narrow_figure(chart)
    (bars,) = [t for t in narrow.data if t.type == "bar"]
    assert [text.replace("<br>", " ") for text in bars.text] == ["£31.5m", "£65m", "£37.9m", "£54.9m (derived)"]
    assert column_label_problems(narrow, style.NARROW) == []


@pytest.mark.parametrize("reason", ["no year with both a net budget and an outturn", "x " * 80])
def test_on_a_phone_a_not_reported_sentence_fits_across_the_plot(reason):
    # It ran off both sides of a 390 px window at the wide plot's 60 characters a line.
    chart = style.not_reported_chart("outturn_against_budget", "Outturn against budget", reason)
    plot_px = style.NARROW_COLUMN_PX - 48 - 8
    for figure, width_px in ((chart.figure, 900), (style.narrow_figure(chart), plot_px)):
        (note,) = [note for note in figure.layout.annotations if note.name == style.NOT_REPORTED_NOTE]
        longest = max(len(line) for line in note.text.split("<br>"))
        assert longest * style.BAR_TEXT_EM * style.NOT_REPORTED_NOTE_PX <= width_px, note.text
        assert note.text.replace("<br>", " ").startswith("Not reported:")


def test_labels_above_columns_stay_level_and_the_axis_keeps_to_the_data(db_path):
    """With eight years loaded, 'c. £312m' was turned to read upwards above its bar and the value axis ran to
    £600m to hold the turned labels of bars that end at £425m: labels break onto two lines instead, and a
    label that still cannot lie level sits inside its bar, so the axis keeps to the data."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = {chart_id: entry.build(conn) for chart_id, entry in load_catalogue().items()}
    budget = charts["net_budget_by_year"].figure
    assert {trace.textangle for trace in budget.data if trace.type == "bar"} == {0}
    for chart in charts.values():
        columns = [t for t in chart.figure.data if t.type == "bar" and t.orientation != "h" and t.text is not None]
        tops = [v for t in columns for v in t.y if v is not None]
        if not tops or min(tops) < 0:
            continue
        for figure in (chart.figure, style.narrow_figure(chart), style.slide_figure(chart, 888, 340)):
            assert figure.layout.yaxis.range[1] <= 1.25 * max(tops), chart.chart_id


def test_on_a_phone_year_labels_under_columns_are_never_broken_mid_word(db_path):
    """Eight years of columns at 390 px broke '2020/21' into '2020/2' over '1': every other year is labelled."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = [entry.build(conn) for entry in load_catalogue().values()]
    for chart in charts:
        narrow = style.narrow_figure(chart).layout.xaxis
        for value, text in zip(narrow.tickvals or (), narrow.ticktext or (), strict=True):
            words = str(value).replace("<br>", " ").split()
            assert text.replace("<br>", " ").split() == words, (chart.chart_id, value, text)


def test_eight_years_of_columns_label_every_other_year_so_labels_stand_apart_at_1400_px(db_path):
    """With the later figures (2020/21 to 2027/28) the net budget chart's eight year labels ran together in its
    column at 1400 px ('2020/212021/22'); every year keeps its column and every other one is labelled."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        budget = load_catalogue()["net_budget_by_year"].build(conn).figure
    years = list(budget.layout.xaxis.categoryarray)
    assert len(years) == 8
    assert list(budget.layout.xaxis.tickvals) == years[::2]


def test_on_a_phone_not_reported_reads_upwards_inside_its_years_column(db_path):
    """At 390 px 'not reported', level over a gap among eight years, ran into the next year's column: on a phone
    it is turned to read upwards in its own column; the wide chart keeps it level."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = load_catalogue()["budget_and_outturn"].build(conn)
    wide = [note for note in chart.figure.layout.annotations if note.name == style.YEAR_GAP_NOTE]
    narrow = [note for note in style.narrow_figure(chart).layout.annotations if note.name == style.YEAR_GAP_NOTE]
    assert wide and len(narrow) == len(wide)
    assert all(note.textangle in (None, 0) for note in wide)
    columns = len(chart.figure.layout.xaxis.categoryarray)
    column_px = (style.NARROW_COLUMN_PX - 56) / columns
    assert len("reported") * style.BAR_TEXT_EM * style.YEAR_GAP_NOTE_PX > column_px  # level, it would not fit
    assert all(note.textangle == -90 and "<br>" not in note.text for note in narrow)


def test_every_bar_not_reported_as_it_stands_is_hatched_and_the_figure_says_so(db_path):
    """With the later figures every outturn was derived, but only the latest bar said "(derived)": the others'
    labels are left out where columns are too narrow, so three derived outturns read as reported while the
    caption beside them said the derived values are marked in the chart. Each such bar is hatched, wide, on a
    phone and on a slide, and the figure's notes say what the hatching means."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        charts = {chart_id: entry.build(conn) for chart_id, entry in load_catalogue().items()}
    hatched_charts = set()
    for chart in charts.values():
        data = chart.data.set_index(chart.data.columns[0]) if "basis" in chart.data.columns else None
        for figure in (chart.figure, style.narrow_figure(chart), style.slide_figure(chart, 888, 340)):
            for trace in (t for t in figure.data if t.type == "bar"):
                shapes = trace.marker.pattern.shape if trace.marker.pattern else None
                bases = (trace.meta or {}).get(style.BASES) if isinstance(trace.meta, dict) else None
                if data is None or shapes is None:
                    continue
                hatched_charts.add(chart.chart_id)
                assert [shape == style.HATCH for shape in shapes] == [b != "reported" for b in bases]
        if chart.chart_id in hatched_charts:  # in the figure's footer on screen; a slide sets the notes as text
            assert "Hatched bars are derived values." in chart.notes
            for figure in (chart.figure, style.narrow_figure(chart)):
                footer = " ".join(note.text.replace("<br>", " ") for note in figure.layout.annotations)
                assert "Hatched bars are derived values." in footer, chart.chart_id
    outturns = charts["budget_and_outturn"]
    (outturn,) = [t for t in outturns.figure.data if t.name == "Net outturn"]
    derived = set(
        outturns.data.loc[
            (outturns.data["Item"] == "outturn") & (outturns.data["basis"] == "derived"), "Financial year"
        ]
    )
    assert len(derived) >= 3
    assert {year for year, shape in zip(outturn.x, outturn.marker.pattern.shape, strict=True) if shape} == derived
    assert "budget_and_outturn" in hatched_charts
    assert not any(style.hatched_bases(c.figure) for c in charts.values() if "basis" in c.data.columns
                   and (c.data["basis"] == "reported").all())  # fmt: skip


def test_a_series_part_derived_says_in_its_legend_name_which_bars_are_hatched():
    """The legend's swatch is drawn like a series' first bar: hatched for a series whose first year alone is
    derived, solid for one whose later years are. The name says which bars are hatched; a series wholly
    derived or wholly reported keeps its name (its swatch is then right)."""
    from charts.yearly import grouped_bars

    def rows(*bases):
        return pd.DataFrame({"fiscal_year": ["2020/21", "2021/22"][: len(bases)], "value": [1.0, 2.0][: len(bases)],
                             "basis": list(bases)})  # fmt: skip

    mixed = grouped_bars(rows("derived", "reported"), ["a", "b"], "#000000", "Net outturn")
    assert mixed.name == "Net outturn (hatched where derived)"
    assert list(mixed.marker.pattern.shape) == [style.HATCH, ""]
    assert mixed.marker.pattern.fillmode == "overlay"  # over the bar's own colour, which stays visible
    assert grouped_bars(rows("derived", "derived"), ["a", "b"], "#000000", "Net outturn").name == "Net outturn"
    solid = grouped_bars(rows("reported", "reported"), ["a", "b"], "#000000", "Net outturn")
    assert solid.name == "Net outturn" and not solid.marker.pattern.shape
