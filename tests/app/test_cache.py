"""Chart caches (ui/cache.py) under AppTest: every kind of write shows on the next run, and sessions with
different roles or as-at dates never share a cached view. Not timed: the speed is in bench/."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from data import load
from data.access import local_actor
from data.actions import record_update
from data.build import build
from data.db import connect
from tests.app.test_identity import AUTH, ROLES
from tests.support.helpers import PROJECT_DIR
from tests.support.load_files import csv_bytes

YEAR = "2020/21"
DIRECTORATES_FRAME = f"""
import streamlit as st
from ui import sidebar
navigation = st.navigation([st.Page({str(PROJECT_DIR / "pages" / "directorates.py")!r}, default=True)])
sidebar.render()
navigation.run()
"""
LOADED_ROWS = [
    [YEAR, "P1", "Place", "Highways", "HW-1", "250000", "262500.50", "250000"],
    [YEAR, "P1", "Children's Services", "Care & Protection", "CP-1", "400000", "455000", "400000"],
]


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


LINES_SCRIPT = """
import streamlit as st
from tests.support.cache_probe import monitoring_lines
from ui.cache import cached
from ui.common import database

with database() as conn:
    st.text(cached(conn, monitoring_lines))
"""


def lines_shown(at: AppTest) -> tuple[int, int]:
    text = at.text[0].value
    return int(text.split()[0]), int(text.split("build ")[1].rstrip(")"))


def test_a_load_an_undo_and_a_rebuild_each_show_on_the_next_run(db_path):
    at = AppTest.from_string(LINES_SCRIPT, default_timeout=120).run()
    assert not at.exception
    sample_lines, build_no = lines_shown(at)
    assert sample_lines == 12_000

    assert lines_shown(at.run()) == (sample_lines, build_no), "a rerun with nothing written is served from the cache"

    with connect(db_path) as conn:
        parsed = load.read("ledger-p1.csv", csv_bytes(LOADED_ROWS), load.directorate_aliases(conn))
        loaded = load.apply(conn, parsed, local_actor())
        after_load = conn.execute("SELECT count(*) FROM monitoring").fetchone()[0]
    assert after_load != sample_lines
    assert lines_shown(at.run())[0] == after_load

    with connect(db_path) as conn:
        load.undo(conn, loaded.load_id, local_actor())
    assert lines_shown(at.run())[0] == sample_lines

    build(db_path, force=True, sample_rows=3_000, seed=7, built_by="pytest")
    assert lines_shown(at.run())[0] == 3_000


def test_an_action_update_shows_on_the_overview_on_the_next_run(app_test, db_path):
    at = app_test.run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    (before,) = [title for title in chart_titles(at) if "recommendations are complete" in title]
    with connect(db_path, read_only=True) as conn:
        rec_no = conn.execute(
            "SELECT rec_no FROM recommendation_status WHERE status IS DISTINCT FROM 'complete' ORDER BY rec_no LIMIT 1"
        ).fetchone()[0]
    with connect(db_path) as conn:
        record_update(
            conn,
            local_actor(),
            rec_no,
            status="complete",
            percent_complete=100,
            revised_due_date=None,
            note="Cache test: done",
            evidence_url=None,
            now=datetime(2026, 11, 29, 12, 0),
        )
    at.run()
    (after,) = [title for title in chart_titles(at) if "recommendations are complete" in title]
    complete_before = int(before.split(" of ")[0].split(">")[-1])
    assert after.split(" of ")[0].endswith(str(complete_before + 1)), (before, after)


PROBE_SCRIPT = """
import datetime
import streamlit as st
from tests.support.cache_probe import built_for
from ui.cache import AS_AT_KEY, cached
from ui.common import database
from ui.identity import sign_in_gate

sign_in_gate()  # as app.py does first: it records the session's role, which the cache keys views by
if "as_at" in st.query_params:
    st.session_state[AS_AT_KEY] = datetime.date.fromisoformat(st.query_params["as_at"])
with database() as conn:
    st.text(cached(conn, built_for, "overview"))
"""


def probe_session(email: str | None, as_at: date | None = None) -> AppTest:
    at = AppTest.from_string(PROBE_SCRIPT, default_timeout=60)
    if email is not None:  # signed in; None = local mode
        at.secrets["auth"] = AUTH
        at.secrets["roles"] = ROLES
        at.user = {"is_logged_in": True, "email": email}
    if as_at is not None:
        at.query_params["as_at"] = as_at.isoformat()
    return at


def test_sessions_with_different_roles_or_as_at_dates_never_share_a_cached_view(db_path):
    editor = probe_session("jane@dorset.example.gov.uk").run()
    viewer = probe_session("reader@dorset.example.gov.uk").run()
    local = probe_session(None).run()
    report_day = probe_session("reader@dorset.example.gov.uk", as_at=date(2021, 10, 5)).run()
    shown = {name: at.text[0].value for name, at in
             {"editor": editor, "viewer": viewer, "local": local, "report_day": report_day}.items()}  # fmt: skip
    assert shown["editor"].startswith("overview for editor as at None")
    assert shown["viewer"].startswith("overview for viewer as at None")
    assert shown["local"].startswith("overview for admin as at None")
    assert shown["report_day"].startswith("overview for viewer as at 2021-10-05")
    assert len({text.split(" (build")[0] for text in shown.values()}) == 4

    # The same role and as-at date in another session is served from the cache: the same build.
    another_viewer = probe_session("someone@dorset.example.gov.uk").run()
    assert another_viewer.text[0].value == shown["viewer"]
    assert viewer.run().text[0].value == shown["viewer"]
    assert editor.run().text[0].value == shown["editor"]


def test_a_new_day_builds_views_afresh(db_path, monkeypatch):
    """Overdue actions count from today: a server left running overnight must not show yesterday's view."""
    import ui.cache

    first = probe_session(None).run().text[0].value
    assert probe_session(None).run().text[0].value == first  # same day: from the cache

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.today() + timedelta(days=1)

    monkeypatch.setattr(ui.cache, "date", Tomorrow)
    next_day = probe_session(None).run().text[0].value
    assert next_day.split(" (build")[0] == first.split(" (build")[0]
    assert next_day != first  # built again


