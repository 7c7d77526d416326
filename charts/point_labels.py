"""Value labels beside the points of a chart, placed so that none overlaps another, a marker or an edge.

Plotly's own text positions ("top center") put every label of a year at the same height above its
point, so points close in value (three figures for one year) draw their labels on top of each other and
the highest is cut off by the top of the plot. Here a trace marked `labelled` has its `text` drawn as
annotations named POINT_LABEL, one beside each marker: `arrange` measures the plot in pixels, gives each
label a free place next to its point (or lists a crowded point's labels beside it, in order), and sets
the y range so the highest fits. A label not right next to its point gets a thin line to it.
`finish` in charts.style calls it for every figure it lays out, wide or narrow, so the placement
follows the width the figure is drawn at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import plotly.graph_objects as go

POINT_LABEL = "point label"
CHAR_WIDTH_EM = 0.6  # wider than Arial's digits (0.556 em), so an estimated box is never narrower than the text
LINE_HEIGHT_EM = 1.3
PADDING_PX = 3  # the annotation's border pad, on each side
GAP_PX = 2  # clear space between a label and anything below it
ROUNDING = 1e-6
MOVED_PX = 3  # a label further than this from its resting place gets a line to its point
MAX_RANGE_STEPS = 200
MAX_HEADROOM = 2.0  # the y range may grow to this many times the data's span to make room for labels


@dataclass(frozen=True)
class Box:
    """A rectangle in plot pixels, measured from the plot's bottom-left corner."""

    left: float
    right: float
    bottom: float
    top: float

    def overlaps(self, other: Box) -> bool:
        """Closer than GAP_PX vertically while overlapping horizontally (a rounding error apart is not)."""
        return (
            self.left < other.right - ROUNDING
            and other.left < self.right - ROUNDING
            and self.bottom < other.top + GAP_PX - ROUNDING
            and other.bottom < self.top + GAP_PX - ROUNDING
        )


@dataclass(frozen=True)
class Label:
    """A label's point in plot pixels and the size of its text box."""

    x: float
    y: float
    width: float
    height: float


def text_size(text: str, font_px: float) -> tuple[float, float]:
    """An estimate (on the large side) of a one-line label's box in pixels, padding included."""
    return len(text) * CHAR_WIDTH_EM * font_px + 2 * PADDING_PX, LINE_HEIGHT_EM * font_px + 2 * PADDING_PX


def marker_box(x: float, y: float, size: float) -> Box:
    return Box(x - size / 2, x + size / 2, y - size / 2, y + size / 2)


def _own_marker(label: Label, markers: Sequence[Box]) -> Box:
    """The largest marker drawn at the label's point (a point of no size if there is none)."""
    own = [m for m in markers if m.left <= label.x <= m.right and m.bottom <= label.y <= m.top]
    return max(own, key=lambda m: m.top - m.bottom, default=Box(label.x, label.x, label.y, label.y))


def candidates(label: Label, markers: Sequence[Box], plot_width: float) -> list[Box]:
    """The places a label may take next to its point, best first: above it, right of it, left of it, below it.

    Above and below, the label slides along to stay inside the plot's width; beside it, up to stay above
    the plot's bottom.
    """
    own = _own_marker(label, markers)
    width, height = label.width, label.height
    centre = min(max(label.x, width / 2), max(plot_width - width / 2, width / 2))
    middle = max(label.y - height / 2, 0.0)
    return [
        Box(centre - width / 2, centre + width / 2, own.top + GAP_PX, own.top + GAP_PX + height),
        Box(own.right + GAP_PX, own.right + GAP_PX + width, middle, middle + height),
        Box(own.left - GAP_PX - width, own.left - GAP_PX, middle, middle + height),
        Box(centre - width / 2, centre + width / 2, own.bottom - GAP_PX - height, own.bottom - GAP_PX),
    ]


def _fits(box: Box, obstacles: Sequence[Box], plot_width: float) -> bool:
    inside = box.left >= 0 and box.right <= plot_width and box.bottom >= 0
    return inside and not any(box.overlaps(o) for o in obstacles)


def _raised(boxes: Sequence[Box], obstacles: Sequence[Box]) -> list[Box]:
    """The boxes moved up together, as little as clears them of the plot's bottom and every obstacle. Each
    step ends above an obstacle's top, so it ends."""
    floor = max(0.0, -min(box.bottom for box in boxes))
    boxes = [Box(b.left, b.right, b.bottom + floor, b.top + floor) for b in boxes]
    while clashes := [(box, o) for box in boxes for o in obstacles if box.overlaps(o)]:
        lift = max(o.top + GAP_PX - box.bottom for box, o in clashes)
        boxes = [Box(b.left, b.right, b.bottom + lift, b.top + lift) for b in boxes]
    return boxes


