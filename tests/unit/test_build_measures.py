"""The measures catalogue is stored by one INSERT, whether a build creates it or an upgrade adds it."""

from __future__ import annotations

import duckdb

from data.build import upgrade


def test_an_upgrade_stores_the_catalogue_exactly_as_a_build_does(db_path):
    with duckdb.connect(str(db_path)) as conn:
        built = conn.execute("SELECT * FROM measures ORDER BY measure").fetchall()
        conn.execute("DROP TABLE measures")
    assert upgrade(db_path) == ["measures: catalogue added"]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert conn.execute("SELECT * FROM measures ORDER BY measure").fetchall() == built
    assert len(built) > 10