def test_every_kind_of_write_changes_the_data_key(db_path):
    from data.sample import fill
    from data.version import data_version, file_identity

    def key():
        with connect(db_path, read_only=True) as conn:
            return file_identity(db_path), data_version(conn)

    seen = [key()]
    with connect(db_path) as conn:
        parsed = load.read("ledger-p1.csv", csv_bytes(LOADED_ROWS), load.directorate_aliases(conn))
        loaded = load.apply(conn, parsed, local_actor())
    seen.append(key())
    with connect(db_path) as conn:
        load.undo(conn, loaded.load_id, local_actor())
    seen.append(key())
    with connect(db_path) as conn:
        record_update(conn, local_actor(), 1, status="in_progress", percent_complete=10, revised_due_date=None,
                      note=None, evidence_url=None)  # fmt: skip
    seen.append(key())
    with connect(db_path) as conn:
        fill(conn, rows=2_000, seed=3, loaded_by="pytest")
    seen.append(key())
    build(db_path, force=True, sample_rows=0, built_by="pytest")
    seen.append(key())
    assert len(set(seen)) == len(seen), seen


WRITE_IN_THE_RUN_SCRIPT = """
import streamlit as st
from data import load
from data.access import local_actor
from tests.support.cache_probe import monitoring_lines
from tests.support.load_files import csv_bytes
from ui.cache import cached
from ui.common import database, held_database

with held_database():
    with database() as conn:
        st.text(cached(conn, monitoring_lines))
    if st.session_state.get("write"):
        with database(read_only=False) as conn:
            parsed = load.read("ledger-p1.csv", csv_bytes(st.session_state["write"]), load.directorate_aliases(conn))
            load.apply(conn, parsed, local_actor())
    with database() as conn:
        st.text(cached(conn, monitoring_lines))
"""


def test_a_run_reads_the_data_version_once_and_again_after_it_writes(db_path, monkeypatch):
    import ui.cache

    readings = []

    def counted_version(conn):
        readings.append(1)
        return data_version(conn)

    from data.version import data_version

    monkeypatch.setattr(ui.cache, "data_version", counted_version)
    at = AppTest.from_string(WRITE_IN_THE_RUN_SCRIPT, default_timeout=120).run()
    assert not at.exception
    assert len(readings) == 1, "two cached figures in one run share one reading of the data version"
    assert at.text[0].value == at.text[1].value

    readings.clear()
    at.session_state["write"] = LOADED_ROWS
    at.run()
    assert not at.exception
    assert len(readings) == 2, "the write in the run makes the next figure read the version again"
    before, after = (int(text.value.split()[0]) for text in at.text)
    with connect(db_path, read_only=True) as conn:
        lines_now = conn.execute("SELECT count(*) FROM monitoring").fetchone()[0]
    assert before != lines_now
    assert after == lines_now, "the figure drawn after the write shows it, in the same run"


def test_a_figure_not_held_gives_the_page_its_stand_in_and_any_other_error_still_raises(db_path):
    from metrics.held import FigureMissing
    from ui.cache import cached_if_held

    def not_held(conn):
        raise FigureMissing("no net budget is held")

    def broken(conn):
        raise ValueError("a fault, not a missing figure")

    with connect(db_path, read_only=True) as conn:
        assert cached_if_held(conn, not_held) is None
        assert cached_if_held(conn, not_held, otherwise="not reported") == "not reported"
        with pytest.raises(ValueError, match="a fault"):
            cached_if_held(conn, broken, otherwise="not reported")


ARGUMENTS_SCRIPT = """
import io

import streamlit as st
from tests.support.cache_probe import echo
from ui.cache import cached
from ui.common import database

with database() as conn:
    for value, label in [(1, ""), (1.0, ""), ("1", ""), ((1, 2), ""), (1, "other "), (1, ""), (io.BytesIO(b"x"), "")]:
        st.text(cached(conn, echo, value, label=label))
    # Equal keys made of other objects: a year met twice in one key, once as the same object, once as another
    year = "2020/21"
    st.text(cached(conn, echo, (year, year)))
    st.text(cached(conn, echo, (year, "".join(["2020/", "21"]))))
"""


def test_each_arguments_have_their_own_entry_and_equal_ones_share_it(db_path):
    """The key is the arguments in full (pickled once): 1, 1.0, "1" and (1, 2), or another keyword, never share
    an entry; the same arguments again are served from the cache; one pickle cannot write (an in-memory file,
    as an upload is) still works."""
    shown = [text.value for text in AppTest.from_string(ARGUMENTS_SCRIPT, default_timeout=60).run().text]
    views = [text.split(" (build")[0] for text in shown]
    assert views == ["1", "1.0", "'1'", "(1, 2)", "other 1", "1", "bytes b'x'", *["('2020/21', '2020/21')"] * 2]
    assert shown[8] == shown[7], "equal keys share an entry whichever objects they are made of"
    assert len({text for text in shown[:5]}) == 5
    assert shown[5] == shown[0], "the same arguments again come from the cache: the same build"
    again = [text.value for text in AppTest.from_string(ARGUMENTS_SCRIPT, default_timeout=60).run().text]
    assert again == shown, "another session with the same arguments is served the same builds"
