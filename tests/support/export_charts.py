"""Two real charts built from the real database, for testing exports while the catalogue is empty.

Shaped like the app's charts: statement title and subtitle in the figure's title, the source line as an
annotation under the plot, and (for the chart on the sample monitoring lines) the "sample data" label
inside the figure. Not collected by pytest (no test_ prefix); also used by bench/export_bench.py.
"""

from __future__ import annotations

import afcharts.pio_template  # noqa: F401 - registers the "afcharts" Plotly template
import duckdb
import plotly.graph_objects as go

from charts.spec import SAMPLE_LABEL, Chart
from data import vocab
from metrics.figures import figures, source_documents


def _layout(figure: go.Figure, title: str, subtitle: str, source: str, labels: tuple[str, ...]) -> None:
    figure.update_layout(
        template="afcharts",
        title={"text": title, "subtitle": {"text": subtitle}, "x": 0, "xanchor": "left"},
        margin={"t": 100, "b": 90, "l": 70, "r": 30},
        showlegend=False,
    )
    figure.add_annotation(
        text=source,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-45,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        name="source",
    )
    for label in labels:
        figure.add_annotation(
            text=label.capitalize(),
            xref="paper",
            yref="paper",
            x=1,
            y=1.02,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            bgcolor="#F46A25",
            font={"color": "white"},
        )


def net_budget_chart(conn: duckdb.DuckDBPyConnection) -> Chart:
    data = figures(conn, ["net_budget"])[["fiscal_year", "value", "qualifier", "source_quote"]]
    data = data.sort_values("fiscal_year").reset_index(drop=True)
    texts = [
        vocab.gbp_m(value, qualifier=qualifier if isinstance(qualifier, str) else None)
        for value, qualifier in zip(data["value"], data["qualifier"], strict=True)
    ]
    latest = data.iloc[-1]
    title = f"Net budget of {texts[-1]} for {latest['fiscal_year']}"
    subtitle = "Net revenue budget, Dorset Council, £ millions, " + " and ".join(data["fiscal_year"])
    source = "Source: Dorset Council Cabinet, 5 October 2021, Appendix 2"
    figure = go.Figure(go.Bar(x=data["fiscal_year"], y=data["value"], text=texts, textposition="outside"))
    _layout(figure, title, subtitle, source, ())
    figure.update_yaxes(rangemode="tozero", title="£m")
    sources = source_documents(conn)
    return Chart(
        chart_id="test_net_budget",
        figure=figure,
        data=data,
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text=f"Bar chart of the council's net revenue budget: {', '.join(texts)}.",
        as_at=sources["published_on"].iloc[0].date(),
    )


def sample_budget_chart(conn: duckdb.DuckDBPyConnection) -> Chart:
    data = conn.execute(
        """
        SELECT m.directorate, round(sum(m.annual_budget_gbp) / 1e6, 1)::DOUBLE AS budget_gbp_m,
               any_value(m.basis) AS basis
        FROM monitoring m JOIN directorates d USING (directorate)
        WHERE m.basis = 'sample' AND m.fiscal_year = $year AND m.period = 12
        GROUP BY m.directorate, d.sort_order ORDER BY d.sort_order
        """,
        {"year": "2020/21"},
    ).df()
    biggest = data.loc[data["budget_gbp_m"].idxmax()]
    title = f"{biggest['directorate']} holds the largest budget in the sample lines"
    subtitle = "Budget by directorate, 2020/21, £ millions (sample monitoring lines)"
    source = "Source: sample monitoring lines reconciled to Dorset Council Cabinet, 5 October 2021"
    figure = go.Figure(go.Bar(x=data["directorate"], y=data["budget_gbp_m"]))
    _layout(figure, title, subtitle, source, (SAMPLE_LABEL,))
    figure.update_yaxes(rangemode="tozero", title="£m")
    return Chart(
        chart_id="test_sample_budget",
        figure=figure,
        data=data,
        title=title,
        subtitle=subtitle,
        source=source,
        alt_text="Bar chart of 2020/21 budget by directorate from the sample monitoring lines.",
        labels=(SAMPLE_LABEL,),
        as_at=source_documents(conn)["published_on"].iloc[0].date(),
    )


TEST_CHARTS = {"test_net_budget": net_budget_chart, "test_sample_budget": sample_budget_chart}
