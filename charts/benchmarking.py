"""Benchmarking charts: an authority's indicator beside its nearest neighbours (a dot strip, not a ranking) and
over the years held. Each draws what metrics.benchmarking decided (values, median, risk in words)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.spec import DERIVED_LABEL, Chart
from charts.yearly import year_categories
from data import vocab
from metrics import dsg_model
from metrics.benchmarking import BY_KEY, LEVEL, NO_COMPARISON, NOT_FALLING, Benchmark, Indicator, shown

STRIP_PLOT_PX = 150
MEDIAN_DASH = "dash"
MEDIAN_LABEL_GAP_PX = 6
PREDECESSOR_COLOUR = style.TURQUOISE


def _source(result: Benchmark) -> str:
    return f"Source: {result.returns_source}. Neighbours: {result.neighbours_source}."


def _table(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Authority": frame["authority"],
            "ONS code": frame["ons_code"],
            "Financial year": frame["fiscal_year"],
            "Indicator": indicator.label,
            "Value": frame["value"],
            "Shown as": [shown(v, s, indicator.unit) for v, s in zip(frame["value"], frame["status"], strict=True)],
            "Basis": "derived",
            "Derivation": frame["derivation"],
            "Why not available": frame["reason"],
        }
    )


def _axis_title(indicator: Indicator) -> str:
    return "% of net revenue expenditure" if indicator.key.endswith("share") else (
        "% change over three years" if indicator.unit == "pct" else "years until reserves run out"
    )  # fmt: skip


def _suffix(indicator: Indicator) -> str:
    return "%" if indicator.unit == "pct" else ""


def _stacked(values: list[float], step: float = 0.28) -> list[float]:
    """A height for each dot so that dots on (nearly) the same value sit above one another, not on top:
    0, then +step, -step, +2 step... within each group of values closer than 1.5% of the range."""
    span = (max(values) - min(values)) or 1.0
    heights = [0.0] * len(values)
    order = sorted(range(len(values)), key=lambda i: values[i])
    group_start, in_group = None, 0
    for i in order:
        if group_start is None or values[i] - values[group_start] > 0.015 * span:
            group_start, in_group = i, 0
        else:
            in_group += 1
        heights[i] = step * ((in_group + 1) // 2) * (1 if in_group % 2 else -1)
    return heights


def dot_strip_chart(result: Benchmark, key: str) -> Chart:
    """One dot per neighbour with a value, the authority picked out, the neighbours' median as a line."""
    indicator = BY_KEY[key]
    rows = result.values[result.values["indicator"] == key]
    mine = rows[rows["is_subject"]]
    others = rows[~rows["is_subject"]]
    plotted = others[others["status"] == "value"]
    rising = others[others["status"] == NOT_FALLING]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[float(v) for v in plotted["value"]],
            y=_stacked([float(v) for v in plotted["value"]]) if len(plotted) else [],
            mode="markers",
            name="Nearest neighbours",
            marker={"size": 14, "color": style.CONTEXT_GREY, "line": {"width": 1, "color": style.DARK_GREY}},
            text=list(plotted["authority"]),
            hovertemplate="%{text}: %{x:.1f}<extra></extra>",
        )
    )
    median = result.medians[key]
    if not math.isnan(median) and not math.isinf(median):
        fig.add_vline(x=median, line={"color": style.DARK_GREY, "dash": MEDIAN_DASH, "width": 2})
        # beside its line, towards the middle of the strip, so the dashes never run through the words
        values = [*plotted["value"], *mine.loc[mine["status"] == "value", "value"], median]
        towards_right = median <= (min(values) + max(values)) / 2
        fig.add_annotation(
            x=median, y=-0.9, text=f"Neighbours' median<br>{shown(median, 'value', indicator.unit)}",
            showarrow=False, font={"size": 13, "color": style.DARK_GREY},
            xanchor="left" if towards_right else "right", align="left" if towards_right else "right",
            xshift=MEDIAN_LABEL_GAP_PX if towards_right else -MEDIAN_LABEL_GAP_PX,
        )  # fmt: skip
    level = result.levels[key]
    mine_text = "no return"
    if not mine.empty:
        row = mine.iloc[0]
        mine_text = shown(row["value"], row["status"], indicator.unit)
        if row["status"] == "value":
            fig.add_trace(
                go.Scatter(
                    x=[row["value"]],
                    y=[0],
                    mode="markers",
                    name=result.authority_name,
                    marker={
                        "size": 20,
                        "color": style.FOCUS,
                        "symbol": "diamond",
                        "line": {"width": 2, "color": "white"},
                    },
                    hovertemplate=f"{result.authority_name}: %{{x:.1f}}<extra></extra>",
                )
            )
            fig.add_annotation(
                x=row["value"], y=0.9, text=f"<b>{result.authority_name} {mine_text}</b>", showarrow=False,
                font={"size": 14, "color": style.FOCUS}, bgcolor="white",  # the median's line passes behind it
            )  # fmt: skip
    fig.update_yaxes(visible=False, range=[-1.4, 1.4])
    fig.update_xaxes(
        title={"text": _axis_title(indicator)}, type="linear", zeroline=True, ticksuffix=_suffix(indicator)
    )
    fig.update_layout(height=style.HEIGHT - 120)
    if level == NO_COMPARISON:
        title = f"{indicator.label}: {result.authority_name} {mine_text}, {result.year}; no comparison"
    elif level == LEVEL:
        title = f"{result.authority_name} {mine_text}: level with its neighbours' median, {result.year}"
    else:
        title = f"{result.authority_name} {mine_text}: {level} than its neighbours' median, {result.year}"
    notes = (f"{DERIVED_LABEL.capitalize()} from the returns' lines: {indicator.formula}.",)
    if not rising.empty:
        notes += (f"Not plotted, reserves not falling: {', '.join(rising['authority'])}.",)
    alt = (
        f"Dot strip of {indicator.label.lower()} in {result.year}: {result.authority_name} {mine_text}; "
        f"{len(plotted)} neighbours from {shown(plotted['value'].min(), 'value', indicator.unit)} to "
        f"{shown(plotted['value'].max(), 'value', indicator.unit)}. {result.words[key]}"
        if not plotted.empty
        else f"No neighbour has a value for {indicator.label.lower()} in {result.year}. {result.words[key]}"
    )
    return style.make_chart(
        f"benchmark_{key}_strip",
        fig,
        _table(pd.concat([mine, others]), indicator),
        title=title,
        subtitle=f"{indicator.label}, {result.year}: {result.authority_name} and its nearest neighbours",
        source=_source(result),
        alt_text=alt,
        labels=(DERIVED_LABEL,),
        notes=notes,
    )


