"""Charts of the council's financial position: budget and outturn, reserves, the DSG deficit.

Each chart function is pure (DataFrames from metrics.position in, a Chart out); each registered builder
is a thin metrics call plus the chart function. Titles are statements computed from the data.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import register
from charts.spec import DERIVED_LABEL, INTERPOLATED_LABEL, MODELLED_LABEL, Chart
from data import vocab
from metrics import dsg_model, position
from metrics.recommendations import status_counts

SOURCE_COLUMNS = ["basis", "derivation", "source_section", "source_quote"]
STATUS_ORDER = [vocab.STATUS_FROM_LABEL.get(label) for label in vocab.STATUS_COLOURS]


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The rows behind a chart with readable column names, then their provenance."""
    keep = [column for column in columns if column in frame.columns]
    table = frame[keep + [c for c in SOURCE_COLUMNS if c in frame.columns and c not in keep]].copy()
    return table.rename(columns=columns)


def _basis_note(basis: str) -> str:
    return "" if basis == "reported" else f" ({basis})"


def _bar_text(values: pd.Series, qualifiers: pd.Series, bases: pd.Series) -> list[str]:
    return [
        vocab.gbp_m(value, qualifier=qualifier) + _basis_note(basis)
        for value, qualifier, basis in zip(values, qualifiers, bases, strict=True)
    ]


def _derived_labels(frame: pd.DataFrame) -> tuple[str, ...]:
    return (DERIVED_LABEL,) if (frame["basis"] == "derived").any() else ()


def _derived_note(frame: pd.DataFrame) -> tuple[str, ...]:
    derived = frame[frame["basis"] == "derived"]
    return tuple(f"Derived: {text}." for text in derived["derivation"].dropna())


def _bars(x: list[str], y: list[float], text: list[str], colours: list[str], name: str) -> go.Bar:
    return go.Bar(
        x=x,
        y=y,
        text=text,
        textposition="outside",
        cliponaxis=False,
        constraintext="none",
        textfont={"size": 14},
        marker={"color": colours},
        name=name,
        hovertemplate="%{x}: %{text}<extra></extra>",
    )


# ---- Budget and outturn -------------------------------------------------------------------------


