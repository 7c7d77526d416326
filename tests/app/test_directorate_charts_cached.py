"""The Directorates page keeps its built charts in the cache: a view seen before builds no figure again."""

from __future__ import annotations

import pickle
from collections import Counter

from streamlit.testing.v1 import AppTest

from charts import monitoring as monitoring_charts
from charts import style
from data.db import connect
from metrics import monitoring
from tests.support.helpers import PROJECT_DIR

FRAME = f"""
import streamlit as st
from ui import sidebar
navigation = st.navigation([st.Page({str(PROJECT_DIR / "pages" / "directorates.py")!r}, default=True)])
sidebar.render()
navigation.run()
"""
BUILDERS = ("variance_chart", "drift_chart", "cost_centres_chart")


def test_a_directorate_chosen_again_builds_none_of_its_charts_again(db_path, monkeypatch):
    built = Counter()
    for name in BUILDERS:
        original = getattr(monitoring_charts, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            built[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(monitoring_charts, name, counting)

    at = AppTest.from_string(FRAME, default_timeout=60)
    at.run()
    assert not at.exception
    assert built == Counter(dict.fromkeys(BUILDERS, 1))
    box = at.sidebar.multiselect[0]
    box.set_value(["Place"]).run()
    box.set_value([]).run()
    box.set_value(["Place"]).run()
    assert not at.exception
    assert "Place" in at.get("plotly_chart")[0].proto.spec
    assert built == Counter(dict.fromkeys(BUILDERS, 2))  # once for all directorates, once for Place


def test_a_chart_copied_out_of_the_cache_is_narrowed_for_a_phone_as_the_one_built(db_path):
    # The cache pickles a Chart: its numbers come back as typed arrays ({"dtype", "bdata"}), not arrays.
    with connect(db_path, read_only=True) as conn:
        year = str(monitoring.years(conn).iloc[0]["fiscal_year"])
        built = monitoring_charts.drift_until(conn, fiscal_year=year, period=12, directorates=["Place"])
    copied = pickle.loads(pickle.dumps(built))
    assert isinstance(copied.figure.data[0].y, dict)
    narrow_built, narrow_copied = style.narrow_figure(built), style.narrow_figure(copied)
    assert narrow_copied.layout.yaxis.tickvals == narrow_built.layout.yaxis.tickvals
    assert narrow_copied.layout.margin.l == narrow_built.layout.margin.l
