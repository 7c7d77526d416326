"""What the position charts share: the table behind a chart with its provenance, value labels that say a
value's basis, a year axis that says "not reported" for a gap, and one builder for the yearly bar charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import ChartBuilder, register
from charts.spec import DERIVED_LABEL, Chart
from data import vocab
from metrics import dsg_model

# Each row's provenance, in every table and download of the data: the document and its date too (a CSV row
# that named only "Sample table" did not say which document it came from, or when).
SOURCE_COLUMNS = ["basis", "derivation", "source_document", "source_date", "source_section", "source_quote"]


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The rows behind a chart with readable column names, then their provenance."""
    keep = [column for column in columns if column in frame.columns]
    table = frame[keep + [c for c in SOURCE_COLUMNS if c in frame.columns and c not in keep]].copy()
    if "source_date" in table.columns:  # the day, as the screen and a spreadsheet read it (not a time of day)
        table["source_date"] = [d.date() if isinstance(d, pd.Timestamp) else d for d in table["source_date"]]
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


def _rounding_note(parts: list[float], total: float) -> tuple[str, ...]:
    """Council reports' own words where the parts, rounded as shown, do not add up to the total shown."""
    return () if vocab.adds_up_when_rounded(parts, total) else (vocab.ROUNDING_NOTE,)


def _year_axis(fig: go.Figure, years_held: list[str]) -> list[str]:
    """Every year from the first held to the last on the axis; a year with no figure says "not reported"."""
    years = list(dsg_model.fiscal_years(min(years_held), max(years_held)))
    fig.update_xaxes(type="category")
    year_categories(fig, years)
    for year in years:
        if year not in years_held:
            fig.add_annotation(
                x=year, y=0, yanchor="bottom", text="not<br>reported", showarrow=False, name=style.YEAR_GAP_NOTE,
                font={"size": style.YEAR_GAP_NOTE_PX, "color": style.DARK_GREY},
            )  # fmt: skip
    return years


def latest_against_previous(rows: pd.DataFrame, what: str, shown: Callable[[float], str]) -> str:
    """'<what> was <latest> in <year>, up from <previous> in <year before> (<first> in <year>, the first year
    held)': the latest year set against the one before it held, and the first named beside them, so a fall
    and a recovery are not read as one change between the end points. `shown` writes a value as the chart does;
    values written the same are the same, whatever their float noise."""
    last = rows.iloc[-1]
    title = f"{what} was {shown(last['value'])} in {last['fiscal_year']}"
    if len(rows) == 1:
        return title
    previous, first = rows.iloc[-2], rows.iloc[0]
    if shown(last["value"]) == shown(previous["value"]):
        title += f", the same as in {previous['fiscal_year']}"
    else:
        direction = "down" if last["value"] < previous["value"] else "up"
        title += f", {direction} from {shown(previous['value'])} in {previous['fiscal_year']}"
    if len(rows) > 2:
        title += f" ({shown(first['value'])} in {first['fiscal_year']}, the first year held)"
    return title


def _span(frame: pd.DataFrame) -> str:
    first, last = frame["fiscal_year"].min(), frame["fiscal_year"].max()
    return first if first == last else f"{first} to {last}"


def _bars(
    x: list[str], y: list[float], text: list[str], colours: list[str], name: str, bases: list[str] | None = None
) -> go.Bar:
    """One bar a category, labelled outside; bars whose basis is not reported hatched."""
    return style.hatch_by_basis(
        go.Bar(
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
        ),
        bases or ["reported"] * len(y),
    )


def _list_values(frame: pd.DataFrame, label: str = "fiscal_year") -> str:
    return "; ".join(
        f"{row[label]} {vocab.gbp_m(row['value'], qualifier=row['qualifier'])}{_basis_note(row['basis'])}"
        for _, row in frame.iterrows()
    )


def yearly_bar_chart(
    chart_id: str,
    frame: pd.DataFrame,
    *,
    name: str,
    colours: list[str],
    text: list[str],
    columns: dict[str, str],
    title: str,
    subtitle: str,
    alt_text: str,
    percent_axis: str | None = None,
) -> Chart:
    """The repeated shape: one bar a year held (a gap says "not reported"), value labels, bars from zero, the
    table behind it with provenance. `percent_axis` titles a 0-100% axis; else the axis is £ millions."""
    bases = list(frame["basis"]) if "basis" in frame.columns else None
    fig = go.Figure(_bars(list(frame["fiscal_year"]), list(frame["value"]), text, colours, name, bases))
    if percent_axis:
        fig.update_yaxes(ticksuffix="%", range=[0, 100], title={"text": percent_axis})
    else:
        style.money_axis(fig)
    _year_axis(fig, list(frame["fiscal_year"]))
    return style.make_chart(
        chart_id,
        fig,
        _table(frame, columns),
        title=title,
        subtitle=subtitle,
        source=style.source_line(frame),
        alt_text=alt_text,
        legend=False,
    )


def registered(
    chart_id: str,
    name: str,
    page: str,
    read: Callable[..., pd.DataFrame],
    draw: Callable[[pd.DataFrame], Chart],
) -> ChartBuilder:
    """A builder that is one metrics read and one chart function, registered in the catalogue. Named after its
    chart (build_<chart_id>), so each has its own entry in the pages' cache."""

    def build(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
        return draw(read(conn, as_at=as_at))

    build.__name__ = build.__qualname__ = f"build_{chart_id}"
    build.__module__ = draw.__module__
    return register(chart_id, name, page)(build)


def grouped_bars(rows: pd.DataFrame, text: list[str], colour: str, name: str) -> go.Bar:
    """One series of a grouped yearly bar chart (budget beside outturn, each quarter's forecast); bars whose basis
    is not reported hatched."""
    bar = go.Bar(
        x=list(rows["fiscal_year"]),
        y=list(rows["value"]),
        text=text,
        textposition="outside",
        cliponaxis=False,
        textfont={"size": 12},
        marker={"color": colour},
        name=name,
        hovertemplate="%{x}: %{text}<extra>" + name + "</extra>",
    )
    if "basis" not in rows.columns:
        return bar
    bases = set(rows["basis"])
    if len(bases) > 1 and bases != {"reported"}:
        # the legend's swatch is drawn like the series' first bar, hatched or not: the name says which are
        bar.name = f"{name} (hatched where {' or '.join(sorted(bases - {'reported'}))})"
    return style.hatch_by_basis(bar, list(rows["basis"]))


# More financial-year labels than this run into each other in a chart's column at 1400 px (~660 px wide):
# eight ran together as '2020/212021/22'.
YEARS_ACROSS_AT_MOST = 6


def year_categories(fig: go.Figure, years: list[str] | tuple[str, ...]) -> None:
    """The x axis as financial years in order; past YEARS_ACROSS_AT_MOST years every other year is labelled
    (slanted labels ran into the source line under the chart). Every year keeps its place and its hover text."""
    fig.update_xaxes(categoryorder="array", categoryarray=list(years), range=[-0.5, len(years) - 0.5])
    if len(years) > YEARS_ACROSS_AT_MOST:
        fig.update_xaxes(tickmode="array", tickvals=list(years)[::2])
