"""The shared store's schema and the rules DuckLake cannot hold, written out as literal statements.

DuckLake refuses PRIMARY KEY, UNIQUE, CHECK and sequences, so on the shared store the key and CHECK
rules of data/schema.sql are checked by the statements below inside each write transaction, before
it commits (`data.db.enforce_schema_rules`). Every statement is written out in full: table names
cannot be parameters, and SQL is never assembled from strings here. tests/unit/test_lake_schema.py fails
if schema.sql gains a table, a column or a rule that this module or schema_lake.sql does not have.
"""

from __future__ import annotations

from pathlib import Path

LAKE_SCHEMA_SQL = Path(__file__).resolve().parent / "schema_lake.sql"

# The tables of schema.sql, in creation order (a copy between stores fills them in this order).
TABLES = (
    "sources",
    "measures",
    "loads",
    "directorates",
    "reported_figures",
    "recommendations",
    "action_updates",
    "monitoring",
    "monitoring_replaced",
    "savings",
    "savings_replaced",
    "returns",
    "returns_replaced",
    "neighbours",
    "neighbours_replaced",
)

# Per table, one query counting the rows that break each rule: a column per rule, named "check: <columns>"
# or "key: <columns>" after what schema.sql constrains. A CHECK passes on NULL, as in SQL. Tables with a
# load_id take $load_id: the rows that load wrote (NULL: every row); a key is checked across the table, for
# the keys those rows hold. Keys drawn from the id sequences (loads.load_id, action_updates.update_id) are
# unique by construction and not scanned.
RULES = {
    "sources": """
        SELECT (SELECT count(*) FROM (
                    SELECT source_id FROM sources GROUP BY source_id
                    HAVING count(*) > 1 AND ($load_id IS NULL OR bool_or(load_id = $load_id)))) AS "key: source_id"
    """,
    "measures": """
        SELECT count(*) FILTER (WHERE NOT coalesce((unit IN ('gbp_m', 'pct', 'count', 'year', 'rank')), true))
                   AS "check: unit",
               (SELECT count(*) FROM (SELECT measure FROM measures GROUP BY measure HAVING count(*) > 1))
                   AS "key: measure"
        FROM measures
    """,
    "loads": """
        SELECT count(*) FILTER (
                   WHERE NOT coalesce(
                       (kind IN ('build', 'sample', 'monitoring', 'figures', 'savings', 'returns', 'neighbours')),
                       true))
                   AS "check: kind"
        FROM loads WHERE $load_id IS NULL OR load_id = $load_id
    """,
    "directorates": """
        SELECT (SELECT count(*) FROM (SELECT directorate FROM directorates GROUP BY directorate HAVING count(*) > 1))
                   AS "key: directorate"
    """,
    "reported_figures": """
        SELECT count(*) FILTER (WHERE NOT coalesce(regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}'), true))
                   AS "check: fiscal_year",
               count(*) FILTER (WHERE NOT coalesce(
                   (period IN ('budget', 'q1', 'q2', 'q3', 'outturn', 'forecast', 'plan', 'projection', 'as_at')),
                   true)) AS "check: period",
               count(*) FILTER (WHERE NOT coalesce((scenario IN ('mitigated', 'unmitigated')), true))
                   AS "check: scenario",
               count(*) FILTER (WHERE NOT coalesce((unit IN ('gbp_m', 'pct', 'count', 'year', 'rank')), true))
                   AS "check: unit",
               count(*) FILTER (WHERE NOT coalesce(
                   (qualifier IN ('circa', 'nearly', 'just under', 'less than', 'within top')), true))
                   AS "check: qualifier",
               count(*) FILTER (WHERE NOT coalesce((basis IN ('reported', 'derived', 'interpolated', 'sample')), true))
                   AS "check: basis",
               count(*) FILTER (WHERE NOT coalesce(((basis != 'derived') OR (derivation IS NOT NULL)), true))
                   AS "check: basis, derivation",
               (SELECT count(*) FROM (
                    SELECT figure_id FROM reported_figures GROUP BY figure_id
                    HAVING count(*) > 1 AND ($load_id IS NULL OR bool_or(load_id = $load_id)))) AS "key: figure_id"
        FROM reported_figures WHERE $load_id IS NULL OR load_id = $load_id
    """,
    "recommendations": """
        SELECT count(*) FILTER (WHERE NOT coalesce((rec_no BETWEEN 1 AND 48), true)) AS "check: rec_no",
               count(*) FILTER (WHERE NOT coalesce(
                   (timeline_kind IN ('date', 'season', 'ongoing', 'complete', 'missing', 'invalid')), true))
                   AS "check: timeline_kind",
               count(*) FILTER (WHERE NOT coalesce((source_appendix IN (2, 3)), true)) AS "check: source_appendix",
               (SELECT count(*) FROM (SELECT rec_no FROM recommendations GROUP BY rec_no HAVING count(*) > 1))
                   AS "key: rec_no"
        FROM recommendations
    """,
    "action_updates": """
        SELECT count(*) FILTER (WHERE NOT coalesce(
                   (status IN ('not_started', 'in_progress', 'complete', 'ongoing', 'blocked')), true))
                   AS "check: status",
               count(*) FILTER (WHERE NOT coalesce((percent_complete BETWEEN 0 AND 100), true))
                   AS "check: percent_complete",
               (SELECT count(*) FROM (
                    SELECT submission_id FROM action_updates WHERE submission_id IS NOT NULL
                    GROUP BY submission_id HAVING count(*) > 1)) AS "key: submission_id"
        FROM action_updates
    """,
    "monitoring": """
        SELECT count(*) FILTER (WHERE NOT coalesce(regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}'), true))
                   AS "check: fiscal_year",
               count(*) FILTER (WHERE NOT coalesce((period BETWEEN 1 AND 12), true)) AS "check: period",
               count(*) FILTER (WHERE NOT coalesce((basis IN ('reported', 'sample')), true)) AS "check: basis"
        FROM monitoring WHERE $load_id IS NULL OR load_id = $load_id
    """,
    "savings": """
        SELECT count(*) FILTER (WHERE NOT coalesce(regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}'), true))
                   AS "check: fiscal_year",
               count(*) FILTER (WHERE NOT coalesce((period BETWEEN 1 AND 12), true)) AS "check: period",
               count(*) FILTER (WHERE NOT coalesce(
                   (status IN ('delivered', 'on_track', 'at_risk', 'not_deliverable')), true)) AS "check: status",
               count(*) FILTER (WHERE NOT coalesce((basis IN ('reported', 'sample')), true)) AS "check: basis"
        FROM savings WHERE $load_id IS NULL OR load_id = $load_id
    """,
    "returns": """
        SELECT count(*) FILTER (WHERE NOT coalesce(regexp_full_match(fiscal_year, '[0-9]{4}/[0-9]{2}'), true))
                   AS "check: fiscal_year",
               count(*) FILTER (WHERE NOT coalesce((balance_at IN ('1 April', '31 March')), true))
                   AS "check: balance_at"
        FROM returns WHERE $load_id IS NULL OR load_id = $load_id
    """,
}
# The tables whose rule query takes $load_id.
RULES_BY_LOAD = frozenset({"sources", "loads", "reported_figures", "monitoring", "savings", "returns"})

