"""Recording progress on the action plan: the one write path into `action_updates`.

Every update is a new row (INSERT only): an earlier row is never edited or deleted, so the history
of a recommendation is the list of its rows. Several people (on several replicas, with the shared
store) may record at the same moment: DuckDB and DuckLake report a write-write conflict as a
TransactionException, the transaction is rolled back whole, and the insert is retried with back-off.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import duckdb
from tenacity import RetryError

from data import db, retry
from data.access import Actor, require
from data.text import without_control_characters
from data.vocab import STATUS_KEYS

NOTE_MAX_CHARS = 2000
URL_MAX_CHARS = 500
EARLIEST_DUE_DATE = date(2021, 1, 1)
LATEST_DUE_DATE = date(2035, 12, 31)
MAX_ATTEMPTS = 12
FIRST_BACKOFF_SECONDS = 0.005
MAX_BACKOFF_SECONDS = 0.5
# The same person's identical update on the same recommendation within this time is taken as the same
# update entered again (their replica died before it said "Recorded", or the form was sent twice), not stored.
RESUBMISSION_WINDOW = timedelta(hours=1)


class UpdateInvalid(ValueError):
    """The update was not recorded; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


class WriteConflict(RuntimeError):
    """Other writers kept conflicting for every attempt; nothing was recorded."""


class AlreadyRecorded(Exception):
    """This update was recorded before (the same form submission, or the same person's identical update within
    RESUBMISSION_WINDOW); it was not stored again."""

    def __init__(self, update_id: int, updated_at: datetime) -> None:
        self.update_id = update_id
        self.updated_at = updated_at
        super().__init__(
            f"This update was already recorded at {updated_at:%H:%M on %-d %B %Y} (update {update_id}), "
            "so it was not stored twice."
        )


# The update already held that this one repeats: the same submission, or the same person's identical update.
_EARLIER_COPY = """
    SELECT update_id, updated_at FROM action_updates
    WHERE submission_id = $submission_id
       OR (rec_no = $rec_no AND updated_by = $updated_by AND updated_at >= $since
           AND status = $status AND percent_complete IS NOT DISTINCT FROM $percent_complete
           AND revised_due_date IS NOT DISTINCT FROM $revised_due_date AND note IS NOT DISTINCT FROM $note
           AND evidence_url IS NOT DISTINCT FROM $evidence_url)
    ORDER BY update_id LIMIT 1
"""
_COMPARED = ("submission_id", "rec_no", "updated_by", "status", "percent_complete", "revised_due_date", "note",
             "evidence_url")  # fmt: skip


def _clean_text(value: str | None) -> str | None:
    """Text as stored: Word's soft return (vertical tab) and page break become line breaks; other control
    characters, which no spreadsheet export could hold, are dropped."""
    if value is None:
        return None
    text = without_control_characters(str(value)).strip()
    return text or None


def validate(
    conn: duckdb.DuckDBPyConnection,
    rec_no: int,
    *,
    status: str,
    percent_complete: int | None,
    revised_due_date: date | None,
    note: str | None,
    evidence_url: str | None,
) -> dict[str, str]:
    """Field → message for everything wrong with an update (empty if it may be recorded)."""
    errors: dict[str, str] = {}
    if isinstance(rec_no, bool) or not isinstance(rec_no, int):
        errors["rec_no"] = "Choose a recommendation by its number (1–48)."
    elif conn.execute("SELECT count(*) FROM recommendations WHERE rec_no = $n", {"n": rec_no}).fetchone()[0] == 0:
        errors["rec_no"] = f"There is no recommendation {rec_no}; the action plan numbers them 1–48."
    if status not in STATUS_KEYS:
        errors["status"] = f"Status must be one of: {', '.join(STATUS_KEYS)}."
    if percent_complete is None:
        errors["percent_complete"] = "Enter % complete, a whole number from 0 to 100."
    elif isinstance(percent_complete, bool) or not isinstance(percent_complete, int):
        errors["percent_complete"] = "% complete must be a whole number from 0 to 100."
    elif not 0 <= percent_complete <= 100:
        errors["percent_complete"] = f"% complete must be between 0 and 100 (got {percent_complete})."
    elif status == "complete" and percent_complete != 100:
        errors["percent_complete"] = "A complete action is 100% complete: set 100, or choose another status."
    if revised_due_date is not None:
        if isinstance(revised_due_date, datetime) or not isinstance(revised_due_date, date):
            errors["revised_due_date"] = "The revised due date must be a date."
        elif not EARLIEST_DUE_DATE <= revised_due_date <= LATEST_DUE_DATE:
            errors["revised_due_date"] = (
                f"The revised due date must be between {EARLIEST_DUE_DATE:%-d %B %Y} and {LATEST_DUE_DATE:%-d %B %Y}."
            )
        if _clean_text(note) is None:
            errors["note"] = "Say why the due date is being revised: a note is required when the due date changes."
    cleaned_note = _clean_text(note)
    if cleaned_note is not None and len(cleaned_note) > NOTE_MAX_CHARS:
        errors["note"] = f"The note is {len(cleaned_note):,} characters; the limit is {NOTE_MAX_CHARS:,}."
    url = _clean_text(evidence_url)
    if url is not None:
        if len(url) > URL_MAX_CHARS:
            errors["evidence_url"] = f"The evidence link is {len(url):,} characters; the limit is {URL_MAX_CHARS}."
        elif any(character.isspace() for character in url):
            errors["evidence_url"] = "The evidence link must not contain spaces."
        else:
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                errors["evidence_url"] = "The evidence link must be a web address starting http:// or https://."
    return errors


