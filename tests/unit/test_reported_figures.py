"""Every figure in the database is traceable to a sentence of the source document."""

from __future__ import annotations

import re

import duckdb
import pytest

from data.build import SOURCE_TITLE
from tests.support.source_text import normalise, normalised_source


@pytest.fixture(scope="module")
def figures(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        return conn.execute("SELECT * FROM reported_figures ORDER BY figure_id").df()


def test_every_quote_is_found_in_the_source(figures):
    source = normalised_source()
    missing = [row.figure_id for row in figures.itertuples() if normalise(row.source_quote) not in source]
    assert missing == []


def test_every_figure_cites_the_document_and_a_section(figures):
    assert set(figures["source_document"]) == {SOURCE_TITLE}
    assert figures["source_section"].str.match(r"Appendix [23], ").all()


def test_every_reported_value_is_written_in_its_quote(figures):
    """The number itself appears in the quoted sentence (e.g. 31.5 in '£31.5m')."""
    reported = figures[figures["basis"] == "reported"]
    for row in reported.itertuples():
        digits_in_quote = {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", row.source_quote)}
        assert f"{row.value:g}" in digits_in_quote, row.figure_id


def test_derived_figures_say_how_and_add_up(figures):
    by_id = figures.set_index("figure_id")["value"]
    derived = figures[figures["basis"] == "derived"]
    assert derived["derivation"].notna().all()
    assert by_id["RF008"] == pytest.approx(by_id["RF003"] + by_id["RF006"] + by_id["RF007"])
    assert by_id["RF009"] == pytest.approx(by_id["RF002"] + by_id["RF003"])
    assert by_id["RF015"] == pytest.approx(by_id["RF013"] + by_id["RF014"])
    assert by_id["RF028"] == pytest.approx(by_id["RF026"] + by_id["RF027"])


def test_a_quantity_given_twice_keeps_both_values(figures):
    savings = figures[figures["measure"] == "tactical_transformational_savings"]
    assert sorted(savings["value"]) == [27, 28]
    assert set(savings["qualifier"].dropna()) == {"nearly"}


def test_the_headline_position_is_in_the_database(figures):
    def value(measure, year, period, scenario=None):
        rows = figures[
            (figures["measure"] == measure)
            & (figures["fiscal_year"].fillna("") == (year or ""))
            & (figures["period"] == period)
            & (figures["scenario"].fillna("") == (scenario or ""))
        ]
        assert len(rows) == 1, (measure, year, period, scenario)
        return rows["value"].iloc[0]

    assert value("net_budget", "2021/22", "budget") == 312
    assert value("net_budget", "2020/21", "budget") == 304
    assert value("net_overspend", "2020/21", "outturn") == 15
    assert value("general_fund_reserve", "2020/21", "as_at") == 31.5
    assert value("usable_reserves", None, "as_at") == 65
    assert value("dsg_cumulative_deficit", "2020/21", "outturn") == 37.9
    assert value("dsg_cumulative_deficit", "2025/26", "projection", "mitigated") == 70
    assert value("dsg_cumulative_deficit", "2025/26", "projection", "unmitigated") == 110


def test_measures_are_stable_snake_case_keys(figures):
    assert figures["measure"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert figures["figure_id"].is_unique
