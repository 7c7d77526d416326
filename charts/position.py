"""Charts of the council's financial position: budget and outturn, reserves, the DSG deficit.

Each chart function is pure (DataFrames from metrics.position in, a Chart out); each registered builder
is a thin metrics call plus the chart function. Titles are statements computed from the data.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import point_labels, style
from charts.catalogue import register
from charts.spec import DERIVED_LABEL, INTERPOLATED_LABEL, MODELLED_LABEL, Chart
from data import vocab
from metrics import dsg_model, position
from metrics.position import FigureMissing
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
    return tuple(f"Derived: {vocab.without_ids(text)}." for text in derived["derivation"].dropna())


def _year_axis(fig: go.Figure, years_held: list[str]) -> list[str]:
    """Every year from the first held to the last on the axis; a year with no figure says "not reported"."""
    years = list(dsg_model.fiscal_years(min(years_held), max(years_held)))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
    for year in years:
        if year not in years_held:
            fig.add_annotation(
                x=year, y=0, yanchor="bottom", text="not<br>reported", showarrow=False,
                font={"size": 12, "color": style.DARK_GREY},
            )  # fmt: skip
    return years


def _span(frame: pd.DataFrame) -> str:
    first, last = frame["fiscal_year"].min(), frame["fiscal_year"].max()
    return first if first == last else f"{first} to {last}"


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
    fig = go.Figure(
        _bars(
            list(budget["fiscal_year"]),
            list(budget["value"]),
            _bar_text(budget["value"], budget["qualifier"], budget["basis"]),
            [style.DARK_BLUE] * len(budget),
            "Net revenue budget",
        )
    )
    style.money_axis(fig)
    _year_axis(fig, list(budget["fiscal_year"]))
    return style.make_chart(
        "net_budget_by_year",
        fig,
        _table(budget, {"fiscal_year": "Financial year", "value": "Net budget (£m)", "qualifier": "Qualifier"}),
        title=title,
        subtitle=f"Net revenue budget, Dorset Council, £ millions, {_span(budget)}",
        source=style.source_line(budget),
        alt_text=f"Bar chart of Dorset Council's net revenue budget: {_list_values(budget)}.",
        legend=False,
    )


def _list_values(frame: pd.DataFrame, label: str = "fiscal_year") -> str:
    return "; ".join(
        f"{row[label]} {vocab.gbp_m(row['value'], qualifier=row['qualifier'])}{_basis_note(row['basis'])}"
        for _, row in frame.iterrows()
    )


def overspend_by_year_chart(overspend: pd.DataFrame) -> Chart:
    """Net overspend against budget at outturn, by year."""
    if overspend.empty:
        raise FigureMissing("no net overspend at outturn")
    first, last = overspend.iloc[0], overspend.iloc[-1]
    low, high = first["value"], last["value"]
    if len(overspend) == 1:
        title = f"The net overspend at outturn was {vocab.gbp_m(high)} in {last['fiscal_year']}"
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
    fig = go.Figure(
        _bars(
            list(overspend["fiscal_year"]),
            list(overspend["value"]),
            _bar_text(overspend["value"], overspend["qualifier"], overspend["basis"]),
            [style.DARK_PINK] * len(overspend),
            "Net overspend",
        )
    )
    style.money_axis(fig)
    _year_axis(fig, list(overspend["fiscal_year"]))
    return style.make_chart(
        "overspend_by_year",
        fig,
        _table(overspend, {"fiscal_year": "Financial year", "value": "Overspend at outturn (£m)"}),
        title=title,
        subtitle=f"Net overspend against budget at outturn, Dorset Council, £ millions, {_span(overspend)}",
        source=style.source_line(overspend),
        alt_text=f"Bar chart of the net overspend at outturn: {_list_values(overspend)}.",
        legend=False,
    )


def outturn_against_budget_chart(frame: pd.DataFrame) -> Chart:
    """One year's budget against its outturn (outturn derived as budget plus overspend)."""
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
    fig.update_xaxes(categoryorder="array", categoryarray=list(years), range=[-0.5, len(years) - 0.5])
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


