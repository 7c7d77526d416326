"""The monitoring table as Cabinet reads it (ui/monitoring_table.py): the movement since the previous period in
words, the variance in words, the RAG word in its cell; no column when no earlier period is held."""

from __future__ import annotations

import math

import pandas as pd

from ui.monitoring_table import shown_table

ROWS = pd.DataFrame(
    {
        "name": ["Place", "Children's Services"],
        "annual_budget_gbp": [60_000_000.0, 80_000_000.0],
        "forecast_outturn_gbp": [59_500_000.0, 84_000_000.0],
        "variance_gbp": [-500_000.0, 4_000_000.0],
        "variance_pct": [-0.83, 5.0],
        "movement_gbp": [-444_417.0, math.nan],
        "rag": ["Green", "Red"],
    }
)


def test_the_movement_column_is_named_for_the_period_and_says_worse_better_or_not_held():
    table = shown_table(ROWS, "Directorate", "P11")
    assert list(table.columns) == [
        "Directorate", "Annual budget", "Forecast outturn", "Variance", "Variance % of budget", "Movement since P11",
        "RAG",
    ]  # fmt: skip
    assert table["Movement since P11"].tolist() == ["better by £0.44m", "not held"]
    assert table["Variance % of budget"].tolist() == ["-0.8%", "+5.0%"]
    assert table["RAG"].tolist() == ["Green", "Red"]


def test_with_no_earlier_period_held_there_is_no_movement_column():
    assert not any(column.startswith("Movement") for column in shown_table(ROWS, "Directorate", None).columns)
