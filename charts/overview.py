"""The Overview's action plan chart: the recommendations by status in one bar."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from charts import style
from charts.catalogue import register
from charts.spec import Chart
from data import vocab
from metrics.recommendations import status_counts

STATUS_ORDER = [vocab.STATUS_FROM_LABEL.get(label) for label in vocab.STATUS_COLOURS]


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


@register("overview_action_status", "Action plan progress in one bar", vocab.OVERVIEW.title)
def build_action_status(conn: duckdb.DuckDBPyConnection, *, as_at: date | None = None) -> Chart:
    return action_status_chart(status_counts(conn, as_at=as_at))
