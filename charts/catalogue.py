"""The charts a user can export or put in a briefing pack, by id.

Each entry builds a Chart from a database connection (and optional directorate filter). Chart modules
register themselves with `@register`; `python -m exports briefing --charts ID ...` and the briefing page
list what is here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb

from charts.spec import Chart
from charts.style import not_reported_chart
from metrics.figures import figures_as_at
from metrics.held import FigureMissing

ChartBuilder = Callable[..., Chart]


@dataclass(frozen=True)
class CatalogueEntry:
    chart_id: str
    name: str  # short name for pickers, e.g. "DSG deficit trajectory"
    page: str  # the page it appears on, e.g. "DSG & high needs"
    build: ChartBuilder

    def chart(self, conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
        """The chart as at a date, for builders that take one (the others show everything held)."""
        if "as_at" in inspect.signature(self.build).parameters:
            return self.build(conn, as_at=as_at)
        return self.build(conn)


CATALOGUE: dict[str, CatalogueEntry] = {}


def register(chart_id: str, name: str, page: str) -> Callable[[ChartBuilder], ChartBuilder]:
    def decorator(build: ChartBuilder) -> ChartBuilder:
        if chart_id in CATALOGUE:
            raise ValueError(f"chart id {chart_id!r} registered twice")

        takes_as_at = "as_at" in inspect.signature(build).parameters

        @functools.wraps(build)
        def build_dated(conn: duckdb.DuckDBPyConnection, *args: object, as_at: date | None = None) -> Chart:
            """The chart as at a date (None: everything held); "not reported" in place if its figures are not."""
            try:
                chart = build(conn, *args, as_at=as_at) if takes_as_at else build(conn, *args)
            except FigureMissing as missing:
                chart = not_reported_chart(chart_id, name, str(missing))
            if chart.as_at is None:  # the figures' as-at date, for export file names
                chart.as_at = as_at or figures_as_at(conn, as_at=as_at)
            return chart

        CATALOGUE[chart_id] = CatalogueEntry(chart_id, name, page, build_dated)
        return build_dated

    return decorator
