"""Charts of the reserves against the DSG deficit: the cover, every year held, and the timeline with the
projection and the statutory override."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import point_labels, style
from charts.catalogue import register
from charts.spec import DERIVED_LABEL, MODELLED_LABEL, Chart
from charts.yearly import (
    _bars,
    _basis_note,
    _derived_labels,
    _derived_note,
    _table,
    _year_axis,
    year_categories,
)
from data import vocab
from metrics import dsg as dsg_metrics
from metrics import dsg_model, vintage
from metrics import reserves as reserves_metrics
from metrics.held import FigureMissing

BAND_OPACITY = 0.35  # the override's band and its legend swatch


def _reserve_name(row: pd.Series) -> str:
    if isinstance(row.get("as_at_date"), pd.Timestamp) and not pd.isna(row["as_at_date"]):
        return f"{row['label']}, {row['as_at_date']:%-d %b %Y}"
    if isinstance(row.get("fiscal_year"), str):  # a balance given at outturn: its year end
        return f"{row['label']}, {vintage.when(row)}"
    return f"{row['label']} (no date given)"


def _deficit_name(row: pd.Series) -> str:
    """'DSG deficit, end 2020/21', 'DSG deficit, 2021/22 forecast (derived)': each qualifier said once."""
    when = f"end {row['fiscal_year']}" if row["period"] == "outturn" else (
        f"{row['fiscal_year']} {vocab.PERIOD_WORDS.get(row['period'], row['period'])}"
    )  # fmt: skip
    return vocab.qualified(
        f"DSG deficit, {when}",
        None if row["kind"] == "actual" else row["kind"],
        None if row["basis"] == "reported" else row["basis"],
    )


def _across_years_note(ratios: pd.DataFrame) -> tuple[str, ...]:
    """'Cover paired across years: A; B.' said once, every pairing listed (one note each said it four times)."""
    pairings = list(dict.fromkeys(ratios.loc[~ratios["same_vintage"].astype(bool), "pairing"]))
    return (f"Cover paired across years: {'; '.join(pairings)}.",) if pairings else ()


def reserves_against_deficit_chart(reserves: pd.DataFrame, deficits: pd.DataFrame, ratios: pd.DataFrame) -> Chart:
    """Reserves beside the cumulative DSG deficit (actual and derived forecast), with the cover ratio in the title."""
    title = reserves_metrics.cover_statement(ratios)
    actual = ratios[ratios["headline"]].set_index("reserve_measure")
    shown = set(zip(ratios["deficit_year"], ratios["deficit_period"], strict=True))
    deficits = deficits[[(y, p) in shown for y, p in zip(deficits["fiscal_year"], deficits["period"], strict=True)]]
    deficit_names = [_deficit_name(row) for _, row in deficits.iterrows()]
    names = [_reserve_name(row) for _, row in reserves.iterrows()] + deficit_names
    values = list(reserves["value"]) + list(deficits["value"])
    bases = list(reserves["basis"]) + list(deficits["basis"])
    colours = [style.DARK_BLUE] * len(reserves) + [
        style.DARK_PINK if kind == "actual" else style.CONTEXT_GREY for kind in deficits["kind"]
    ]
    text = [vocab.gbp_m(value) + _basis_note(basis) for value, basis in zip(values, bases, strict=True)]
    # Names wrap to fit their column: five or more columns at 16 characters a line ran into each other.
    per_line = min(16, max(8, 64 // max(len(names), 1)))
    fig = go.Figure(_bars([style.label(name, per_line) for name in names], values, text, colours, "£m", bases))
    style.money_axis(fig)
    table = pd.concat(
        [
            reserves.assign(item=[_reserve_name(r) for _, r in reserves.iterrows()]),
            deficits.assign(item=deficit_names),
        ],
        ignore_index=True,
    )
    return style.make_chart(
        "reserves_against_dsg_deficit",
        fig,
        _table(table, {"item": "Item", "fiscal_year": "Financial year", "value": "£m"}),
        title=title,
        subtitle="Reserves and the cumulative Dedicated Schools Grant deficit, Dorset Council, £ millions",
        source=style.source_line(table),
        alt_text="Bar chart: " + "; ".join(f"{n} {t}" for n, t in zip(names, text, strict=True)) + ". "
        "Cover ratio (reserve divided by deficit): "
        + "; ".join(
            f"{row['reserve'].lower()} {style.times(row['cover_ratio'])} ({row['inputs_dated']})"
            for _, row in actual.iterrows()
        )
        + ".",
        labels=_derived_labels(table),
        notes=(
            *(("Usable reserves: the document gives no date.",) if reserves["fiscal_year"].isna().any() else ()),
            *_derived_note(deficits),
            *_across_years_note(ratios),
        ),
        legend=False,
    )


def reserves_timeline_chart(
    paths: pd.DataFrame,
    reserves: pd.DataFrame,
    crossings: pd.DataFrame,
    expiry: pd.Series | None,
    projection: dsg_metrics.DsgProjection | None = None,
    reported: pd.DataFrame | None = None,
) -> Chart:
    """The modelled deficit paths against the reserves, with the statutory override's expiry marked.

    `reported` (reserves_metrics.reported_deficits_since_above) are the year ends a title "already above ...
    since <year>" rests on: drawn solid, so the year the title names is on the chart.
    """
    reported = reported if reported is not None and not reported.empty else None
    first_year = (
        paths["fiscal_year"].min()
        if reported is None
        else min(reported["fiscal_year"].min(), paths["fiscal_year"].min())
    )
    years = list(dsg_model.fiscal_years(first_year, paths["fiscal_year"].max()))
    measure = reserves_metrics.headline_reserve(crossings)
    rows = crossings[crossings["reserve_measure"] == measure]
    usable = rows.set_index("scenario")["first_year_above"]
    phrases = {
        scenario: (f"in {usable[scenario]}" if isinstance(usable.get(scenario), str) else f"not by {years[-1]}")
        for scenario in ("unmitigated", "mitigated")
    }
    reserve_name = "usable reserves" if measure == "usable_reserves" else "the general fund reserve"
    if set(rows["status"]) <= {"would pass", "not by"} and {"mitigated", "unmitigated"} <= set(rows["scenario"]):
        title = (
            f"The DSG deficit would pass {reserve_name} {phrases['unmitigated']} without mitigation, "
            f"{phrases['mitigated']} with the recovery plan"
        )
    else:
        title = "The DSG deficit " + " and ".join(dict.fromkeys(rows["statement"]))
    fig = go.Figure()
    if reported is not None:
        # joined to the projection's first point, the latest reported figure it starts from: a year end, or a
        # forecast for one (the hover says which, as the projection's own words do)
        start = paths[paths["basis"] == "reported"].head(1)
        start_words = [
            projection.start_words if projection is not None else f"{vocab.gbp_m(value)}, reported"
            for value in start["cumulative_deficit_gbp_m"]
        ]
        fig.add_trace(
            go.Scatter(
                x=[*reported["fiscal_year"], *start["fiscal_year"]],
                y=[*reported["value"], *start["cumulative_deficit_gbp_m"]],
                mode="lines+markers",
                line={"color": style.DARK_GREY, "width": 2},
                marker={"size": 7, "color": style.DARK_GREY},
                name="Reported",
                customdata=[*(f"{vocab.gbp_m(value)}, reported year end" for value in reported["value"]), *start_words],
                hovertemplate="%{x}: %{customdata}<extra>Reported</extra>",
            )
        )
    scenario_style = {
        "unmitigated": (style.DARK_PINK, "Without mitigation"),
        "mitigated": (style.TURQUOISE, "With the recovery plan"),
        "trend": (style.DARK_PINK, "On the latest trend"),
    }
    for scenario, (colour, name) in scenario_style.items():
        path = paths[paths["scenario"] == scenario]
        if path.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=list(path["fiscal_year"]),
                y=list(path["cumulative_deficit_gbp_m"]),
                mode="lines+markers",
                line={"color": colour, "dash": style.DASH_MODELLED, "width": 2},
                marker={"size": 7, "color": colour},
                name=f"{name} ({MODELLED_LABEL})",
                customdata=list(path["basis"]),
                hovertemplate="%{x}: £%{y:.1f}m (%{customdata})<extra>" + name + "</extra>",
            )
        )
    # Each reserve is a level line named in the legend: a name written on the line was crossed by the deficit
    # paths (they rise through every reserve they pass), at 1400 px and on a phone.
    for _, reserve in reserves.iterrows():
        colour = style.DARK_BLUE if reserve["measure"] == "usable_reserves" else style.DARK_GREY
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[reserve["value"]] * len(years),
                mode="lines",
                line={"color": colour, "width": 2},
                name=f"{_reserve_name(reserve)}: {vocab.gbp_m(reserve['value'])}",
                hoverinfo="skip",
            )
        )
    expiry_year = int(expiry["year"]) if expiry is not None else None
    # Financial years are categories; a calendar year runs from a quarter through one financial year to a
    # quarter through the next (January is nine months into the year that began the April before).
    before = dsg_model.fiscal_year_label(expiry_year - 1) if expiry_year else None
    if before in years:
        start = years.index(before) + 0.25
        fig.add_vrect(x0=start, x1=start + 1, fillcolor=style.CONTEXT_GREY, opacity=BAND_OPACITY, line_width=0)
        # Named in the legend, as the reserves are: a note in the band was struck through by a path or a reserve
        # at its top or its foot, whichever the figures put there.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": style.CONTEXT_GREY, "opacity": BAND_OPACITY},
                name=f"Shaded: statutory override due to expire in {expiry_year}",
                hoverinfo="skip",
            )
        )
    year_categories(fig, years)
    style.money_axis(fig)
    table = crossings.rename(
        columns={
            "scenario": "Scenario",
            "reserve": "Reserve",
            "reserve_gbp_m": "Reserve (£m)",
            "first_year_above": "First year the deficit is above it",
            "basis": "Basis",
        }
    ).drop(columns=["reserve_measure"])
    path_table = paths.rename(
        columns={
            "scenario": "Scenario",
            "fiscal_year": "Financial year",
            "cumulative_deficit_gbp_m": "Cumulative deficit (£m)",
            "basis": "Basis",
        }
    )
    reported_table = (
        pd.DataFrame(
            {
                "Scenario": "reported",
                "Financial year": reported["fiscal_year"],
                "Cumulative deficit (£m)": reported["value"],
                "Basis": "reported",
            }
        )
        if reported is not None
        else None
    )
    drawn = f"reported to {reported['fiscal_year'].max()}, modelled after" if reported is not None else "modelled"
    return style.make_chart(
        "reserves_timeline",
        fig,
        pd.concat([t for t in (reported_table, path_table, table) if t is not None], ignore_index=True),
        title=title,
        subtitle=f"Cumulative DSG deficit against reserves, Dorset Council, £ millions, {years[0]} to {years[-1]}",
        source=style.source_line(
            pd.concat(
                [
                    reserves,
                    *([expiry.to_frame().T] if expiry is not None else []),
                    *([reported] if reported is not None else []),
                    *([projection.inputs] if projection is not None and not projection.inputs.empty else []),
                ],
                ignore_index=True,
            )
        ),
        alt_text=(
            f"Line chart of the cumulative DSG deficit from {years[0]} to {years[-1]}, {drawn}, with horizontal "
            f"lines for the reserves. {title}." + _override_in_words(expiry_year, years, shaded=before in years)
        ),
        labels=(MODELLED_LABEL,),
        notes=(
            (
                "Dotted lines are modelled: the document gives only 2020/21, 2021/22 and 2025/26. "
                if projection is None or projection.from_plan
                else f"The dotted line is modelled. {projection.in_words} "
            )
            + "Reserves are assumed to stay at the reported level.",
        ),
    )


def reserves_by_year_chart(reserves: pd.DataFrame, points: pd.DataFrame, cover: pd.DataFrame) -> Chart:
    """The general fund and usable reserves for every year held, against the year-end DSG deficit."""
    deficits = points[points["period"].isin(["outturn", "as_at"]) & points["scenario"].isna()]
    dated = reserves[reserves["fiscal_year"].notna()]
    if dated.empty and deficits.empty:
        raise FigureMissing("no dated reserve balance or year-end DSG deficit")
    fig = go.Figure()
    # Every point here is reported (or derived and labelled): all three lines solid, the deficit told apart by
    # its diamonds as well as its colour. Dotted is the modelled lines' style on the next chart.
    series = [
        (dated[dated["measure"] == "usable_reserves"], style.DARK_BLUE, "Usable reserves", "circle"),
        (dated[dated["measure"] == "general_fund_reserve"], style.DARK_GREY, "General fund reserve", "circle"),
        (deficits, style.DARK_PINK, "DSG cumulative deficit", "diamond"),
    ]
    for rows, colour, name, symbol in series:
        if rows.empty:
            continue
        # A year between two held is given as no value, so the line stops there rather than joining across a
        # year that was not reported (where the chart says "not reported").
        values = dict(zip(rows["fiscal_year"], rows["value"], strict=True))
        shown = list(dsg_model.fiscal_years(min(values), max(values)))
        fig.add_trace(
            point_labels.labelled(
                go.Scatter(
                    x=shown,
                    y=[values.get(year) for year in shown],
                    mode="lines+markers",
                    line={"color": colour, "width": 2},
                    marker={"size": 11 if symbol == "diamond" else 9, "color": colour, "symbol": symbol},
                    text=[vocab.gbp_m(values[year]) if year in values else "" for year in shown],
                    name=name,
                    hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
                )
            )
        )
    held = list(dated["fiscal_year"]) + list(deficits["fiscal_year"])
    years = _year_axis(fig, held)
    style.money_axis(fig)  # its range leaves room for the value labels (charts.point_labels)
    if not cover.empty:
        last = cover.sort_values("fiscal_year").iloc[-1]
        title = (
            f"By {last['fiscal_year']} the {last['reserve'].lower()} covered the DSG deficit "
            f"{style.times(last['cover_ratio'])} (derived)"
        )
    else:
        title = f"Reserves and the DSG deficit, {years[0]} to {years[-1]}: no year has both"
    table = pd.concat([dated, deficits], ignore_index=True)
    return style.make_chart(
        "reserves_by_year",
        fig,
        _table(table, {"label": "Figure", "fiscal_year": "Financial year", "value": "£m"}),
        title=title,
        subtitle=f"Reserves at each year end and the cumulative DSG deficit, Dorset Council, £ millions, "
        f"{years[0]} to {years[-1]}",
        source=style.source_line(table),
        alt_text="Lines by year: "
        + "; ".join(f"{r['label']} {r['fiscal_year']} {vocab.gbp_m(r['value'])}" for _, r in table.iterrows())
        + ".",
        labels=(DERIVED_LABEL,) if not cover.empty else (),
        notes=(
            "Cover (reserve ÷ deficit) is derived for each year that has both figures."
            + (" Undated reserves are left out." if reserves["fiscal_year"].isna().any() else ""),
        ),
    )


@register("reserves_against_dsg_deficit", "Reserves against the DSG deficit", vocab.RESERVES.title)
def build_reserves_against_deficit(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_against_deficit_chart(
        reserves_metrics.reserves(conn, as_at=as_at),
        dsg_metrics.dsg_known_points(conn, as_at=as_at),
        reserves_metrics.cover_ratios(conn, as_at=as_at),
    )


@register("reserves_by_year", "Reserves against the DSG deficit, every year held", vocab.RESERVES.title)
def build_reserves_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_by_year_chart(
        reserves_metrics.reserves_by_year(conn, as_at=as_at),
        dsg_metrics.dsg_known_points(conn, as_at=as_at),
        reserves_metrics.cover_by_year(conn, as_at=as_at),
    )


def _expiry(conn: duckdb.DuckDBPyConnection, as_at: date | None) -> pd.Series | None:
    try:
        return dsg_metrics.statutory_override_expiry(conn, as_at=as_at)
    except FigureMissing:
        return None


@register("reserves_timeline", "DSG deficit against reserves over time", vocab.RESERVES.title)
def build_reserves_timeline(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_timeline_chart(
        dsg_metrics.modelled_paths(conn, as_at=as_at),
        reserves_metrics.reserves(conn, as_at=as_at),
        reserves_metrics.years_deficit_exceeds_reserves(conn, as_at=as_at),
        _expiry(conn, as_at),
        dsg_metrics.dsg_projection(conn, as_at=as_at),
        reserves_metrics.reported_deficits_since_above(conn, as_at=as_at),
    )


def _override_in_words(expiry_year: int | None, years: list[str], *, shaded: bool) -> str:
    """The alt text's sentence on the statutory override: where it is on the chart, or that it is not."""
    if expiry_year is None:
        return ""
    if shaded:
        return f" A shaded band marks the statutory override's expiry, due in {expiry_year}."
    if vocab.fiscal_year_start(years[0]) >= expiry_year:  # the axis starts in the April of that year or later
        return f" The statutory override was due to expire in {expiry_year}, before the years shown."
    return f" The statutory override is due to expire in {expiry_year}, after the years shown."
