"""One plausible-date rule for every date that enters: a source's date and a figure's as-at date in a load, the
dashboard's as-at date in a link. A slip (2202 for 2022, 0001-01-01) is refused with a reason and changes
nothing; a link's bad date shows the latest figures and does not stay in the session."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest

from data import build as build_module
from data import load
from data.__main__ import main as cli
from data.db import connect
from data.vocab import EARLIEST_PLAUSIBLE_DATE, implausible_date
from tests.support.helpers import open_page
from tests.support.load_files import csv_bytes, table_checksums

HEADER = ["measure", "label", "fiscal_year", "period", "value", "unit", "basis", "as_at_date", "source_document",
          "source_section", "source_quote", "source_date"]  # fmt: skip
ROW = ["dsg_cumulative_deficit", "DSG deficit", "2021/22", "outturn", "51.2", "gbp_m", "reported", "2022-03-31",
       "Outturn report 2021/22 (test file)", "S4", "The deficit was £51.2m", "2022-07-19"]  # fmt: skip
BOX = "dashboard_as_at_picker"


def figures_file(**cells: str) -> bytes:
    row = list(ROW)
    for column, value in cells.items():
        row[HEADER.index(column)] = value
    return csv_bytes([row], HEADER)


def test_the_rule_refuses_the_future_for_what_is_known_and_allows_it_for_what_is_due():
    today = date(2026, 12, 6)
    assert implausible_date(date(2202, 7, 19), today=today).startswith("is 2202-07-19, after today")
    assert implausible_date(date(1, 1, 1), today=today).startswith("is 0001-01-01, before 2000-01-01")
    assert implausible_date(date(2027, 1, 1), today=today) is not None
    assert implausible_date(date(2027, 1, 1), may_be_future=True, today=today) is None
    assert implausible_date(date(2042, 1, 1), may_be_future=True, today=today) is not None
    assert implausible_date(today, today=today) is None and implausible_date(EARLIEST_PLAUSIBLE_DATE) is None


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"source_date": "2202-07-19"}, "source_date (L)", "after today"),
        ({"source_date": "0001-01-01"}, "source_date (L)", "before 2000-01-01"),
        ({"as_at_date": "9999-12-31"}, "as_at_date (H)", "after today"),
        ({"as_at_date": "2022-09-30"}, "as_at_date (H)", "after the source's date 2022-07-19"),
        (
            {"fiscal_year": "2031/32"},
            "fiscal_year (C)",
            "is 2031/32, which begins on 1 April 2031, after the source's date (19 July 2022)",
        ),
    ],
    ids=["source in 2202", "source in year 1", "as at 9999", "as at after its source", "year end of a later year"],
)
def test_an_implausible_date_in_a_figures_file_is_refused_and_changes_nothing(
    db_path, tmp_path, capsys, cells, column, words
):
    before = table_checksums(db_path)
    file = tmp_path / "figures.csv"
    file.write_bytes(figures_file(**cells))
    assert cli(["load", str(file), "--db", str(db_path), "--kind", "figures"]) == 1
    err = capsys.readouterr().err
    assert f"row 2, column {column}" in err and words in err, err
    assert table_checksums(db_path) == before


def test_a_plan_may_be_for_a_later_year_but_what_has_happened_may_not(db_path, tmp_path, capsys):
    """2031/32 was accepted for anything (financial years ran from 1990 to 2100). A budget or forecast may be for a
    year not yet begun; a year end, a quarter or a period close may not."""
    file = tmp_path / "budget.csv"
    file.write_bytes(figures_file(measure="net_budget", label="Net revenue budget", fiscal_year="2031/32",
                                  period="budget", as_at_date=""))  # fmt: skip
    assert cli(["load", str(file), "--db", str(db_path), "--kind", "figures"]) == 0, capsys.readouterr().err
    before = table_checksums(db_path)
    extract = tmp_path / "p3.csv"
    later = date.today().year + 1
    extract.write_bytes(
        csv_bytes(
            [[f"{later}/{(later + 1) % 100:02d}", "P3", "Place", "Highways", "PL-1", "1000", "50", "900"]],
            ["fiscal_year", "period", "directorate", "service", "cost_centre", "annual_budget_gbp", "actual_ytd_gbp",
             "forecast_outturn_gbp"],
        )
    )  # fmt: skip
    capsys.readouterr()
    assert cli(["load", str(extract), "--db", str(db_path), "--kind", "monitoring"]) == 1
    err = capsys.readouterr().err
    assert f"row 2, column fiscal_year (A): fiscal_year is {later}/" in err, err
    assert f"which begins on 1 April {later}, after today" in err and "Traceback" not in err, err
    assert table_checksums(db_path) == before
    next_year = f"{later}/{(later + 1) % 100:02d}"
    refused = {
        "savings.csv": csv_bytes(
            [[next_year, "P4", "Place", "Waste rounds", "800000", "800000", "On track"]],
            ["fiscal_year", "period", "directorate", "scheme", "target_gbp", "forecast_delivery_gbp", "status"],
        ),
        "monthly.csv": csv_bytes(  # the earlier monthly format is a period close too
            [[next_year, month, "Place", "Highways", "PL-1", "100", "10", "90"] for month in range(1, 13)],
            ["fiscal_year", "period_month", "directorate", "service", "cost_centre", "budget_gbp", "actual_gbp",
             "forecast_gbp"],
        ),
    }  # fmt: skip
    for name, content in refused.items():
        (tmp_path / name).write_bytes(content)
        assert cli(["load", str(tmp_path / name), "--db", str(db_path)]) == 1, name
        err = capsys.readouterr().err
        assert f"column fiscal_year (A): fiscal_year is {next_year}, which begins on 1 April {later}" in err, err
    assert table_checksums(db_path) == before
    # A figure given at a date that is not a balance (the override's expiry) may name a later year.
    expiry = tmp_path / "expiry.csv"
    expiry.write_bytes(figures_file(measure="dsg_statutory_override_expiry", label="Override expiry",
                                    fiscal_year="2031/32", period="as_at", value="2028", unit="year"))  # fmt: skip
    assert cli(["load", str(expiry), "--db", str(db_path), "--kind", "figures"]) == 0, capsys.readouterr().err


def test_the_preview_of_a_figures_file_shows_each_figures_source_and_as_at_dates(db_path):
    with connect(db_path, read_only=True) as conn:
        parsed = load.read("figures.csv", figures_file(), load.directorate_aliases(conn), "figures")
        changes = load.preview(conn, parsed).changes
    row = changes.iloc[0]
    assert str(row["source_date"])[:10] == "2022-07-19" and str(row["as_at_date"])[:10] == "2022-03-31"


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2202-07-19"])
def test_a_links_implausible_as_at_date_shows_the_latest_figures_and_does_not_stay(app_test, value):
    app_test.query_params["as_at"] = value
    at = app_test.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("not a date it can be shown at" in caption.value for caption in at.sidebar.caption)
    # Neither the address nor the session keeps it: the Action plan (whose tracker overflowed on 9999-12-31)
    # and the Briefing pack are drawn at the latest figures; the sidebar says why until a date is chosen.
    for page in ("pages/action_plan.py", "pages/briefing.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert "as_at" not in at.query_params and at.sidebar.date_input(key=BOX).value is None
    at.switch_page("pages/action_plan.py").run()
    assert f"As at today, {date.today():%-d %B %Y}" in " ".join(c.value for c in at.main.caption)
    at.sidebar.date_input(key=BOX).set_value(date(2021, 10, 5)).run()
    assert not any("not a date it can be shown at" in caption.value for caption in at.sidebar.caption)
    assert at.query_params["as_at"] in ("2021-10-05", ["2021-10-05"])


def test_the_briefing_pack_as_at_a_date_before_every_document_says_so_instead_of_failing(app_test):
    at = open_page(app_test, "pages/briefing.py", as_at="2021-10-04")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("No source document is held as at 4 October 2021" in info.value for info in at.info)
    at.switch_page("pages/overview.py").run()
    assert not at.exception and not at.error


@pytest.mark.parametrize(
    ("file", "column", "value", "words"),
    [
        ("recommendations", "due_date", "2202-03-31", "after 20"),
        ("reported_figures", "as_at_date", "2202-03-31", "after today"),
        ("action_updates_seed", "revised_due_date", "0001-01-01", "before 2000-01-01"),
    ],
)
def test_a_build_from_a_csv_with_an_implausible_date_is_refused_naming_the_row(
    db_path, tmp_path, monkeypatch, file, column, value, words
):
    for name in ("directorates", "measures", "reported_figures", "recommendations", "action_updates_seed"):
        shutil.copyfile(build_module.DATA_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    with (tmp_path / f"{file}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] = value
    with (tmp_path / f"{file}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = table_checksums(db_path)
    monkeypatch.setattr(build_module, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=rf"{file}.csv, row 2, column {column}: {column} is {value}, {words}"):
        build_module.build(db_path, force=True, sample_rows=0, built_by="pytest")
    assert table_checksums(db_path) == before
