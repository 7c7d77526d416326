"""Show a Chart the same way everywhere: the figure, and beside it its alt text, its data and its downloads."""

from __future__ import annotations

import streamlit as st

from charts.spec import Chart


def show_chart(chart: Chart) -> None:
    """Render a chart with the Plotly template it was built with (theme=None: screen = export).

    Call it at the top level of a page (not inside st.columns): it lays out its own two columns.
    """
    figure_column, side = st.columns([3, 1], gap="medium")
    with figure_column:
        st.plotly_chart(chart.figure, theme=None, width="stretch", key=f"chart_{chart.chart_id}")
    with side:
        st.caption(f"**What this chart shows.** {chart.alt_text}")
        if chart.labels:
            st.caption("Includes values that are: " + ", ".join(chart.labels) + " (marked in the chart).")
        with st.expander("Show the data"):
            st.dataframe(chart.data, hide_index=True, width="stretch")
        st.download_button(
            "Download data (CSV)",
            data=chart.data.to_csv(index=False).encode("utf-8"),
            file_name=f"{chart.chart_id}.csv",
            mime="text/csv",
            key=f"csv_{chart.chart_id}",
            icon=":material/download:",
        )