def net_budget_chart(budget: pd.DataFrame) -> Chart:
    """Net revenue budget by year, bars from zero."""
    first, last = budget.iloc[0], budget.iloc[-1]
    title = (
        f"Net revenue budget rises from {vocab.gbp_m(first['value_gbp_m'], qualifier=first['qualifier'])} "
        f"in {first['fiscal_year']} to {vocab.gbp_m(last['value_gbp_m'], qualifier=last['qualifier'])} "
        f"in {last['fiscal_year']}"
    )
    fig = go.Figure(
        _bars(
            list(budget["fiscal_year"]),
            list(budget["value_gbp_m"]),
            _bar_text(budget["value_gbp_m"], budget["qualifier"], budget["basis"]),
            [style.DARK_BLUE] * len(budget),
            "Net revenue budget",
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "net_budget_by_year",
        fig,
        _table(budget, {"fiscal_year": "Financial year", "value_gbp_m": "Net budget (£m)", "qualifier": "Qualifier"}),
        title=title,
        subtitle=f"Net revenue budget, Dorset Council, £ millions, {first['fiscal_year']} to {last['fiscal_year']}",
        source=style.source_line(budget),
        alt_text=f"Bar chart of Dorset Council's net revenue budget: {_list_values(budget)}.",
        legend=False,
    )


def _list_values(frame: pd.DataFrame, label: str = "fiscal_year") -> str:
    return "; ".join(
        f"{row[label]} {vocab.gbp_m(row['value_gbp_m'], qualifier=row['qualifier'])}{_basis_note(row['basis'])}"
        for _, row in frame.iterrows()
    )


def overspend_by_year_chart(overspend: pd.DataFrame) -> Chart:
    """Net overspend against budget at outturn, by year."""
    first, last = overspend.iloc[0], overspend.iloc[-1]
    ratio = last["value_gbp_m"] / first["value_gbp_m"]
    title = (
        f"The overspend grew {ratio:.0f}-fold, from {vocab.gbp_m(first['value_gbp_m'])} in {first['fiscal_year']} "
        f"to {vocab.gbp_m(last['value_gbp_m'])} in {last['fiscal_year']}"
    )
    fig = go.Figure(
        _bars(
            list(overspend["fiscal_year"]),
            list(overspend["value_gbp_m"]),
            _bar_text(overspend["value_gbp_m"], overspend["qualifier"], overspend["basis"]),
            [style.DARK_PINK] * len(overspend),
            "Net overspend",
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "overspend_by_year",
        fig,
        _table(overspend, {"fiscal_year": "Financial year", "value_gbp_m": "Overspend at outturn (£m)"}),
        title=title,
        subtitle=f"Net overspend against budget at outturn, Dorset Council, £ millions, "
        f"{first['fiscal_year']} to {last['fiscal_year']}",
        source=style.source_line(overspend),
        alt_text=f"Bar chart of the net overspend at outturn: {_list_values(overspend)}.",
        legend=False,
    )


def outturn_against_budget_chart(frame: pd.DataFrame) -> Chart:
    """One year's budget against its outturn (outturn derived as budget plus overspend)."""
    rows = frame.set_index("item")
    budget, outturn, overspend = rows.loc["budget"], rows.loc["outturn"], rows.loc["overspend"]
    year = budget["fiscal_year"]
    title = (
        f"{year} ended {vocab.gbp_m(overspend['value_gbp_m'])} over its {vocab.gbp_m(budget['value_gbp_m'])} net budget"
    )
    shown = frame[frame["item"] != "overspend"]
    names = {"budget": "Net budget", "outturn": "Net outturn"}
    fig = go.Figure(
        _bars(
            [names[item] for item in shown["item"]],
            list(shown["value_gbp_m"]),
            _bar_text(shown["value_gbp_m"], shown["qualifier"], shown["basis"]),
            [style.CONTEXT_GREY, style.DARK_BLUE],
            f"{year}",
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "outturn_against_budget",
        fig,
        _table(frame, {"item": "Item", "fiscal_year": "Financial year", "value_gbp_m": "£m"}),
        title=title,
        subtitle=f"Net revenue budget and net outturn, Dorset Council, £ millions, {year}",
        source=style.source_line(frame),
        alt_text=(
            f"Two bars for {year}: net budget {vocab.gbp_m(budget['value_gbp_m'])} and net outturn "
            f"{vocab.gbp_m(outturn['value_gbp_m'])} ({outturn['basis']}: budget plus the "
            f"{vocab.gbp_m(overspend['value_gbp_m'])} overspend)."
        ),
        labels=_derived_labels(shown),
        notes=_derived_note(shown),
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
    change = last["value_gbp_m"] - first["value_gbp_m"]
    direction = "below" if change < 0 else "above"
    title = (
        f"The {year} overspend came in {vocab.gbp_m(abs(change))} {direction} the "
        f"{PERIOD_NAMES[first['period']].lower()} of {vocab.gbp_m(first['value_gbp_m'])}"
    )
    fig = go.Figure(
        _bars(
            [PERIOD_NAMES[period] for period in path["period"]],
            list(path["value_gbp_m"]),
            _bar_text(path["value_gbp_m"], path["qualifier"], path["basis"]),
            [style.CONTEXT_GREY] * (len(path) - 1) + [style.DARK_PINK],
            "Net overspend",
        )
    )
    style.money_axis(fig)
    return style.make_chart(
        "overspend_forecast_path",
        fig,
        _table(path, {"fiscal_year": "Financial year", "period": "Period", "value_gbp_m": "Net overspend (£m)"}),
        title=title,
        subtitle=f"Forecast and outturn net overspend, Dorset Council, £ millions, {year}",
        source=style.source_line(path),
        alt_text=f"Bar chart of the {year} net overspend: "
        + "; ".join(f"{PERIOD_NAMES[r['period']]} {vocab.gbp_m(r['value_gbp_m'])}" for _, r in path.iterrows())
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
        f"{vocab.gbp_m(gross['value_gbp_m'])} service overspend to {vocab.gbp_m(net['value_gbp_m'])}"
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
            f"Waterfall chart for {year}: a gross service overspend of {vocab.gbp_m(gross['value_gbp_m'])} "
            f"(derived), less "
            + " and ".join(
                f"{row['label'].lower()} of {vocab.gbp_m(row['value_gbp_m'])}" for _, row in offsets.iterrows()
            )
            + f", gives the reported net overspend of {vocab.gbp_m(net['value_gbp_m'])}."
        ),
        labels=_derived_labels(bridge),
        notes=_derived_note(bridge),
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
                y=list(rows["value_gbp_m"]),
                mode="lines",
                line={"dash": style.DASH_INTERPOLATED, "color": colour, "width": 2},
                name=f"{stream}, {INTERPOLATED_LABEL}",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=list(rows["fiscal_year"]),
                y=list(rows["value_gbp_m"]),
                mode="markers+text",
                marker={"size": 11, "color": colour},
                text=_bar_text(rows["value_gbp_m"], rows["qualifier"], rows["basis"]),
                textposition=["top right"] + ["top left"] * (len(rows) - 1),
                name=f"{stream}, as given",
                hovertemplate="%{x}: %{text}<extra>" + stream + "</extra>",
            )
        )
        first, last = rows.iloc[0], rows.iloc[-1]
        phrases.append(
            f"{stream.lower()} {vocab.gbp_m(first['value_gbp_m'])} in {first['fiscal_year']} to "
            f"{vocab.gbp_m(last['value_gbp_m'], qualifier=last['qualifier'])} in {last['fiscal_year']}"
        )
    ct = funding[funding["stream"] == "Council tax"].sort_values("fiscal_year")
    br = funding[funding["stream"] == "Business rates"].sort_values("fiscal_year")
    growth_ct = ct["value_gbp_m"].iloc[-1] - ct["value_gbp_m"].iloc[0]
    growth_br = br["value_gbp_m"].iloc[-1] - br["value_gbp_m"].iloc[0]
    title = (
        f"The plan relies on council tax: it grows by {vocab.gbp_m(growth_ct, decimals=1)} by {years[-1]}, "
        f"business rates by {vocab.gbp_m(growth_br, qualifier=br['qualifier'].iloc[-1])}"
    )
    fig.update_xaxes(categoryorder="array", categoryarray=list(years), range=[-0.5, len(years) - 0.5])
    style.money_axis(fig, top=funding["value_gbp_m"].max())
    return style.make_chart(
        "funding_assumptions",
        fig,
        _table(
            funding,
            {"stream": "Income", "fiscal_year": "Financial year", "value_gbp_m": "£m", "qualifier": "Qualifier"},
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
        f"{row['source_section'].split(',')[0]} says {vocab.gbp_m(row['value_gbp_m'], qualifier=row['qualifier'])}"
        for _, row in tactical.iterrows()
    )
    return (f"The tactical and transformational savings differ between the appendices ({versions}): both shown.",)


def savings_chart(savings: pd.DataFrame) -> Chart:
    """The budget gap and the savings set against it, horizontal bars from zero."""
    gap = savings[savings["measure"] == "budget_gap"].iloc[0]
    tactical = savings[savings["measure"] == "tactical_transformational_savings"].iloc[0]
    title = (
        f"A {vocab.gbp_m(gap['value_gbp_m'])} budget gap for {gap['fiscal_year']} needs "
        f"{vocab.gbp_m(tactical['value_gbp_m'], qualifier=tactical['qualifier'])} of tactical and "
        f"transformational savings"
    )
    labels = []
    for _, row in savings.iterrows():
        name = SAVINGS_NAMES.get(row["measure"], row["label"])
        where = row["source_section"].split(",")[0]
        labels.append(
            f"{name} ({row['fiscal_year']}, {where})" if isinstance(row["fiscal_year"], str) else f"{name} ({where})"
        )
    colours = [style.DARK_PINK if m == "budget_gap" else style.DARK_BLUE for m in savings["measure"]]
    fig = go.Figure(
        go.Bar(
            y=labels,
            width=0.5,
            x=list(savings["value_gbp_m"]),
            orientation="h",
            text=_bar_text(savings["value_gbp_m"], savings["qualifier"], savings["basis"]),
            textposition="outside",
            cliponaxis=False,
            marker={"color": colours},
            hovertemplate="%{y}: %{text}<extra></extra>",
            name="Savings",
        )
    )
    for name in labels:  # category names above their bars, so the plot can use the full width
        fig.add_annotation(
            x=0, y=name, text=name, xanchor="left", yanchor="bottom", yshift=14, showarrow=False, font={"size": 14}
        )
    fig.update_yaxes(autorange="reversed", type="category", showticklabels=False, ticks="")
    fig.update_xaxes(type="linear", showgrid=True)
    style.money_axis(fig, axis="xaxis", top=savings["value_gbp_m"].max())
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
                "value_gbp_m": "£m",
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
                labels, _bar_text(savings["value_gbp_m"], savings["qualifier"], savings["basis"]), strict=True
            )
        )
        + ".",
        notes=_savings_notes(savings),
        legend=False,
    )