def _inside_width(boxes: Sequence[Box], plot_width: float) -> bool:
    return all(box.left >= 0 and box.right <= plot_width for box in boxes)


def spread(centres: Sequence[float], heights: Sequence[float]) -> list[float]:
    """Bottoms for boxes stacked in the order given, each as near its wanted centre as the others allow.

    Boxes that would overlap are merged into a run, set GAP_PX apart and centred on their wanted centres
    (least squares), never below zero.
    """
    runs: list[list[int]] = []
    bottoms: list[float] = []

    def offsets(run: list[int]) -> list[float]:
        below, result = 0.0, []
        for i in run:
            result.append(below)
            below += heights[i] + GAP_PX
        return result

    for index in range(len(centres)):
        runs.append([index])
        bottoms.append(max(centres[index] - heights[index] / 2, 0.0))
        while len(runs) > 1:
            previous, last = runs[-2], runs[-1]
            previous_top = bottoms[-2] + sum(heights[i] + GAP_PX for i in previous)
            if previous_top <= bottoms[-1]:
                break
            run = previous + last
            wanted = [centres[i] - heights[i] / 2 - offset for i, offset in zip(run, offsets(run), strict=True)]
            runs[-2:], bottoms[-2:] = [run], [max(sum(wanted) / len(wanted), 0.0)]
    result: list[float] = []
    for run, bottom in zip(runs, bottoms, strict=True):
        result += [bottom + offset for offset in offsets(run)]
    return result


def _column(group: list[Label], markers: Sequence[Box], side: str) -> list[Box]:
    """A point's labels as a list beside its markers (left or right), in the order of their values."""
    owns = [_own_marker(label, markers) for label in group]
    bottoms = spread([label.y for label in group], [label.height for label in group])
    edge = min(o.left for o in owns) - GAP_PX if side == "left" else max(o.right for o in owns) + GAP_PX
    return [
        Box(edge - label.width, edge, bottom, bottom + label.height)
        if side == "left"
        else Box(edge, edge + label.width, bottom, bottom + label.height)
        for label, bottom in zip(group, bottoms, strict=True)
    ]


def place(labels: Sequence[Label], markers: Sequence[Box], plot_width: float) -> list[Box]:
    """Each label's box, clear of every marker and every other label, inside the plot's width (unless wider
    than it) and above its bottom (the caller makes the plot tall enough for the highest).

    Point by point, the most labelled first: the labels of one point above their markers if they all fit;
    else as a list beside the markers (left, then right) in the order of their values; else that list
    moved up as little as clears it. A point with one label tries above, right, left and below it, then
    the one of those that needs the least lift.
    """
    placed: dict[int, Box] = {}
    by_x: dict[float, list[int]] = {}
    for index in sorted(range(len(labels)), key=lambda i: (labels[i].x, labels[i].y)):
        by_x.setdefault(labels[index].x, []).append(index)
    for members in sorted(by_x.values(), key=len, reverse=True):  # crowded points first: they have less choice
        group = [labels[i] for i in members]
        if len(group) > 1:
            options = [
                [candidates(label, markers, plot_width)[0] for label in group],
                _column(group, markers, "left"),
                _column(group, markers, "right"),
            ]
        else:
            options = [[box] for box in candidates(group[0], markers, plot_width)]
        options = [
            boxes
            for boxes in options
            if _inside_width(boxes, plot_width) and not any(a.overlaps(b) for a, b in combinations(boxes, 2))
        ]
        obstacles = [*markers, *placed.values()]
        free = [boxes for boxes in options if all(_fits(box, obstacles, plot_width) for box in boxes)]
        if free:
            placed.update(zip(members, free[0], strict=True))
        elif options:
            lifted = [(_raised(boxes, obstacles), boxes) for boxes in options]
            chosen, _ = min(lifted, key=lambda pair: pair[0][0].bottom - pair[1][0].bottom)
            placed.update(zip(members, chosen, strict=True))
        else:  # labels wider than the plot: each above its point, moved up until clear
            for index in members:
                above = candidates(labels[index], markers, plot_width)[0]
                placed[index] = _raised([above], [*markers, *placed.values()])[0]
    return [placed[i] for i in range(len(labels))]


def _category_index(fig: go.Figure) -> tuple[dict[str, int], float, float]:
    """Each x category's position, and the x axis's range, in category units."""
    categories = list(fig.layout.xaxis.categoryarray or ())
    if not categories:
        for trace in fig.data:
            categories += [x for x in (trace.x or ()) if x not in categories]
    low, high = fig.layout.xaxis.range or (-0.5, len(categories) - 0.5)
    return {c: i for i, c in enumerate(categories)}, float(low), float(high)


