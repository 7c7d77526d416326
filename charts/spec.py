"""What every chart function returns: the figure and everything an export needs to be honest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

# Labels that must be visible on screen and inside every export when they apply.
SAMPLE_LABEL = "sample data"
INTERPOLATED_LABEL = "interpolated"
MODELLED_LABEL = "modelled"
DERIVED_LABEL = "derived"


@dataclass
class Chart:
    chart_id: str  # stable id, e.g. "dsg_trajectory"; used in file names and the briefing CLI
    figure: go.Figure  # title, subtitle, source line and any labels are inside the figure
    data: pd.DataFrame  # the data behind the chart, as shown in "show the data" and CSV/XLSX exports
    title: str  # the statement title ("DSG deficit heads for £110m without mitigation")
    subtitle: str  # measure, area and period
    source: str  # "Source: <document>, <section>"
    alt_text: str  # a sentence or two describing what the chart shows
    labels: tuple[str, ...] = field(default_factory=tuple)  # SAMPLE_LABEL, INTERPOLATED_LABEL, ...
    as_at: date | None = None  # the date the data is as at, for file names
    # Notes after the source line, inside the figure (a modelled projection's assumptions, a cross-year pairing):
    # kept here too for exports that set the source line as their own text (the briefing pack, the XLSX)
    notes: tuple[str, ...] = field(default_factory=tuple)

    # The figure cache (ui/cache.py) hands each caller its own copy, by pickle. Plotly rebuilds a pickled figure
    # by validating every property again (~5 ms a chart, on every visit); it was validated when it was built, so
    # the copy is rebuilt from its properties as they are.
    def __getstate__(self) -> dict:
        figure_class, (properties,) = self.figure.__reduce__()
        return {**self.__dict__, "figure": (figure_class, properties)}

    def __setstate__(self, state: dict) -> None:
        figure_class, properties = state["figure"]
        self.__dict__.update(state, figure=figure_class(properties, _validate=False))
