"""The shared store's snapshots, and expiring old ones: `python -m data expire-snapshots --older-than-days N`.

Every commit to the shared store (an action update, a load, an undo, a rebuild) is a DuckLake snapshot, and
every table can be read as it stood at any snapshot still held (`SELECT ... FROM monitoring AT (VERSION => n)`).
The project keeps snapshots for one thing: an administrator's recovery window. Within it, data that a
forced rebuild or migrate (or a mistaken manual statement) deleted can still be read back and copied out.
The app itself never reads a snapshot: its "as at" view and load history come from its own tables
(`loads`, `monitoring_replaced`, `action_updates.updated_at`), which work the same on the embedded file,
are kept for ever and are not touched by expiry.

Snapshots keep old data files alive, so the store grows with every write until they are expired.
Expiring snapshots older than N days forgets them and deletes the data files that only they used; the
newest snapshot is never expired. It also deletes orphaned files: data files a write left in the data path
but never committed (a replica killed mid-load, a load rolled back), which no snapshot ever held. Only
files more than a day old are taken, so a write still in progress keeps its files. The data path must
belong to this store alone: a file another catalog keeps there would look orphaned to this one.
Run it daily from one machine (cron or a systemd timer), e.g. with
N = 30: the recovery window then covers a whole monthly reporting cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from data.db import LakeStore, connect

# A snapshot a replica is still reading must not lose its files under it: expire nothing younger than a day.
MIN_DAYS = 1
_AS_TEXT = "%Y-%m-%d %H:%M:%S+00"


@dataclass(frozen=True)
class ExpireSummary:
    expired: int  # snapshots forgotten (or, with dry_run, that would be)
    kept: int  # snapshots still held
    files_deleted: int  # data files no snapshot held any more, deleted from the data path
    orphans: int  # files no snapshot ever held (failed or killed writes), deleted (or, with dry_run, found)
    oldest_kept: str | None  # when the oldest snapshot still held was taken (UTC, as text); None on a dry run
    dry_run: bool


def snapshot_count(conn) -> int:
    return conn.execute("SELECT count(*) FROM finance_lake.snapshots()").fetchone()[0]


def expire_snapshots(
    store: LakeStore, older_than_days: int, *, dry_run: bool = False, now: datetime | None = None
) -> ExpireSummary:
    """Forget the snapshots taken more than `older_than_days` days before `now` (default: the current time)
    and delete the data files only they held."""
    if older_than_days < MIN_DAYS:
        raise ValueError(
            f"--older-than-days must be at least {MIN_DAYS}: another replica may still be reading a recent snapshot."
        )
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = now - timedelta(days=older_than_days)
    with connect(store) as conn:
        # Times cross as text and results are counted in SQL: DuckDB hands timestamps with time zones to
        # Python only through pytz, which the project would need for nothing else.
        # fetchall, not fetchone: a result left unread is never committed, so nothing would expire.
        (expired,) = conn.execute(
            """
            SELECT count(*) FROM ducklake_expire_snapshots(
                'finance_lake', older_than => CAST($cutoff AS TIMESTAMPTZ), dry_run => $dry_run)
            """,
            {"cutoff": cutoff.strftime(_AS_TEXT), "dry_run": dry_run},
        ).fetchall()[0]
        (orphans,) = conn.execute(
            """
            SELECT count(*) FROM ducklake_delete_orphaned_files(
                'finance_lake', older_than => CAST($written_before AS TIMESTAMPTZ), dry_run => $dry_run)
            """,
            {"written_before": (now - timedelta(days=MIN_DAYS)).strftime(_AS_TEXT), "dry_run": dry_run},
        ).fetchall()[0]
        if dry_run:
            return ExpireSummary(expired, snapshot_count(conn) - expired, 0, orphans, None, dry_run)
        (files_deleted,) = conn.execute(
            "SELECT count(*) FROM ducklake_cleanup_old_files('finance_lake', cleanup_all => true)"
        ).fetchall()[0]
        oldest = conn.execute(
            "SELECT strftime(min(snapshot_time) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC') FROM finance_lake.snapshots()"
        ).fetchone()[0]
        return ExpireSummary(expired, snapshot_count(conn), files_deleted, orphans, oldest, dry_run)
