"""Show a Chart the same way everywhere: the figure, its alt text, its data and its downloads."""

from __future__ import annotations

import streamlit as st

from charts.spec import Chart


def show_chart(chart: Chart) -> None:
    """Render a chart with the Plotly template it was built with (theme=None: screen = export)."""
    st.plotly_chart(chart.figure, theme=None, width="stretch", key=f"chart_{chart.chart_id}")
    st.caption(chart.alt_text)
    if chart.labels:
        st.caption("Includes: " + ", ".join(chart.labels) + ".")
    with st.expander("Show the data"):
        st.dataframe(chart.data, hide_index=True, width="stretch")
    st.download_button(
        "Download data (CSV)",
        data=chart.data.to_csv(index=False).encode("utf-8"),
        file_name=f"{chart.chart_id}.csv",
        mime="text/csv",
        key=f"csv_{chart.chart_id}",
    )