def collection_rate_chart(rates: pd.DataFrame) -> Chart:
    """Council tax collection rate by year, bars from zero."""
    first, last = rates.iloc[0], rates.iloc[-1]
    verb = "fell" if last["value_pct"] < first["value_pct"] else "rose"
    title = (
        f"Council tax collection {verb} from {vocab.pct(first['value_pct'])} in {first['fiscal_year']} "
        f"to {vocab.pct(last['value_pct'])} in {last['fiscal_year']}"
    )
    fig = go.Figure(
        _bars(
            list(rates["fiscal_year"]),
            list(rates["value_pct"]),
            [vocab.pct(value) for value in rates["value_pct"]],
            [style.CONTEXT_GREY] * (len(rates) - 1) + [style.DARK_BLUE],
            "Collection rate",
        )
    )
    fig.update_yaxes(ticksuffix="%", range=[0, 100], title={"text": "% of council tax due"})
    return style.make_chart(
        "council_tax_collection",
        fig,
        _table(rates, {"fiscal_year": "Financial year", "value_pct": "Collected (% of due)"}),
        title=title,
        subtitle=f"Council tax collected as a share of that due, Dorset Council, {first['fiscal_year']} to "
        f"{last['fiscal_year']}",
        source=style.source_line(rates),
        alt_text="Bar chart of council tax collection: "
        + "; ".join(f"{r['fiscal_year']} {vocab.pct(r['value_pct'])}" for _, r in rates.iterrows())
        + ".",
        legend=False,
    )