def trend_chart(result: Benchmark, key: str) -> Chart:
    """The authority's value and its neighbours' median over the years held; predecessors apart, labelled."""
    indicator = BY_KEY[key]
    trend = result.trend[result.trend["indicator"] == key].sort_values("fiscal_year")
    years = list(trend["fiscal_year"])
    predecessors = result.predecessor_values[result.predecessor_values["indicator"] == key]
    if (
        trend["authority_value"].isna().all()
        and trend["neighbours_median"].isna().all()
        and predecessors["value"].isna().all()
    ):
        reason = f"no year held gives a value for {result.authority_name} or a median of its neighbours"
        return style.not_reported_chart(f"benchmark_{key}_trend", indicator.label, reason)
    fig = go.Figure()
    series = [
        ("Neighbours' median", trend["neighbours_median"], years,
         {"line": {"color": style.DARK_GREY, "dash": MEDIAN_DASH}, "marker": {"size": 8}}),
        (result.authority_name, trend["authority_value"], years,
         {"line": {"color": style.FOCUS, "width": 3}, "marker": {"size": 10}}),
    ]  # fmt: skip
    for code, rows in predecessors.groupby("ons_code"):
        series.append(
            (f"{rows.iloc[0]['authority']} ({code}), predecessor's figures", rows["value"], list(rows["fiscal_year"]),
             {"line": {"color": PREDECESSOR_COLOUR, "dash": "dot"}, "marker": {"size": 9, "symbol": "square"}})
        )  # fmt: skip
    held_years = sorted({*years, *predecessors["fiscal_year"]})
    # every year from the first held to the last, so a run of years with no returns is a gap, not a short step
    all_years = list(dsg_model.fiscal_years(held_years[0], held_years[-1]))
    for name, values, x, look in series:
        if values.notna().any():  # a series with no value at all would be a legend entry for nothing
            by_year = {year: None if pd.isna(value) else float(value) for year, value in zip(x, values, strict=True)}
            y = [by_year.get(year) for year in all_years]
            fig.add_trace(go.Scatter(x=all_years, y=y, mode="lines+markers", name=name, connectgaps=False, **look))
    fig.update_xaxes(type="category")
    year_categories(fig, all_years)
    fig.update_yaxes(
        title={"text": _axis_title(indicator)},
        ticksuffix=_suffix(indicator),
        rangemode="tozero" if indicator.unit == "years" else None,
    )
    held = trend.dropna(subset=["authority_value"])
    if held.empty:
        title = f"{indicator.label}: no value for {result.authority_name} in the years held"
    else:
        last = held.iloc[-1]
        title = (
            f"{result.authority_name}: {shown(last['authority_value'], 'value', indicator.unit)} in "
            f"{last['fiscal_year']}, {vocab.counted(len(held), 'year')} with a value"
        )
    notes: tuple[str, ...] = (f"{DERIVED_LABEL.capitalize()}: {indicator.formula}.",)
    unheld = [year for year in all_years if year not in held_years]
    if unheld:
        notes += (f"No returns are held for {', '.join(unheld)}.",)
    chosen = result.values[result.values["is_subject"] & (result.values["indicator"] == key)]
    if not chosen.empty and chosen.iloc[0]["reason"]:
        notes += (f"Not available for {result.authority_name} in {result.year}: {chosen.iloc[0]['reason']}.",)
    if result.succession is not None and predecessors["value"].notna().any():
        notes += (
            f"{result.succession.successor_name} was formed on {result.succession.formed_on:%-d %B %Y}; earlier "
            "figures are its predecessors' own, shown apart and not added together.",
        )
    data = pd.concat(
        [
            pd.DataFrame(
                {
                    "Series": result.authority_name,
                    "Financial year": trend["fiscal_year"],
                    "Value": trend["authority_value"],
                    "Status": trend["authority_status"],
                }
            ),
            pd.DataFrame(
                {
                    "Series": "Neighbours' median",
                    "Financial year": trend["fiscal_year"],
                    "Value": trend["neighbours_median"],
                    "Status": [f"median of {n} neighbours" for n in trend["neighbours"]],
                }
            ),
            pd.DataFrame(
                {
                    "Series": [f"{a} (predecessor's figures)" for a in predecessors["authority"]],
                    "Financial year": predecessors["fiscal_year"],
                    "Value": predecessors["value"],
                    "Status": predecessors["status"],
                }
            ),
        ]
    ).assign(Indicator=indicator.label, Basis="derived")
    alt = f"Line chart of {indicator.label.lower()} by year: " + "; ".join(
        f"{y} {result.authority_name} {shown(v, s, indicator.unit) if s != 'no return' else 'no return'}"
        for y, v, s in zip(trend["fiscal_year"], trend["authority_value"], trend["authority_status"], strict=True)
    )
    return style.make_chart(
        f"benchmark_{key}_trend",
        fig,
        data,
        title=title,
        subtitle=f"{indicator.label}: {result.authority_name} against its nearest neighbours' median, by year",
        source=_source(result),
        alt_text=alt + ".",
        labels=(DERIVED_LABEL,),
        notes=notes,
    )