def labelled(trace: go.Scatter) -> go.Scatter:
    """The trace with a value label beside each point: its `text` (also its hover text), placed by `arrange`."""
    trace.meta = POINT_LABEL
    return trace


def _note_box(note, x: float, y: float) -> Box:
    """The box of an annotation standing on (x, y) in plot pixels (anchored at its bottom), upright if turned."""
    lines = str(note.text).split("<br>")
    size = (note.font.size if note.font and note.font.size else 12) + 0.0
    width, line_height = text_size(max(lines, key=len), size)
    height = line_height * len(lines)
    if note.textangle in (-90, 90):
        width, height = height, width
    return Box(x - width / 2, x + width / 2, y, y + height)


def arrange(
    fig: go.Figure, *, plot_width: float, plot_height: float, font_px: float, keep_clear: Sequence[str] = ()
) -> float:
    """Place the labels of the figure's labelled traces for a plot of this size; return the height they need.

    `keep_clear` names annotations (standing at a category, anchored at their bottom) no label may cover: a
    year's "not reported" note, turned upright on a phone, was hidden behind the label of the point beside it.

    Sets the y range from zero (or the lowest point) to a top that leaves room for the highest label, and
    writes the labels as annotations named POINT_LABEL (replacing any from an earlier layout). The returned
    height is `plot_height` unless the labels stacked at one point are taller than the plot can hold; then
    the caller makes the plot that tall.
    """
    wanted = [
        (x, y, str(text))
        for trace in fig.data
        if trace.meta == POINT_LABEL
        for x, y, text in zip(trace.x, trace.y, trace.text, strict=True)
        if y is not None
    ]
    if not wanted:
        return plot_height
    index, x_low, x_high = _category_index(fig)
    points = [
        (index[x], y, trace.marker.size or 6)
        for trace in fig.data
        if "markers" in (trace.mode or "") and trace.x is not None and trace.y is not None
        for x, y in zip(trace.x, trace.y, strict=True)
        if x in index and y is not None
    ]
    values = [y for _, y, _ in wanted] + [y for _, y, _ in points]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    top = high + 0.05 * span

    def x_px(position: float) -> float:
        return (position - x_low) / (x_high - x_low) * plot_width

    sizes = [text_size(text, font_px) for _, _, text in wanted]
    kept = [note for note in fig.layout.annotations if note.name in keep_clear and note.x in index]
    for step in range(MAX_RANGE_STEPS):
        scale = plot_height / (top - low)
        markers = [marker_box(x_px(x), (y - low) * scale, size) for x, y, size in points]
        markers += [_note_box(note, x_px(index[note.x]), ((note.y or 0) - low) * scale) for note in kept]
        labels = [
            Label(x_px(index[x]), (y - low) * scale, width, height)
            for (x, y, _), (width, height) in zip(wanted, sizes, strict=True)
        ]
        boxes = place(labels, markers, plot_width)
        highest = max(box.top for box in boxes)
        if highest <= plot_height:
            break
        # Labels keep their pixel size while the points move down as the range grows: grow the range in
        # steps, up to MAX_HEADROOM; labels stacked taller than that allows make the plot taller instead.
        if top - low < MAX_HEADROOM * span and step < MAX_RANGE_STEPS // 2:
            top = low + (top - low) * max(highest / plot_height, 1.02)
        else:
            plot_height = max(highest, plot_height * 1.02)
    fig.update_yaxes(range=[low, top], autorange=False)
    notes = []
    for (x, y, text), label, box in zip(wanted, labels, boxes, strict=True):
        moved = not any(_near(box, near) for near in candidates(label, markers, plot_width))
        dx = (box.left + box.right) / 2 - label.x
        dy = (box.bottom + box.top) / 2 - label.y
        notes.append(
            {
                "name": POINT_LABEL, "x": x, "y": y, "text": text, "xanchor": "center", "yanchor": "middle",
                "font": {"size": font_px}, "borderpad": PADDING_PX, "bgcolor": "rgba(255,255,255,0.85)",
                "showarrow": moved, "arrowcolor": "#3D3D3D", "arrowwidth": 1, "arrowhead": 0, "standoff": 4,
                **(
                    {"ax": dx, "ay": -dy, "axref": "pixel", "ayref": "pixel"}
                    if moved
                    else {"xshift": dx, "yshift": dy}
                ),
            }
        )  # fmt: skip
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name != POINT_LABEL] + notes
    return plot_height


def _near(box: Box, other: Box) -> bool:
    return abs(box.bottom - other.bottom) <= MOVED_PX and abs(box.left - other.left) <= MOVED_PX
