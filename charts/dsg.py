"""Charts of the DSG deficit: its trajectory against the 2021 plan, and the scenario model's path."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import point_labels, style
from charts.catalogue import register
from charts.spec import INTERPOLATED_LABEL, MODELLED_LABEL, Chart
from charts.yearly import (
    _basis_note,
    _derived_labels,
    _derived_note,
    _table,
    registered,
    year_categories,
)
from data import vocab
from metrics import dsg as dsg_metrics
from metrics import dsg_model, dsg_plan, vintage
from metrics.held import FigureMissing


def _known_point_traces(fig: go.Figure, points: pd.DataFrame) -> None:
    """The reported and derived points as markers, one legend entry per kind of point, each with its value
    beside it (placed clear of the others by charts.point_labels)."""
    kinds = [
        ("actual", None, style.DARK_BLUE, "circle", "Actual"),
        ("forecast", None, style.DARK_GREY, "diamond", "Forecast"),
        ("projection", "unmitigated", style.DARK_PINK, "square", "Projection, no mitigation"),
        ("projection", "mitigated", style.TURQUOISE, "square", "Projection, recovery plan"),
    ]
    for kind, scenario, colour, symbol, name in kinds:
        rows = points[points["kind"] == kind]
        if scenario is not None:
            rows = rows[rows["scenario"] == scenario]
        if rows.empty:
            continue
        text = [vocab.gbp_m(v) + _basis_note(b) for v, b in zip(rows["value"], rows["basis"], strict=True)]
        hover = [label + _in_year_words(row) for label, (_, row) in zip(text, rows.iterrows(), strict=True)]
        fig.add_trace(
            point_labels.labelled(
                go.Scatter(
                    x=list(rows["fiscal_year"]),
                    y=list(rows["value"]),
                    mode="markers",
                    marker={"size": 13, "color": colour, "symbol": symbol},
                    text=text,
                    name=name + (" (derived)" if (rows["basis"] == "derived").all() else ""),
                    customdata=hover,
                    hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>",
                )
            )
        )


def _in_year_words(point: pd.Series) -> str:
    """' at quarter 2' for an actual read during its year, not at its end: a year's axis puts it on that year."""
    period = vintage.in_year_period(point)
    return f" at {period}" if point["kind"] == "actual" and period else ""


def _dsg_years(points: pd.DataFrame, *extra: pd.Series) -> list[str]:
    years = pd.concat([points["fiscal_year"], *extra])
    return list(dsg_model.fiscal_years(years.min(), years.max()))


def _plan_lines(fig: go.Figure, start: pd.Series, ends: pd.DataFrame, name: str) -> None:
    """The plan's two projections as dashed lines from its start, one legend entry for both (interpolated)."""
    for scenario, colour in (("unmitigated", style.DARK_PINK), ("mitigated", style.TURQUOISE)):
        end = ends.loc[scenario]
        fig.add_trace(
            go.Scatter(
                x=[start["fiscal_year"], end["fiscal_year"]],
                y=[start["value"], end["value"]],
                mode="lines",
                line={"dash": style.DASH_INTERPOLATED, "color": colour, "width": 2},
                name=name,
                legendgroup=INTERPOLATED_LABEL,
                showlegend=scenario == "unmitigated",
                hoverinfo="skip",
            )
        )


def _plan_lines_note(start: pd.Series) -> str:
    """What the dashed lines are, and the basis of the point they start from where it is not reported (the 2021
    report's 2021/22 forecast is derived; a later plan's start may be reported)."""
    basis = start.get("basis")
    if not isinstance(basis, str) or basis == "reported":
        return "Dashed lines are interpolated."
    return f"Dashed lines are interpolated; the {start['fiscal_year']} {start['kind']} they start from is {basis}."


