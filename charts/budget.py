"""Charts of budget and outturn: net budget, overspend, outturn against budget, quarter forecasts, the
gross-to-net bridge, the medium-term plan's assumptions, savings and council tax collection. Each chart
function is pure (DataFrames from metrics in, a Chart out); each registered builder is a metrics call and it."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import register
from charts.spec import INTERPOLATED_LABEL, Chart
from charts.yearly import (
    _bar_text,
    _bars,
    _basis_note,
    _derived_labels,
    _derived_note,
    _list_values,
    _rounding_note,
    _span,
    _table,
    _year_axis,
    grouped_bars,
    latest_against_previous,
    registered,
    year_categories,
    yearly_bar_chart,
)
from data import vocab
from metrics import budget as budget_metrics
from metrics import dsg_model, vintage
from metrics.held import FigureMissing


def net_budget_chart(budget: pd.DataFrame) -> Chart:
    """Net revenue budget by year, bars from zero."""
    if budget.empty:
        raise FigureMissing("no net revenue budget")
    first, last = budget.iloc[0], budget.iloc[-1]
    if len(budget) == 1:
        title = (
            f"Net revenue budget is {vocab.gbp_m(last['value'], qualifier=last['qualifier'])} in {last['fiscal_year']}"
        )
    else:
        verb = (
            "rises" if last["value"] > first["value"] else "falls" if last["value"] < first["value"] else "is unchanged"
        )
        title = (
            f"Net revenue budget {verb} from {vocab.gbp_m(first['value'], qualifier=first['qualifier'])} "
            f"in {first['fiscal_year']} to {vocab.gbp_m(last['value'], qualifier=last['qualifier'])} "
            f"in {last['fiscal_year']}"
        )
    return yearly_bar_chart(
        "net_budget_by_year",
        budget,
        name="Net revenue budget",
        colours=[style.DARK_BLUE] * len(budget),
        text=_bar_text(budget["value"], budget["qualifier"], budget["basis"]),
        columns={"fiscal_year": "Financial year", "value": "Net budget (£m)", "qualifier": "Qualifier"},
        title=title,
        subtitle=f"Net revenue budget, Dorset Council, £ millions, {_span(budget)}",
        alt_text=f"Bar chart of Dorset Council's net revenue budget: {_list_values(budget)}.",
    )


def overspend_by_year_chart(overspend: pd.DataFrame) -> Chart:
    """Net overspend against budget at outturn, by year."""
    if overspend.empty:
        raise FigureMissing("no net overspend at outturn")
    first, last = overspend.iloc[0], overspend.iloc[-1]
    low, high = first["value"], last["value"]
    if len(overspend) == 1:
        title = f"The net overspend at outturn was {vocab.gbp_m(high)} in {last['fiscal_year']}"
    elif len(overspend) > 2:  # the latest year against the one before, not a change between the end points
        title = latest_against_previous(overspend, "The net overspend at outturn", vocab.gbp_m)
    elif low > 0 and high / low >= 2:
        title = (
            f"The overspend grew {high / low:.0f}-fold, from {vocab.gbp_m(low)} in {first['fiscal_year']} "
            f"to {vocab.gbp_m(high)} in {last['fiscal_year']}"
        )
    else:
        title = (
            f"The net overspend at outturn was {vocab.gbp_m(low)} in {first['fiscal_year']} "
            f"and {vocab.gbp_m(high)} in {last['fiscal_year']}"
        )
    return yearly_bar_chart(
        "overspend_by_year",
        overspend,
        name="Net overspend",
        colours=[style.DARK_PINK] * len(overspend),
        text=_bar_text(overspend["value"], overspend["qualifier"], overspend["basis"]),
        columns={"fiscal_year": "Financial year", "value": "Overspend at outturn (£m)"},
        title=title,
        subtitle=f"Net overspend against budget at outturn, Dorset Council, £ millions, {_span(overspend)}",
        alt_text=f"Bar chart of the net overspend at outturn: {_list_values(overspend)}.",
    )


def _later_years_note(later: pd.DataFrame, year: str) -> tuple[str, ...]:
    """Where a later year's overspend is held without its budget, say it, so the chart is not read as the latest."""
    if later.empty:
        return ()
    said = "; ".join(
        f"{row['fiscal_year']} ended {vocab.gbp_m(abs(row['value']))} {'over' if row['value'] >= 0 else 'under'} "
        f"budget ({'' if row['basis'] == 'reported' else row['basis'] + '; '}{vintage.reported_phrase(row)})"
        for _, row in later.iterrows()
    )
    return (f"Later: {said}. No net budget is held for {' or '.join(later['fiscal_year'])}, so this chart "
            f"shows {year}, the latest year with both.",)  # fmt: skip