# ---- Reserves -----------------------------------------------------------------------------------


def _reserve_name(row: pd.Series) -> str:
    if isinstance(row.get("as_at_date"), pd.Timestamp) and not pd.isna(row["as_at_date"]):
        return f"{row['label']}, {row['as_at_date']:%-d %b %Y}"
    return f"{row['label']} (no date given)"


def reserves_against_deficit_chart(reserves: pd.DataFrame, deficits: pd.DataFrame, ratios: pd.DataFrame) -> Chart:
    """Reserves beside the cumulative DSG deficit (actual and derived forecast), with the cover ratio in the title."""
    actual = ratios[ratios["deficit_kind"] == "actual"].set_index("reserve_measure")
    forecast = ratios[ratios["deficit_kind"] == "forecast"].set_index("reserve_measure")
    usable = actual.loc["usable_reserves"]
    general = actual.loc["general_fund_reserve"]
    title = (
        f"Usable reserves cover the {usable['deficit_year']} DSG deficit {style.times(usable['cover_ratio'])}, "
        f"the general fund reserve only {style.times(general['cover_ratio'])}"
    )
    if "usable_reserves" in forecast.index:
        title += f"; {style.times(forecast.loc['usable_reserves', 'cover_ratio'])} by the end of " + str(
            forecast.loc["usable_reserves", "deficit_year"]
        )
    deficits = deficits[deficits["kind"].isin(["actual", "forecast"])]
    names = [_reserve_name(row) for _, row in reserves.iterrows()] + [
        f"DSG deficit, end {row['fiscal_year']}"
        + ("" if row["kind"] == "actual" else f" ({row['kind']}, {row['basis']})")
        for _, row in deficits.iterrows()
    ]
    values = list(reserves["value_gbp_m"]) + list(deficits["value_gbp_m"])
    bases = list(reserves["basis"]) + list(deficits["basis"])
    colours = [style.DARK_BLUE] * len(reserves) + [
        style.DARK_PINK if kind == "actual" else style.CONTEXT_GREY for kind in deficits["kind"]
    ]
    text = [vocab.gbp_m(value) + _basis_note(basis) for value, basis in zip(values, bases, strict=True)]
    fig = go.Figure(_bars([style.label(name, 16) for name in names], values, text, colours, "£m"))
    style.money_axis(fig)
    table = pd.concat(
        [
            reserves.assign(item=[_reserve_name(r) for _, r in reserves.iterrows()]),
            deficits.assign(item=[f"DSG cumulative deficit, end {y}" for y in deficits["fiscal_year"]]),
        ],
        ignore_index=True,
    )
    return style.make_chart(
        "reserves_against_dsg_deficit",
        fig,
        _table(table, {"item": "Item", "fiscal_year": "Financial year", "value_gbp_m": "£m"}),
        title=title,
        subtitle="Reserves and the cumulative Dedicated Schools Grant deficit, Dorset Council, £ millions",
        source=style.source_line(table),
        alt_text="Bar chart: " + "; ".join(f"{n} {t}" for n, t in zip(names, text, strict=True)) + ". "
        f"Cover ratio (reserve divided by deficit): usable reserves {style.times(usable['cover_ratio'])}, "
        f"general fund reserve {style.times(general['cover_ratio'])}, against the {usable['deficit_year']} deficit.",
        labels=_derived_labels(table),
        notes=("Usable reserves: the document gives no date.", *_derived_note(deficits)),
        legend=False,
    )


