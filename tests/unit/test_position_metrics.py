"""The position metrics (metrics.budget, metrics.reserves, metrics.dsg, metrics.held) against a real database
built from the CSVs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics import budget as budget_metrics
from metrics import dsg as dsg_metrics
from metrics import held
from metrics import reserves as reserves_metrics


def values(frame: pd.DataFrame, key: str = "fiscal_year", column: str = "value") -> dict:
    return dict(zip(frame[key], frame[column], strict=True))


def test_budget_and_overspend_by_year(conn):
    assert values(budget_metrics.net_budget_by_year(conn)) == {"2020/21": 304, "2021/22": 312}
    assert values(budget_metrics.overspend_by_year(conn)) == {"2019/20": 5, "2020/21": 15}
    assert budget_metrics.net_budget_by_year(conn)["source_quote"].str.len().gt(20).all()


def test_outturn_against_budget_carries_the_derived_outturn(conn):
    frame = budget_metrics.outturn_against_budget(conn, "2020/21").set_index("item")
    assert frame.loc["budget", "value"] == 304
    assert frame.loc["overspend", "value"] == 15
    assert frame.loc["outturn", "value"] == frame.loc["budget", "value"] + 15
    assert frame.loc["outturn", "basis"] == "derived"
    with pytest.raises(held.FigureMissing, match="2018/19"):
        budget_metrics.outturn_against_budget(conn, "2018/19")


def test_forecast_path_runs_from_quarter_3_to_outturn(conn):
    path = budget_metrics.forecast_path(conn, "2020/21")
    assert path["period"].tolist() == ["q3", "outturn"]
    assert path["value"].tolist() == [18.6, 15]


def test_bridge_adds_up_and_marks_the_gross_figure_derived(conn):
    bridge = budget_metrics.overspend_bridge(conn, "2020/21")
    assert bridge["step"].tolist() == ["start", "change", "change", "total"]
    assert bridge["signed_gbp_m"].tolist() == pytest.approx([24.95, -5.25, -4.7, 15])
    assert bridge.loc[0, "basis"] == "derived"
    assert (bridge.loc[1:, "basis"] == "reported").all()


def test_bridge_refuses_figures_that_do_not_add_up(db_path):
    with duckdb.connect(str(db_path)) as connection:
        connection.execute("UPDATE reported_figures SET value = 6 WHERE measure = 'capital_financing_underspend'")
        with pytest.raises(ValueError, match="does not add up"):
            budget_metrics.overspend_bridge(connection, "2020/21")


def test_a_newer_load_replaces_a_figure(db_path):
    with duckdb.connect(str(db_path)) as connection:
        connection.execute(
            "INSERT INTO reported_figures SELECT * REPLACE ('RF901' AS figure_id, 33.0 AS value, 9 AS load_id) "
            "FROM reported_figures WHERE measure = 'general_fund_reserve'"
        )
        assert values(reserves_metrics.reserves(connection), "measure")["general_fund_reserve"] == 33.0
        ratios = reserves_metrics.cover_ratios(connection)
        general = ratios[(ratios["reserve_measure"] == "general_fund_reserve") & (ratios["deficit_kind"] == "actual")]
        assert general["cover_ratio"].iloc[0] == pytest.approx(33.0 / 37.9)


def test_funding_assumptions_only_at_the_years_given(conn):
    funding = budget_metrics.funding_assumptions(conn)
    council_tax = funding[funding["stream"] == "Council tax"]
    assert values(council_tax) == {"2021/22": 263.9, "2025/26": 294.3}
    rates = funding[funding["stream"] == "Business rates"].set_index("fiscal_year")
    assert rates.loc["2021/22", "value"] == 44.3
    assert rates.loc["2025/26", "basis"] == "derived"
    assert rates.loc["2025/26", "qualifier"] == "just under"


def test_savings_picture_keeps_both_versions_of_the_savings(conn):
    savings = budget_metrics.savings_picture(conn)
    assert savings["measure"].iloc[0] == "budget_gap"
    assert savings["value"].iloc[0] == 42
    tactical = savings[savings["measure"] == "tactical_transformational_savings"]
    assert sorted(tactical["value"]) == [27, 28]
    assert set(savings["value"]) >= {7.4, 10}


def test_collection_rates(conn):
    assert values(budget_metrics.collection_rates(conn), column="value") == {"2019/20": 97.9, "2020/21": 95.15}


def test_reserves_and_the_undated_usable_reserves(conn):
    reserves = reserves_metrics.reserves(conn).set_index("measure")
    assert reserves.loc["general_fund_reserve", "value"] == 31.5
    assert str(reserves.loc["general_fund_reserve", "as_at_date"])[:10] == "2021-03-31"
    assert reserves.loc["usable_reserves", "value"] == 65
    assert pd.isna(reserves.loc["usable_reserves", "as_at_date"])


def test_dsg_known_points_and_in_year(conn):
    points = dsg_metrics.dsg_known_points(conn)
    assert points["kind"].tolist() == ["actual", "forecast", "projection", "projection"]
    assert points["value"].tolist() == [37.9, 54.9, 70, 110]
    assert points.loc[1, "basis"] == "derived"
    assert values(dsg_metrics.dsg_in_year(conn)) == {"2020/21": 16, "2021/22": 17}
    assert int(dsg_metrics.statutory_override_expiry(conn)["year"]) == 2023


def test_cover_ratio_is_reserve_over_deficit(conn):
    ratios = reserves_metrics.cover_ratios(conn)
    assert len(ratios) == 4
    for _, row in ratios.iterrows():
        assert row["cover_ratio"] == pytest.approx(row["reserve_gbp_m"] / row["deficit_gbp_m"])
    usable = ratios[(ratios["reserve_measure"] == "usable_reserves") & (ratios["deficit_kind"] == "actual")]
    assert usable["cover_ratio"].iloc[0] == pytest.approx(65 / 37.9)


def test_modelled_paths_are_labelled_and_hit_the_reported_points(conn):
    paths = dsg_metrics.modelled_paths(conn)
    for scenario, end in (("mitigated", 70), ("unmitigated", 110)):
        path = paths[paths["scenario"] == scenario].set_index("fiscal_year")
        assert path.loc["2020/21", "cumulative_deficit_gbp_m"] == 37.9
        assert path.loc["2021/22", "cumulative_deficit_gbp_m"] == pytest.approx(54.9)
        assert path.loc["2025/26", "cumulative_deficit_gbp_m"] == pytest.approx(end)
        assert path["basis"].tolist() == ["reported", "derived", "modelled", "modelled", "modelled", "reported"]


def test_year_the_deficit_passes_each_reserve(conn):
    crossings = reserves_metrics.years_deficit_exceeds_reserves(conn).set_index(["scenario", "reserve_measure"])
    # Unmitigated: 54.9 + (110 - 54.9) / 4 = 68.675 > 65 in 2022/23.
    assert crossings.loc[("unmitigated", "usable_reserves"), "first_year_above"] == "2022/23"
    # Mitigated: 54.9 + 3 × (55.1 - 40) / 4 = 66.225 > 65 in 2024/25 (62.45 in 2023/24 is not).
    assert crossings.loc[("mitigated", "usable_reserves"), "first_year_above"] == "2024/25"
    # The general fund reserve (31.5) is already below the 2020/21 deficit (37.9).
    assert crossings.loc[("mitigated", "general_fund_reserve"), "first_year_above"] == "2020/21"
    # ... which is the reported deficit, not a modelled one; the usable-reserve crossings are modelled years.
    assert crossings.loc[("mitigated", "general_fund_reserve"), "basis"] == "reported"
    assert crossings.loc[("unmitigated", "usable_reserves"), "basis"] == "modelled"
    assert crossings.loc[("mitigated", "usable_reserves"), "basis"] == "modelled"


def test_missing_projection_is_reported_not_guessed(db_path):
    with duckdb.connect(str(db_path)) as connection:
        connection.execute("DELETE FROM reported_figures WHERE scenario = 'mitigated'")
        with pytest.raises(held.FigureMissing, match="both projections"):
            dsg_metrics.dsg_defaults(connection)


def test_the_headline_overspend_is_the_latest_held_when_the_current_year_has_none(db_path):
    """Later figures with a 2026/27 budget, no 2026/27 variance and only a quarter 2 forecast for 2025/26: the
    Overview said "Overspend — not reported" while the Budget page showed £9.5m (2024/25) and £8.5m (Q2 2025/26)."""
    from datetime import date

    from data.__main__ import main as data_cli
    from metrics import current

    later = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
    assert data_cli(["load", str(later), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        headline = current.current_position(conn, as_at=date(2026, 12, 5)).set_index("measure")
        assert headline.loc["net_budget", "fiscal_year"] == "2026/27"
        overspend = headline.loc["net_overspend"]
        assert (overspend["fiscal_year"], overspend["period"], overspend["value"]) == ("2025/26", "q2", 8.5)


def test_the_overrides_expiry_is_said_in_the_tense_of_the_day_read():
    """Read in 2026, the Reserves page said the override "is due to expire in 2023" (its chart: "was")."""
    from datetime import date

    assert dsg_metrics.override_due(2023, date(2021, 10, 5)) == "is due to expire in 2023"
    assert dsg_metrics.override_due(2023, date(2023, 3, 31)) == "is due to expire in 2023"
    assert dsg_metrics.override_due(2023, date(2026, 12, 7)) == "was due to expire in 2023"
