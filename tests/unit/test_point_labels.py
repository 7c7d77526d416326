"""Value labels beside chart points: never on top of each other or a marker, never outside the plot.

The geometry is checked on the figure spec (the y range, the plot's height and each label's shift), for
shapes the 2021 data does not have: several values at one year, values close together, large values.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from charts import point_labels, style
from charts.all import load_catalogue
from charts.point_labels import POINT_LABEL, Box, Label
from data.__main__ import main as data_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
YEARS = [f"{year}/{(year + 1) % 100:02d}" for year in range(2019, 2028)]


def plot_size(fig: go.Figure, fit: style.Fit) -> tuple[float, float]:
    margin = fig.layout.margin
    left = style.MARGIN_LEFT if margin.l is None else margin.l
    right = style.MARGIN_RIGHT if margin.r is None else margin.r
    return fit.column_px - left - right, fig.layout.height - margin.t - margin.b


def label_boxes(fig: go.Figure, fit: style.Fit) -> tuple[dict[str, Box], list[Box], float]:
    """Each point label's box in plot pixels as the figure spec draws it, the markers' boxes, the plot height."""
    layout = fig.layout
    plot_width, plot_height = plot_size(fig, fit)
    categories = list(layout.xaxis.categoryarray)
    x_low, x_high = layout.xaxis.range
    y_low, y_high = layout.yaxis.range

    def px(x: str, y: float) -> tuple[float, float]:
        return (
            (categories.index(x) - x_low) / (x_high - x_low) * plot_width,
            (y - y_low) / (y_high - y_low) * plot_height,
        )

    boxes = {}
    for note in layout.annotations:
        if note.name != POINT_LABEL:
            continue
        x, y = px(note.x, note.y)
        dx, dy = (note.ax, -note.ay) if note.showarrow else (note.xshift or 0, note.yshift or 0)
        width, height = point_labels.text_size(note.text, note.font.size)
        # a hundredth of a pixel in from each side: the spec's shifts are rounded, the placement is exact
        boxes[note.text] = Box(
            x + dx - width / 2 + 0.01, x + dx + width / 2 - 0.01, y + dy - height / 2 + 0.01, y + dy + height / 2 - 0.01
        )
    markers = [
        point_labels.marker_box(*px(x, y), trace.marker.size)
        for trace in fig.data
        if "markers" in (trace.mode or "")
        for x, y in zip(trace.x, trace.y, strict=True)
        if y is not None  # a year not reported: no marker (charts.point_labels skips it too)
    ]
    return boxes, markers, plot_height


def assert_clear(fig: go.Figure, fit: style.Fit) -> dict[str, Box]:
    boxes, markers, plot_height = label_boxes(fig, fit)
    plot_width, _ = plot_size(fig, fit)
    for (name, box), (other_name, other) in combinations(boxes.items(), 2):
        assert not box.overlaps(other), (name, other_name, box, other)  # at least GAP_PX apart
    for name, box in boxes.items():
        assert not any(box.overlaps(marker) for marker in markers), name
        assert box.bottom >= -0.01 and box.top <= plot_height + 0.01, (name, box, plot_height)  # not clipped
        assert box.left >= -0.01 and box.right <= plot_width + 0.01, (name, box, plot_width)
    return boxes


def points_figure(points: list[tuple[int, float]]) -> go.Figure:
    fig = go.Figure()
    for number, (year_index, value) in enumerate(points):
        trace = go.Scatter(x=[YEARS[year_index]], y=[value], mode="markers", marker={"size": 13})
        fig.add_trace(point_labels.labelled(trace.update(text=[f"£{value:,.1f}m #{number}"])))
    fig.update_xaxes(categoryorder="array", categoryarray=YEARS, range=[-0.5, len(YEARS) - 0.5])
    return fig


values = st.floats(min_value=0, max_value=5_000, allow_nan=False).map(lambda v: round(v, 1))
# Several values at one year, values a fraction apart, large values next to small ones.
point_sets = st.lists(st.tuples(st.integers(0, len(YEARS) - 1), values), min_size=1, max_size=12) | st.tuples(
    st.integers(0, len(YEARS) - 1), values, st.lists(st.floats(0, 3), min_size=1, max_size=6)
).map(lambda t: [(t[0], round(t[1] + step, 1)) for step in [0.0, *t[2]]])


@settings(max_examples=25, deadline=None)
@given(points=point_sets)
def test_labels_never_overlap_or_leave_the_plot_wide_or_narrow(points):
    fig = style.finish(points_figure(points), title="t", subtitle="s", source="Source: test.")
    assert_clear(fig, style.WIDE)
    narrow = go.Figure(fig)
    narrow.update_layout(margin={"l": 48, "r": 8})
    style.finish(narrow, title="t", subtitle="s", source="Source: test.", fit=style.NARROW)
    assert_clear(narrow, style.NARROW)


labels = st.lists(st.tuples(st.integers(0, 8), st.floats(0, 400), st.integers(3, 16)), min_size=1, max_size=15)


@settings(max_examples=100, deadline=None)
@given(rows=labels, width=st.sampled_from([294, 562, 712]))
def test_placed_boxes_are_apart_clear_of_markers_and_inside_the_width(rows, width):
    step = width / 9
    placed = [Label((x + 0.5) * step, y, *point_labels.text_size("£" + "9" * chars, 14)) for x, y, chars in rows]
    markers = [point_labels.marker_box(label.x, label.y, 13) for label in placed]
    boxes = point_labels.place(placed, markers, width)
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b)  # GAP_PX apart at least
    for box in boxes:
        assert not any(box.overlaps(marker) for marker in markers)
        assert box.left >= 0 and box.right <= width and box.bottom >= 0


def test_the_2021_figures_keep_every_label_at_rest_above_its_point(conn):
    chart = load_catalogue()["dsg_trajectory"].build(conn)
    boxes = assert_clear(chart.figure, style.WIDE)
    assert set(boxes) == {"£37.9m", "£54.9m (derived)", "£110m", "£70m"}
    assert not any(note.showarrow for note in chart.figure.layout.annotations if note.name == POINT_LABEL)


def test_later_figures_three_values_at_2025_26_are_all_readable(db_path):
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        chart = load_catalogue()["dsg_trajectory"].build(conn)
        reserves = load_catalogue()["reserves_by_year"].build(conn)
    # 2020/21: the DSG deficit (£37.9m) and the restated general fund reserve (£31.2m) a few pixels apart
    assert {"£37.9m", "£31.2m"} <= set(assert_clear(reserves.figure, style.WIDE))
    assert_clear(style.narrow_figure(reserves), style.NARROW)
    for fit, fig in ((style.WIDE, chart.figure), (style.NARROW, style.narrow_figure(chart))):
        boxes = assert_clear(fig, fit)
        assert {"£126.4m", "£115m", "£110m", "£70m"} <= set(boxes)
        # in the order of their values, so each reads against its own point
        assert boxes["£110m"].top <= boxes["£115m"].bottom and boxes["£115m"].top <= boxes["£126.4m"].bottom
        assert fig.layout.yaxis.range[1] > 126.4


def test_no_label_covers_a_years_not_reported_note_on_a_phone(db_path):
    """On a phone the later figures' 2021/22 "not reported", turned upright, was hidden behind "£31.2m" (the
    label of 2020/21's point beside it) down to "not repo"."""
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path)]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        reserves = load_catalogue()["reserves_by_year"].build(conn)
    for fit, fig in ((style.WIDE, reserves.figure), (style.NARROW, style.narrow_figure(reserves))):
        boxes, _, plot_height = label_boxes(fig, fit)
        plot_width, _ = plot_size(fig, fit)
        categories = list(fig.layout.xaxis.categoryarray)
        x_low, x_high = fig.layout.xaxis.range
        y_low, y_high = fig.layout.yaxis.range
        (note,) = [note for note in fig.layout.annotations if note.name == style.YEAR_GAP_NOTE]
        x = (categories.index(note.x) - x_low) / (x_high - x_low) * plot_width
        note_box = point_labels._note_box(note, x, (0 - y_low) / (y_high - y_low) * plot_height)
        if fit is style.NARROW:
            assert note.textangle == -90 and note_box.top - note_box.bottom > 60  # upright, as tall as its words
        assert not [name for name, box in boxes.items() if box.overlaps(note_box)], fit
