"""The Action plan's tracker and committee report come from the figure cache (ui/cache.py): built once per data
version, and afresh after a write. Not timed: the cost of a visit is in bench/visits_bench.py."""

from __future__ import annotations

import functools
from collections import Counter

from data.access import local_actor
from data.actions import record_update
from data.db import connect
from metrics import actions, report
from tests.support import helpers

PAGE = "pages/action_plan.py"


def counting(monkeypatch, module, name: str, calls: Counter) -> None:
    """Count calls to module.name; the wrapper keeps its name, so the cache keys it as before."""
    original = getattr(module, name)

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def test_the_tracker_and_report_are_built_once_per_data_version_and_again_after_an_update(
    app_test, db_path, monkeypatch
):
    calls: Counter = Counter()
    counting(monkeypatch, actions, "tracker_state", calls)
    counting(monkeypatch, report, "committee_report", calls)
    at = helpers.open_page(app_test, PAGE)
    built = calls.copy()
    assert built["tracker_state"] >= 1 and built["committee_report"] == 1

    at.run()
    assert not at.exception
    assert calls == built, "a second run with nothing written is served from the cache"

    with connect(db_path) as conn:
        record_update(
            conn,
            local_actor(),
            9,
            status="blocked",
            percent_complete=35,
            revised_due_date=None,
            note="Cache test",
            evidence_url=None,
        )
    at.run()
    assert not at.exception
    assert calls["tracker_state"] > built["tracker_state"]
    assert calls["committee_report"] == built["committee_report"] + 1
    rows = at.dataframe(key="tracker_table").value.set_index("Rec")
    assert (rows.loc[9, "Status"], rows.loc[9, "% complete"]) == ("Blocked", 35)