def record_update(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    rec_no: int,
    *,
    status: str,
    percent_complete: int | None,
    revised_due_date: date | None,
    note: str | None,
    evidence_url: str | None,
    now: datetime | None = None,
    submission_id: str | None = None,
) -> int:
    """Append one progress update as `actor` (who must be an editor); return its update_id.

    `submission_id` names the form submission (a page keeps one per filled-in form until it is recorded), so
    sending it again records nothing. Raises PermissionDenied if the actor may not record progress,
    UpdateInvalid (a ValueError) with field-level messages if the update is not valid, AlreadyRecorded if
    it repeats one already held (see RESUBMISSION_WINDOW), WriteConflict if other writers kept conflicting.
    In each of those cases nothing is written.
    """
    require(actor, "editor", f"record progress on recommendation {rec_no}")
    params = {
        "rec_no": rec_no,
        "status": status,
        "percent_complete": percent_complete,
        "revised_due_date": revised_due_date,
        "note": _clean_text(note),
        "evidence_url": _clean_text(evidence_url),
        "updated_by": actor.identity,
        "updated_at": now or datetime.now(),
        "submission_id": submission_id,
    }

    def write_once() -> int:
        # The check and the insert share one transaction: on the shared store that is one catalog
        # snapshot instead of two. validate() checks every rule schema.sql puts on action_updates
        # (the recommendation exists, status, % complete; tests/unit/test_action_updates.py holds the two
        # together), so the shared store needs no scan of the table for them.
        with db.one_writer(conn), db.transaction(conn):
            errors = validate(
                conn,
                rec_no,
                status=status,
                percent_complete=percent_complete,
                revised_due_date=revised_due_date,
                note=note,
                evidence_url=evidence_url,
            )
            if errors:
                raise UpdateInvalid(errors)
            repeat = {name: params[name] for name in _COMPARED}
            repeat["since"] = params["updated_at"] - RESUBMISSION_WINDOW
            earlier = conn.execute(_EARLIER_COPY, repeat).fetchone()
            if earlier is not None:
                raise AlreadyRecorded(*earlier)
            params["update_id"] = db.next_id(conn, "update_id")
            conn.execute(
                """
                INSERT INTO action_updates (update_id, rec_no, status, percent_complete, revised_due_date, note,
                                            evidence_url, updated_by, updated_at, submission_id)
                VALUES ($update_id, $rec_no, $status, $percent_complete, $revised_due_date, $note,
                        $evidence_url, $updated_by, $updated_at, $submission_id)
                """,
                params,
            )
        return params["update_id"]

    # Only a write-write conflict is worth another attempt; a commit that cannot write (read-only
    # folder, full disk) fails the same way every time and is raised at once, as itself.
    writing = retry.policy(
        db.is_write_conflict,
        first_wait=FIRST_BACKOFF_SECONDS,
        max_wait=MAX_BACKOFF_SECONDS,
        attempts=MAX_ATTEMPTS,
        jitter=True,  # so writers that collided spread out
    )
    try:
        return writing(write_once)
    except RetryError as gave_up:
        raise WriteConflict(
            f"Could not record the update on recommendation {rec_no}: other people were writing at the "
            f"same time for {MAX_ATTEMPTS} attempts. Nothing was recorded; try again."
        ) from gave_up.last_attempt.exception()