def dsg_trajectory_chart(points: pd.DataFrame) -> Chart:
    """Known cumulative deficits as points; the plan's projections joined to its start by dashed, labelled
    interpolation; every later actual and forecast on top, with a title saying which path it is on."""
    if points.empty:
        raise FigureMissing("no DSG cumulative deficit")
    years = _dsg_years(points)
    start, ends, since = dsg_plan.plan_parts(points)
    end_year = ends["fiscal_year"].iloc[0] if not ends.empty else None
    if start is not None and end_year is not None and not since.empty:
        latest = since.iloc[-1]
        low, high = dsg_plan.on_path(start, ends, years, latest["fiscal_year"])
        value = latest["value"]
        where = {
            "above": "above both paths projected",
            "below": "below the recovery-plan path projected",
        }.get(dsg_plan.standing(value, low, high), "between the two paths projected")
        what = "forecast" if latest["kind"] == "forecast" else "reported"
        title = (
            f"The DSG deficit ({vocab.gbp_m(value)} {what} for {latest['fiscal_year']}) is {where} "
            f"in {start['source_document'].split(':')[0]}"
        )
    elif end_year is not None:
        title = (
            f"DSG deficit heads for {vocab.gbp_m(ends.loc['unmitigated', 'value'])} by {end_year} "
            f"without mitigation, {vocab.gbp_m(ends.loc['mitigated', 'value'])} with the recovery plan"
        )
    else:
        last = points.iloc[-1]
        title = f"The DSG deficit was {vocab.gbp_m(last['value'])} in {last['fiscal_year']} ({last['kind']})"
    fig = go.Figure()
    if start is not None:
        _plan_lines(fig, start, ends, f"{INTERPOLATED_LABEL.capitalize()} (no figures given)")
    known = points[points["kind"] != "projection"]
    fig.add_trace(
        go.Scatter(
            x=list(known["fiscal_year"]),
            y=list(known["value"]),
            mode="lines",
            line={"color": style.DARK_GREY, "width": 2},
            showlegend=False,
            hoverinfo="skip",
            name="Actual to forecast",
        )
    )
    _known_point_traces(fig, points)
    if start is not None:
        first_index, end_index = years.index(start["fiscal_year"]), years.index(end_year)
        reported = set(known["fiscal_year"])
        unreported = [i for i in range(first_index + 1, end_index) if years[i] not in reported]
        if unreported:  # the note sits only over years with no reported figure
            middle = (first_index + end_index) // 2
            middle = middle if middle in unreported else unreported[len(unreported) // 2]
            fig.add_annotation(  # low in the plot, where no line or value label runs
                x=years[middle],
                y=0.06,
                yref="paper",
                yanchor="bottom",
                text=f"{INTERPOLATED_LABEL}: the document<br>gives no figures for these years",
                showarrow=False,
                font={"size": 13, "color": style.DARK_GREY},
                bgcolor="rgba(255,255,255,0.8)",
            )
    year_categories(fig, years)
    style.money_axis(fig)
    labels = (INTERPOLATED_LABEL,) if start is not None else ()
    return style.make_chart(
        "dsg_trajectory",
        fig,
        _table(
            points,
            {
                "fiscal_year": "Financial year",
                "kind": "Kind",
                "period": "Period",
                "scenario": "Scenario",
                "value": "Cumulative deficit (£m)",
            },
        ),
        title=title,
        subtitle=f"Cumulative Dedicated Schools Grant (high needs) deficit, Dorset Council, £ millions, "
        f"{years[0]} to {years[-1]}",
        source=style.source_line(points),
        alt_text=(
            "Points for the cumulative DSG deficit: "
            + "; ".join(
                f"{r['fiscal_year']} {r['kind']}"
                + _in_year_words(r)
                + (f" {r['scenario']}" if isinstance(r["scenario"], str) else "")
                + f" {vocab.gbp_m(r['value'])}{_basis_note(r['basis'])}"
                for _, r in points.iterrows()
            )
            + (
                ". Dashed lines between the forecast and the projections are interpolated."
                if start is not None
                else "."
            )
        ),
        labels=(*labels, *_derived_labels(points)),
        notes=(
            *((_plan_lines_note(start),) if start is not None else ()),
            *_derived_note(points),
        ),
    )


def dsg_scenario_chart(points: pd.DataFrame, scenario: pd.DataFrame, start: pd.Series) -> Chart:
    """A user's modelled path (from metrics.dsg_model.project) against the reported points and projections.

    `start` is the known point the scenario starts from (fiscal_year, value).
    """
    years = _dsg_years(points, scenario["fiscal_year"])
    plan_start, projections, _ = dsg_plan.plan_parts(points)
    end = scenario.iloc[-1]
    on_plan = not projections.empty and end["fiscal_year"] == projections["fiscal_year"].iloc[0]
    low, high = (projections["value"].min(), projections["value"].max()) if not projections.empty else (None, None)
    if on_plan:
        where = {
            "above": "above both reported projections",
            "below": "below both reported projections",
        }.get(dsg_plan.standing(end["cumulative_deficit_gbp_m"], low, high), "between the two reported projections")
        title = (
            f"This scenario takes the deficit to {vocab.gbp_m(end['cumulative_deficit_gbp_m'], decimals=1)} by "
            f"{end['fiscal_year']}, {where}"
        )
    else:
        title = (
            f"This scenario takes the deficit from {vocab.gbp_m(start['value'])} at the end of {start['fiscal_year']} "
            f"to {vocab.gbp_m(end['cumulative_deficit_gbp_m'], decimals=1)} by {end['fiscal_year']} (modelled)"
        )
    fig = go.Figure()
    plan_layer = not on_plan and plan_start is not None and not projections.empty
    if plan_layer:  # the earlier plan stays on the chart as its own layer
        plan_name = str(plan_start["source_document"]).split(":")[0]
        _plan_lines(fig, plan_start, projections, f"Plan of {plan_name} ({INTERPOLATED_LABEL})")
    fig.add_trace(
        go.Scatter(
            x=[start["fiscal_year"], *scenario["fiscal_year"]],
            y=[start["value"], *scenario["cumulative_deficit_gbp_m"]],
            mode="lines+markers",
            line={"color": style.DARK_BLUE, "dash": style.DASH_MODELLED, "width": 3},
            marker={"size": 8, "color": style.DARK_BLUE},
            name=f"This scenario ({MODELLED_LABEL})",
            hovertemplate="%{x}: £%{y:.1f}m<extra>This scenario (modelled)</extra>",
        )
    )
    _known_point_traces(fig, points)
    year_categories(fig, years)
    style.money_axis(fig)
    data = scenario.rename(
        columns={
            "fiscal_year": "Financial year",
            "in_year_overspend_gbp_m": "In-year overspend (£m)",
            "mitigation_savings_gbp_m": "Savings from mitigation (£m)",
            "net_in_year_gbp_m": "Net in-year (£m)",
            "cumulative_deficit_gbp_m": "Cumulative deficit (£m)",
        }
    ).assign(Basis=MODELLED_LABEL)
    return style.make_chart(
        "dsg_scenario",
        fig,
        data,
        title=title,
        subtitle=f"Cumulative DSG deficit under the chosen inputs against the reported projections, £ millions, "
        f"{years[0]} to {years[-1]}",
        source=style.source_line(points),
        alt_text=(
            f"Dotted modelled line from {vocab.gbp_m(start['value'])} at the end of {start['fiscal_year']} "
            f"to {vocab.gbp_m(end['cumulative_deficit_gbp_m'], decimals=1)} in {end['fiscal_year']}"
            + (
                f", against the reported projections of {vocab.gbp_m(low)} with the recovery plan and "
                f"{vocab.gbp_m(high)} without."
                if low is not None
                else "."
            )
        ),
        labels=(MODELLED_LABEL, *((INTERPOLATED_LABEL,) if plan_layer else ()), *_derived_labels(points)),
        notes=(
            f"The scenario line is {MODELLED_LABEL}: {dsg_model.FORMULA_IN_WORDS}",
            *((f"Dashed lines: the earlier plan's projections, {INTERPOLATED_LABEL}.",) if plan_layer else ()),
        ),
    )


build_dsg_trajectory = registered(
    "dsg_trajectory", "DSG deficit trajectory", vocab.DSG.title, dsg_metrics.dsg_known_points, dsg_trajectory_chart
)


def build_dsg_scenario(
    conn: duckdb.DuckDBPyConnection, scenario: dsg_model.DsgScenario, *, as_at: date | None = None
) -> Chart:
    """The scenario chart for any inputs, from the held points: the page draws it through the figure cache, so
    a fresh visit (the default inputs) does not build the figure again."""
    points = dsg_metrics.dsg_known_points(conn, as_at=as_at)
    start = pd.Series({"fiscal_year": scenario.start_year, "value": scenario.start_deficit_gbp_m})
    return dsg_scenario_chart(points, dsg_model.project(scenario), start)


@register("dsg_scenario", "DSG scenario model (default inputs, with the recovery plan)", vocab.DSG.title)
def build_dsg_scenario_default(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    points = dsg_metrics.dsg_known_points(conn, as_at=as_at)
    projection = dsg_metrics.dsg_projection(conn, as_at=as_at)
    start = pd.Series({"fiscal_year": projection.start_year, "value": projection.start_deficit_gbp_m})
    inputs = dsg_metrics.dsg_defaults(conn, as_at=as_at).mitigated if projection.from_plan else projection.default
    return dsg_scenario_chart(points, dsg_model.project(inputs), start)
