"""The period-close CSV extract is checked in DuckDB (data/load/staged.py), and any file it
accepts is accepted by the cell-by-cell checks with exactly the same typed rows; anything else goes to the
cell-by-cell checks, whose messages are unchanged."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from data import load
from data.load import cells, staged
from data.load._model import MONITORING_COLUMNS
from tests.support.helpers import PROJECT_DIR
from tests.support.load_files import csv_bytes, peak_mb_of

TEMPLATE = PROJECT_DIR / "data" / "templates" / "monitoring_template.csv"
DRY_RUN_LINES = 500_000  # MAX_ROWS: the longest extract a load takes
DRY_RUN_PEAK_MB = 400
NAMES = {
    "place": "Place",
    "children's services": "Children's Services",
    "childrens": "Children's Services",
    "adults & housing": "Adults & Housing",
}

years = st.sampled_from(["2021/22", "2021-22", " 2021/22 ", "2021/2022", "2021/23", "", "=1+1", "21/22"])
periods = st.sampled_from(["P6", "p06", "6", " P6", "P13", "0", "", "P 6", "6.0", "P4"])
directorates = st.sampled_from(["Place", "place", "Children's Services", "Childrens", "Parks", "", " Place "])
texts = st.one_of(
    st.sampled_from(["Highways", "CC-1", "CC-2", "Care & Protection", "=SUM(A1)", "-x", "a<b>", "&amp;", "[a](b)"]),
    st.text(alphabet="Ab1 &;<>[]()=+-@£é\t\",'.#", min_size=0, max_size=8),
)
LEDGER_AMOUNTS = ["1234.50", "£1,234.50", "-£12", "£-12", "(1,234.50)", "(£5)", "-0", "(0)", ".5", "1.5", "1,23",
                  "1.234", "£ 12", "12£", "--1", "(-1)", "999999999999.99", "1000000000000", ""]  # fmt: skip
amounts = st.one_of(
    st.sampled_from(LEDGER_AMOUNTS),
    st.text(alphabet="0123456789,.£-() e", min_size=0, max_size=14),
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False).map(str),
)
# A ledger's lines: each one written as a ledger writes it, then at most one cell of the file made odd.
ledger_line = st.tuples(
    st.sampled_from(["2021/22", "2021-22"]),
    st.sampled_from(["P6", "6", "p06"]),
    st.sampled_from(["Place", "Children's Services", "childrens"]),
    st.sampled_from(["Highways", "Care & Protection", "ICT (central)"]),
    st.integers(0, 9).map(lambda n: f"CC-{n}"),
    *[st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(lambda d: f"£{d:,}")] * 3,
).map(list)
odd_cell = st.tuples(st.integers(0, 7), st.one_of(years, periods, directorates, texts, amounts))


def one_cell_made_odd(lines: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """One to five lines, then at most one cell of them (column, value) replaced."""
    return st.tuples(st.lists(lines, min_size=1, max_size=5), st.none() | odd, st.integers(0, 4)).map(
        lambda drawn: [
            [drawn[1][1] if drawn[1] and n == drawn[2] % len(drawn[0]) and i == drawn[1][0] else cell
             for i, cell in enumerate(line)]
            for n, line in enumerate(drawn[0])
        ]
    )  # fmt: skip


rows = one_cell_made_odd(ledger_line, odd_cell)


def read_cell_by_cell(name: str, content: bytes) -> load.ParsedFile:
    raw, problems = load.parse(name, content)
    assert not problems
    return cells.validate_monitoring(raw, NAMES)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=rows, order=st.permutations(range(8)))
def test_a_file_the_staged_checks_accept_is_accepted_cell_by_cell_with_the_same_rows(lines, order):
    header = [MONITORING_COLUMNS[i] for i in order]
    content = csv_bytes([[line[i] for i in order] for line in lines], header)
    fast = staged.monitoring_extract("p6.csv", content, cells._monitoring_checks(NAMES))
    event("checked in DuckDB" if fast is not None else "left to the cell-by-cell checks")
    if fast is None:
        return
    slow = read_cell_by_cell("p6.csv", content)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert (fast.kind, fast.file_name, fast.sha256, fast.notes) == (slow.kind, slow.file_name, slow.sha256, slow.notes)


def test_the_template_and_a_ledger_extract_are_checked_in_duckdb_not_cell_by_cell(monkeypatch):
    def cell_by_cell(*args, **kwargs):
        raise AssertionError("checked cell by cell")

    monkeypatch.setattr(cells, "_rows", cell_by_cell)
    parsed = load.read(
        "template.csv", TEMPLATE.read_bytes(), NAMES | {"corporate development": "Corporate Development"}
    )
    assert len(parsed.frame) == 3
    assert list(parsed.frame["annual_budget_gbp"]) == ["1200000.00", "3500000.00", "250000.00"]


@pytest.mark.parametrize(
    ("cell", "column"),
    [("£1,2345", "annual_budget_gbp (F)"), ("Parks", "directorate (C)"), ("=1+1", "service (D)")],
)
def test_a_problem_is_still_named_by_row_and_column_with_the_same_words(cell, column):
    line = ["2021/22", "P6", "Place", "Highways", "PL-1", "1000", "400", "1100"]
    index = {"annual_budget_gbp (F)": 5, "directorate (C)": 2, "service (D)": 3}[column]
    bad = [*line[:index], cell, *line[index + 1 :]]
    content = csv_bytes([line, bad])
    with pytest.raises(load.LoadRejected) as staged_path:
        load.read("p6.csv", content, NAMES)
    raw, _ = load.parse("p6.csv", content)
    with pytest.raises(load.LoadRejected) as cell_path:
        cells.validate_monitoring(raw, NAMES)
    assert [(p.row, p.column) for p in staged_path.value.problems] == [(3, column)]
    assert staged_path.value.problems == cell_path.value.problems


def test_a_long_extract_keeps_the_files_order_of_lines():
    centres = [f"CC-{(n * 7919) % 120_000:06d}" for n in range(120_000)]  # no order DuckDB could fall back on
    lines = [["2021/22", "P6", ("Place", "childrens")[n % 2], "Highways", centre, "10", "5", "11"]
             for n, centre in enumerate(centres)]  # fmt: skip
    parsed = staged.monitoring_extract("p6.csv", csv_bytes(lines), cells._monitoring_checks(NAMES))
    assert parsed is not None
    assert list(parsed.frame["cost_centre"]) == centres
    assert list(parsed.frame["directorate"][:2]) == ["Place", "Children's Services"]


def test_a_500000_line_dry_run_peaks_under_400_mb_and_previews_every_line(db_path, tmp_path):
    extract = tmp_path / "p6_500k.csv"
    with extract.open("w") as handle:  # short lines, so that 500,000 fit under the 20 MB upload limit
        handle.write(",".join(MONITORING_COLUMNS) + "\n")
        handle.writelines(f"2021/22,P6,Place,S,C{n:06d},{100 + n % 900},{n % 450},{102 + n % 900}\n"
                          for n in range(DRY_RUN_LINES))  # fmt: skip

    peak_mb, done = peak_mb_of([sys.executable, "-m", "data", "load", "--dry-run", "--db", str(db_path), str(extract)])

    print(f"peak memory of a {DRY_RUN_LINES:,}-line dry run: {peak_mb:.0f} MB")
    assert done.returncode == 0, done.stderr
    assert f"{DRY_RUN_LINES:,} line" in done.stdout  # every line previewed
    assert "dry run: nothing written" in done.stdout
    assert peak_mb < DRY_RUN_PEAK_MB
