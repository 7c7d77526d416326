"""The first metrics functions, against a real database file."""

from __future__ import annotations

import duckdb
import pytest

from data import vocab
from metrics.figures import figures, headline_position
from metrics.recommendations import recommendations_with_status


def test_headline_position_in_display_order(conn):
    headline = headline_position(conn)
    assert list(headline["measure"]) == [
        "net_budget", "net_overspend", "general_fund_reserve", "usable_reserves", "dsg_cumulative_deficit",
    ]  # fmt: skip
    assert list(headline["value"]) == [312, 15, 31.5, 65, 37.9]
    assert headline["source_quote"].str.len().gt(20).all()


def test_a_newer_loaded_figure_replaces_the_headline(db_path):
    with duckdb.connect(str(db_path)) as connection:
        connection.execute(
            "INSERT INTO reported_figures SELECT * REPLACE ('RF900' AS figure_id, 41.2 AS value, 7 AS load_id) "
            "FROM reported_figures WHERE figure_id = 'RF013'"
        )
        assert headline_position(connection).set_index("measure").loc["dsg_cumulative_deficit", "value"] == 41.2


def test_figures_filters_by_measure_and_year(conn):
    dsg = figures(conn, ["dsg_cumulative_deficit"])
    assert len(dsg) == 4
    assert list(figures(conn, ["net_budget"], fiscal_year="2020/21")["value"]) == [304]
    assert figures(conn, ["net_budget"], directorate="Place").empty


def test_recommendations_filter_by_theme_and_status(conn):
    assert len(recommendations_with_status(conn, theme="Financial leadership")) == 6
    assert set(recommendations_with_status(conn, status="complete")["rec_no"]) == {23, 26}


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [
        (312, "circa", "c. £312m"),
        (31.5, None, "£31.5m"),
        (5.25, None, "£5.25m"),
        (-4.7, None, "-£4.7m"),
        (28, "nearly", "nearly £28m"),
    ],
)
def test_money_format(value, qualifier, text):
    assert vocab.gbp_m(value, qualifier=qualifier) == text