def outturn_against_budget_chart(frame: pd.DataFrame, later: pd.DataFrame | None = None) -> Chart:
    """One year's budget against its outturn (outturn derived as budget plus overspend); `later` are the
    overspends of later years held without a budget (metrics.budget.later_overspends), named in a note."""
    rows = frame.set_index("item")
    budget, outturn, overspend = rows.loc["budget"], rows.loc["outturn"], rows.loc["overspend"]
    year = budget["fiscal_year"]
    over = "over" if overspend["value"] >= 0 else "under"
    title = f"{year} ended {vocab.gbp_m(abs(overspend['value']))} {over} its {vocab.gbp_m(budget['value'])} net budget"
    shown = frame[frame["item"] != "overspend"]
    names = {"budget": "Net budget", "outturn": "Net outturn"}
    fig = go.Figure(
        _bars(
            [names[item] for item in shown["item"]],
            list(shown["value"]),
            _bar_text(shown["value"], shown["qualifier"], shown["basis"]),
            [style.CONTEXT_GREY, style.DARK_BLUE],
            f"{year}",
            list(shown["basis"]),
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "outturn_against_budget",
        fig,
        _table(frame, {"item": "Item", "fiscal_year": "Financial year", "value": "£m"}),
        title=title,
        subtitle=f"Net revenue budget and net outturn, Dorset Council, £ millions, {year}",
        source=style.source_line(frame),
        alt_text=(
            f"Two bars for {year}: net budget {vocab.gbp_m(budget['value'])} and net outturn "
            f"{vocab.gbp_m(outturn['value'])} ({outturn['basis']}: budget plus the "
            f"{vocab.gbp_m(overspend['value'])} overspend)."
        ),
        labels=_derived_labels(shown),
        notes=(
            *_derived_note(shown),
            *_rounding_note([budget["value"], overspend["value"]], outturn["value"]),
            *_later_years_note(later if later is not None else frame.iloc[0:0], year),
        ),
        legend=False,
    )


PERIOD_NAMES = {
    "q1": "Quarter 1 forecast",
    "q2": "Quarter 2 forecast",
    "q3": "Quarter 3 forecast",
    "outturn": "Outturn",
}


def forecast_path_chart(path: pd.DataFrame) -> Chart:
    """The year's forecast overspend at each reported quarter, then the outturn, as bars."""
    year = path["fiscal_year"].iloc[0]
    first, last = path.iloc[0], path.iloc[-1]
    change = last["value"] - first["value"]
    direction = "below" if change < 0 else "above"
    if len(path) == 1:
        title = f"The {year} {PERIOD_NAMES[last['period']].lower()} of the overspend is {vocab.gbp_m(last['value'])}"
    elif last["period"] != "outturn":
        title = (
            f"The {year} overspend forecast moved from {vocab.gbp_m(first['value'])} at "
            f"{first['period'].upper()} to {vocab.gbp_m(last['value'])} at {last['period'].upper()}; "
            "no outturn yet"
        )
    else:
        title = (
            f"The {year} overspend came in {vocab.gbp_m(abs(change))} {direction} the "
            f"{PERIOD_NAMES[first['period']].lower()} of {vocab.gbp_m(first['value'])}"
        )
    fig = go.Figure(
        _bars(
            [PERIOD_NAMES[period] for period in path["period"]],
            list(path["value"]),
            _bar_text(path["value"], path["qualifier"], path["basis"]),
            [style.CONTEXT_GREY] * (len(path) - 1) + [style.DARK_PINK],
            "Net overspend",
            list(path["basis"]),
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "overspend_forecast_path",
        fig,
        _table(path, {"fiscal_year": "Financial year", "period": "Period", "value": "Net overspend (£m)"}),
        title=title,
        subtitle=f"Forecast and outturn net overspend, Dorset Council, £ millions, {year}",
        source=style.source_line(path),
        alt_text=f"Bar chart of the {year} net overspend: "
        + "; ".join(f"{PERIOD_NAMES[r['period']]} {vocab.gbp_m(r['value'])}" for _, r in path.iterrows())
        + ". The document gives no other quarter's forecast.",
        notes=("The document gives no forecast for the other quarters.",),
        legend=False,
    )


def overspend_bridge_chart(bridge: pd.DataFrame) -> Chart:
    """Waterfall from the gross service overspend (derived) to the net overspend."""
    year = bridge["fiscal_year"].iloc[0]
    gross = bridge[bridge["step"] == "start"].iloc[0]
    net = bridge[bridge["step"] == "total"].iloc[0]
    offsets = bridge[bridge["step"] == "change"]
    title = (
        f"Underspends of {vocab.gbp_m(-offsets['signed_gbp_m'].sum())} cut a "
        f"{vocab.gbp_m(gross['value'])} service overspend to {vocab.gbp_m(net['value'])}"
    )
    names = {
        "gross_service_overspend": "Gross service overspend (derived)",
        "capital_financing_underspend": "Capital financing underspend",
        "contingency_underspend": "Contingency underspend",
        "net_overspend": "Net overspend",
    }
    x = [
        style.label(names.get(measure, text)) for measure, text in zip(bridge["measure"], bridge["label"], strict=True)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=list(bridge["signed_gbp_m"]),
            measure=[
                "absolute" if step == "start" else "total" if step == "total" else "relative" for step in bridge["step"]
            ],
            text=[
                vocab.gbp_m(value) + _basis_note(basis)
                for value, basis in zip(bridge["signed_gbp_m"], bridge["basis"], strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            connector={"line": {"color": style.CONTEXT_GREY}},
            increasing={"marker": {"color": style.DARK_PINK}},
            decreasing={"marker": {"color": style.TURQUOISE}},
            totals={"marker": {"color": style.DARK_BLUE}},
            hovertemplate="%{x}: %{text}<extra></extra>",
            name="Overspend bridge",
        )
    )
    fig.data[0].base = 0
    style.money_axis(fig)
    fig.update_yaxes(rangemode="tozero")
    return style.make_chart(
        "overspend_bridge",
        fig,
        _table(bridge, {"label": "Step", "fiscal_year": "Financial year", "signed_gbp_m": "£m (underspends negative)"}),
        title=title,
        subtitle=f"From gross service overspend to net overspend, Dorset Council, £ millions, {year}",
        source=style.source_line(bridge),
        alt_text=(
            f"Waterfall chart for {year}: a gross service overspend of {vocab.gbp_m(gross['value'])} "
            f"(derived), less "
            + " and ".join(f"{row['label'].lower()} of {vocab.gbp_m(row['value'])}" for _, row in offsets.iterrows())
            + f", gives the reported net overspend of {vocab.gbp_m(net['value'])}."
        ),
        labels=_derived_labels(bridge),
        notes=(
            *_derived_note(bridge),
            *_rounding_note(list(bridge.loc[bridge["step"] != "total", "signed_gbp_m"]), net["value"]),
        ),
        legend=False,
    )


def funding_assumptions_chart(funding: pd.DataFrame) -> Chart:
    """The plan's income assumptions as points at the years given, joined by dashed, labelled interpolation."""
    years = dsg_model.fiscal_years(funding["fiscal_year"].min(), funding["fiscal_year"].max())
    fig = go.Figure()
    colours = {"Council tax": style.DARK_BLUE, "Business rates": style.ORANGE}
    phrases = []
    for stream, rows in funding.groupby("stream", sort=False):
        rows = rows.sort_values("fiscal_year")
        colour = colours.get(stream, style.DARK_GREY)
        fig.add_trace(
            go.Scatter(
                x=list(rows["fiscal_year"]),
                y=list(rows["value"]),
                mode="lines",
                line={"dash": style.DASH_INTERPOLATED, "color": colour, "width": 2},
                name=f"{stream}, {INTERPOLATED_LABEL}",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=list(rows["fiscal_year"]),
                y=list(rows["value"]),
                mode="markers+text",
                marker={"size": 11, "color": colour},
                text=_bar_text(rows["value"], rows["qualifier"], rows["basis"]),
                textposition=["top right"] + ["top left"] * (len(rows) - 1),
                name=f"{stream}, as given",
                hovertemplate="%{x}: %{text}<extra>" + stream + "</extra>",
            )
        )
        first, last = rows.iloc[0], rows.iloc[-1]
        phrases.append(
            f"{stream.lower()} {vocab.gbp_m(first['value'])} in {first['fiscal_year']} to "
            f"{vocab.gbp_m(last['value'], qualifier=last['qualifier'])} in {last['fiscal_year']}"
        )
    ct = funding[funding["stream"] == "Council tax"].sort_values("fiscal_year")
    br = funding[funding["stream"] == "Business rates"].sort_values("fiscal_year")
    if len(ct) >= 2 and len(br) >= 2:
        growth_ct = ct["value"].iloc[-1] - ct["value"].iloc[0]
        growth_br = br["value"].iloc[-1] - br["value"].iloc[0]
        title = (
            f"The plan relies on council tax: it grows by {vocab.gbp_m(growth_ct, decimals=1)} by {years[-1]}, "
            f"business rates by {vocab.gbp_m(growth_br, qualifier=br['qualifier'].iloc[-1])}"
        )
    else:
        title = "The medium-term plan assumes " + "; ".join(phrases)
    year_categories(fig, years)
    style.money_axis(fig, top=funding["value"].max())
    return style.make_chart(
        "funding_assumptions",
        fig,
        _table(
            funding,
            {"stream": "Income", "fiscal_year": "Financial year", "value": "£m", "qualifier": "Qualifier"},
        ),
        title=title,
        subtitle=f"Council tax and business rates income assumed in the medium-term financial plan, £ millions, "
        f"{years[0]} to {years[-1]}",
        source=style.source_line(funding),
        alt_text=(
            "Points at the two years the document gives, joined by dashed lines that are interpolated: "
            + "; ".join(phrases)
            + ". The document gives no figures for the years between."
        ),
        labels=(INTERPOLATED_LABEL, *_derived_labels(funding)),
        notes=(
            "Dashed lines are interpolated: the document gives only the first and last years.",
            *_derived_note(funding),
        ),
    )


SAVINGS_NAMES = {
    "budget_gap": "Projected budget gap",
    "tactical_transformational_savings": "Tactical and transformational savings",
    "net_service_savings": "Net service savings required",
    "convergence_savings": "Convergence savings delivered, first year",
}


def _savings_notes(savings: pd.DataFrame) -> tuple[str, ...]:
    tactical = savings[savings["measure"] == "tactical_transformational_savings"]
    if len(tactical) < 2:
        return ()
    versions = ", ".join(
        f"{row['source_section'].split(',')[0]} says {vocab.gbp_m(row['value'], qualifier=row['qualifier'])}"
        for _, row in tactical.iterrows()
    )
    return (f"The tactical and transformational savings differ between the appendices ({versions}): both shown.",)


def savings_chart(savings: pd.DataFrame) -> Chart:
    """The budget gap and the savings set against it, horizontal bars from zero."""
    gaps = savings[savings["measure"] == "budget_gap"]
    tacticals = savings[savings["measure"] == "tactical_transformational_savings"]
    if not gaps.empty and not tacticals.empty:
        gap, tactical = gaps.iloc[0], tacticals.iloc[0]
        title = (
            f"A {vocab.gbp_m(gap['value'])} budget gap for {gap['fiscal_year']} needs "
            f"{vocab.gbp_m(tactical['value'], qualifier=tactical['qualifier'])} of tactical and "
            f"transformational savings"
        )
    else:
        title = "Budget gap and savings: " + "; ".join(
            f"{SAVINGS_NAMES.get(row['measure'], row['label'])} {vocab.gbp_m(row['value'])}"
            for _, row in savings.head(3).iterrows()
        )
    labels = []
    for _, row in savings.iterrows():
        name = SAVINGS_NAMES.get(row["measure"], row["label"])
        where = str(row["source_section"]).split(",")[0]
        labels.append(
            f"{name} ({row['fiscal_year']}, {where})" if isinstance(row["fiscal_year"], str) else f"{name} ({where})"
        )
    colours = [style.DARK_PINK if m == "budget_gap" else style.DARK_BLUE for m in savings["measure"]]
    fig = go.Figure(
        go.Bar(
            y=labels,
            width=0.5,
            x=list(savings["value"]),
            orientation="h",
            text=_bar_text(savings["value"], savings["qualifier"], savings["basis"]),
            textposition="outside",
            cliponaxis=False,
            marker={"color": colours},
            hovertemplate="%{y}: %{text}<extra></extra>",
            name="Savings",
        )
    )
    style.hatch_by_basis(fig.data[0], list(savings["basis"]))
    for name in labels:  # category names above their bars, so the plot can use the full width
        fig.add_annotation(
            x=0, y=name, text=name, xanchor="left", yanchor="bottom", yshift=14, showarrow=False, font={"size": 14},
            name=style.BAR_NAME,
        )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category", showticklabels=False, ticks="")
    fig.update_xaxes(type="linear", showgrid=True)
    style.money_axis(fig, axis="xaxis", top=savings["value"].max())
    fig.update_layout(height=style.HEIGHT + 40)
    return style.make_chart(
        "savings_picture",
        fig,
        _table(
            savings,
            {
                "label": "Figure",
                "fiscal_year": "Financial year",
                "period": "Period",
                "value": "£m",
                "qualifier": "Qualifier",
            },
        ),
        title=title,
        subtitle="Budget gap and savings, Dorset Council, £ millions, as the report gives them",
        source=style.source_line(savings),
        alt_text="Horizontal bar chart: "
        + "; ".join(
            f"{label} {text}"
            for label, text in zip(
                labels, _bar_text(savings["value"], savings["qualifier"], savings["basis"]), strict=True
            )
        )
        + ".",
        notes=_savings_notes(savings),
        legend=False,
    )


def collection_title(rates: pd.DataFrame) -> str:
    """The latest year's collection against the year before it held (charts.yearly.latest_against_previous)."""
    return latest_against_previous(rates, "Council tax collection", vocab.pct)


def collection_rate_chart(rates: pd.DataFrame) -> Chart:
    """Council tax collection rate by year, bars from zero."""
    title = collection_title(rates)
    return yearly_bar_chart(
        "council_tax_collection",
        rates,
        name="Collection rate",
        colours=[style.CONTEXT_GREY] * (len(rates) - 1) + [style.DARK_BLUE],
        text=[vocab.pct(value) for value in rates["value"]],
        columns={"fiscal_year": "Financial year", "value": "Collected (% of due)"},
        title=title,
        subtitle=f"Council tax collected as a share of that due, Dorset Council, {_span(rates)}",
        alt_text="Bar chart of council tax collection: "
        + "; ".join(f"{r['fiscal_year']} {vocab.pct(r['value'])}" for _, r in rates.iterrows())
        + ".",
        percent_axis="% of council tax due",
    )


def budget_and_outturn_chart(frame: pd.DataFrame) -> Chart:
    """Net budget beside net outturn for every year held; an outturn not reported is derived or absent."""
    shown = frame[frame["item"].isin(["budget", "outturn"])]
    if shown.empty:
        raise FigureMissing("no net budget or outturn")
    fig = go.Figure()
    for item, colour, name in (
        ("budget", style.CONTEXT_GREY, "Net budget"),
        ("outturn", style.DARK_BLUE, "Net outturn"),
    ):
        rows = shown[shown["item"] == item]
        if rows.empty:
            continue
        fig.add_trace(grouped_bars(rows, _bar_text(rows["value"], rows["qualifier"], rows["basis"]), colour, name))
    fig.update_layout(barmode="group")
    style.money_axis(fig, top=float(shown["value"].max()))
    _year_axis(fig, list(shown["fiscal_year"]))
    both = [year for year, rows in shown.groupby("fiscal_year") if {"budget", "outturn"} <= set(rows["item"])]
    overspends = frame[frame["item"] == "overspend"].sort_values("fiscal_year")
    if not overspends.empty and (not both or overspends["fiscal_year"].iloc[-1] > max(both)):
        # the latest outturn is the latest overspend's year, as the page's tile says, even without its budget
        latest = overspends.iloc[-1]
        title = (
            f"The latest outturn, {latest['fiscal_year']}, was {vocab.gbp_m(abs(latest['value']))} "
            f"{'over' if latest['value'] >= 0 else 'under'} budget; no net budget for that year is held"
        )
    elif both:
        year = sorted(both)[-1]
        rows = shown[shown["fiscal_year"] == year].set_index("item")
        gap = rows.loc["outturn", "value"] - rows.loc["budget", "value"]
        title = (
            f"The latest outturn, {year}, was {vocab.gbp_m(abs(gap))} {'over' if gap >= 0 else 'under'} "
            f"its {vocab.gbp_m(rows.loc['budget', 'value'])} net budget"
        )
    else:
        title = f"Net budget and outturn, {_span(shown)}: no year has both"
    return style.make_chart(
        "budget_and_outturn",
        fig,
        _table(shown, {"item": "Item", "fiscal_year": "Financial year", "value": "£m", "qualifier": "Qualifier"}),
        title=title,
        subtitle=f"Net revenue budget and net outturn by year, Dorset Council, £ millions, {_span(shown)}",
        source=style.source_line(shown),
        alt_text="Grouped bars of net budget and outturn: "
        + "; ".join(
            f"{r['fiscal_year']} {r['item']} {vocab.gbp_m(r['value'])}{_basis_note(r['basis'])}"
            for _, r in shown.iterrows()
        )
        + ". Years with no figure say not reported.",
        labels=_derived_labels(shown),
        notes=("Outturn is derived as net budget plus the overspend where it is not reported.",),
    )


FORECAST_COLOURS = {"q1": "#D6D6D6", "q2": style.CONTEXT_GREY, "q3": style.DARK_GREY, "forecast": style.LIGHT_PURPLE}


def forecasts_against_outturn_chart(frame: pd.DataFrame) -> Chart:
    """Each year's quarter forecasts of the overspend beside its outturn."""
    fig = go.Figure()
    names = {**PERIOD_NAMES, "forecast": "Year-end forecast"}
    for period in ("q1", "q2", "q3", "forecast", "outturn"):
        rows = frame[frame["period"] == period]
        if rows.empty:
            continue
        colour = FORECAST_COLOURS.get(period, style.DARK_PINK)
        fig.add_trace(grouped_bars(rows, [vocab.gbp_m(v) for v in rows["value"]], colour, names[period]))
    fig.update_layout(barmode="group")
    style.money_axis(fig, top=float(frame["value"].max()) if (frame["value"] > 0).any() else None)
    _year_axis(fig, list(frame["fiscal_year"]))
    paired = [
        year
        for year, rows in frame.groupby("fiscal_year")
        if "outturn" in set(rows["period"]) and set(rows["period"]) & {"q1", "q2", "q3"}
    ]
    if paired:
        misses = []
        for year in paired:
            rows = frame[frame["fiscal_year"] == year].set_index("period")
            quarter = next(q for q in ("q3", "q2", "q1") if q in rows.index)
            misses.append(rows.loc[quarter, "value"] - rows.loc["outturn", "value"])
        above = sum(1 for miss in misses if miss > 0)
        title = (
            # "and an outturn": a year with only a quarter's forecast so far (2025/26 at Q2) is not counted
            f"In {above} of {len(paired)} years with a quarter forecast and an outturn, the outturn came in below the "
            f"latest quarter's forecast"
        )
    else:
        title = f"Overspend forecasts and outturns held, {_span(frame)}"
    return style.make_chart(
        "forecasts_against_outturn",
        fig,
        _table(frame, {"fiscal_year": "Financial year", "period": "Period", "value": "Net overspend (£m)"}),
        title=title,
        subtitle=f"Net overspend forecast at each quarter and at outturn, Dorset Council, £ millions, {_span(frame)}",
        source=style.source_line(frame),
        alt_text="Grouped bars of the net overspend by year: "
        + "; ".join(f"{r['fiscal_year']} {names[r['period']]} {vocab.gbp_m(r['value'])}" for _, r in frame.iterrows())
        + ".",
    )


def _path_year(conn: duckdb.DuckDBPyConnection, as_at: date | None) -> str:
    """The year whose forecasts and outturn the Budget page explains: the latest with an outturn and a quarter
    forecast, else the latest with an outturn, else the latest with a forecast."""
    frame = budget_metrics.forecasts_against_outturn(conn, as_at=as_at)
    by_year = frame.groupby("fiscal_year")["period"].agg(set)
    for wanted in (lambda p: "outturn" in p and p & {"q1", "q2", "q3"}, lambda p: "outturn" in p, lambda p: True):
        years = [year for year, periods in by_year.items() if wanted(periods)]
        if years:
            return sorted(years)[-1]
    raise FigureMissing("no forecast or outturn overspend")


build_net_budget = registered(
    "net_budget_by_year",
    "Net revenue budget by year",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.net_budget_by_year,
    net_budget_chart,
)


build_budget_and_outturn = registered(
    "budget_and_outturn",
    "Net budget and outturn by year",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.budget_and_outturn,
    budget_and_outturn_chart,
)


build_overspend_by_year = registered(
    "overspend_by_year",
    "Overspend at outturn by year",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.overspend_by_year,
    overspend_by_year_chart,
)


build_forecasts_against_outturn = registered(
    "forecasts_against_outturn",
    "Quarter forecasts against outturn, every year",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.forecasts_against_outturn,
    forecasts_against_outturn_chart,
)


@register("outturn_against_budget", "Outturn against budget", vocab.BUDGET_OUTTURN.title)
def build_outturn_against_budget(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    year = budget_metrics.latest_outturn_year(conn, as_at=as_at)
    return outturn_against_budget_chart(
        budget_metrics.outturn_against_budget(conn, year, as_at=as_at),
        budget_metrics.later_overspends(conn, year, as_at=as_at),
    )


@register("overspend_forecast_path", "Forecast overspend to outturn", vocab.BUDGET_OUTTURN.title)
def build_forecast_path(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return forecast_path_chart(budget_metrics.forecast_path(conn, _path_year(conn, as_at), as_at=as_at))


@register("overspend_bridge", "Bridge from gross to net overspend", vocab.BUDGET_OUTTURN.title)
def build_overspend_bridge(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    year = budget_metrics.bridge_year(conn, as_at=as_at)
    return overspend_bridge_chart(budget_metrics.overspend_bridge(conn, year, as_at=as_at))


build_funding_assumptions = registered(
    "funding_assumptions",
    "Funding assumptions of the medium-term plan",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.funding_assumptions,
    funding_assumptions_chart,
)


build_savings = registered(
    "savings_picture",
    "Budget gap and savings",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.savings_picture,
    savings_chart,
)


build_collection = registered(
    "council_tax_collection",
    "Council tax collection rate",
    vocab.BUDGET_OUTTURN.title,
    budget_metrics.collection_rates,
    collection_rate_chart,
)
