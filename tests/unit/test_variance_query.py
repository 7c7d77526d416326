"""The monitoring variance is one query: the table, the largest cost centres and the council total agree."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import monitoring

YEAR = "2020/21"
FIGURES = ["annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp", "variance_gbp", "previous_variance_gbp",
           "lines", "sample_lines", "variance_pct", "movement_gbp", "rag"]  # fmt: skip


def test_the_table_the_largest_centres_and_the_total_carry_the_same_figures(conn):
    table = monitoring.monitoring_table(conn, fiscal_year=YEAR, period=9, previous=8)
    centres = monitoring.monitoring_table(conn, fiscal_year=YEAR, period=9, previous=8, level="cost_centre", limit=3)
    total = monitoring.council_total(conn, fiscal_year=YEAR, period=9, previous=8)
    assert list(table.columns) == list(centres.columns) == ["name", "directorate", "service", *FIGURES]
    assert list(total.columns) == FIGURES


def test_the_largest_centres_have_the_figures_the_full_grouping_gives_them(conn):
    """The top-N path (ranked line by line) and the full grouping of every cost centre give the same rows."""
    chosen = {"fiscal_year": YEAR, "period": 9, "previous": 8, "level": "cost_centre", "directorate": "Place"}
    fast = monitoring.monitoring_table(conn, **chosen, limit=5)
    every = monitoring.monitoring_table(conn, **chosen).set_index("name").loc[fast["name"]].reset_index()
    pd.testing.assert_frame_equal(fast, every)


@pytest.mark.parametrize("chosen", [None, ["Place"]])
def test_the_council_total_is_the_sum_of_its_directorates_at_both_periods(conn, chosen):
    table = monitoring.monitoring_table(conn, fiscal_year=YEAR, period=6, previous=3, directorates=chosen)
    total = monitoring.council_total(conn, fiscal_year=YEAR, period=6, previous=3, directorates=chosen).iloc[0]
    for column in ("annual_budget_gbp", "actual_ytd_gbp", "forecast_outturn_gbp", "variance_gbp",
                   "previous_variance_gbp", "lines"):  # fmt: skip
        assert total[column] == pytest.approx(table[column].sum())
