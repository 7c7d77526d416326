"""The reserves-cover chart's source line says "Cover paired across years" once and lists every pairing, on the
wide figure and the phone's: with later figures loaded it said it once per pairing, four times over."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from charts import style
from charts.reserves import build_reserves_against_deficit, reserves_against_deficit_chart
from data.__main__ import main as data_cli
from metrics import dsg as dsg_metrics
from metrics import reserves as reserves_metrics

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "later_figures_sample.csv"
PAIRED = "Cover paired across years"


def footer(fig) -> str:
    [text] = [note.text for note in fig.layout.annotations if note.name == "source"]
    return " ".join(text.replace("<br>", " ").split())


def test_the_cover_chart_says_paired_across_years_once_and_names_every_pairing(db_path):
    assert data_cli(["load", str(FIXTURE), "--db", str(db_path), "--kind", "figures"]) == 0
    with duckdb.connect(str(db_path), read_only=True) as conn:
        ratios = reserves_metrics.cover_ratios(conn)
        chart = build_reserves_against_deficit(conn)
    pairings = list(dict.fromkeys(ratios.loc[~ratios["same_vintage"].astype(bool), "pairing"]))
    assert len(pairings) >= 2, "the later figures pair reserves with deficits of later years"
    for fig in (chart.figure, style.narrow_figure(chart)):
        words = footer(fig)
        assert words.count(PAIRED) == 1, words
        assert all(pairing in words for pairing in pairings), words
        assert words.startswith(chart.source), "the source line still comes first, with its documents"


def test_pairings_are_listed_once_each_after_one_opening(conn):
    reserves = reserves_metrics.reserves(conn)
    points = dsg_metrics.dsg_known_points(conn)
    ratios = reserves_metrics.cover_ratios(conn)
    made_up = ["usable reserves at end 2020/21 against 2021/22", "general fund reserve at end 2020/21 against 2022/23"]
    across = pd.concat(
        [ratios.iloc[[0]].assign(same_vintage=False, headline=False, pairing=text) for text in made_up * 2],
        ignore_index=True,
    )
    chart = reserves_against_deficit_chart(reserves, points, pd.concat([ratios, across], ignore_index=True))
    words = footer(chart.figure)
    assert words.count(PAIRED) == 1, words
    assert all(words.count(text) == 1 for text in made_up), words
