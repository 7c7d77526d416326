"""The DSG scenario model: a pure function; its defaults reproduce the reported 2025/26 projections."""

from __future__ import annotations

import pytest

from metrics import dsg as dsg_metrics
from metrics import dsg_model


def reported_projection(conn, scenario: str) -> tuple[str, float]:
    return conn.execute(
        "SELECT fiscal_year, value FROM reported_figures WHERE measure = 'dsg_cumulative_deficit' "
        "AND period = 'projection' AND scenario = $scenario",
        {"scenario": scenario},
    ).fetchone()


def test_defaults_reproduce_the_reported_projections(conn):
    defaults = dsg_metrics.dsg_defaults(conn)
    for scenario, inputs in (("mitigated", defaults.mitigated), ("unmitigated", defaults.unmitigated)):
        year, value = reported_projection(conn, scenario)
        path = dsg_model.project(inputs)
        assert path["fiscal_year"].iloc[-1] == year
        assert path["cumulative_deficit_gbp_m"].iloc[-1] == pytest.approx(value)
    # and those reported values are the document's £70m and £110m
    assert reported_projection(conn, "mitigated")[1] == 70
    assert reported_projection(conn, "unmitigated")[1] == 110


def test_defaults_start_from_the_reported_deficit_and_predicted_overspend(conn):
    defaults = dsg_metrics.dsg_defaults(conn)
    path = dsg_model.project(defaults.unmitigated)
    start, predicted = conn.execute(
        "SELECT (SELECT value FROM reported_figures WHERE measure = 'dsg_cumulative_deficit' AND period = 'outturn'),"
        "       (SELECT value FROM reported_figures WHERE measure = 'dsg_in_year_deficit' AND period = 'forecast')"
    ).fetchone()
    assert defaults.unmitigated.start_deficit_gbp_m == start
    assert path["in_year_overspend_gbp_m"].iloc[0] == predicted
    assert path["fiscal_year"].tolist() == ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
    # the 2021/22 point is the derived forecast (37.9 + 17) in both scenarios: mitigation starts after it
    assert dsg_model.project(defaults.mitigated)["cumulative_deficit_gbp_m"].iloc[0] == pytest.approx(start + predicted)
    # constant overspend after the first year, even savings
    assert len(set(defaults.unmitigated.in_year_overspend_gbp_m[1:])) == 1
    assert defaults.mitigated.mitigation_savings_gbp_m[0] == 0
    assert len(set(defaults.mitigated.mitigation_savings_gbp_m[1:])) == 1


def scenario(overspend, savings, start=10.0):
    years = dsg_model.fiscal_years("2021/22", dsg_model.fiscal_year_label(2020 + len(overspend)))
    return dsg_model.DsgScenario("2020/21", start, years, tuple(overspend), tuple(savings))


def test_the_formula_year_by_year():
    path = dsg_model.project(scenario([2.0, 3.0, 4.0], [0.0, 1.0, 5.0]))
    assert path["net_in_year_gbp_m"].tolist() == [2.0, 2.0, -1.0]
    assert path["cumulative_deficit_gbp_m"].tolist() == [12.0, 14.0, 13.0]


def test_zero_overspend_keeps_the_deficit_flat(conn):
    defaults = dsg_metrics.dsg_defaults(conn)
    flat = dsg_model.DsgScenario(
        defaults.mitigated.start_year,
        defaults.mitigated.start_deficit_gbp_m,
        defaults.mitigated.years,
        (0.0,) * len(defaults.mitigated.years),
        (0.0,) * len(defaults.mitigated.years),
    )
    assert set(dsg_model.project(flat)["cumulative_deficit_gbp_m"]) == {defaults.mitigated.start_deficit_gbp_m}


def test_more_overspend_or_less_saving_raises_the_end_point():
    base = dsg_model.project(scenario([5.0] * 4, [1.0] * 4))["cumulative_deficit_gbp_m"].iloc[-1]
    more = dsg_model.project(scenario([6.0] * 4, [1.0] * 4))["cumulative_deficit_gbp_m"].iloc[-1]
    saved = dsg_model.project(scenario([5.0] * 4, [2.0] * 4))["cumulative_deficit_gbp_m"].iloc[-1]
    assert saved < base < more