def collection_rate_chart(rates: pd.DataFrame) -> Chart:
    """Council tax collection rate by year, bars from zero."""
    first, last = rates.iloc[0], rates.iloc[-1]
    verb = "fell" if last["value"] < first["value"] else "rose"
    if len(rates) == 1:
        title = f"Council tax collection was {vocab.pct(last['value'])} in {last['fiscal_year']}"
    else:
        title = (
            f"Council tax collection {verb} from {vocab.pct(first['value'])} in {first['fiscal_year']} "
            f"to {vocab.pct(last['value'])} in {last['fiscal_year']}"
        )
    fig = go.Figure(
        _bars(
            list(rates["fiscal_year"]),
            list(rates["value"]),
            [vocab.pct(value) for value in rates["value"]],
            [style.CONTEXT_GREY] * (len(rates) - 1) + [style.DARK_BLUE],
            "Collection rate",
        )
    )
    fig.update_yaxes(ticksuffix="%", range=[0, 100], title={"text": "% of council tax due"})
    _year_axis(fig, list(rates["fiscal_year"]))
    return style.make_chart(
        "council_tax_collection",
        fig,
        _table(rates, {"fiscal_year": "Financial year", "value": "Collected (% of due)"}),
        title=title,
        subtitle=f"Council tax collected as a share of that due, Dorset Council, {_span(rates)}",
        source=style.source_line(rates),
        alt_text="Bar chart of council tax collection: "
        + "; ".join(f"{r['fiscal_year']} {vocab.pct(r['value'])}" for _, r in rates.iterrows())
        + ".",
        legend=False,
    )


# ---- Reserves -----------------------------------------------------------------------------------


def _reserve_name(row: pd.Series) -> str:
    if isinstance(row.get("as_at_date"), pd.Timestamp) and not pd.isna(row["as_at_date"]):
        return f"{row['label']}, {row['as_at_date']:%-d %b %Y}"
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


def reserves_against_deficit_chart(reserves: pd.DataFrame, deficits: pd.DataFrame, ratios: pd.DataFrame) -> Chart:
    """Reserves beside the cumulative DSG deficit (actual and derived forecast), with the cover ratio in the title."""
    actual = ratios[ratios["deficit_kind"] == "actual"].set_index("reserve_measure")
    forecast = ratios[ratios["deficit_kind"] == "forecast"].set_index("reserve_measure")
    usable = actual.loc["usable_reserves"] if "usable_reserves" in actual.index else None
    general = actual.loc["general_fund_reserve"] if "general_fund_reserve" in actual.index else None
    first = usable if usable is not None else general
    if first is None:
        raise FigureMissing("no actual DSG deficit to set the reserves against")
    deficit_year = first["deficit_year"]
    if usable is not None and general is not None:
        title = (
            f"Usable reserves cover the {deficit_year} DSG deficit {style.times(usable['cover_ratio'])}, "
            f"the general fund reserve only {style.times(general['cover_ratio'])}"
        )
    else:
        title = (
            f"The {first['reserve'].lower()} covers the {deficit_year} DSG deficit {style.times(first['cover_ratio'])}"
        )
    if usable is not None and "usable_reserves" in forecast.index:
        title += f"; {style.times(forecast.loc['usable_reserves', 'cover_ratio'])} by the end of " + str(
            forecast.loc["usable_reserves", "deficit_year"]
        )
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
    fig = go.Figure(_bars([style.label(name, 16) for name in names], values, text, colours, "£m"))
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
        + ", ".join(f"{row['reserve'].lower()} {style.times(row['cover_ratio'])}" for _, row in actual.iterrows())
        + f", against the {deficit_year} deficit.",
        labels=_derived_labels(table),
        notes=(
            *(("Usable reserves: the document gives no date.",) if reserves["fiscal_year"].isna().any() else ()),
            *_derived_note(deficits),
        ),
        legend=False,
    )


