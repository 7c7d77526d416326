"""Who may write. Every function that writes takes an `Actor` and checks it itself.

Roles: viewer (reads), editor (records action progress), admin (loads data, undoes loads, rebuilds).
How a signed-in user becomes an Actor is the app's business (ui/); the check lives here, beside the
write, so hiding a button is never the only guard.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLE_RANK = {"viewer": 0, "editor": 1, "admin": 2}


class PermissionDenied(PermissionError):
    """The actor's role does not allow this write. Nothing was written."""


@dataclass(frozen=True)
class Actor:
    identity: str  # e-mail address when signed in; the OS user in local mode
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLE_RANK:
            raise ValueError(f"Unknown role {self.role!r}; expected one of {', '.join(ROLE_RANK)}")
        if not self.identity.strip():
            raise ValueError("An actor needs an identity")


def require(actor: Actor, role: str, action: str) -> None:
    """Raise PermissionDenied unless `actor` has at least `role`."""
    if ROLE_RANK[actor.role] < ROLE_RANK[role]:
        raise PermissionDenied(f"{actor.identity} ({actor.role}) may not {action}: it needs the {role} role.")


def operating_system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def local_actor() -> Actor:
    """Local mode (no sign-in configured): the operating-system user, with every role."""
    return Actor(identity=operating_system_user(), role="admin")
