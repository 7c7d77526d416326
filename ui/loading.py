"""Checking an uploaded file for the Data & sources page: who may load comes first, then the file."""

from __future__ import annotations

import duckdb

from data import load
from data.access import Actor, require


def check_upload(
    conn: duckdb.DuckDBPyConnection, actor: Actor, file_name: str, content: bytes, kind: str | None
) -> tuple[load.ParsedFile, load.Preview] | list[load.Problem]:
    """The parsed file and its preview, or the problems that stop it loading.

    The role is checked before a byte of the file is parsed: reading a workbook costs memory, and
    only an admin may load, so nobody else gets to spend it. Raises PermissionDenied.
    """
    require(actor, "admin", "load data")
    try:
        parsed = load.read(file_name, content, load.directorate_aliases(conn), kind)
    except load.LoadRejected as rejected:
        return rejected.problems
    return parsed, load.preview(conn, parsed)