def reserves_timeline_chart(
    paths: pd.DataFrame, reserves: pd.DataFrame, crossings: pd.DataFrame, expiry: pd.Series | None
) -> Chart:
    """The modelled deficit paths against the reserves, with the statutory override's expiry marked."""
    years = list(dsg_model.fiscal_years(paths["fiscal_year"].min(), paths["fiscal_year"].max()))
    measure = "usable_reserves" if (crossings["reserve_measure"] == "usable_reserves").any() else "general_fund_reserve"
    usable = crossings[crossings["reserve_measure"] == measure].set_index("scenario")["first_year_above"]
    phrases = {
        scenario: (f"in {usable[scenario]}" if isinstance(usable.get(scenario), str) else f"not by {years[-1]}")
        for scenario in ("unmitigated", "mitigated")
    }
    reserve_name = "usable reserves" if measure == "usable_reserves" else "the general fund reserve"
    title = (
        f"The DSG deficit would pass {reserve_name} {phrases['unmitigated']} without mitigation, "
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
            y=reserve["value"],
            line={"color": colour, "width": 2},
            annotation_text=f"{_reserve_name(reserve)}: {vocab.gbp_m(reserve['value'])}",
            annotation_position="top left",
            annotation_font={"color": colour, "size": 13},
        )
    expiry_year = int(expiry["year"]) if expiry is not None else None
    # Financial years are categories; a calendar year runs from a quarter through one financial year to a
    # quarter through the next (January is nine months into the year that began the April before).
    before = dsg_model.fiscal_year_label(expiry_year - 1) if expiry_year else None
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
        source=style.source_line(
            pd.concat([reserves, *([expiry.to_frame().T] if expiry is not None else [])], ignore_index=True)
        ),
        alt_text=(
            f"Line chart of the cumulative DSG deficit from {years[0]} to {years[-1]} under the two reported "
            f"scenarios, modelled between the reported points, with horizontal lines for the reserves. Without "
            f"mitigation it passes usable reserves {phrases['unmitigated']}; with the recovery plan "
            f"{phrases['mitigated']}."
            + (f" The statutory override is due to expire in {expiry_year}." if expiry_year else "")
        ),
        labels=(MODELLED_LABEL,),
        notes=(
            "Dotted lines are modelled: the document gives only 2020/21, 2021/22 and 2025/26. "
            "Reserves are assumed to stay at the reported level.",
        ),
    )


# ---- DSG ----------------------------------------------------------------------------------------


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
        fig.add_trace(
            point_labels.labelled(
                go.Scatter(
                    x=list(rows["fiscal_year"]),
                    y=list(rows["value"]),
                    mode="markers",
                    marker={"size": 13, "color": colour, "symbol": symbol},
                    text=text,
                    name=name + (" (derived)" if (rows["basis"] == "derived").all() else ""),
                    hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
                )
            )
        )


def _dsg_years(points: pd.DataFrame, *extra: pd.Series) -> list[str]:
    years = pd.concat([points["fiscal_year"], *extra])
    return list(dsg_model.fiscal_years(years.min(), years.max()))


def _plan_parts(points: pd.DataFrame) -> tuple[pd.Series | None, pd.DataFrame, pd.DataFrame]:
    """(the last point the plan's dashed lines start from, the two end projections, points reported since).

    The plan is the newest pair of projections; its start is the last actual or forecast known when it
    was made, before its end year. Points known after the plan are what happened since.
    """
    projections = points[points["kind"] == "projection"]
    complete = [
        y for y, rows in projections.groupby("fiscal_year") if {"mitigated", "unmitigated"} <= set(rows["scenario"])
    ]
    known = pd.to_datetime(points["known_on"]) if "known_on" in points else pd.Series(pd.NaT, index=points.index)
    others = points[points["kind"] != "projection"]
    if not complete:
        return None, projections.iloc[0:0], others
    end_year = sorted(complete)[-1]
    ends = projections[projections["fiscal_year"] == end_year].drop_duplicates("scenario").set_index("scenario")
    plan_known = known[projections.index[projections["fiscal_year"] == end_year]].max()
    known_others = known[others.index]
    in_plan = (
        (known_others.isna() | (known_others <= plan_known))
        if not pd.isna(plan_known)
        else pd.Series(True, index=others.index)
    )
    before = others[in_plan & (others["fiscal_year"] < end_year)]
    start = before.iloc[-1] if not before.empty else None
    return start, ends, others[~in_plan]


