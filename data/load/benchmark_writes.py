"""Preview, apply and undo for the benchmarking loads: RS returns (a year replaces that year) and neighbours
(an authority's list replaces its list). Called by `writes` inside its transaction; each statement written out.
"""

from __future__ import annotations

import duckdb

from data.load._model import ParsedFile, Preview

KINDS = ("returns", "neighbours")

_PREVIEW = {
    "returns": """
        SELECT i.fiscal_year, count(DISTINCT i.ons_code) AS authorities_in_file,
               (SELECT count(DISTINCT r.ons_code) FROM returns r WHERE r.fiscal_year = i.fiscal_year)
                   AS authorities_held_now,
               coalesce((SELECT 'load ' || string_agg(DISTINCT r.load_id::VARCHAR, ', ') FROM returns r
                         WHERE r.fiscal_year = i.fiscal_year), 'nothing held for this year') AS replaces_load
        FROM incoming_rows i GROUP BY i.fiscal_year ORDER BY i.fiscal_year
    """,
    "neighbours": """
        SELECT i.authority_code, count(*) AS neighbours_in_file,
               (SELECT count(*) FROM neighbours n WHERE n.authority_code = i.authority_code) AS neighbours_held_now
        FROM incoming_rows i GROUP BY i.authority_code ORDER BY i.authority_code
    """,
}
# An authority the file names under another ONS code than a return held for another year: years are joined
# by ONS code, so its years would silently not join. Published files do this (North Yorkshire is E10000022 in
# the 2015-16 and 2017-18 RS workbooks, E10000023 in 2016-17's).
_CODE_CHANGED = """
    SELECT i.authority, i.ons_code AS in_file, r.ons_code AS held,
           string_agg(DISTINCT r.fiscal_year, ', ' ORDER BY r.fiscal_year) AS held_years
    FROM (SELECT DISTINCT ons_code, authority, authority_class FROM incoming_rows) i
    JOIN returns r ON r.authority = i.authority AND r.authority_class IS NOT DISTINCT FROM i.authority_class
        AND r.ons_code <> i.ons_code AND r.fiscal_year NOT IN (SELECT fiscal_year FROM incoming_rows)
    GROUP BY ALL ORDER BY i.authority
"""
_KEEP_REPLACED = {
    "returns": """
        INSERT INTO returns_replaced
        SELECT *, $load_id FROM returns WHERE fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_rows)
    """,
    "neighbours": """
        INSERT INTO neighbours_replaced
        SELECT *, $load_id FROM neighbours
        WHERE authority_code IN (SELECT DISTINCT authority_code FROM incoming_rows)
    """,
}
_DELETE_REPLACED = {
    "returns": "DELETE FROM returns WHERE fiscal_year IN (SELECT DISTINCT fiscal_year FROM incoming_rows)",
    "neighbours": "DELETE FROM neighbours WHERE authority_code IN (SELECT DISTINCT authority_code FROM incoming_rows)",
}
_INSERT = {
    "returns": """
        INSERT INTO returns
        SELECT fiscal_year, ons_code, authority, authority_class, line, line_name, balance_at, value_gbp_k,
               file_name, sheet, column_name, cell, $load_id
        FROM incoming_rows
    """,
    "neighbours": "INSERT INTO neighbours SELECT authority_code, neighbour_code, rank, $load_id FROM incoming_rows",
}
_COUNT_ADDED = {
    "returns": "SELECT count(*) FROM returns WHERE load_id = $id",
    "neighbours": "SELECT count(*) FROM neighbours WHERE load_id = $id",
}
_COUNT_ALL = {"returns": "SELECT count(*) FROM returns", "neighbours": "SELECT count(*) FROM neighbours"}
_DELETE_ADDED = {
    "returns": "DELETE FROM returns WHERE load_id = $id",
    "neighbours": "DELETE FROM neighbours WHERE load_id = $id",
}
_RESTORE = {
    "returns": """
        INSERT INTO returns
        SELECT fiscal_year, ons_code, authority, authority_class, line, line_name, balance_at, value_gbp_k,
               file_name, sheet, column_name, cell, load_id
        FROM returns_replaced WHERE replaced_by = $id
    """,
    "neighbours": """
        INSERT INTO neighbours SELECT authority_code, neighbour_code, rank, load_id
        FROM neighbours_replaced WHERE replaced_by = $id
    """,
}
_FORGET = {
    "returns": "DELETE FROM returns_replaced WHERE replaced_by = $id",
    "neighbours": "DELETE FROM neighbours_replaced WHERE replaced_by = $id",
}
_LATER = """
    SELECT DISTINCT replaced_by FROM returns_replaced WHERE load_id = $id
    UNION SELECT DISTINCT replaced_by FROM neighbours_replaced WHERE load_id = $id
"""


def preview(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, duplicate: int | None) -> Preview:
    """Per year (returns) or authority (neighbours): what the file holds and what it replaces. Reads only."""
    conn.register("incoming_rows", parsed.frame)
    try:
        changes = conn.execute(_PREVIEW[parsed.kind]).df()
        moved = conn.execute(_CODE_CHANGED).fetchall() if parsed.kind == "returns" else []
    finally:
        conn.unregister("incoming_rows")
    notes = [*parsed.notes]
    if parsed.kind == "returns":
        notes += [
            f"{name} has the ONS code {in_file} in this file but {held} in the return held for {years}: years are "
            f"joined by ONS code, so its {years} figures are not joined to this year's (in its trend or a three-year "
            "change); check the code against MHCLG's other releases."
            for name, in_file, held, years in moved
        ]
        rule = (
            "Each year in the file replaces every return held for that year (undo puts them back); other years "
            "are kept."
        )
    else:
        rule = "Each authority's list in the file replaces the list held for it; other authorities' lists are kept."
    return Preview(parsed.kind, parsed.file_name, changes, [*notes, rule], duplicate)


def replace(conn: duckdb.DuckDBPyConnection, parsed: ParsedFile, load_id: int) -> int:
    """Inside apply's transaction: keep, then delete, what the file replaces; insert its rows. Returns rows replaced."""
    conn.register("incoming_rows", parsed.frame)
    try:
        before = conn.execute(_COUNT_ALL[parsed.kind]).fetchall()[0][0]
        conn.execute(_KEEP_REPLACED[parsed.kind], {"load_id": load_id})
        conn.execute(_DELETE_REPLACED[parsed.kind])
        after = conn.execute(_COUNT_ALL[parsed.kind]).fetchall()[0][0]
        conn.execute(_INSERT[parsed.kind], {"load_id": load_id})
    finally:
        conn.unregister("incoming_rows")
    return int(before - after)


def later_loads(conn: duckdb.DuckDBPyConnection, load_id: int) -> list[int]:
    """The loads that since replaced rows this load added: they must be undone first."""
    return sorted(row[0] for row in conn.execute(_LATER, {"id": load_id}).fetchall())


def undo(conn: duckdb.DuckDBPyConnection, load_id: int) -> tuple[int, int]:
    """Inside undo's transaction: remove the load's rows, put back what it replaced. (removed, restored)."""
    removed = restored = 0
    for kind in KINDS:
        removed += conn.execute(_COUNT_ADDED[kind], {"id": load_id}).fetchall()[0][0]
        conn.execute(_DELETE_ADDED[kind], {"id": load_id})
        restored += conn.execute(_RESTORE[kind], {"id": load_id}).fetchall()[0][0]
        conn.execute(_FORGET[kind], {"id": load_id})
    return int(removed), int(restored)
