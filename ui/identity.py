"""Who is using the dashboard. The sign-in work (issue 7) replaces this body with the signed-in user."""

from __future__ import annotations

from data.access import Actor, local_actor


def current_actor() -> Actor:
    """Who is making this change: for now the local operating-system user (local mode)."""
    return local_actor()