def _on_path(start: pd.Series, ends: pd.DataFrame, years: list[str], year: str) -> tuple[float, float]:
    """The two dashed lines' values in `year` (straight lines from the start to each end, flat after)."""
    first, last = years.index(start["fiscal_year"]), years.index(ends["fiscal_year"].iloc[0])
    share = min(1.0, max(0.0, (years.index(year) - first) / (last - first))) if last > first else 1.0
    low, high = ends.loc["mitigated", "value"], ends.loc["unmitigated", "value"]
    return start["value"] + share * (low - start["value"]), start["value"] + share * (high - start["value"])


def dsg_trajectory_chart(points: pd.DataFrame) -> Chart:
    """Known cumulative deficits as points; the plan's projections joined to its start by dashed, labelled
    interpolation; every later actual and forecast on top, with a title saying which path it is on."""
    if points.empty:
        raise FigureMissing("no DSG cumulative deficit")
    years = _dsg_years(points)
    start, ends, since = _plan_parts(points)
    end_year = ends["fiscal_year"].iloc[0] if not ends.empty else None
    if start is not None and end_year is not None and not since.empty:
        latest = since.iloc[-1]
        low, high = _on_path(start, ends, years, latest["fiscal_year"])
        value = latest["value"]
        where = (
            "above both paths projected" if value > high + 0.005
            else "below the recovery-plan path projected" if value < low - 0.005
            else "between the two paths projected"
        )  # fmt: skip
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
        for scenario, colour in (("unmitigated", style.DARK_PINK), ("mitigated", style.TURQUOISE)):
            end = ends.loc[scenario]
            fig.add_trace(
                go.Scatter(
                    x=[start["fiscal_year"], end["fiscal_year"]],
                    y=[start["value"], end["value"]],
                    mode="lines",
                    line={"dash": style.DASH_INTERPOLATED, "color": colour, "width": 2},
                    name=f"{INTERPOLATED_LABEL.capitalize()} (no figures given)",
                    legendgroup=INTERPOLATED_LABEL,
                    showlegend=scenario == "unmitigated",
                    hoverinfo="skip",
                )
            )
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
        if end_index - first_index >= 2:
            middle = (first_index + end_index) // 2
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
    fig.update_xaxes(categoryorder="array", categoryarray=years, range=[-0.5, len(years) - 0.5])
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
            *(("Dashed lines are interpolated; the forecast is derived.",) if start is not None else ()),
            *_derived_note(points),
        ),
    )


