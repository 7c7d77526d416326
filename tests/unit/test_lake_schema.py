"""schema_lake.sql and data/lake_schema.py say what schema.sql says, in the statements DuckLake can hold.

They are written out by hand (no SQL assembled from strings), so these tests hold them to schema.sql:
a column, a table or a rule added there and not here fails here. Plain in-memory DuckDB, no lake needed.
"""

from __future__ import annotations

import duckdb
import pytest

from data import lake_schema
from data.build import SCHEMA_SQL

SEQUENCE_KEYS = {("loads", "load_id"), ("action_updates", "update_id")}  # unique by construction (data.db.next_id)


def _database(sql: str) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute(sql)
    return conn


@pytest.fixture(scope="module")
def schema() -> duckdb.DuckDBPyConnection:
    return _database(SCHEMA_SQL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lake() -> duckdb.DuckDBPyConnection:
    return _database(lake_schema.lake_schema_sql())


COLUMNS = """
    SELECT table_name, column_index, column_name, data_type, is_nullable FROM duckdb_columns()
    WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables()) ORDER BY ALL
"""


def test_the_lake_schema_has_every_table_column_type_and_not_null_of_schema_sql(schema, lake):
    assert lake.execute(COLUMNS).fetchall() == schema.execute(COLUMNS).fetchall()
    in_order = "SELECT table_name FROM duckdb_tables() ORDER BY table_oid"
    tables = [name for (name,) in schema.execute(in_order).fetchall()]
    assert list(lake_schema.TABLES) == tables
    assert set(lake_schema.COPY_OUT) == set(lake_schema.COPY_IN) == set(tables)


def test_the_lake_schema_has_the_same_views_and_nothing_duckLake_refuses(schema, lake):
    views = "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
    assert lake.execute(views).fetchall() == schema.execute(views).fetchall()
    constraints = "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type <> 'NOT NULL'"
    assert lake.execute(constraints).fetchone() == (0,)
    assert lake.execute("SELECT count(*) FROM duckdb_sequences()").fetchone() == (0,)


def test_running_the_lake_schema_again_replaces_every_table(lake):
    lake.execute("INSERT INTO recommendations VALUES (1, 't', 'r', NULL, NULL, 'date', NULL, NULL, [], 2, NULL)")
    lake.execute(lake_schema.lake_schema_sql())
    assert lake.execute("SELECT count(*) FROM recommendations").fetchone() == (0,)


def test_every_key_and_check_rule_of_schema_sql_has_its_written_out_check(schema):
    rules = schema.execute(
        """
        SELECT table_name, constraint_type, expression, constraint_column_names FROM duckdb_constraints()
        WHERE constraint_type IN ('CHECK', 'PRIMARY KEY', 'UNIQUE')
        """
    ).fetchall()
    expected: dict[str, set[str]] = {}
    for table, kind, expression, columns in rules:
        if kind == "CHECK":
            expected.setdefault(table, set()).add("check: " + ", ".join(columns))
            # The same expression, as DuckDB prints it, inside the written-out count.
            written_out = " ".join(lake_schema.RULES[table].split()).replace("( ", "(").replace(" )", ")")
            assert f"NOT coalesce({expression}, true)" in written_out, (table, expression)
        elif (table, ", ".join(columns)) not in SEQUENCE_KEYS:
            expected.setdefault(table, set()).add("key: " + ", ".join(columns))
    checked = {}
    for table, statement in lake_schema.RULES.items():
        params = {"load_id": None} if table in lake_schema.RULES_BY_LOAD else None
        cursor = schema.execute(statement, params)
        assert cursor.fetchone() == tuple(0 for _ in cursor.description), table
        checked[table] = {column[0] for column in cursor.description}
    assert checked == expected


def test_the_written_out_checks_count_a_breaking_row():
    conn = _database(lake_schema.lake_schema_sql())
    conn.execute("INSERT INTO monitoring VALUES ('2021/22', 13, 'Place', 'S', 'C', 1, 1, 1, 'reported', 7)")
    conn.execute("INSERT INTO monitoring VALUES ('2021-22', 3, 'Place', 'S', 'C', 1, 1, 1, 'reported', 8)")
    conn.execute("INSERT INTO directorates VALUES ('Place', 1, [], NULL), ('Place', 2, [], NULL)")
    assert conn.execute(lake_schema.RULES["monitoring"], {"load_id": 7}).fetchone() == (0, 1, 0)
    assert conn.execute(lake_schema.RULES["monitoring"], {"load_id": None}).fetchone() == (1, 1, 0)
    assert conn.execute(lake_schema.RULES["directorates"]).fetchone() == (1,)
