"""`python -m exports briefing`: the monthly pack from a scheduled job."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from pptx import Presentation
from pypdf import PdfReader

from charts.all import load_catalogue
from charts.catalogue import CATALOGUE, CatalogueEntry
from exports import __main__ as cli
from tests.support.export_charts import TEST_CHARTS
from tests.support.helpers import CHROMIUM, PROJECT_DIR
from tests.support.pack_checks import deck_problems


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "exports", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def test_charts_registered(monkeypatch):
    for chart_id, build in TEST_CHARTS.items():
        monkeypatch.setitem(CATALOGUE, chart_id, CatalogueEntry(chart_id, chart_id, "Tests", build))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_default_pack_has_headline_figures_then_every_catalogue_chart(built_db, tmp_path):
    out = tmp_path / "monthly" / "pack.pptx"
    result = run_cli("briefing", "--out", str(out), "--db", str(built_db))
    assert result.returncode == 0, result.stderr
    deck = Presentation(str(out))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert len(titles) == 2 + len(load_catalogue())
    assert titles[1] == "Headline figures"
    assert deck_problems(out.read_bytes()) == [], "every chart's slide: one title, no text over its box"
    assert str(out) in result.stdout
    assert not list(out.parent.glob("*.part")), "no partial file left behind"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_chosen_charts_in_the_given_order_as_pdf(built_db, tmp_path, test_charts_registered, capsys):
    out = tmp_path / "pack.pdf"
    code = cli.main(["briefing", "--out", str(out), "--db", str(built_db), "--charts", *reversed(list(TEST_CHARTS))])
    assert code == 0, capsys.readouterr().err
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 1 + 1 + len(TEST_CHARTS)
    outline = [entry.title for entry in reader.outline]
    assert outline[1] == "Headline figures"
    assert [title.split()[0] for title in outline[2:]] == ["Adults", "Net"]


def test_list_names_the_chart_ids(test_charts_registered, capsys):
    assert cli.main(["list"]) == 0
    assert {line.split("\t")[0] for line in capsys.readouterr().out.splitlines()} >= set(TEST_CHARTS)


def test_unknown_chart_id_is_refused_with_the_known_ids(built_db, tmp_path, test_charts_registered, capsys):
    out = tmp_path / "pack.pptx"
    assert cli.main(["briefing", "--out", str(out), "--db", str(built_db), "--charts", "no_such_chart"]) == 2
    error = capsys.readouterr().err
    assert "no_such_chart" in error and "test_net_budget" in error
    assert not out.exists()


def test_wrong_suffix_is_refused(built_db, tmp_path, capsys):
    assert cli.main(["briefing", "--out", str(tmp_path / "pack.docx"), "--db", str(built_db)]) == 2
    assert ".pptx or .pdf" in capsys.readouterr().err


def test_missing_database_exits_1_with_a_message(tmp_path):
    result = run_cli("briefing", "--out", str(tmp_path / "p.pptx"), "--db", str(tmp_path / "absent.duckdb"))
    assert result.returncode == 1
    assert "python -m data build" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_chromium_exits_1_with_how_to_enable_and_writes_nothing(built_db, tmp_path):
    out = tmp_path / "pack.pdf"
    result = run_cli(
        "briefing", "--out", str(out), "--db", str(built_db), env={"CHROMIUM_PATH": str(tmp_path / "none")}
    )
    assert result.returncode == 1
    assert "apt-get install -y chromium" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
