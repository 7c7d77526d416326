"""The chart catalogue: every registered chart builds from the real database and carries its as-at date."""

from __future__ import annotations

import pytest

from charts.all import load_catalogue
from exports.data import chart_file_name

CHART_IDS = sorted(load_catalogue())


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_catalogue_chart_is_dated_by_its_source(conn, chart_id):
    entry = load_catalogue()[chart_id]
    chart = entry.build(conn)
    published = conn.execute("SELECT max(published_on) FROM sources").fetchone()[0]
    assert chart.chart_id == chart_id
    assert chart.as_at is not None
    if entry.page in ("Overview", "Budget & outturn", "Reserves", "DSG & high needs"):
        assert chart.as_at == published  # reported figures are as at their document
    assert chart_file_name(chart, "png").endswith(f"-{chart.as_at:%Y-%m-%d}.png")