def reserves_timeline_chart(
    paths: pd.DataFrame, reserves: pd.DataFrame, crossings: pd.DataFrame, expiry: pd.Series
) -> Chart:
    """The modelled deficit paths against the reserves, with the statutory override's expiry marked."""
    years = list(dsg_model.fiscal_years(paths["fiscal_year"].min(), paths["fiscal_year"].max()))
    usable = crossings[crossings["reserve_measure"] == "usable_reserves"].set_index("scenario")["first_year_above"]
    phrases = {
        scenario: (f"in {usable[scenario]}" if isinstance(usable.get(scenario), str) else f"not by {years[-1]}")
        for scenario in ("unmitigated", "mitigated")
    }
    title = (
        f"The DSG deficit would pass usable reserves {phrases['unmitigated']} without mitigation, "
        f"{phrases['mitigated']} with the recovery plan"
    )
    fig = go.Figure()
    scenario_style = {
        "unmitigated": (style.DARK_PINK, "Without mitigation"),
        "mitigated": (style.TURQUOISE, "With the recovery plan"),
    }
    for scenario, (colour, name) in scenario_style.items():
        path = paths[paths["scenario"] == scenario]
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
    for _, reserve in reserves.iterrows():
        colour = style.DARK_BLUE if reserve["measure"] == "usable_reserves" else style.DARK_GREY
        fig.add_hline(
            y=reserve["value_gbp_m"],
            line={"color": colour, "width": 2},
            annotation_text=f"{_reserve_name(reserve)}: {vocab.gbp_m(reserve['value_gbp_m'])}",
            annotation_position="top left",
            annotation_font={"color": colour, "size": 13},
        )
    expiry_year = int(expiry["year"])
    # Financial years are categories; a calendar year runs from a quarter through one financial year to a
    # quarter through the next (January is nine months into the year that began the April before).
    before = dsg_model.fiscal_year_label(expiry_year - 1)
    if before in years:
        start = years.index(before) + 0.25
        fig.add_vrect(
            x0=start,
            x1=start + 1,
            fillcolor=style.CONTEXT_GREY,
            opacity=0.35,
            line_width=0,
            annotation_text=f"Statutory override due<br>to expire in {expiry_year}",
            annotation_position="top left",
            annotation_font={"size": 13, "color": style.DARK_GREY},
        )
    fig.update_xaxes(categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
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
    return style.make_chart(
        "reserves_timeline",
        fig,
        pd.concat([path_table, table], ignore_index=True),
        title=title,
        subtitle=f"Cumulative DSG deficit against reserves, Dorset Council, £ millions, {years[0]} to {years[-1]}",
        source=style.source_line(pd.concat([reserves, expiry.to_frame().T], ignore_index=True)),
        alt_text=(
            f"Line chart of the cumulative DSG deficit from {years[0]} to {years[-1]} under the two reported "
            f"scenarios, modelled between the reported points, with horizontal lines for the reserves. Without "
            f"mitigation it passes usable reserves {phrases['unmitigated']}; with the recovery plan "
            f"{phrases['mitigated']}. The statutory override is due to expire in {expiry_year}."
        ),
        labels=(MODELLED_LABEL,),
        notes=(
            "Dotted lines are modelled: the document gives only 2020/21, 2021/22 and 2025/26. "
            "Reserves are assumed to stay at the reported level.",
        ),
    )


# ---- DSG ----------------------------------------------------------------------------------------


def _known_point_traces(fig: go.Figure, points: pd.DataFrame) -> None:
    """The reported and derived points as markers, one legend entry per kind of point."""
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
        bases = [_basis_note(b) for b in rows["basis"]]
        fig.add_trace(
            go.Scatter(
                x=list(rows["fiscal_year"]),
                y=list(rows["value_gbp_m"]),
                mode="markers+text",
                marker={"size": 13, "color": colour, "symbol": symbol},
                text=[vocab.gbp_m(v) + b for v, b in zip(rows["value_gbp_m"], bases, strict=True)],
                textposition="middle left" if kind == "projection" else "top center",
                name=name + (" (derived)" if (rows["basis"] == "derived").all() else ""),
                hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
            )
        )


def _dsg_years(points: pd.DataFrame, *extra: pd.Series) -> list[str]:
    years = pd.concat([points["fiscal_year"], *extra])
    return list(dsg_model.fiscal_years(years.min(), years.max()))


def dsg_trajectory_chart(points: pd.DataFrame) -> Chart:
    """Known cumulative deficits as points; the reported projections joined to the forecast by dashed,
    labelled interpolation."""
    years = _dsg_years(points)
    last_known = points[points["kind"] != "projection"].iloc[-1]
    projections = points[points["kind"] == "projection"].set_index("scenario")
    end_year = projections["fiscal_year"].iloc[0]
    title = (
        f"DSG deficit heads for {vocab.gbp_m(projections.loc['unmitigated', 'value_gbp_m'])} by {end_year} "
        f"without mitigation, {vocab.gbp_m(projections.loc['mitigated', 'value_gbp_m'])} with the recovery plan"
    )
    fig = go.Figure()
    for scenario, colour in (("unmitigated", style.DARK_PINK), ("mitigated", style.TURQUOISE)):
        end = projections.loc[scenario]
        fig.add_trace(
            go.Scatter(
                x=[last_known["fiscal_year"], end["fiscal_year"]],
                y=[last_known["value_gbp_m"], end["value_gbp_m"]],
                mode="lines",
                line={"dash": style.DASH_INTERPOLATED, "color": colour, "width": 2},
                name=f"{INTERPOLATED_LABEL.capitalize()} (no figures given)",
                legendgroup=INTERPOLATED_LABEL,
                showlegend=scenario == "unmitigated",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=list(points[points["kind"] != "projection"]["fiscal_year"]),
            y=list(points[points["kind"] != "projection"]["value_gbp_m"]),
            mode="lines",
            line={"color": style.DARK_GREY, "width": 2},
            showlegend=False,
            hoverinfo="skip",
            name="Actual to forecast",
        )
    )
    _known_point_traces(fig, points)
    first_index, end_index = years.index(last_known["fiscal_year"]), years.index(end_year)
    middle = (first_index + end_index) // 2
    share = (middle - first_index) / (end_index - first_index)
    fig.add_annotation(
        x=years[middle],
        y=last_known["value_gbp_m"] + share * (projections["value_gbp_m"].mean() - last_known["value_gbp_m"]),
        text=f"{INTERPOLATED_LABEL}: the document<br>gives no figures for these years",
        showarrow=False,
        font={"size": 13, "color": style.DARK_GREY},
        bgcolor="rgba(255,255,255,0.8)",
    )
    fig.update_xaxes(categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
    style.money_axis(fig)
    return style.make_chart(
        "dsg_trajectory",
        fig,
        _table(
            points,
            {
                "fiscal_year": "Financial year",
                "kind": "Kind",
                "scenario": "Scenario",
                "value_gbp_m": "Cumulative deficit (£m)",
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
                + (f" {r['scenario']}" if isinstance(r["scenario"], str) else "")
                + f" {vocab.gbp_m(r['value_gbp_m'])}{_basis_note(r['basis'])}"
                for _, r in points.iterrows()
            )
            + ". Dashed lines between the forecast and the projections are interpolated."
        ),
        labels=(INTERPOLATED_LABEL, *_derived_labels(points)),
        notes=("Dashed lines are interpolated; the forecast is derived.", *_derived_note(points)),
    )


def dsg_scenario_chart(points: pd.DataFrame, scenario: pd.DataFrame, start: pd.Series) -> Chart:
    """A user's modelled path (from metrics.dsg_model.project) against the reported points and projections.

    `start` is the known point the scenario starts from (fiscal_year, value_gbp_m).
    """
    years = _dsg_years(points, scenario["fiscal_year"])
    projections = points[points["kind"] == "projection"].set_index("scenario")
    end = scenario.iloc[-1]
    low, high = projections["value_gbp_m"].min(), projections["value_gbp_m"].max()
    if end["cumulative_deficit_gbp_m"] > high:
        where = "above both reported projections"
    elif end["cumulative_deficit_gbp_m"] < low:
        where = "below both reported projections"
    else:
        where = "between the two reported projections"
    title = (
        f"This scenario takes the deficit to {vocab.gbp_m(end['cumulative_deficit_gbp_m'], decimals=1)} by "
        f"{end['fiscal_year']}, {where}"
    )
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[start["fiscal_year"], *scenario["fiscal_year"]],
            y=[start["value_gbp_m"], *scenario["cumulative_deficit_gbp_m"]],
            mode="lines+markers",
            line={"color": style.DARK_BLUE, "dash": style.DASH_MODELLED, "width": 3},
            marker={"size": 8, "color": style.DARK_BLUE},
            name=f"This scenario ({MODELLED_LABEL})",
            hovertemplate="%{x}: £%{y:.1f}m<extra>This scenario (modelled)</extra>",
        )
    )
    _known_point_traces(fig, points)
    fig.update_xaxes(categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
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
            f"Dotted modelled line from {vocab.gbp_m(start['value_gbp_m'])} at the end of {start['fiscal_year']} "
            f"to {vocab.gbp_m(end['cumulative_deficit_gbp_m'], decimals=1)} in {end['fiscal_year']}, "
            "against the reported "
            f"projections of {vocab.gbp_m(low)} with the recovery plan and {vocab.gbp_m(high)} without."
        ),
        labels=(MODELLED_LABEL, *_derived_labels(points)),
        notes=(f"The scenario line is {MODELLED_LABEL}: {dsg_model.FORMULA_IN_WORDS}",),
    )