def dsg_scenario_chart(points: pd.DataFrame, scenario: pd.DataFrame, start: pd.Series) -> Chart:
    """A user's modelled path (from metrics.dsg_model.project) against the reported points and projections.

    `start` is the known point the scenario starts from (fiscal_year, value).
    """
    years = _dsg_years(points, scenario["fiscal_year"])
    _, projections, _ = _plan_parts(points)
    if projections.empty:
        raise FigureMissing("the scenario model needs both projections")
    end = scenario.iloc[-1]
    low, high = projections["value"].min(), projections["value"].max()
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
            y=[start["value"], *scenario["cumulative_deficit_gbp_m"]],
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
            f"Dotted modelled line from {vocab.gbp_m(start['value'])} at the end of {start['fiscal_year']} "
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
        colour = vocab.STATUS_COLOURS.get(vocab.STATUS_LABELS.get(row["status"], vocab.NO_UPDATE))
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
                insidetextfont={"size": 14, "color": style.text_on(colour)},
                marker={
                    "color": colour,
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


# ---- Plan against what happened ------------------------------------------------------------------


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
        fig.add_trace(
            go.Bar(
                x=list(rows["fiscal_year"]),
                y=list(rows["value"]),
                text=_bar_text(rows["value"], rows["qualifier"], rows["basis"]),
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 12},
                marker={"color": colour},
                name=name,
                hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    style.money_axis(fig, top=float(shown["value"].max()))
    _year_axis(fig, list(shown["fiscal_year"]))
    both = [year for year, rows in shown.groupby("fiscal_year") if {"budget", "outturn"} <= set(rows["item"])]
    if both:
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
        fig.add_trace(
            go.Bar(
                x=list(rows["fiscal_year"]),
                y=list(rows["value"]),
                text=[vocab.gbp_m(v) for v in rows["value"]],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 12},
                marker={"color": FORECAST_COLOURS.get(period, style.DARK_PINK)},
                name=names[period],
                hovertemplate="%{x}: %{text}<extra>" + names[period] + "</extra>",
            )
        )
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
            f"In {above} of {len(paired)} years with a quarter forecast, the outturn came in below the "
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


def reserves_by_year_chart(reserves: pd.DataFrame, points: pd.DataFrame, cover: pd.DataFrame) -> Chart:
    """The general fund and usable reserves for every year held, against the year-end DSG deficit."""
    deficits = points[points["period"].isin(["outturn", "as_at"]) & points["scenario"].isna()]
    dated = reserves[reserves["fiscal_year"].notna()]
    if dated.empty and deficits.empty:
        raise FigureMissing("no dated reserve balance or year-end DSG deficit")
    fig = go.Figure()
    series = [
        (dated[dated["measure"] == "usable_reserves"], style.DARK_BLUE, "Usable reserves", "solid"),
        (dated[dated["measure"] == "general_fund_reserve"], style.DARK_GREY, "General fund reserve", "solid"),
        (deficits, style.DARK_PINK, "DSG cumulative deficit", "dot"),
    ]
    for rows, colour, name, dash in series:
        if rows.empty:
            continue
        fig.add_trace(
            point_labels.labelled(
                go.Scatter(
                    x=list(rows["fiscal_year"]),
                    y=list(rows["value"]),
                    mode="lines+markers",
                    line={"color": colour, "width": 2, "dash": dash},
                    marker={"size": 9, "color": colour},
                    text=[vocab.gbp_m(v) for v in rows["value"]],
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


# ---- Registered builders: a metrics call and a chart function each ------------------------------


def _path_year(conn: duckdb.DuckDBPyConnection, as_at: date | None) -> str:
    """The year whose forecasts and outturn the Budget page explains: the latest with an outturn and a quarter
    forecast, else the latest with an outturn, else the latest with a forecast."""
    frame = position.forecasts_against_outturn(conn, as_at=as_at)
    by_year = frame.groupby("fiscal_year")["period"].agg(set)
    for wanted in (lambda p: "outturn" in p and p & {"q1", "q2", "q3"}, lambda p: "outturn" in p, lambda p: True):
        years = [year for year, periods in by_year.items() if wanted(periods)]
        if years:
            return sorted(years)[-1]
    raise FigureMissing("no forecast or outturn overspend")


@register("net_budget_by_year", "Net revenue budget by year", vocab.BUDGET_OUTTURN.title)
def build_net_budget(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return net_budget_chart(position.net_budget_by_year(conn, as_at=as_at))


@register("budget_and_outturn", "Net budget and outturn by year", vocab.BUDGET_OUTTURN.title)
def build_budget_and_outturn(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return budget_and_outturn_chart(position.budget_and_outturn(conn, as_at=as_at))


@register("overspend_by_year", "Overspend at outturn by year", vocab.BUDGET_OUTTURN.title)
def build_overspend_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return overspend_by_year_chart(position.overspend_by_year(conn, as_at=as_at))


@register("forecasts_against_outturn", "Quarter forecasts against outturn, every year", vocab.BUDGET_OUTTURN.title)
def build_forecasts_against_outturn(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return forecasts_against_outturn_chart(position.forecasts_against_outturn(conn, as_at=as_at))


@register("outturn_against_budget", "Outturn against budget", vocab.BUDGET_OUTTURN.title)
def build_outturn_against_budget(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    year = position.latest_outturn_year(conn, as_at=as_at)
    return outturn_against_budget_chart(position.outturn_against_budget(conn, year, as_at=as_at))


@register("overspend_forecast_path", "Forecast overspend to outturn", vocab.BUDGET_OUTTURN.title)
def build_forecast_path(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return forecast_path_chart(position.forecast_path(conn, _path_year(conn, as_at), as_at=as_at))


@register("overspend_bridge", "Bridge from gross to net overspend", vocab.BUDGET_OUTTURN.title)
def build_overspend_bridge(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    year = position.bridge_year(conn, as_at=as_at)
    return overspend_bridge_chart(position.overspend_bridge(conn, year, as_at=as_at))


@register("funding_assumptions", "Funding assumptions of the medium-term plan", vocab.BUDGET_OUTTURN.title)
def build_funding_assumptions(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return funding_assumptions_chart(position.funding_assumptions(conn, as_at=as_at))


@register("savings_picture", "Budget gap and savings", vocab.BUDGET_OUTTURN.title)
def build_savings(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return savings_chart(position.savings_picture(conn, as_at=as_at))


@register("council_tax_collection", "Council tax collection rate", vocab.BUDGET_OUTTURN.title)
def build_collection(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return collection_rate_chart(position.collection_rates(conn, as_at=as_at))


@register("reserves_against_dsg_deficit", "Reserves against the DSG deficit", vocab.RESERVES.title)
def build_reserves_against_deficit(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_against_deficit_chart(
        position.reserves(conn, as_at=as_at),
        position.dsg_known_points(conn, as_at=as_at),
        position.cover_ratios(conn, as_at=as_at),
    )


@register("reserves_by_year", "Reserves against the DSG deficit, every year held", vocab.RESERVES.title)
def build_reserves_by_year(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_by_year_chart(
        position.reserves_by_year(conn, as_at=as_at),
        position.dsg_known_points(conn, as_at=as_at),
        position.cover_by_year(conn, as_at=as_at),
    )


def _expiry(conn: duckdb.DuckDBPyConnection, as_at: date | None) -> pd.Series | None:
    try:
        return position.statutory_override_expiry(conn, as_at=as_at)
    except FigureMissing:
        return None


@register("reserves_timeline", "DSG deficit against reserves over time", vocab.RESERVES.title)
def build_reserves_timeline(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return reserves_timeline_chart(
        position.modelled_paths(conn, as_at=as_at),
        position.reserves(conn, as_at=as_at),
        position.years_deficit_exceeds_reserves(conn, as_at=as_at),
        _expiry(conn, as_at),
    )


@register("dsg_trajectory", "DSG deficit trajectory", vocab.DSG.title)
def build_dsg_trajectory(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return dsg_trajectory_chart(position.dsg_known_points(conn, as_at=as_at))


@register("dsg_scenario", "DSG scenario model (default inputs, with the recovery plan)", vocab.DSG.title)
def build_dsg_scenario_default(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    points = position.dsg_known_points(conn, as_at=as_at)
    reported = position.dsg_reported(conn, as_at=as_at)
    start = pd.Series({"fiscal_year": reported.start_year, "value": reported.start_deficit_gbp_m})
    return dsg_scenario_chart(points, dsg_model.project(position.dsg_defaults(conn, as_at=as_at).mitigated), start)


@register("overview_action_status", "Action plan progress in one bar", vocab.OVERVIEW.title)
def build_action_status(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return action_status_chart(status_counts(conn, as_at=as_at))
