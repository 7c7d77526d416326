"""The tests' reading of a served app's log: every error a page showed with a reference, and only those."""

from __future__ import annotations

import pytest

from tests.support.helpers import assert_no_unexpected_page_errors, page_errors

LOG = """\
2026-12-07 20:31:28.139 WARNING streamlit.runtime.caching.cache_data_api: No runtime found
2026-12-07 21:00:26,887 ERROR finance_dashboard error reference 3b407267
Traceback (most recent call last):
  File "pages/data_sources.py", line 197, in <module>
TypeError: 'NoneType' object is not callable
2026-12-07 21:00:27,001 INFO finance_dashboard loaded 4 lines
2026-12-07 21:00:29,512 ERROR finance_dashboard error reference 0770b3f7
Traceback (most recent call last):
_duckdb.TransactionException: Cannot open file "/tmp/db/finance.duckdb.wal": Permission denied
"""


def test_each_error_shown_with_a_reference_is_read_with_its_trace_and_nothing_else():
    errors = page_errors(LOG)
    assert [error.splitlines()[-1] for error in errors] == [
        "TypeError: 'NoneType' object is not callable",
        '_duckdb.TransactionException: Cannot open file "/tmp/db/finance.duckdb.wal": Permission denied',
    ]
    assert "loaded 4 lines" not in "".join(errors)
    assert page_errors("2026-12-07 20:31:28.139 WARNING streamlit: nothing shown\n") == []


def test_an_error_the_test_expects_passes_and_any_other_fails(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(LOG)
    assert_no_unexpected_page_errors(log, (r"Permission denied", r"NoneType"))
    with pytest.raises(AssertionError, match="not callable"):
        assert_no_unexpected_page_errors(log, (r"Permission denied",))
