"""One chart style for every chart: the Government Analysis Function palette, statement titles, sources.

The template is afcharts' Plotly template with margins that leave room for a two-line title, a
subtitle, a legend and a source line, all inside the figure so an exported image carries them.
Pages pass `theme=None` to `st.plotly_chart`, so the screen shows exactly this template.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import afcharts.pio_template  # noqa: F401 - registers the "afcharts" Plotly template
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from afcharts.af_colours import get_af_colours

from charts import point_labels
from charts.spec import SAMPLE_LABEL, Chart
from data import vocab

TEMPLATE = "dorset_af"
PALETTE: list[str] = get_af_colours("categorical")  # dark blue, turquoise, dark pink, orange, dark grey, light purple
FOCUS, CONTEXT_GREY = get_af_colours("focus")  # the highlighted series, and the rest in grey
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE = PALETTE

WIDTH = 800  # the exported image's width in pixels; on screen the chart fills its column (about 650 px or more)
HEIGHT = 520
TITLE_SIZE = 20
SUBTITLE_SIZE = 14
SOURCE_SIZE = 12
TITLE_WRAP = 58  # characters per title line: fits a 650 px column as well as the export
SUBTITLE_WRAP = 88
SOURCE_WRAP = 100
# 12 px Arial's wide characters (digits, underscores): the source line starts at the plot's left edge, so its
# lines are cut to what fits between there and the figure's right edge in the narrowest column.
SOURCE_CHAR_PX = 6.7
MIN_SOURCE_WRAP = 24  # however wide the row labels beside the bars, never fewer characters a line than this

AXIS_TITLE_STANDOFF_PX = 12  # between the y axis's title and its tick labels: about a character's width
MIN_PLOT_HEIGHT = 240
MARGIN_LEFT, MARGIN_RIGHT = 64, 24
DASH_INTERPOLATED = "dash"
DASH_MODELLED = "dot"
# A bar whose figure's basis is not "reported" (a derived outturn, say) is hatched at every width and in every
# export: its "(derived)" label is left out where columns are too narrow for every label to lie level.
HATCH = "/"


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["afcharts"])
    template.layout.update(
        hovermode="closest",
        height=HEIGHT,
        margin={"l": MARGIN_LEFT, "r": MARGIN_RIGHT, "t": 120, "b": 96, "pad": 4},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "font": {"size": 14}},
        title={
            "font": {"size": TITLE_SIZE},
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0.98,
            "yanchor": "top",
        },
        font={"size": 14},
        uniformtext={"mode": "show", "minsize": 13},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    template.layout.yaxis.update(
        rangemode="tozero",
        gridcolor="#D6D6D6",
        zeroline=True,
        zerolinecolor="#3D3D3D",
        # afcharts' 4.7 px left "£ millions" almost touching "£200m" in an export shrunk onto a page
        title={"standoff": AXIS_TITLE_STANDOFF_PX},
    )
    template.layout.xaxis.update(showgrid=False, type="category", tickangle=0)
    return template


pio.templates[TEMPLATE] = _template()


TEXT_DARK = "#0B0C0C"
TEXT_LIGHT = "#FFFFFF"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """Near-black or white, whichever reads better on `background`: Plotly's own choice for text inside a bar
    puts white on the palette's turquoise (3.2:1), below WCAG AA's 4.5:1."""
    return max((TEXT_DARK, TEXT_LIGHT), key=lambda text: contrast(text, background))


def wrap(text: str, width: int) -> str:
    """Break text into lines of at most `width` characters, joined with <br> for Plotly."""
    kept_together = re.sub(r"(£|quarter) (millions|\d)", "\\1\u00a0\\2", text)  # never "quarter<br>2"
    return "<br>".join(textwrap.wrap(kept_together, width)) or text


NOT_REPORTED = "not reported"


times = vocab.times  # a cover ratio in words, defined once in the vocabulary


def money_axis(fig: go.Figure, *, axis: str = "yaxis", title: str = "£ millions", top: float | None = None) -> None:
    """£m ticks from zero; `top` (the largest value shown) leaves headroom for labels above the data."""
    settings = {"tickprefix": "£", "ticksuffix": "m", "tickformat": ",.0f", "title": {"text": title}}
    if top is not None:
        settings["range"] = [0, top * 1.15]
    fig.update_layout({axis: settings})


def lines_in(text: str) -> int:
    return text.count("<br>") + 1


def label(text: str, width: int = 18) -> str:
    """A category label broken onto short lines so it fits under its bar without rotating."""
    return wrap(text, width)


def _tick_lines(fig: go.Figure) -> int:
    """The most lines any string category label on the x axis takes."""
    lines = [lines_in(x) for trace in fig.data for x in _values(trace.x) if isinstance(x, str)]
    return max(lines, default=1)


def legend_rows(fig: go.Figure, width: int = 560) -> int:
    """How many rows a horizontal legend takes in a 650 px column (an estimate from the names' lengths).

    Plotly lays a wrapping horizontal legend out as a grid whose columns are as wide as the widest entry.
    A name broken onto lines (a phone's) counts its lines: each row is as tall as its tallest entry."""
    entries = [trace.name.split("<br>") for trace in fig.data if trace.showlegend is not False and trace.name]
    if not entries:
        return 1
    widest = max(44 + 7.6 * max(map(len, lines)) for lines in entries)
    columns = max(1, int(width // widest))
    return sum(max(map(len, entries[start : start + columns])) for start in range(0, len(entries), columns))


@dataclass(frozen=True)
class Fit:
    """Characters per line of the title, subtitle and source line, and the legend's width, for a column width."""

    title_wrap: int
    subtitle_wrap: int
    source_wrap: int
    legend_width: int
    column_px: int  # the narrowest the figure is drawn at: value labels are placed to fit it
    label_px: int  # value labels' font size


NARROW_COLUMN_PX = 350
WIDE = Fit(TITLE_WRAP, SUBTITLE_WRAP, SOURCE_WRAP, 560, 650, 14)  # a 650 px column or wider, and every export
NARROW = Fit(26, 44, 48, 300, NARROW_COLUMN_PX, 12)  # a phone: a column of about 350 px (WCAG 1.4.10 reflow)
NARROW_TICK_CHAR_PX = 6.2  # 11 px Arial, a little over its average character, so wrapped labels never touch
NARROW_LABEL_WRAP = 18  # characters per line of a category label beside a horizontal bar on a phone
SOURCE_INSET_PX = 12  # on a phone the source line starts this far in from the figure's left edge
NARROW_AXIS_TITLE_WRAP = 30  # characters per line of an axis title on a phone
NARROW_LEGEND_PX = 12
LEGEND_SYMBOL_PX = 56  # a legend entry's line and marker, and the gaps either side, before its name


BAR_NAME = "bar name"  # an annotation naming a bar above it (charts with no tick labels); wrapped on a phone
BAR_TEXT_EM = point_labels.CHAR_WIDTH_EM
NOT_REPORTED_NOTE = "not reported note"  # the sentence in an empty chart; wrapped shorter on a phone
NOT_REPORTED_NOTE_PX = 16
YEAR_GAP_NOTE = "year gap note"  # "not reported" over a year with no figure; turned upright where columns are thin
YEAR_GAP_NOTE_PX = 12
BAR_TEXT_PAD_PX = 10  # Plotly's gap between a bar's end and its outside label, and a little to spare
MAX_BAR_TEXT_SHARE = 0.4  # a bar's label takes at most this share of the plot's width; longer ones wrap


def _bar_text_width(text: str, font_px: float) -> float:
    return max(len(line) for line in str(text).split("<br>")) * BAR_TEXT_EM * font_px + BAR_TEXT_PAD_PX


def _room_for(values: list[float], wants: list[tuple[float, float]], plot_px: float) -> tuple[float, float]:
    """The value axis's range that holds every bar whole and every label (value, px long) beyond its bar's end.

    A label w px long beyond a bar ending at v fits if v + w/P (high - low) <= high (and the mirror image
    below zero). Each end's room depends on the other's: settle both in turn (labels are capped at 45% of the
    plot, so this converges).
    """
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1.0
    shares = [(v, min(length / plot_px, 0.45)) for v, length in wants]
    for _ in range(200):
        new_high = max([high, *((v - low * r) / (1 - r) for v, r in shares if v >= 0)])
        new_low = min([low, *((v - new_high * r) / (1 - r) for v, r in shares if v < 0)])
        settled = abs(new_high - high) + abs(new_low - low) <= 1e-9 * (new_high - new_low)
        low, high = new_low, new_high
        if settled:
            break
    return low, high


def _bar_texts(trace: go.Bar) -> list[str]:
    count = len(trace.x if trace.orientation == "h" else trace.y)
    return [trace.text] * count if isinstance(trace.text, str) else ["" if t is None else str(t) for t in trace.text]


OWN_RANGE = "own value range"  # layout.meta key: the chart's own value range, before labels widened it


def _own_range(fig: go.Figure, axis: go.layout.XAxis | go.layout.YAxis) -> list[float] | None:
    """The value axis's range as the chart builder set it (None: from the data), kept in the layout's meta the
    first time labels are fitted, so a later layout (a phone's, a slide's) starts again from it rather than
    from a range an earlier layout widened for its labels."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if OWN_RANGE not in meta:
        meta = {**meta, OWN_RANGE: None if axis.range is None else list(axis.range)}
        fig.layout.meta = meta
    return meta[OWN_RANGE]


def _outside(position: object) -> bool:
    """Labels outside the bars, or placed bar by bar (inside the long ones) by an earlier layout."""
    return position == "outside" or isinstance(position, tuple | list)


def _wrap_to(text: str, room_px: float, font_px: float) -> str:
    """The label broken at its spaces into lines no wider than `room_px` where its words allow."""
    chars = max(1, int(room_px / (BAR_TEXT_EM * font_px)))
    lines = textwrap.wrap(text.replace("<br>", " "), chars, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) if text else ""


BASES = "bases"  # a bar trace's meta key: each bar's basis, where some are hatched (hatch_by_basis)
LABELS = "value labels"  # a column trace's meta key: its labels as the chart gave them, before any were left out


def _column_labels(trace: go.Bar) -> list[str]:
    """A column trace's labels as its chart built them (kept in the trace's meta the first time they are laid
    out, so a wider layout, a slide's, can show labels a narrower one left out)."""
    meta = trace.meta if isinstance(trace.meta, dict) else {}
    if LABELS not in meta:
        meta = {**meta, LABELS: [text.replace("<br>", " ") for text in _bar_texts(trace)]}
        trace.meta = meta
        if trace.hovertemplate and "%{text}" in trace.hovertemplate:  # the hover keeps every value
            trace.hovertext = meta[LABELS]
            trace.hovertemplate = trace.hovertemplate.replace("%{text}", "%{hovertext}")
    return list(meta[LABELS])


def _gap(fig: go.Figure, name: str) -> float:
    own = getattr(fig.layout, name)
    return own if own is not None else getattr(fig.layout.template.layout, name) or 0.0


@dataclass(frozen=True)
class _Box:
    left: float
    right: float
    bottom: float
    top: float

    def meets(self, other: _Box, clearance: float = 2.0) -> bool:
        return (
            self.left < other.right + clearance
            and other.left < self.right + clearance
            and self.bottom < other.top + clearance
            and other.bottom < self.top + clearance
        )


def _latest_labels_only(
    fig: go.Figure, group: list[go.Bar], labelled: list[go.Bar], plot_width: float, plot_height: float
) -> None:
    """Columns too narrow for every label to lie level: each series over years keeps the label of its latest
    bar, level, where it clears the other bars and labels (spilling over a shorter neighbour's slot if need
    be); columns that are separate items (reserves beside deficits) keep every label that clears them, latest
    first. The others are left out (the hover, the data table and the alt text keep every value). Series drawn
    later (the outturn after the budget, the outturn after the forecasts) are placed first."""
    categories = list(fig.layout.xaxis.categoryarray or dict.fromkeys(x for t in group for x in t.x))
    # a scatter of labelled years would read as a pattern; separate items each want their own figure
    over_years = all(vocab.parse_fiscal_year(_first_word(category)) for category in categories)
    grouped = fig.layout.barmode == "group"
    per_slot = len(group) if grouped else 1
    category_px = plot_width / max(len(categories), 1)
    group_px = category_px * (1 - _gap(fig, "bargap"))
    slot_px = group_px / per_slot
    bar_half = slot_px * (1 - (_gap(fig, "bargroupgap") if grouped else 0)) / 2
    values = [float(v) for trace in group for v in trace.y if v is not None]
    low, high = _room_for(values, [(v, 3 * 16) for v in values], plot_height)
    to_px = lambda value: (value - low) / (high - low) * plot_height  # noqa: E731 - one line, used just below

    def centre(trace: go.Bar, x: object) -> float:
        slot = group.index(trace) if grouped else 0
        return (categories.index(x) + 0.5) * category_px - group_px / 2 + slot_px * (slot + 0.5)

    bars = {
        (id(trace), index): _Box(centre(trace, x) - bar_half, centre(trace, x) + bar_half,
                                 to_px(min(0.0, v)), to_px(max(0.0, v)))
        for trace in group for index, (x, v) in enumerate(zip(trace.x, trace.y, strict=True))
        if v is not None and x in categories
    }  # fmt: skip
    right_edge = plot_width + (MARGIN_RIGHT if fig.layout.margin.r is None else fig.layout.margin.r)
    placed: list[_Box] = []
    for trace in reversed(labelled):
        texts = _column_labels(trace)
        kept = [""] * len(texts)
        font_px = trace.textfont.size or fig.layout.font.size or 14
        held = [i for i, x in enumerate(trace.x) if (id(trace), i) in bars and texts[i]]
        for index in sorted(held, key=lambda i: categories.index(trace.x[i]), reverse=True):
            others = [bar for key, bar in bars.items() if key != (id(trace), index)]
            # on one line, else a word to a line
            for text in dict.fromkeys((texts[index], _wrap_to(texts[index], 1, font_px))):
                box = _label_box(text, float(trace.y[index]), centre(trace, trace.x[index]), font_px, to_px)
                if box.left >= 0 and box.right <= right_edge and not any(box.meets(b) for b in others + placed):
                    kept[index] = text
                    placed.append(box)
                    break
            if kept[index] and over_years:
                break
        trace.text = kept


def _first_word(category: object) -> str:
    words = str(category).replace("<br>", " ").split()
    return words[0] if words else ""


def _label_box(text: str, value: float, middle: float, font_px: float, to_px: Callable[[float], float]) -> _Box:
    """Where a level label sits above (below, for a negative value) its column, in the plot's pixels."""
    width = _bar_text_width(text, font_px) - BAR_TEXT_PAD_PX
    height = lines_in(text) * font_px * point_labels.LINE_HEIGHT_EM
    end = to_px(value)
    bottom = end + 2 if value >= 0 else end - BAR_TEXT_PAD_PX - height
    return _Box(middle - width / 2, middle + width / 2, bottom, bottom + height + BAR_TEXT_PAD_PX - 2)


def fit_bar_text(fig: go.Figure, plot_width: float, plot_height: float) -> float:
    """Bars' outside labels kept inside the plot, horizontal and clear of each other.

    Beside horizontal bars, a label longer than MAX_BAR_TEXT_SHARE of the plot's width wraps onto more lines
    and the value axis widens at either end until every label fits beyond its bar (a label beside a bar
    that ends at the plot's edge would touch the chart's). Above vertical bars, a label wider than its bar's
    slot breaks at its spaces ("c. £312m" over two lines), so labels stay level and the axis keeps to the
    data; where a single word is still wider than its slot (eight years of budget beside outturn), only each
    series' latest bar keeps its label (`_latest_labels_only`): labels are never turned. Returns `plot_height`,
    or taller where labels need it.
    """
    bars = [trace for trace in fig.data if trace.type == "bar"]
    rows = [t for t in bars if t.orientation == "h" and t.x is not None and len(t.x)]
    columns = [t for t in bars if t.orientation != "h" and t.y is not None and len(t.y)]
    for group, horizontal in ((rows, True), (columns, False)):
        labelled = [trace for trace in group if trace.text is not None and _outside(trace.textposition)]
        if not labelled:
            continue
        axis = fig.layout.xaxis if horizontal else fig.layout.yaxis
        own_range = _own_range(fig, axis)
        values = [float(v) for trace in group for v in (trace.x if horizontal else trace.y) if v is not None]
        crowded = False
        for trace in labelled:
            font_px = trace.textfont.size or fig.layout.font.size or 14
            if horizontal:
                most_chars = max(8, int(MAX_BAR_TEXT_SHARE * plot_width / (BAR_TEXT_EM * font_px)))
                trace.text = [wrap(text.replace("<br>", " "), most_chars) if text else "" for text in _bar_texts(trace)]
            else:
                categories = len(fig.layout.xaxis.categoryarray or ()) or len({x for t in group for x in t.x})
                per_slot = len(group) if fig.layout.barmode == "group" else 1
                room_px = plot_width / max(categories, 1) / per_slot - 4
                trace.text = [_wrap_to(text, room_px, font_px) for text in _column_labels(trace)]
                trace.textposition, trace.textangle = "outside", 0
                widest = max((_bar_text_width(text, font_px) - BAR_TEXT_PAD_PX for text in trace.text), default=0)
                crowded = crowded or widest > room_px
        if crowded:
            _latest_labels_only(fig, group, labelled, plot_width, plot_height)
        wants = []  # (value, how far its label reaches beyond the bar's end, px)
        for trace in labelled:
            font_px = trace.textfont.size or fig.layout.font.size or 14
            texts, ends = _bar_texts(trace), (trace.x if horizontal else trace.y)
            if horizontal:
                reach = [_bar_text_width(text, font_px) for text in texts]
            else:
                reach = [font_px * point_labels.LINE_HEIGHT_EM * lines_in(text) + BAR_TEXT_PAD_PX for text in texts]
            wants += [(float(v), r) for v, r, text in zip(ends, reach, texts, strict=True) if text and v is not None]
        if not horizontal:  # a label reaches at most MAX_BAR_TEXT_SHARE of the plot's height
            plot_height = max(plot_height, max((r for _, r in wants), default=0) / MAX_BAR_TEXT_SHARE)
        low, high = _room_for(values, wants, plot_width if horizontal else plot_height)
        if own_range is not None:  # a chart's own range is kept where it already holds every label
            low, high = min(low, own_range[0]), max(high, own_range[1])
        (fig.update_xaxes if horizontal else fig.update_yaxes)(range=[low, high], autorange=False)
    return plot_height


def finish(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str,
    source: str,
    notes: tuple[str, ...] = (),
    legend: bool = True,
    fit: Fit = WIDE,
    plot_height: float | None = None,
) -> go.Figure:
    """Put the statement title, subtitle, source line and any notes inside the figure, with room for them.

    With `plot_height` the figure grows to keep that much room for the plot itself under the text.
    """
    fig.update_layout(template=TEMPLATE)  # first: the row labels' width below reads its tick font
    title_html = wrap(title, fit.title_wrap)
    subtitle_html = wrap(subtitle, fit.subtitle_wrap)
    margin = fig.layout.margin
    # the source line starts at the plot's left edge: past the row labels beside horizontal bars, which
    # Plotly's automargin makes room for beyond margin.l (a line wrapped for 64 px ran off the right edge)
    left_px = max(MARGIN_LEFT if margin.l is None else margin.l, row_labels_px(fig))
    source_chars = max(MIN_SOURCE_WRAP, int((fit.column_px - left_px) / SOURCE_CHAR_PX))
    footer = wrap(" ".join((source, *notes)), min(fit.source_wrap, source_chars))
    header_px = 20 + lines_in(title_html) * 26 + lines_in(subtitle_html) * 19
    top = header_px + (legend_rows(fig, fit.legend_width) * 22 + 8 if legend else 12)
    axis_title = fig.layout.xaxis.title.text
    bottom = 58 + 20 * (_tick_lines(fig) - 1) + lines_in(footer) * 16 + (20 * lines_in(axis_title) if axis_title else 0)
    height = top + bottom + plot_height if plot_height else (fig.layout.height or HEIGHT)
    if lines_in(footer) > 4:  # a long source line (several documents) never squeezes the plot
        height = max(height, top + bottom + MIN_PLOT_HEIGHT)
    side_px = left_px + (MARGIN_RIGHT if margin.r is None else margin.r)
    plot_width = fit.column_px - side_px
    plot_px = point_labels.arrange(
        fig, plot_width=plot_width, plot_height=height - top - bottom, font_px=fit.label_px, keep_clear=(YEAR_GAP_NOTE,)
    )
    plot_px = fit_bar_text(fig, plot_width, plot_px)
    height = top + bottom + plot_px
    fig.update_layout(
        height=height,
        title={
            "text": f"<b>{title_html}</b><br>"
            f"<span style='font-size:{SUBTITLE_SIZE}px;color:#3D3D3D'>{subtitle_html}</span>",
            "x": 8 / WIDTH,
            "y": 1 - 10 / height,
            "yref": "container",
            "yanchor": "top",
        },
        margin={"t": top, "b": bottom},
        showlegend=legend,
        legend={"y": 1, "yref": "paper", "yanchor": "bottom"},
    )
    fig.add_annotation(
        text=footer,
        xref="paper",
        yref="paper",
        x=0,
        xanchor="left",
        y=-(bottom - 6) / (height - top - bottom),
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": SOURCE_SIZE, "color": "#3D3D3D"},
        name="source",
    )
    return fig


def _values(values: object) -> Sequence:
    """A trace's x or y as a sequence: none for a missing one, or for numbers as a typed array ({"dtype",
    "bdata"}), as a figure copied out of the cache (pickled) holds them."""
    return () if values is None or isinstance(values, dict) else values


SAMPLE_TAG = SAMPLE_LABEL.upper().replace(" ", "\u00a0")  # kept on one line as the subtitle wraps


def sample_tagged(subtitle: str) -> str:
    """The subtitle of a chart of sample data: the tag is a line of the subtitle, so it never runs into a wrapped
    title, and its words are kept together (`restore_sample_tag` once the title block is wrapped)."""
    return f"{subtitle} · {SAMPLE_TAG}"


def restore_sample_tag(fig: go.Figure) -> None:
    """The tag's ordinary space back, once wrapped, so every search for its words finds them."""
    fig.layout.title.text = fig.layout.title.text.replace(SAMPLE_TAG, SAMPLE_LABEL.upper())


def narrow_figure(chart: Chart) -> go.Figure:
    """A copy of the chart's figure for a phone-width column: the title, subtitle and source line wrapped
    shorter (room above and below recomputed), and category labels smaller, turned where they would overlap.
    Exports keep the wide layout."""
    fig = go.Figure(chart.figure)
    wide = chart.figure.layout
    plot_height = max((wide.height or HEIGHT) - (wide.margin.t or 0) - (wide.margin.b or 0), 160)
    footers = [note.text for note in fig.layout.annotations if note.name == "source"]
    footer = footers[0].replace("<br>", " ") if footers else chart.source
    fig.layout.annotations = [note for note in fig.layout.annotations if note.name != "source"]
    columns = list(dict.fromkeys(x for trace in fig.data for x in _values(trace.x) if isinstance(x, str)))
    fig.update_xaxes(tickangle=0, tickfont={"size": 11})
    if columns and fig.layout.xaxis.showticklabels is not False:
        # category labels under columns: level, in as many short lines as each column's width needs; where a
        # single word is wider than a column ("2020/21" under eight years), every other column (or fewer) is
        # labelled rather than the word broken ("2020/2" over "1")
        categories = [str(c) for c in fig.layout.xaxis.categoryarray or columns]
        chars = max(4, int((NARROW_COLUMN_PX - 56) / len(categories) / NARROW_TICK_CHAR_PX))
        longest = max((len(word) for c in categories for word in c.replace("<br>", " ").split()), default=1)
        step = min(len(categories), -(-longest // chars))
        shown = categories[::step]
        labels = [wrap(column.replace("<br>", " "), chars * step) for column in shown]
        fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=labels)
    fig.update_yaxes(tickfont={"size": 11})
    rows = list(dict.fromkeys(y for trace in fig.data for y in _values(trace.y) if isinstance(y, str)))
    fig.update_layout(legend={"font": {"size": NARROW_LEGEND_PX}}, margin={"l": 48, "r": 8})
    # a legend entry wider than the phone's figure was cut off at its right edge: long names break onto lines
    legend_chars = int((NARROW_COLUMN_PX - LEGEND_SYMBOL_PX) / (BAR_TEXT_EM * NARROW_LEGEND_PX))
    for trace in fig.data:
        if trace.name and len(trace.name) > legend_chars and "<" not in trace.name:  # never split markup
            trace.name = wrap(trace.name, legend_chars)
    if rows and fig.layout.yaxis.showticklabels is not False:
        # category labels beside horizontal bars: shown in short lines, the categories themselves unchanged,
        # with a left margin as wide as the longest line (set, not automatic: a chart may have turned that off)
        labels = [wrap(row.replace("<br>", " "), NARROW_LABEL_WRAP) for row in rows]
        fig.update_yaxes(tickmode="array", tickvals=rows, ticktext=labels, automargin=False)
        fig.update_layout(margin={"l": _left_margin_px(fig)})
        plot_height = max(plot_height, len(rows) * max(map(lines_in, labels)) * 14 + 40)  # lines never overlap
    names = [note for note in fig.layout.annotations if note.name == BAR_NAME]
    if names:  # names above their bars: wrapped to the phone's plot, with room above each bar for their lines
        chars = int((NARROW_COLUMN_PX - 48 - 8) / (BAR_TEXT_EM * NARROW.label_px))
        for note in names:
            note.update(text=wrap(note.text.replace("<br>", " "), chars), font={"size": NARROW.label_px})
        lines = max(lines_in(note.text) for note in names)
        plot_height = max(plot_height, len(names) * (lines * NARROW.label_px * 1.3 + 48) + 24)
        bar_share = max((trace.width or 0.8 for trace in fig.data if trace.type == "bar"), default=0.8)
        bar_half_px = plot_height / len(names) * bar_share / 2
        fig.update_annotations(selector={"name": BAR_NAME}, yshift=bar_half_px + 2, align="left")
    # An empty chart's sentence, 60 characters a line for the wide plot, ran off both sides of a phone's
    for note in fig.layout.annotations:
        if note.name == NOT_REPORTED_NOTE:
            chars = int((NARROW_COLUMN_PX - 48 - 8) / (BAR_TEXT_EM * NOT_REPORTED_NOTE_PX))
            note.update(text=wrap(note.text.replace("<br>", " "), chars))
    gaps = [note for note in fig.layout.annotations if note.name == YEAR_GAP_NOTE]
    if gaps and columns:  # "reported" is wider than a year's column on a phone: read upwards in it instead
        column_px = (NARROW_COLUMN_PX - 56) / len(fig.layout.xaxis.categoryarray or columns)
        if len("reported") * BAR_TEXT_EM * YEAR_GAP_NOTE_PX > column_px - 4:
            for note in gaps:
                note.update(text=note.text.replace("<br>", " "), textangle=-90)
    if fig.layout.xaxis.title.text:  # an axis title as long as the phone's plot is wide breaks onto lines
        fig.update_xaxes(title={"text": wrap(fig.layout.xaxis.title.text.replace("<br>", " "), NARROW_AXIS_TITLE_WRAP)})
    legend = fig.layout.showlegend is not False
    sample = SAMPLE_LABEL in chart.labels  # the wide figure's subtitle ends in the tag (charts.monitoring): so here
    finish(
        fig,
        title=chart.title,
        subtitle=sample_tagged(chart.subtitle) if sample else chart.subtitle,
        source=footer,
        legend=legend,
        fit=NARROW,
        plot_height=plot_height,
    )
    if sample:
        restore_sample_tag(fig)
    # The source line starts at the plot's left edge, the left margin in from the figure's: start it
    # that far to the left of the plot, less a few pixels (a phone's column is 350 to 360 px wide, and the
    # plot a little wider than this assumes, so the line would start left of the figure's edge).
    left = fig.layout.margin.l
    fig.update_annotations(selector={"name": "source"}, x=-(left - SOURCE_INSET_PX) / (NARROW_COLUMN_PX - left - 8))
    return fig


def slide_figure(chart: Chart, width_px: int, most_height_px: int) -> go.Figure:
    """A copy of the chart's figure for a slide or a printed page that carries the statement title, subtitle and
    source line as its own text, so each is there once: the plot with its legend, labels and notes, `width_px`
    wide and `most_height_px` tall (taller where its rows' labels need more), value labels laid out afresh.

    Drawn at one pixel to a point (as `briefing` places it), its text is as large on the slide as in the figure:
    12 px and larger is 12 pt and larger.
    """
    fig = go.Figure(chart.figure)
    wide = chart.figure.layout
    sources = [note for note in fig.layout.annotations if note.name == "source" or note.text == chart.source]
    footer_px = sum(lines_in(note.text or "") * 16 for note in sources)
    fig.layout.annotations = [note for note in fig.layout.annotations if note not in sources]
    bottom_px = wide.margin.b or 0
    margin = fig.layout.margin
    side_px = (MARGIN_LEFT if margin.l is None else margin.l) + (MARGIN_RIGHT if margin.r is None else margin.r)
    legend = wide.showlegend is not False and len(fig.data) > 0
    top = legend_rows(fig, width_px - 16) * 22 + 8 if legend else 12
    bottom = max(bottom_px - footer_px, 44)
    _fit_rows(fig, most_height_px - top - bottom)
    plot_px = max(most_height_px - top - bottom, _rows_px(fig))  # the box's height, unless its rows need more
    plot_px = point_labels.arrange(
        fig, plot_width=width_px - side_px, plot_height=plot_px, font_px=WIDE.label_px, keep_clear=(YEAR_GAP_NOTE,)
    )
    plot_px = fit_bar_text(fig, width_px - side_px, plot_px)
    fig.update_layout(
        title={"text": "", "subtitle": {"text": ""}},
        width=width_px,
        height=top + bottom + plot_px,
        margin={"t": top, "b": bottom},
    )
    return fig


SLIDE_ROW_WRAP = 44  # characters per line of a category label beside a bar on a slide, where rows are short
SLIDE_ROW_FONT_PX = 12  # the smallest a slide's category labels get to fit their rows (12 pt on the slide)


def _rows(fig: go.Figure) -> list[str]:
    if fig.layout.yaxis.showticklabels is False or fig.layout.yaxis.visible is False:
        return []
    return list(dict.fromkeys(y for trace in fig.data if trace.y is not None for y in trace.y if isinstance(y, str)))


def row_labels_px(fig: go.Figure) -> int:
    """About how wide the row labels beside horizontal bars are drawn (their longest line), and the tick's gap."""
    labels = [] if fig.layout.yaxis.visible is False else fig.layout.yaxis.ticktext or _rows(fig)
    lines = [line for label in labels for line in str(label).split("<br>")]
    if not lines:
        return 0
    return int(14 + BAR_TEXT_EM * _row_font_px(fig) * max(len(line) for line in lines))


def _row_font_px(fig: go.Figure) -> float:
    template = fig.layout.template.layout
    return fig.layout.yaxis.tickfont.size or template.yaxis.tickfont.size or fig.layout.font.size or 14


def _rows_px(fig: go.Figure) -> int:
    """The plot height that keeps the category labels beside horizontal bars (or points) from overlapping."""
    rows = _rows(fig)
    if not rows:
        return MIN_PLOT_HEIGHT // 2
    labels = fig.layout.yaxis.ticktext or rows
    lines = max(lines_in(str(label)) for label in labels)
    # a row as tall as its label's lines: 12 px labels 15.6 px apart leave a clear gap between them
    return int(len(rows) * lines * _row_font_px(fig) * point_labels.LINE_HEIGHT_EM + 16)


def _fit_rows(fig: go.Figure, plot_px: float) -> None:
    """Where a slide's rows need more height than its box has, their labels take one longer line each (the
    slide is wider than the screen's column) and, if still too tall, a smaller font, down to 12 px."""
    rows = _rows(fig)
    if not rows or _rows_px(fig) <= plot_px:
        return
    labels = [wrap(row.replace("<br>", " "), SLIDE_ROW_WRAP) for row in rows]
    fig.update_yaxes(tickmode="array", tickvals=rows, ticktext=labels, automargin=True)
    while _rows_px(fig) > plot_px and _row_font_px(fig) > SLIDE_ROW_FONT_PX:
        fig.update_yaxes(tickfont={"size": max(SLIDE_ROW_FONT_PX, _row_font_px(fig) - 1)})


def _left_margin_px(fig: go.Figure) -> int:
    """The left margin of a narrow figure: 48 px, or as wide as the longest y category label line."""
    lines = [line for label in fig.layout.yaxis.ticktext or () for line in str(label).split("<br>")]
    # 11 px Arial averages under 6 px a character; the axis's own padding and tick take a few more.
    return int(min(max(48.0, 14 + 6.0 * max((len(line) for line in lines), default=0)), 0.6 * NARROW_COLUMN_PX))


def source_line(frame: pd.DataFrame) -> str:
    """'Source: <document>, <section>; <section>.' for the rows behind a chart, document by document."""
    rows = frame.dropna(subset=["source_document"]) if "source_document" in frame else frame.iloc[0:0]
    parts = []
    for document in dict.fromkeys(rows["source_document"]):
        sections = list(dict.fromkeys(rows.loc[rows["source_document"] == document, "source_section"].dropna()))
        parts.append(f"{document}, {'; '.join(sections)}" if sections else str(document))
    return f"Source: {'. '.join(parts) or 'none recorded'}."


def not_reported_chart(chart_id: str, name: str, reason: str) -> Chart:
    """A chart whose figures are not held: an empty frame saying so, never an error."""
    fig = go.Figure()
    fig.add_annotation(
        name=NOT_REPORTED_NOTE,
        text=wrap(f"Not reported: {reason}.", 60),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": NOT_REPORTED_NOTE_PX, "color": "#3D3D3D"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    title = f"{name}: {NOT_REPORTED}"
    return make_chart(
        chart_id,
        fig,
        pd.DataFrame({"what": [name], "status": [NOT_REPORTED], "reason": [reason]}),
        title=title,
        subtitle=f"The figures this chart needs are not held ({reason})",
        source="Source: none; the figures this chart needs are not held.",
        alt_text=f"No chart: {reason}.",
        legend=False,
    )


def hatch_by_basis(trace: go.Bar, bases: Sequence[str]) -> go.Bar:
    """The bar trace with each bar whose basis is not "reported" hatched (HATCH), and the bases kept in its meta
    for `hatch_note`. A trace of reported bars only is left as it is."""
    bases = [str(basis) for basis in bases]
    if any(basis != "reported" for basis in bases):
        shapes = ["" if basis == "reported" else HATCH for basis in bases]
        # over the bar's own colour (a hatch that replaced it left a light grey bar all but invisible)
        trace.marker.pattern = {"shape": shapes, "fillmode": "overlay", "solidity": 0.3}
        trace.meta = {**(trace.meta if isinstance(trace.meta, dict) else {}), BASES: bases}
    return trace


def hatched_bases(fig: go.Figure) -> list[str]:
    """The bases of the hatched bars in the figure, in order (kept in each trace's meta by `hatch_by_basis`)."""
    found: dict[str, None] = {}
    for trace in fig.data:
        meta = trace.meta if isinstance(trace.meta, dict) else {}
        for basis in meta.get(BASES, ()):
            if basis != "reported":
                found[basis] = None
    return list(found)


def hatch_note(fig: go.Figure) -> tuple[str, ...]:
    bases = hatched_bases(fig)
    return (f"Hatched bars are {' or '.join(bases)} values.",) if bases else ()


def make_chart(
    chart_id: str,
    fig: go.Figure,
    data: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    source: str,
    alt_text: str,
    labels: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    legend: bool = True,
    as_at_date: date | None = None,
) -> Chart:
    """Finish the figure and wrap it in a Chart with its data and provenance. A figure with hatched bars says
    what the hatching means in its notes."""
    notes = (*notes, *hatch_note(fig))
    finish(fig, title=title, subtitle=subtitle, source=source, notes=notes, legend=legend)
    return Chart(
        chart_id=chart_id,
        figure=fig,
        data=data.reset_index(drop=True),
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text=alt_text,
        labels=tuple(dict.fromkeys(labels)),
        as_at=as_at_date,
        notes=tuple(notes),
    )
