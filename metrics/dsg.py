"""The DSG deficit: the points reported, the in-year overspend, the 2021 plan and its paths, and the projection
from the latest reported deficit (docs/figures.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from data import vocab
from data.measures import YEAR_END_PERIODS
from metrics import dsg_model, dsg_plan, vintage
from metrics.held import PERIOD_ORDER, FigureMissing, by_period, latest_figures

_DSG_KINDS = {**dict.fromkeys(vocab.HAPPENED_PERIODS, "actual"), "forecast": "forecast", "projection": "projection"}


def dsg_known_points(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every cumulative DSG deficit held, `kind` = actual (year end or a date in the year), forecast or projection."""
    frame = latest_figures(conn, ["dsg_cumulative_deficit"], as_at=as_at)
    frame = frame[frame["fiscal_year"].notna()].copy()
    frame["kind"] = frame["period"].map(_DSG_KINDS)
    frame = frame[frame["kind"].notna() & ((frame["kind"] == "projection") | frame["scenario"].isna())]
    frame = frame[(frame["kind"] != "projection") | frame["scenario"].notna()]
    frame["_order"] = frame["period"].map(PERIOD_ORDER)
    frame = frame.sort_values(["fiscal_year", "_order", "scenario"], na_position="first")
    return frame.drop(columns="_order").reset_index(drop=True)


def dsg_in_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The high needs block's in-year overspend, actual and predicted."""
    frame = latest_figures(conn, ["dsg_in_year_deficit"], as_at=as_at)
    frame = frame[frame["fiscal_year"].notna() & frame["scenario"].isna()]
    return by_period(frame).reset_index(drop=True)


