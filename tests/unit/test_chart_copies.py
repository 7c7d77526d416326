"""A copy of a Chart (how the figure cache, ui/cache.py, hands each caller its own) is the same chart, rebuilt
without Plotly validating every property again, and independent of the original."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from charts.all import load_catalogue


@pytest.fixture(scope="module")
def every_chart(conn):
    return [entry.build(conn) for entry in load_catalogue().values()]


def test_a_copy_of_every_chart_draws_the_same_figure_and_carries_the_same_data(every_chart):
    for chart in every_chart:
        copied = pickle.loads(pickle.dumps(chart))
        assert json.loads(copied.figure.to_json()) == json.loads(chart.figure.to_json()), chart.chart_id
        assert type(copied.figure) is type(chart.figure)
        assert copied.data.equals(chart.data)
        assert (copied.title, copied.subtitle, copied.source, copied.alt_text, copied.labels, copied.as_at) == (
            chart.title, chart.subtitle, chart.source, chart.alt_text, chart.labels, chart.as_at,
        )  # fmt: skip


def test_a_copy_is_rebuilt_without_validating_again_and_changing_it_leaves_the_original(every_chart):
    chart = every_chart[0]
    copied = pickle.loads(pickle.dumps(chart))
    assert copied.figure._validate is False  # Plotly's own switch; the original was validated when built
    deep = copy.deepcopy(copied)
    deep.figure.update_layout(title_text="changed")
    copied.figure.update_layout(title_text="changed too")
    assert chart.figure.layout.title.text not in ("changed", "changed too")
    assert deep.figure.layout.title.text == "changed"
