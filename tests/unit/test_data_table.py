"""The table under each chart ("Show the data"): numbers as the product writes them; downloads keep them whole."""

from __future__ import annotations

import csv
import io

import pandas as pd

from charts.all import load_catalogue
from exports.data import csv_bytes, xlsx_bytes
from ui.chart_panel import table_display


def shown_cells(frame: pd.DataFrame) -> list[list[str]]:
    """Every cell as the table displays it (for frames whose text has no tabs or line breaks)."""
    lines = table_display(frame).hide(axis="index").to_string(delimiter="\t").splitlines()
    return [line.split("\t") for line in lines[1:]]


def test_money_shows_the_decimals_it_has_not_four(conn):
    chart = load_catalogue()["dsg_trajectory"].build(conn)
    cells = [row[0] for row in shown_cells(chart.data[["Cumulative deficit (£m)"]])]
    assert "37.9" in cells and "54.9" in cells  # was 37.9000 and 54.9000
    assert not any(cell.endswith("0") and "." in cell for cell in cells)


def test_precision_is_kept_and_float_noise_dropped_and_blanks_stay_blank():
    frame = pd.DataFrame(
        {
            "£m": [2.35, 13.774999999999999, None],
            "variance_gbp": [-515357.81, 1e6, 0.5],
            "Share (%)": [95.15, 1.0, 0.0],
            "Scenario": ["mitigated", None, "unmitigated"],
            "Lines": [3, 4, 5],
        }
    )
    assert shown_cells(frame) == [
        ["2.35", "-515,357.81", "95.15", "mitigated", "3"],
        ["13.775", "1,000,000", "1", "", "4"],
        ["", "0.5", "0", "unmitigated", "5"],
    ]


def test_the_downloads_keep_the_values_whole(conn):
    chart = load_catalogue()["dsg_scenario"].build(conn)
    raw = chart.data["In-year overspend (£m)"].tolist()
    rows = list(csv.DictReader(io.StringIO(csv_bytes(chart).decode("utf-8-sig"))))
    # every digit the model gives, not the table's one decimal place; binary noise past six places dropped
    assert [float(row["In-year overspend (£m)"]) for row in rows] == [round(value, 6) for value in raw]
    assert any(round(value, 1) != round(value, 6) for value in raw)
    assert xlsx_bytes(chart)


def test_a_modelled_amount_reads_to_one_decimal_place_and_a_reported_one_as_given(conn):
    """Issue 22: the scenario model's 58.675 read as a figure the council reported; it is modelled."""
    chart = load_catalogue()["dsg_scenario"].build(conn)
    cells = [row[0] for row in shown_cells(chart.data[["Cumulative deficit (£m)", "Basis"]])]
    assert "58.7" in cells and "58.675" not in cells
    reported = pd.DataFrame({"£m": [2.35, 58.675], "basis": ["reported", "modelled"]})
    assert [row[0] for row in shown_cells(reported)] == ["2.35", "58.7"]
