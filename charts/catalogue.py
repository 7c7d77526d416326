"""The charts a user can export or put in a briefing pack, by id.

Each entry builds a Chart from a database connection (and optional directorate filter). Chart modules
register themselves with `@register`; `python -m exports briefing --charts ID ...` and the briefing page
list what is here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from charts.spec import Chart
from metrics.figures import figures_as_at

ChartBuilder = Callable[[duckdb.DuckDBPyConnection], Chart]


@dataclass(frozen=True)
class CatalogueEntry:
    chart_id: str
    name: str  # short name for pickers, e.g. "DSG deficit trajectory"
    page: str  # the page it appears on, e.g. "DSG & high needs"
    build: ChartBuilder


CATALOGUE: dict[str, CatalogueEntry] = {}


def register(chart_id: str, name: str, page: str) -> Callable[[ChartBuilder], ChartBuilder]:
    def decorator(build: ChartBuilder) -> ChartBuilder:
        if chart_id in CATALOGUE:
            raise ValueError(f"chart id {chart_id!r} registered twice")

        @functools.wraps(build)
        def build_dated(conn: duckdb.DuckDBPyConnection) -> Chart:
            chart = build(conn)
            if chart.as_at is None:  # the figures' as-at date, for export file names
                chart.as_at = figures_as_at(conn)
            return chart

        CATALOGUE[chart_id] = CatalogueEntry(chart_id, name, page, build_dated)
        return build_dated

    return decorator
