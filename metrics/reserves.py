"""Reserves against the DSG deficit: balances by year, cover ratios paired by vintage, and when the deficit is
(or would be) above each reserve, from reported figures first (docs/figures.md)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from data import vocab
from data.measures import YEAR_END_PERIODS
from metrics import dsg_model, vintage
from metrics.dsg import dsg_known_points, latest_reported_deficit_year, modelled_paths, year_end_deficits
from metrics.held import FigureMissing, latest_figures, reference_date

RESERVE_MEASURES = ["general_fund_reserve", "usable_reserves"]


def year_end_balances(frame: pd.DataFrame) -> pd.DataFrame:
    """A balance's year-end value, given at outturn or as at a date (data.measures.YEAR_END_PERIODS): one row
    per measure and year, the newer document's where both are held (outturn first on the same date)."""
    frame = frame[frame["period"].isin(YEAR_END_PERIODS) & frame["scenario"].isna()]
    frame = frame.assign(_known=pd.to_datetime(frame["known_on"]), _outturn=frame["period"] == "outturn").sort_values(
        ["_known", "_outturn"], na_position="first"
    )
    frame = frame.groupby(["measure", frame["fiscal_year"].fillna("")], sort=False).tail(1)
    return frame.drop(columns=["_known", "_outturn"])


def reserves_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Every general fund and usable reserve balance held at a year end (undated ones first)."""
    frame = year_end_balances(latest_figures(conn, RESERVE_MEASURES, as_at=as_at))
    return frame.sort_values(["measure", "fiscal_year"], na_position="first").reset_index(drop=True)


def reserves(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The latest balance of each reserve (a dated year beats an undated figure), smallest first."""
    frame = reserves_by_year(conn, as_at=as_at)
    if frame.empty:
        raise FigureMissing("no general fund reserve or usable reserves figure")
    frame = frame.sort_values(["measure", "fiscal_year"], na_position="first").groupby("measure").tail(1)
    return frame.sort_values("value").reset_index(drop=True)


def _cover_deficits(points: pd.DataFrame) -> pd.DataFrame:
    """The latest actual deficit and the first forecast after it (the deficits reserves are set against)."""
    actuals = points[points["kind"] == "actual"]
    if actuals.empty:
        return points.iloc[0:0]
    latest = actuals.iloc[[-1]]
    year = latest["fiscal_year"].iloc[0]
    forecasts = points[(points["kind"] == "forecast") & (points["fiscal_year"] >= year)]
    forecasts = forecasts[forecasts["fiscal_year"] > year] if (forecasts["fiscal_year"] > year).any() else forecasts
    return pd.concat([latest, forecasts.iloc[:1]], ignore_index=True)


def same_vintage(reserve: pd.Series, deficit: pd.Series) -> bool:
    """A reserve and a deficit of the same year; an undated reserve goes with a deficit from its own document."""
    if isinstance(reserve["fiscal_year"], str):
        return reserve["fiscal_year"] == deficit["fiscal_year"]
    return reserve["source_document"] == deficit["source_document"]


def pairing(reserve: pd.Series, deficit: pd.Series) -> str:
    """How a reserve and a deficit are paired, in words: 'same year', 'same document', or the two vintages
    ('usable reserves at end 2021/22 (reported 30 Sep 2022) against the 2025/26 forecast deficit')."""
    if same_vintage(reserve, deficit):
        return "same year" if isinstance(reserve["fiscal_year"], str) else "same document"
    return f"{reserve['label'].lower()} {_at(reserve)} against the {_deficit_when(deficit)} deficit"


def _at(row: pd.Series) -> str:
    text = vintage.dated(row)
    return text if text.startswith("no year") else f"at {text}"


def _deficit_when(deficit: pd.Series) -> str:
    period = deficit["period"]
    if period in YEAR_END_PERIODS:
        return str(deficit["fiscal_year"])
    return f"{deficit['fiscal_year']} {vocab.PERIOD_WORDS.get(period, period)}"