def statutory_override_expiry(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.Series:
    """The year the DSG statutory override is due to expire, with its source (`year` holds it)."""
    frame = latest_figures(conn, ["dsg_statutory_override_expiry"], as_at=as_at)
    if frame.empty:
        raise FigureMissing("no statutory override expiry year")
    return frame.sort_values("known_on", na_position="first").iloc[-1].rename({"value": "year"})


def override_due(expiry_year: int, on: date) -> str:
    """The override's expiry in the tense of the day the page is read at (the as-at date, else today): a 2021
    report's "due to expire in 2023" read in 2026 is "was due to expire in 2023"."""
    return f"{'was' if on.year > expiry_year else 'is'} due to expire in {expiry_year}"


@dataclass(frozen=True)
class DsgReported:
    """The reported DSG figures the scenario model starts from and is checked against."""

    start_year: str
    start_deficit_gbp_m: float
    first_year: str
    first_year_overspend_gbp_m: float
    end_year: str
    end_mitigated_gbp_m: float
    end_unmitigated_gbp_m: float
    plan_known_on: date | None = None  # the date of the document the projections come from


def _plan_ends(points: pd.DataFrame) -> pd.DataFrame:
    """The plan's two projections (with and without mitigation) for the latest year that has both, indexed by
    scenario; empty if no year has both."""
    projections = points[points["kind"] == "projection"]
    complete = [
        year
        for year, rows in projections.groupby("fiscal_year")
        if {"mitigated", "unmitigated"} <= set(rows["scenario"])
    ]
    if not complete:
        return projections.iloc[0:0].set_index("scenario")
    ends = projections[projections["fiscal_year"] == max(complete)]
    return ends.drop_duplicates("scenario").set_index("scenario")


def plan_projections(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The plan's projections of its last year, with and without mitigation (index: scenario), whatever else is
    held: the model (`dsg_reported`) also needs a year-end deficit and an in-year prediction; these do not."""
    return _plan_ends(dsg_known_points(conn, as_at=as_at))


def dsg_reported(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> DsgReported:
    """The plan: both projections, and the last year-end deficit and next year's predicted overspend
    known when the projections were made (so later actuals do not move the plan)."""
    ends = _plan_ends(dsg_known_points(conn, as_at=as_at))
    if ends.empty:
        raise FigureMissing("the DSG model needs both projections (with and without mitigation)")
    end_year = ends["fiscal_year"].iloc[0]
    known = pd.to_datetime(ends["known_on"]).max()
    plan_known = None if pd.isna(known) else known.date()
    plan_as_at = plan_known or as_at
    plan_points = dsg_known_points(conn, as_at=plan_as_at)
    actuals = plan_points[
        (plan_points["period"] == "outturn") & (plan_points["fiscal_year"] < end_year) & plan_points["scenario"].isna()
    ]
    if actuals.empty:
        raise FigureMissing(f"the DSG model needs a year-end deficit before {end_year}")
    actual = actuals.iloc[-1]
    in_year = dsg_in_year(conn, as_at=plan_as_at)
    next_year = dsg_model.next_fiscal_year(actual["fiscal_year"])
    predicted = in_year[(in_year["fiscal_year"] == next_year) & (in_year["period"] == "forecast")]
    if predicted.empty:
        raise FigureMissing(f"the DSG model needs the in-year overspend predicted for {next_year}")
    return DsgReported(
        start_year=actual["fiscal_year"],
        start_deficit_gbp_m=float(actual["value"]),
        first_year=next_year,
        first_year_overspend_gbp_m=float(predicted["value"].iloc[0]),
        end_year=end_year,
        end_mitigated_gbp_m=float(ends.loc["mitigated", "value"]),
        end_unmitigated_gbp_m=float(ends.loc["unmitigated", "value"]),
        plan_known_on=plan_known,
    )


def dsg_defaults(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> dsg_model.ReportedDefaults:
    """Scenario-model inputs that reproduce the two reported projections."""
    reported = dsg_reported(conn, as_at=as_at)
    try:
        return dsg_model.reported_defaults(
            start_year=reported.start_year,
            start_deficit_gbp_m=reported.start_deficit_gbp_m,
            first_year_overspend_gbp_m=reported.first_year_overspend_gbp_m,
            end_year=reported.end_year,
            end_unmitigated_gbp_m=reported.end_unmitigated_gbp_m,
            end_mitigated_gbp_m=reported.end_mitigated_gbp_m,
        )
    except ValueError as error:
        raise FigureMissing(f"the DSG projections cannot be modelled: {error}") from error


def plan_paths(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The plan's default modelled deficit per year for both scenarios, starting from the plan's last actual year.

    Columns: scenario, fiscal_year, cumulative_deficit_gbp_m, basis ('reported' at the start and the
    reported end point, 'derived' for the first forecast year, 'modelled' between).
    """
    defaults = dsg_defaults(conn, as_at=as_at)
    reported = dsg_reported(conn, as_at=as_at)
    frames = []
    for scenario, inputs in (("mitigated", defaults.mitigated), ("unmitigated", defaults.unmitigated)):
        path = dsg_model.project(inputs)[["fiscal_year", "cumulative_deficit_gbp_m"]]
        start = pd.DataFrame(
            {"fiscal_year": [reported.start_year], "cumulative_deficit_gbp_m": [reported.start_deficit_gbp_m]}
        )
        path = pd.concat([start, path], ignore_index=True)
        path["basis"] = "modelled"
        path.loc[path["fiscal_year"] == reported.start_year, "basis"] = "reported"
        path.loc[path["fiscal_year"] == reported.first_year, "basis"] = "derived"
        path.loc[path["fiscal_year"] == reported.end_year, "basis"] = "reported"
        path.insert(0, "scenario", scenario)
        frames.append(path)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class DsgProjection:
    """Where the DSG projection starts and what it assumes, from the latest reported figures.

    `from_plan` is True while the latest reported deficit is the plan's own start: the plan's two paths are
    then the projection. Otherwise `default` runs on from the latest reported year-end deficit with the
    same in-year overspend each year and no mitigation (the 2021 plan stays a layer of its own).
    """

    start_year: str
    start_deficit_gbp_m: float
    start_words: str  # the starting figure, its basis and date in words
    in_year_gbp_m: float
    in_year_words: str  # where the default in-year overspend comes from
    end_year: str
    from_plan: bool
    default: dsg_model.DsgScenario
    # The reported figures the start and the in-year overspend are read from (none from the plan, whose
    # document is the 2021 report): a chart of the projection names their documents as its sources.
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    @property
    def in_words(self) -> str:
        return (
            f"The projection starts from the {self.start_words} and adds an in-year overspend of "
            f"{vocab.gbp_m(self.in_year_gbp_m, decimals=1)} a year ({self.in_year_words}), with no savings from "
            f"mitigation, to {self.end_year}: modelled."
        )


_YEAR_END_ORDER = {"outturn": 0, "as_at": 1, "forecast": 2}


def _projection_base(points: pd.DataFrame) -> pd.Series:
    """The latest reported cumulative deficit at a year end: actual (outturn, as at) before a year-end forecast."""
    rows = points[
        points["period"].isin(list(_YEAR_END_ORDER)) & points["scenario"].isna() & (points["basis"] == "reported")
    ]
    if rows.empty:
        raise FigureMissing("the DSG projection needs a reported year-end cumulative deficit")
    rows = rows.assign(_order=rows["period"].map(_YEAR_END_ORDER)).sort_values(
        ["fiscal_year", "_order"], ascending=[False, True]
    )
    return rows.iloc[0].drop(labels="_order")


def _base_words(row: pd.Series) -> str:
    kind = "forecast for the end of" if row["period"] == "forecast" else "reported deficit at the end of"
    return f"{kind} {row['fiscal_year']}, {vocab.gbp_m(row['value'])} ({vintage.reported_phrase(row)})"


_IN_YEAR_ORDER = {"outturn": 0, "forecast": 1, "q3": 2, "q2": 3, "q1": 4}


def latest_in_year(in_year: pd.DataFrame) -> pd.Series | None:
    """The latest reported in-year overspend: the newest year, its outturn before a forecast before a quarter."""
    rows = in_year[(in_year["basis"] == "reported") & in_year["period"].isin(list(_IN_YEAR_ORDER))]
    if rows.empty:
        return None
    rows = rows.assign(_order=rows["period"].map(_IN_YEAR_ORDER))
    return rows.sort_values(["fiscal_year", "_order"], ascending=[False, True]).iloc[0].drop(labels="_order")


def latest_reported_in_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.Series | None:
    """`latest_in_year` of the held in-year figures, as a figure of its own (a page draws it from the cache)."""
    return latest_in_year(dsg_in_year(conn, as_at=as_at))


def _default_in_year(
    in_year: pd.DataFrame, points: pd.DataFrame, base: pd.Series
) -> tuple[float, str, list[pd.Series]]:
    """The latest reported in-year overspend (from the year before the start or later), else the trend of the
    reported year-end deficits, else the latest in-year figure however old; each says which it is, and the
    figures it is read from."""
    reported = in_year[(in_year["basis"] == "reported") & in_year["period"].isin(list(_IN_YEAR_ORDER))]
    reported = reported.assign(_order=reported["period"].map(_IN_YEAR_ORDER)).sort_values(
        ["fiscal_year", "_order"], ascending=[False, True]
    )
    recent = reported[reported["fiscal_year"] >= dsg_model.fiscal_year_label(int(base["fiscal_year"][:4]) - 1)]
    if not recent.empty:
        row = recent.iloc[0]
        return float(row["value"]), _in_year_words(row), [row]
    year_ends = year_end_deficits(points)
    year_ends = year_ends[(year_ends["basis"] == "reported") & (year_ends["fiscal_year"] < base["fiscal_year"])]
    if not year_ends.empty:
        first = year_ends.iloc[0]
        rise = dsg_model.trend_per_year(first["fiscal_year"], first["value"], base["fiscal_year"], base["value"])
        return (
            rise,
            f"the trend of the reported deficits, {vocab.gbp_m(first['value'])} at the end of {first['fiscal_year']} "
            f"to {vocab.gbp_m(base['value'])} for {base['fiscal_year']}",
            [first],
        )
    if not reported.empty:
        return float(reported["value"].iloc[0]), _in_year_words(reported.iloc[0]), [reported.iloc[0]]
    raise FigureMissing("the DSG projection needs an in-year overspend or two reported year-end deficits")


def _in_year_words(row: pd.Series) -> str:
    return f"the latest reported in-year overspend, {vintage.when(row)}, {vintage.reported_phrase(row)}"


def dsg_projection(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> DsgProjection:
    """The DSG projection's start and default inputs, from the latest reported figures (see DsgProjection)."""
    points = dsg_known_points(conn, as_at=as_at)
    base = _projection_base(points)
    try:
        plan = dsg_reported(conn, as_at=as_at)
    except FigureMissing:
        plan = None
    if plan is not None and plan.start_year >= base["fiscal_year"]:
        defaults = dsg_defaults(conn, as_at=as_at)
        return DsgProjection(
            start_year=plan.start_year,
            start_deficit_gbp_m=plan.start_deficit_gbp_m,
            start_words=f"reported deficit at the end of {plan.start_year}, {vocab.gbp_m(plan.start_deficit_gbp_m)}",
            in_year_gbp_m=plan.first_year_overspend_gbp_m,
            in_year_words=f"the overspend the plan predicts for {plan.first_year}",
            end_year=plan.end_year,
            from_plan=True,
            default=defaults.unmitigated,
        )
    try:
        expiry = int(statutory_override_expiry(conn, as_at=as_at)["year"])
    except FigureMissing:
        expiry = None
    in_year, in_year_words, in_year_rows = _default_in_year(dsg_in_year(conn, as_at=as_at), points, base)
    end_year = dsg_model.projection_end(base["fiscal_year"], expiry)
    return DsgProjection(
        start_year=base["fiscal_year"],
        start_deficit_gbp_m=float(base["value"]),
        start_words=_base_words(base),
        in_year_gbp_m=in_year,
        in_year_words=in_year_words,
        end_year=end_year,
        from_plan=False,
        default=dsg_model.steady_scenario(base["fiscal_year"], float(base["value"]), in_year, end_year),
        inputs=pd.DataFrame([base, *in_year_rows]).reset_index(drop=True),
    )


@dataclass(frozen=True)
class ScenarioDefaults:
    """What the scenario model on the DSG page starts from and offers by default, in words and numbers."""

    projection: DsgProjection
    years: tuple[str, ...]
    first_year_overspend_gbp_m: float
    later_overspend_gbp_m: float
    mitigation_per_year_gbp_m: float
    default: dsg_model.DsgScenario  # the year-by-year defaults
    caption: str
    first_year_help: str
    target_name: str  # what the modelled end is set against: 'the recovery plan' or 'the default projection'
    target_gbp_m: float
    unmitigated_end_gbp_m: float | None  # the plan's projection without mitigation, when the plan is the base


def scenario_defaults(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> ScenarioDefaults:
    """The scenario model's defaults: the plan's (reproducing its two reported end points) while the plan starts
    from the latest reported deficit, else the projection from the latest figures (DsgProjection)."""
    projection = dsg_projection(conn, as_at=as_at)
    if projection.from_plan:
        reported = dsg_reported(conn, as_at=as_at)
        defaults = dsg_defaults(conn, as_at=as_at)
        return ScenarioDefaults(
            projection=projection,
            years=defaults.mitigated.years,
            first_year_overspend_gbp_m=reported.first_year_overspend_gbp_m,
            later_overspend_gbp_m=defaults.later_overspend_gbp_m,
            mitigation_per_year_gbp_m=defaults.mitigation_per_year_gbp_m,
            default=defaults.mitigated,
            caption=(
                f"{dsg_model.DEFAULTS_IN_WORDS} With the reported figures that is an in-year overspend of "
                f"{vocab.gbp_m(defaults.later_overspend_gbp_m, decimals=3)} a year after {reported.first_year}, "
                f"and savings from mitigation of {vocab.gbp_m(defaults.mitigation_per_year_gbp_m)} a year, giving "
                f"{vocab.gbp_m(reported.end_unmitigated_gbp_m)} and {vocab.gbp_m(reported.end_mitigated_gbp_m)} "
                f"in {reported.end_year}."
            ),
            first_year_help=f"The document predicts {vocab.gbp_m(reported.first_year_overspend_gbp_m)}.",
            target_name="the recovery plan",
            target_gbp_m=reported.end_mitigated_gbp_m,
            unmitigated_end_gbp_m=reported.end_unmitigated_gbp_m,
        )
    default_end = float(dsg_model.project(projection.default)["cumulative_deficit_gbp_m"].iloc[-1])
    return ScenarioDefaults(
        projection=projection,
        years=projection.default.years,
        first_year_overspend_gbp_m=projection.in_year_gbp_m,
        later_overspend_gbp_m=projection.in_year_gbp_m,
        mitigation_per_year_gbp_m=0.0,
        default=projection.default,
        caption=(
            f"{projection.in_words} Change the inputs below to ask what if; the earlier plan's projections stay "
            "on the chart as a layer of their own."
        ),
        first_year_help=f"Default: {projection.in_year_words}.",
        target_name="the default projection",
        target_gbp_m=default_end,
        unmitigated_end_gbp_m=None,
    )


def modelled_paths(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The projection per year from the latest reported deficit: the plan's two paths while the plan starts
    from the latest figure (plan_paths), else one path, scenario 'trend' (dsg_projection's default inputs).

    Columns: scenario, fiscal_year, cumulative_deficit_gbp_m, basis ('reported' at the start, 'modelled' after).
    """
    projection = dsg_projection(conn, as_at=as_at)
    if projection.from_plan:
        return plan_paths(conn, as_at=as_at)
    path = dsg_model.project(projection.default)[["fiscal_year", "cumulative_deficit_gbp_m"]]
    start = pd.DataFrame(
        {"fiscal_year": [projection.start_year], "cumulative_deficit_gbp_m": [projection.start_deficit_gbp_m]}
    )
    path = pd.concat([start, path], ignore_index=True)
    path["basis"] = ["reported"] + ["modelled"] * (len(path) - 1)
    path.insert(0, "scenario", "trend")
    return path


def year_end_deficits(points: pd.DataFrame) -> pd.DataFrame:
    """The actual cumulative deficit at each year end held (outturn, or as at the year end), one row a year."""
    rows = points[points["period"].isin(YEAR_END_PERIODS) & points["scenario"].isna()]
    return rows.groupby("fiscal_year").tail(1).reset_index(drop=True)


def latest_reported_deficit_year(points: pd.DataFrame) -> str | None:
    """The latest year with a reported (not derived or modelled) cumulative deficit, actual or forecast."""
    reported = points[points["kind"].isin(["actual", "forecast"]) & (points["basis"] == "reported")]
    return None if reported.empty else str(reported["fiscal_year"].max())


PLAN_STANDING_WORDS = {
    "start": "the plan's starting figure",
    "above": "above both paths",
    "below": "below the recovery plan",
    "between": "between the paths",
}


def plan_against_reported(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Each year of the plan's modelled paths beside the deficit later reported for that year, if any.

    Columns: fiscal_year, mitigated_gbp_m, unmitigated_gbp_m (modelled, or reported at the end points),
    reported_gbp_m, reported_kind ('actual (year end)', 'forecast', 'forecast, derived': the period said once, and
    a basis other than reported), reported_source,
    against ('above both paths', 'between the paths', 'below the recovery plan' or 'not reported').
    """
    paths = plan_paths(conn, as_at=as_at)
    wide = paths.pivot(index="fiscal_year", columns="scenario", values="cumulative_deficit_gbp_m")
    basis = paths[paths["scenario"] == "mitigated"].set_index("fiscal_year")["basis"]
    points = dsg_known_points(conn, as_at=as_at)
    later = points[(points["kind"] != "projection")].groupby("fiscal_year").tail(1).set_index("fiscal_year")
    rows = []
    for year in wide.index:
        low, high = wide.loc[year, "mitigated"], wide.loc[year, "unmitigated"]
        row = {
            "fiscal_year": year,
            "path_basis": basis.get(year, "modelled"),
            "mitigated_gbp_m": low,
            "unmitigated_gbp_m": high,
            "reported_gbp_m": None,
            "reported_kind": None,
            "reported_source": None,
            "against": "not reported",
        }
        if year in later.index:
            actual = later.loc[year]
            value = float(actual["value"])
            row.update(
                reported_gbp_m=value,
                # a derived figure (the 2021 report's 2021/22 forecast: £37.9m plus £17m) says so beside its value
                reported_kind=vocab.qualified(
                    actual["kind"], vocab.PERIOD_WORDS.get(actual["period"], actual["period"])
                )
                + ("" if actual["basis"] == "reported" else f", {actual['basis']}"),
                reported_source=actual["source_document"],
                against=PLAN_STANDING_WORDS[dsg_plan.standing(value, low, high)],
            )
        rows.append(row)
    return pd.DataFrame(rows)