# ---- Overview: action plan in one bar -----------------------------------------------------------


def action_status_chart(counts: pd.DataFrame) -> Chart:
    """Recommendations by latest status as one stacked bar, each segment labelled in words."""
    counts = counts.assign(_order=counts["status"].map(STATUS_ORDER.index)).sort_values("_order")
    total = int(counts["recommendations"].sum())
    by_status = counts.set_index("status")["recommendations"]
    complete = int(by_status.get("complete", 0))
    title = f"{complete} of the {total} peer challenge recommendations are complete"
    fig = go.Figure()
    for _, row in counts.iterrows():
        name = vocab.STATUS_LABELS.get(row["status"], row["status"])
        fig.add_trace(
            go.Bar(
                y=["Recommendations"],
                x=[row["recommendations"]],
                orientation="h",
                name=f"{name}: {row['recommendations']}",
                text=[f"{name}: {row['recommendations']}"],
                textposition="inside" if row["recommendations"] / total >= 0.15 else "none",
                insidetextanchor="middle",
                textangle=0,
                textfont={"size": 14},
                marker={
                    "color": vocab.STATUS_COLOURS.get(vocab.STATUS_LABELS.get(row["status"], vocab.NO_UPDATE)),
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate=f"{name}: %{{x}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", height=300, uniformtext={"mode": "show", "minsize": 14})
    fig.update_xaxes(type="linear", range=[0, total], title={"text": "Recommendations"}, showgrid=True)
    fig.update_yaxes(showticklabels=False, type="category")
    return style.make_chart(
        "overview_action_status",
        fig,
        counts.drop(columns="_order")
        .assign(status=lambda f: f["status"].map(vocab.STATUS_LABELS))
        .rename(columns={"status": "Status", "recommendations": "Recommendations"}),
        title=title,
        subtitle="Peer challenge recommendations by latest recorded status, Dorset Council action plan",
        source="Source: Dorset Council Cabinet, 5 October 2021: LGA Finance Peer Challenge report and action plan, "
        "Appendix 1, and progress recorded since.",
        alt_text="One bar split by status: "
        + "; ".join(
            f"{vocab.STATUS_LABELS.get(s, s)} {n}"
            for s, n in zip(counts["status"], counts["recommendations"], strict=True)
        )
        + f", of {total} recommendations.",
    )


# ---- Registered builders: a metrics call and a chart function each ------------------------------


def _latest_outturn_year(conn: duckdb.DuckDBPyConnection) -> str:
    return str(position.overspend_by_year(conn)["fiscal_year"].iloc[-1])


@register("net_budget_by_year", "Net revenue budget by year", vocab.BUDGET_OUTTURN.title)
def build_net_budget(conn: duckdb.DuckDBPyConnection) -> Chart:
    return net_budget_chart(position.net_budget_by_year(conn))


@register("overspend_by_year", "Overspend at outturn by year", vocab.BUDGET_OUTTURN.title)
def build_overspend_by_year(conn: duckdb.DuckDBPyConnection) -> Chart:
    return overspend_by_year_chart(position.overspend_by_year(conn))


@register("outturn_against_budget", "Outturn against budget", vocab.BUDGET_OUTTURN.title)
def build_outturn_against_budget(conn: duckdb.DuckDBPyConnection) -> Chart:
    return outturn_against_budget_chart(position.outturn_against_budget(conn, _latest_outturn_year(conn)))


@register("overspend_forecast_path", "Forecast overspend to outturn", vocab.BUDGET_OUTTURN.title)
def build_forecast_path(conn: duckdb.DuckDBPyConnection) -> Chart:
    return forecast_path_chart(position.forecast_path(conn, _latest_outturn_year(conn)))


@register("overspend_bridge", "Bridge from gross to net overspend", vocab.BUDGET_OUTTURN.title)
def build_overspend_bridge(conn: duckdb.DuckDBPyConnection) -> Chart:
    return overspend_bridge_chart(position.overspend_bridge(conn, _latest_outturn_year(conn)))


@register("funding_assumptions", "Funding assumptions of the medium-term plan", vocab.BUDGET_OUTTURN.title)
def build_funding_assumptions(conn: duckdb.DuckDBPyConnection) -> Chart:
    return funding_assumptions_chart(position.funding_assumptions(conn))


@register("savings_picture", "Budget gap and savings", vocab.BUDGET_OUTTURN.title)
def build_savings(conn: duckdb.DuckDBPyConnection) -> Chart:
    return savings_chart(position.savings_picture(conn))


@register("council_tax_collection", "Council tax collection rate", vocab.BUDGET_OUTTURN.title)
def build_collection(conn: duckdb.DuckDBPyConnection) -> Chart:
    return collection_rate_chart(position.collection_rates(conn))


@register("reserves_against_dsg_deficit", "Reserves against the DSG deficit", vocab.RESERVES.title)
def build_reserves_against_deficit(conn: duckdb.DuckDBPyConnection) -> Chart:
    return reserves_against_deficit_chart(
        position.reserves(conn), position.dsg_known_points(conn), position.cover_ratios(conn)
    )


@register("reserves_timeline", "DSG deficit against reserves over time", vocab.RESERVES.title)
def build_reserves_timeline(conn: duckdb.DuckDBPyConnection) -> Chart:
    return reserves_timeline_chart(
        position.modelled_paths(conn),
        position.reserves(conn),
        position.years_deficit_exceeds_reserves(conn),
        position.statutory_override_expiry(conn),
    )


@register("dsg_trajectory", "DSG deficit trajectory", vocab.DSG.title)
def build_dsg_trajectory(conn: duckdb.DuckDBPyConnection) -> Chart:
    return dsg_trajectory_chart(position.dsg_known_points(conn))


@register("dsg_scenario", "DSG scenario model (default inputs, with the recovery plan)", vocab.DSG.title)
def build_dsg_scenario_default(conn: duckdb.DuckDBPyConnection) -> Chart:
    points = position.dsg_known_points(conn)
    start = points[points["kind"] == "actual"].iloc[-1]
    return dsg_scenario_chart(points, dsg_model.project(position.dsg_defaults(conn).mitigated), start)


@register("overview_action_status", "Action plan progress in one bar", vocab.OVERVIEW.title)
def build_action_status(conn: duckdb.DuckDBPyConnection) -> Chart:
    return action_status_chart(status_counts(conn))