# Copying a store (python -m data migrate): each table read whole, then inserted from the registered rows.
COPY_OUT = {
    "sources": "SELECT * FROM sources",
    "measures": "SELECT * FROM measures",
    "loads": "SELECT * FROM loads",
    "directorates": "SELECT * FROM directorates",
    "reported_figures": "SELECT * FROM reported_figures",
    "recommendations": "SELECT * FROM recommendations",
    "action_updates": "SELECT * FROM action_updates",
    "monitoring": "SELECT * FROM monitoring",
    "monitoring_replaced": "SELECT * FROM monitoring_replaced",
    "savings": "SELECT * FROM savings",
    "savings_replaced": "SELECT * FROM savings_replaced",
    "returns": "SELECT * FROM returns",
    "returns_replaced": "SELECT * FROM returns_replaced",
    "neighbours": "SELECT * FROM neighbours",
    "neighbours_replaced": "SELECT * FROM neighbours_replaced",
}
COPY_IN = {
    "sources": "INSERT INTO sources SELECT * FROM incoming_rows",
    "measures": "INSERT INTO measures SELECT * FROM incoming_rows",
    "loads": "INSERT INTO loads SELECT * FROM incoming_rows",
    "directorates": "INSERT INTO directorates SELECT * FROM incoming_rows",
    "reported_figures": "INSERT INTO reported_figures SELECT * FROM incoming_rows",
    "recommendations": "INSERT INTO recommendations SELECT * FROM incoming_rows",
    "action_updates": "INSERT INTO action_updates SELECT * FROM incoming_rows",
    "monitoring": "INSERT INTO monitoring SELECT * FROM incoming_rows",
    "monitoring_replaced": "INSERT INTO monitoring_replaced SELECT * FROM incoming_rows",
    "savings": "INSERT INTO savings SELECT * FROM incoming_rows",
    "savings_replaced": "INSERT INTO savings_replaced SELECT * FROM incoming_rows",
    "returns": "INSERT INTO returns SELECT * FROM incoming_rows",
    "returns_replaced": "INSERT INTO returns_replaced SELECT * FROM incoming_rows",
    "neighbours": "INSERT INTO neighbours SELECT * FROM incoming_rows",
    "neighbours_replaced": "INSERT INTO neighbours_replaced SELECT * FROM incoming_rows",
}


def lake_schema_sql() -> str:
    """schema_lake.sql: run inside a transaction, it replaces every table and view of the lake."""
    return LAKE_SCHEMA_SQL.read_text(encoding="utf-8")
