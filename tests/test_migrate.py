"""`python -m data migrate`: the embedded file into the shared store and back, nothing lost or changed."""

from __future__ import annotations

from data.__main__ import main as cli
from data.access import Actor
from data.actions import record_update
from data.db import connect, next_id
from tests.load_files import table_checksums

EDITOR = Actor("jane.doe@example.org", "editor")
UPDATE = {"status": "blocked", "percent_complete": 5, "revised_due_date": None, "note": "x", "evidence_url": None}


def test_embedded_to_shared_and_back_copies_every_row_and_ids_continue(db_path, lake_store, tmp_path, capsys):
    with connect(db_path) as conn:
        record_update(conn, EDITOR, 7, **UPDATE)
    embedded = table_checksums(db_path)

    assert cli(["migrate", "to-shared", "--db", str(db_path)]) == 0, capsys.readouterr().err
    assert table_checksums(lake_store) == embedded
    with connect(lake_store) as conn:
        copied_max = conn.execute("SELECT max(update_id) FROM action_updates").fetchone()[0]
        assert record_update(conn, EDITOR, 8, **UPDATE) > copied_max

    # The shared store now holds recorded work: copying over it again is refused unless forced.
    assert cli(["migrate", "to-shared", "--db", str(db_path)]) == 1
    assert "--force" in capsys.readouterr().err

    back = tmp_path / "back.duckdb"
    assert cli(["migrate", "to-embedded", "--db", str(back)]) == 0, capsys.readouterr().err
    shared = table_checksums(lake_store)
    assert table_checksums(back) == shared
    with connect(back) as conn:
        highest_update, highest_load = conn.execute(
            "SELECT (SELECT max(update_id) FROM action_updates), (SELECT max(load_id) FROM loads)"
        ).fetchone()
        assert record_update(conn, EDITOR, 9, **UPDATE) > highest_update
        assert next_id(conn, "load_id") > highest_load