def test_growth_path_and_savings_path():
    assert dsg_model.overspend_path(17.0, 10.0, 0.1, 4) == pytest.approx((17.0, 10.0, 11.0, 12.1))
    assert dsg_model.overspend_path(17.0, 10.0, 0.0, 3) == (17.0, 10.0, 10.0)
    assert dsg_model.savings_path(4.0, 3) == (0.0, 4.0, 4.0)
    with pytest.raises(ValueError, match="growth rate"):
        dsg_model.overspend_path(1.0, 1.0, -1.0, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overspend": [1.0, 2.0], "savings": [0.0]}, "mitigation_savings_gbp_m has 1 values for 2 years"),
        ({"overspend": [1.0], "savings": [-1.0]}, "cannot be negative"),
        ({"overspend": [float("nan")], "savings": [0.0]}, "finite"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        dsg_model.DsgScenario("2020/21", 10.0, ("2021/22", "2022/23")[: len(kwargs["overspend"])],
                              tuple(kwargs["overspend"]), tuple(kwargs["savings"]))  # fmt: skip


def test_years_must_follow_the_start_year():
    with pytest.raises(ValueError, match="run on from 2020/21"):
        dsg_model.DsgScenario("2020/21", 10.0, ("2022/23",), (1.0,), (0.0,))
    with pytest.raises(ValueError, match="not a financial year"):
        dsg_model.fiscal_years("2021/23", "2025/26")
    assert dsg_model.next_fiscal_year("2099/00") == "2100/01"


def test_first_year_above_a_threshold():
    path = dsg_model.project(scenario([5.0, 5.0, 5.0], [0.0, 0.0, 0.0]))  # 15, 20, 25
    assert dsg_model.first_year_above(path, 17.0) == "2022/23"
    assert dsg_model.first_year_above(path, 25.0) is None


def test_reported_defaults_refuse_impossible_end_points():
    with pytest.raises(ValueError, match="mitigated end point is above"):
        dsg_model.reported_defaults(
            start_year="2020/21", start_deficit_gbp_m=1.0, first_year_overspend_gbp_m=1.0,
            end_year="2023/24", end_unmitigated_gbp_m=5.0, end_mitigated_gbp_m=6.0,
        )  # fmt: skip


def test_the_deficit_and_the_exposure_say_when_they_pass_a_threshold_the_same_way():
    """Both start from the known deficit: above the threshold there, both say "already above" (the page once
    said "already above in 2025/26" for the deficit and "2026/27" for the same exposure)."""
    path = dsg_model.project(dsg_model.DsgScenario("2025/26", 126.4, ("2026/27", "2027/28"), (21.8, 21.8), (0.0, 0.0)))
    usable = 71.5
    exposed = dsg_model.exposure(path, None, 0.0)
    deficit_says = dsg_model.year_above("2025/26", 126.4, dsg_model.first_year_above(path, usable), usable)
    exposure_says = dsg_model.year_above(
        "2025/26",
        dsg_model.start_exposure("2025/26", 126.4, None, 0.0),
        dsg_model.first_exposure_above(exposed, usable),
        usable,
    )
    assert deficit_says == exposure_says == "already above in 2025/26"
    # The override in force at the start keeps the exposure off the general fund then: it passes when it ends
    kept_off = dsg_model.exposure(path, "2027/28", 0.0)
    assert dsg_model.start_exposure("2025/26", 126.4, "2027/28", 0.0) == 0.0
    assert dsg_model.year_above("2025/26", 0.0, dsg_model.first_exposure_above(kept_off, usable), usable) == "2027/28"
    # Half met by grant: 63.2 at the start is below 71.5; the first modelled year (74.1) is above
    half = dsg_model.exposure(path, None, 0.5)
    assert (
        dsg_model.year_above(
            "2025/26",
            dsg_model.start_exposure("2025/26", 126.4, None, 0.5),
            dsg_model.first_exposure_above(half, usable),
            usable,
        )
        == "2026/27"
    )
    # Below the threshold throughout: never
    assert dsg_model.year_above("2025/26", 10.0, dsg_model.first_year_above(path, 1000.0), 1000.0) is None


def test_already_above_names_the_year_the_reported_deficits_passed_where_known():
    """The DSG page said "already above in 2025/26" (the model's start) where the Reserves page said "since
    2024/25 (reported)"; both now name the reported year. The exposure names it only where the policy leaves it
    equal to the deficit over the reported years."""
    assert dsg_model.year_above("2025/26", 126.4, None, 71.5, reported_since="2024/25") == (
        "already above since 2024/25 (reported)"
    )
    assert dsg_model.reported_above(126.4, 71.5, "2024/25")
    assert dsg_model.year_above("2025/26", 60.0, "2027/28", 71.5, reported_since="2024/25") == "2027/28"
    assert not dsg_model.reported_above(60.0, 71.5, "2024/25") and not dsg_model.reported_above(126.4, 71.5, None)
    assert dsg_model.exposure_reported_since("2024/25", None, 0.0) == "2024/25"
    assert dsg_model.exposure_reported_since("2024/25", "2023/24", 0.0) == "2024/25"
    assert dsg_model.exposure_reported_since("2024/25", "2026/27", 0.0) is None  # kept off until after then
    assert dsg_model.exposure_reported_since("2024/25", None, 0.5) is None  # a grant changes the reported years
    assert dsg_model.exposure_reported_since(None, None, 0.0) is None