def cover_ratio(reserve_gbp_m: float, deficit_gbp_m: float) -> float | None:
    """Reserve ÷ deficit; None where there is no deficit to cover."""
    return reserve_gbp_m / deficit_gbp_m if deficit_gbp_m > 0 else None


def _cover_row(reserve: pd.Series, deficit: pd.Series, reference: date) -> dict:
    return {
        "reserve": reserve["label"],
        "reserve_measure": reserve["measure"],
        "reserve_gbp_m": reserve["value"],
        "reserve_year": reserve["fiscal_year"],
        "reserve_dated": vintage.dated(reserve),
        "reserve_stale": vintage.stale_note(reserve, reference),
        "deficit_year": deficit["fiscal_year"],
        "deficit_when": vintage.when(deficit),  # 'end 2024/25', '2025/26 quarter 2': an in-year actual says so
        "deficit_kind": deficit["kind"],
        "deficit_period": deficit["period"],
        "deficit_basis": deficit["basis"],
        "deficit_gbp_m": deficit["value"],
        "deficit_dated": vintage.dated(deficit),
        "same_vintage": same_vintage(reserve, deficit),
        "pairing": pairing(reserve, deficit),
        "cover_ratio": cover_ratio(reserve["value"], deficit["value"]),
        "inputs_dated": f"{reserve['label']} {vintage.dated(reserve)}; DSG deficit {vintage.dated(deficit)}",
    }


