"""A one-chart Streamlit app for the browser test: a test chart from the real database in the real chart panel."""

import duckdb

from data.db import database_path
from tests.support.export_charts import TEST_CHARTS
from ui.chart_panel import show_chart

with duckdb.connect(str(database_path()), read_only=True) as conn:
    chart = TEST_CHARTS["test_sample_budget"](conn)
show_chart(chart)
