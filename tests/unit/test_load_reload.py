"""A corrected period close reloads in time and memory linear in its lines, and the preview of a
reload says what it replaces exactly as the rules state (checked line by line here, in Python)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter, defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import load
from data.access import Actor
from data.db import connect
from data.load import writes
from tests.support.helpers import PROJECT_DIR
from tests.support.load_files import csv_bytes, peak_mb_of

ADMIN = Actor("finance.bp@dorsetcouncil.example", "admin")
DIRECTORATES = ["Adults & Housing", "Children's Services", "Place"]
RELOAD_LINES = 20_000
RELOAD_PEAK_MB = 400


def period_close(lines: int, forecast_factor: Decimal = Decimal(1)) -> bytes:
    """A P6 extract of `lines` cost centres over three directorates; forecasts scaled by `forecast_factor`."""
    rows = []
    for n in range(lines):
        budget = Decimal(10_000 + n * 37 % 90_000)
        forecast = (budget * Decimal("1.02") * forecast_factor).quantize(Decimal("0.01"))
        rows.append(["2021/22", "P6", DIRECTORATES[n % 3], "Service", f"CC-{n:06d}", budget, budget / 2, forecast])
    return csv_bytes(rows)


def test_reloading_a_20000_line_period_keeps_the_loads_peak_memory_under_400_mb(db_path, tmp_path):
    first, corrected = tmp_path / "p6.csv", tmp_path / "p6_corrected.csv"
    first.write_bytes(period_close(RELOAD_LINES))
    corrected.write_bytes(period_close(RELOAD_LINES, Decimal("1.01")))
    load_command = [sys.executable, "-m", "data", "load", "--kind", "monitoring", "--db", str(db_path)]
    subprocess.run([*load_command, str(first)], cwd=PROJECT_DIR, check=True, capture_output=True, timeout=600)

    peak_mb, done = peak_mb_of([*load_command, str(corrected)])

    print(f"peak memory of reloading {RELOAD_LINES:,} lines: {peak_mb:.0f} MB")
    assert f"replaced {RELOAD_LINES:,} reported lines" in done.stdout
    assert peak_mb < RELOAD_PEAK_MB


def test_a_file_already_loaded_is_refused_before_its_preview_is_worked_out(db_path, monkeypatch):
    content = period_close(30)
    with connect(db_path, read_only=True) as conn:
        parsed = load.read("p6.csv", content, load.directorate_aliases(conn), "monitoring")
    with connect(db_path) as conn:
        first = load.apply(conn, parsed, ADMIN)
    monkeypatch.setattr(writes, "_FIND_REPLACED", {})  # any preview work now fails
    with connect(db_path, read_only=True) as conn:
        summary = load.preview(conn, parsed)
    assert summary.duplicate_of == first.load_id
    assert summary.changes.empty


# --- the preview of any reload, against the rules worked out line by line -----------------------------

# A held line: (directorate, cost centre, budget, forecast). The file's lines are drawn from the same few
# cost centres, so files move, keep, drop and add them.
CENTRES = [f"CC-{n}" for n in range(8)]
line = st.tuples(st.sampled_from(DIRECTORATES), st.integers(0, 500), st.integers(0, 500))
lines = st.dictionaries(st.sampled_from(CENTRES), line, max_size=len(CENTRES))


def replaced_centres(held: dict, incoming: dict) -> set[str]:
    """A file's line replaces every held line of its period under the same directorate or cost centre."""
    directorates = {d for d, *_ in incoming.values()}
    return {centre for centre, (directorate, *_) in held.items() if centre in incoming or directorate in directorates}


def expected_preview(held: dict, incoming: dict) -> dict[str, tuple]:
    """Per directorate: in file, added, replaced, removed, moved, then budget and forecast in file and held now.

    A replaced line is "moved" if the file has its cost centre under another directorate, "removed" if the
    file does not have it; "held now" is every reported line of the directorate and period.
    """
    replaced = replaced_centres(held, incoming)
    counts: dict[str, Counter] = defaultdict(Counter)
    for centre, (directorate, budget, forecast) in incoming.items():
        counts[directorate].update(
            in_file=1, added=centre not in replaced, replaced=centre in replaced, budget=budget, forecast=forecast
        )
    for centre in replaced:
        directorate = held[centre][0]
        if centre not in incoming:
            counts[directorate].update(removed=1)
        elif incoming[centre][0] != directorate:
            counts[directorate].update(moved=1)
    for directorate, budget, forecast in held.values():
        if directorate in counts:
            counts[directorate].update(budget_now=budget, forecast_now=forecast)
    for c in counts.values():
        c.update(variance=c["forecast"] - c["budget"], variance_now=c["forecast_now"] - c["budget_now"])
    order = ("in_file", "added", "replaced", "removed", "moved", "budget", "forecast", "variance", "budget_now",
             "forecast_now", "variance_now")  # fmt: skip
    return {directorate: tuple(c[key] for key in order) for directorate, c in counts.items()}


HELD_LINE = """
    INSERT INTO monitoring
    VALUES ('2021/22', $p, $d, 'Service', $c, $b, 0, $f, 'reported', (SELECT min(load_id) FROM loads))
"""
PREVIEW_COLUMNS = [
    "lines_in_file",
    "lines_added",
    "lines_replaced",
    "lines_removed",
    "lines_moved_to_another_directorate",
    "annual_budget_gbp_in_file",
    "forecast_outturn_gbp_in_file",
    "variance_gbp_in_file",
    "annual_budget_gbp_held_now",
    "forecast_outturn_gbp_held_now",
    "variance_gbp_held_now",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(held=lines, incoming=lines.filter(bool))
def test_the_preview_of_a_reload_counts_and_sums_each_directorate_as_the_rules_say(write_conn, held, incoming):
    rows = [["2021/22", "P6", d, "Service", c, b, 0, f] for c, (d, b, f) in incoming.items()]
    parsed = load.read("p6.csv", csv_bytes(rows), load.directorate_aliases(write_conn), "monitoring")
    write_conn.execute("BEGIN TRANSACTION")
    try:
        for centre, (directorate, budget, forecast) in held.items():
            write_conn.execute(
                HELD_LINE,
                {"p": 6, "d": directorate, "c": centre, "b": budget, "f": forecast},
            )
        write_conn.execute(  # another period of the same year: never replaced, never counted
            HELD_LINE, {"p": 4, "d": "Place", "c": "CC-0", "b": 1, "f": 1}
        )
        changes = load.preview(write_conn, parsed).changes
        write_conn.register("incoming_rows", parsed.frame)
        for statement in writes._FIND_REPLACED["monitoring"]:
            write_conn.execute(statement)
        replaced = write_conn.execute(
            "SELECT cost_centre FROM monitoring WHERE rowid IN (SELECT row_id FROM replaced_rows)"
        ).fetchall()
    finally:
        write_conn.execute("ROLLBACK")
    shown = {
        row["directorate"]: tuple(int(row[column]) for column in PREVIEW_COLUMNS) for row in changes.to_dict("records")
    }
    assert shown == expected_preview(held, incoming)
    assert sorted(centre for (centre,) in replaced) == sorted(replaced_centres(held, incoming))