def cover_ratios(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """How many times each reserve's latest balance covers the DSG deficit (derived): against the latest actual
    and forecast deficit, and against the deficit of the reserve's own year. Every row names both inputs'
    dates and how they are paired; `headline` marks the row a page leads with for each reserve: the latest
    deficit of the reserve's own year (or document), else the latest actual, labelled as a cross-year pair."""
    reserve_rows = reserves(conn, as_at=as_at)
    points = dsg_known_points(conn, as_at=as_at)
    latest = _cover_deficits(points)
    if latest.empty:
        raise FigureMissing("no DSG deficit to set the reserves against")
    year_ends = year_end_deficits(points)
    reference = reference_date(conn, as_at=as_at)
    rows = []
    for _, reserve in reserve_rows.iterrows():
        own = year_ends[[same_vintage(reserve, deficit) for _, deficit in year_ends.iterrows()]]
        deficits = pd.concat([latest, own.iloc[-1:]], ignore_index=True).drop_duplicates(["fiscal_year", "period"])
        found = [_cover_row(reserve, deficit, reference) for _, deficit in deficits.iterrows()]
        actual = [row for row in found if row["deficit_kind"] == "actual"]
        paired = [row for row in actual if row["same_vintage"]]
        lead = max(paired or actual, key=lambda row: row["deficit_year"])
        rows += [{**row, "headline": row is lead} for row in found]
    return pd.DataFrame(rows)


def cover_statement(ratios: pd.DataFrame) -> str:
    """The cover in one sentence from the headline rows: both inputs' years said, a cross-year pair and an old
    reserve labelled as such."""
    lead = ratios[ratios["headline"]].set_index("reserve_measure")
    usable = lead.loc["usable_reserves"] if "usable_reserves" in lead.index else None
    general = lead.loc["general_fund_reserve"] if "general_fund_reserve" in lead.index else None
    held = [row for row in (usable, general) if row is not None]
    if not held:
        raise FigureMissing("no actual DSG deficit to set the reserves against")
    plain = all(row["same_vintage"] and not row["reserve_stale"] for row in held)
    if plain and len({row["deficit_year"] for row in held}) == 1:
        year = held[0]["deficit_year"]
        if len(held) == 2:
            text = (
                f"Usable reserves cover the {year} DSG deficit {vocab.times(usable['cover_ratio'])}, "
                f"the general fund reserve only {vocab.times(general['cover_ratio'])}"
            )
        else:
            text = (
                f"The {held[0]['reserve'].lower()} covers the {year} DSG deficit {vocab.times(held[0]['cover_ratio'])}"
            )
        forecast = ratios[
            (ratios["reserve_measure"] == "usable_reserves")
            & (ratios["deficit_kind"] == "forecast")
            & ratios["same_vintage"]
        ]
        if not forecast.empty:
            # named: after the general fund clause, a bare "1.2 times" read as the general fund reserve's
            text += (
                f"; usable reserves {vocab.times(forecast['cover_ratio'].iloc[0])} by the end of "
                f"{forecast['deficit_year'].iloc[0]}"
            )
        lead = (usable if usable is not None else general).name
        return text + _against_latest_deficit(ratios, lead, only_reserve=len(held) == 1)
    parts = []
    for row in (general, usable):
        if row is None:
            continue
        if row["same_vintage"]:
            part = (
                f"the {row['reserve'].lower()} covered the {row['deficit_year']} DSG deficit "
                f"{vocab.times(row['cover_ratio'])}"
            )
        else:
            part = f"{row['pairing']}: {vocab.times(row['cover_ratio'])}"
        if row["reserve_stale"]:
            part += f" (reserve {row['reserve_stale']})"
        parts.append(part)
    text = "; ".join(parts) + _against_latest_deficit(ratios, (usable if usable is not None else general).name)
    return text[:1].upper() + text[1:]


def latest_deficit_cover(ratios: pd.DataFrame, reserve_measure: str) -> pd.Series | None:
    """The reserve's cover of the latest actual deficit where that is newer than its headline pair (an in-year
    figure after the reserve's year end), a pair across years; else None."""
    mine = ratios[ratios["reserve_measure"] == reserve_measure]
    lead = mine[mine["headline"].astype(bool)]
    if lead.empty:
        return None
    rows = mine[
        (mine["deficit_kind"] == "actual")
        & ~mine["headline"].astype(bool)
        & (mine["deficit_year"] >= lead["deficit_year"].iloc[0])
        & mine["cover_ratio"].notna()  # no deficit (nil or a surplus): nothing to cover
    ]
    return None if rows.empty else rows.iloc[-1]


def _against_latest_deficit(ratios: pd.DataFrame, reserve_measure: str, *, only_reserve: bool = False) -> str:
    """The clause that reasons from the latest actual deficit, with both inputs' dates; `only_reserve` where the
    sentence spoke of this reserve alone, so the clause says "it" rather than naming it twice."""
    row = latest_deficit_cover(ratios, reserve_measure)
    if row is None:
        return ""
    usable = reserve_measure == "usable_reserves"
    verb = "cover" if usable else "covers"
    latest = (
        f"{verb} the latest deficit ({row['deficit_when']}, {vocab.gbp_m(row['deficit_gbp_m'])}) "
        f"{vocab.times(row['cover_ratio'])}"
    )
    dated = row["reserve_dated"]
    if only_reserve:
        when = f"with {dated}" if dated.startswith("no year") else f"at {dated}"
        return f"; {when}, {'they' if usable else 'it'} {latest}"
    reserve = "usable reserves" if usable else "the general fund reserve"
    at = f", {dated}," if dated.startswith("no year") else f" at {dated}"
    return f"; {reserve}{at} {latest}"


def cover_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """For every year with a reserve balance and a year-end DSG deficit: reserve ÷ deficit (derived)."""
    reserve_rows = reserves_by_year(conn, as_at=as_at)
    year_end = year_end_deficits(dsg_known_points(conn, as_at=as_at)).set_index("fiscal_year", drop=False)
    rows = []
    for _, reserve in reserve_rows[reserve_rows["fiscal_year"].notna()].iterrows():
        if reserve["fiscal_year"] not in year_end.index:
            continue
        deficit = year_end.loc[reserve["fiscal_year"]]
        rows.append(
            {
                "fiscal_year": reserve["fiscal_year"],
                "reserve": reserve["label"],
                "reserve_measure": reserve["measure"],
                "reserve_gbp_m": reserve["value"],
                "deficit_gbp_m": deficit["value"],
                "cover_ratio": cover_ratio(reserve["value"], deficit["value"]),
                "basis": "derived",
                "inputs_dated": f"{reserve['label']} {vintage.dated(reserve)}; DSG deficit {vintage.dated(deficit)}",
            }
        )
    columns = [
        "fiscal_year", "reserve", "reserve_measure", "reserve_gbp_m", "deficit_gbp_m", "cover_ratio", "basis",
        "inputs_dated",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _already_above(reserve: pd.Series, history: pd.DataFrame, year_ends: pd.DataFrame) -> tuple[str, str] | None:
    """(since which year, basis) where reported year-end deficits are above this reserve, else None.

    First the pairs of the same year (or document): the run of paired years ending at the latest, all above.
    Else, for the reserve's latest balance, the reported deficits after its year: above it since the first
    of the run ending at the latest (basis says the reserve is from an earlier year)."""
    pairs = []
    for _, balance in history.iterrows():
        for _, deficit in year_ends.iterrows():
            if same_vintage(balance, deficit):
                pairs.append((deficit["fiscal_year"], deficit["value"] > balance["value"]))
    pairs.sort()
    if pairs and pairs[-1][1]:
        since = pairs[-1][0]
        for year, above in reversed(pairs):
            if not above:
                break
            since = year
        latest_paired = pairs[-1][0]
        if year_ends.empty or latest_paired >= year_ends["fiscal_year"].max():
            return since, "reported"
    year = reserve["fiscal_year"] if isinstance(reserve["fiscal_year"], str) else None
    later = year_ends if year is None else year_ends[year_ends["fiscal_year"] > year]
    if year is None:
        later = later[later["source_document"] != reserve["source_document"]]
    if later.empty or not later["value"].iloc[-1] > reserve["value"]:
        return (since, "reported") if pairs and pairs[-1][1] else None
    since = later["fiscal_year"].iloc[-1]
    for _, deficit in later.iloc[::-1].iterrows():
        if not deficit["value"] > reserve["value"]:
            break
        since = deficit["fiscal_year"]
    return since, "reported against an earlier reserve"


SCENARIO_WORDS = {
    "unmitigated": "without mitigation",
    "mitigated": "with the recovery plan",
    "trend": "on the latest trend",
}


def years_deficit_exceeds_reserves(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """Per scenario and reserve, when the DSG deficit is (or would be) above the reserve: actuals first.

    `status` is 'already above' (reported year-end deficits above the reserve: `first_year_above` is the year
    since which, `basis` 'reported', or 'reported against an earlier reserve' where the reserve's latest balance
    is from before those deficits), else 'would pass' (the first modelled year after the latest reported
    figure whose deficit is above the reserve's latest balance, basis 'modelled') or 'not by' (none by the
    last modelled year, `first_year_above` None). `statement` says it in words with both inputs' dates.
    """
    points = dsg_known_points(conn, as_at=as_at)
    year_ends = year_end_deficits(points)
    history = reserves_by_year(conn, as_at=as_at)
    latest_year = latest_reported_deficit_year(points)
    reference = reference_date(conn, as_at=as_at)
    try:
        paths = modelled_paths(conn, as_at=as_at)
    except FigureMissing:
        paths = pd.DataFrame(columns=["scenario", "fiscal_year", "cumulative_deficit_gbp_m", "basis"])
    scenarios = list(dict.fromkeys(paths["scenario"])) or [None]
    rows = []
    for _, reserve in reserves(conn, as_at=as_at).iterrows():
        above = _already_above(reserve, history[history["measure"] == reserve["measure"]], year_ends)
        for scenario in scenarios:
            path = paths[paths["scenario"] == scenario]
            if latest_year is not None:
                path = path[path["fiscal_year"] > latest_year]
            reserve_words = (
                f"{reserve['label'].lower()} ({vocab.gbp_m(reserve['value'])}, {vintage.short(reserve, reference)})"
            )
            if above is not None:
                year, basis = above
                status = "already above"
                if basis != "reported":
                    statement = (
                        f"is above the {reserve_words} since {year} (reported deficits against an older reserve)"
                    )
                elif year == reserve["fiscal_year"] or not isinstance(reserve["fiscal_year"], str):
                    statement = f"is already above the {reserve_words} since {year} (reported)"
                else:  # each year's own balance, not today's, was passed in the earlier years
                    statement = (
                        f"has been above the {reserve['label'].lower()} at each year end held since {year} "
                        f"(reported; {vocab.gbp_m(reserve['value'])} at {vintage.short(reserve, reference)})"
                    )
            else:
                year = dsg_model.first_year_above(path, reserve["value"]) if not path.empty else None
                basis = "modelled"
                status = "would pass" if year else "not by"
                scenario_words = SCENARIO_WORDS.get(scenario, "")
                last = path["fiscal_year"].max() if not path.empty else None
                statement = (
                    f"would pass the {reserve_words} in {year} {scenario_words} (modelled)"
                    if year
                    else f"would not pass the {reserve_words} by {last} {scenario_words} (modelled)"
                    if last
                    else f"is below the {reserve_words}; no projection is held"
                )
            rows.append(
                {
                    "scenario": scenario,
                    "reserve": reserve["label"],
                    "reserve_measure": reserve["measure"],
                    "reserve_gbp_m": reserve["value"],
                    "reserve_dated": vintage.dated(reserve),
                    "first_year_above": year,
                    "status": status,
                    "basis": basis,
                    "latest_reported_year": latest_year,
                    "statement": " ".join(statement.split()),
                }
            )
    return pd.DataFrame(rows)


def headline_reserve(crossings: pd.DataFrame) -> str:
    """The reserve a one-line statement of the crossings speaks of: usable reserves where held, else the general
    fund reserve (the Overview's risk sentence and the timeline's title)."""
    return "usable_reserves" if (crossings["reserve_measure"] == "usable_reserves").any() else "general_fund_reserve"


def reported_since_above(crossings: pd.DataFrame, reserve_measure: str) -> str | None:
    """The year since which reported year-end deficits are above this reserve (`years_deficit_exceeds_reserves`'
    "already above ... since <year>"), else None: the one year every page that says "already above" names."""
    said = crossings[(crossings["reserve_measure"] == reserve_measure) & (crossings["status"] == "already above")]
    return None if said.empty else str(said["first_year_above"].iloc[0])


def reported_deficits_since_above(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> pd.DataFrame:
    """The reported year-end deficits the headline reserve's "already above ... since <year>" rests on: each year
    end from that year up to the year the projection starts from (which the projection's first point shows).

    Empty when the headline reserve is not already below the reported deficit. Columns as `year_end_deficits`.
    """
    crossings = years_deficit_exceeds_reserves(conn, as_at=as_at)
    if crossings.empty:
        return year_end_deficits(dsg_known_points(conn, as_at=as_at)).iloc[0:0]
    said = crossings[
        (crossings["reserve_measure"] == headline_reserve(crossings)) & (crossings["status"] == "already above")
    ]
    since = said["first_year_above"]
    year_ends = year_end_deficits(dsg_known_points(conn, as_at=as_at))
    if len(since) == 0 or year_ends.empty:
        return year_ends.iloc[0:0]
    try:
        start = modelled_paths(conn, as_at=as_at)["fiscal_year"].min()
    except FigureMissing:
        start = None
    shown = year_ends["fiscal_year"] >= min(since)
    if isinstance(start, str):
        shown &= year_ends["fiscal_year"] < start
    return year_ends[shown].reset_index(drop=True)


def risk_in_one_line(crossings: pd.DataFrame) -> str | None:
    """The Overview's risk sentence about usable reserves (else the general fund reserve), from actuals first."""
    rows = crossings[crossings["reserve_measure"] == headline_reserve(crossings)]
    if rows.empty:
        return None
    by_scenario = rows.set_index("scenario")
    if set(rows["status"]) <= {"would pass", "not by"} and {"mitigated", "unmitigated"} <= set(rows["scenario"]):

        def crossing(scenario: str) -> str:
            year = by_scenario.loc[scenario, "first_year_above"]
            return f"in {year}" if isinstance(year, str) else "in no modelled year"

        return (
            "on the modelled paths between the reported figures, the DSG deficit would pass usable reserves "
            f"{crossing('unmitigated')} without mitigation and {crossing('mitigated')} with the recovery plan"
        )
    statements = list(dict.fromkeys(rows["statement"]))
    return "the DSG deficit " + " and ".join(statements)
