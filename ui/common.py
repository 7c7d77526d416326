"""Small Streamlit pieces every page uses. Layout only: numbers come from metrics/."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from data import db as data_db
from data import vocab
from ui.as_at import figures_phrase
from ui.cache import StoreAway, first_in_run, forget_readings, run_scope, stale_since
from ui.error_reference import report_error
from ui.panel import opened_panel
from ui.safe import plain, plain_label
from ui.tables import figure_cells


@contextmanager
def database(read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database for this page run. Read-only unless the page writes.

    While the shared store cannot be reached, a reader gets a stand-in (ui.cache.StoreAway): figures already
    cached are still shown, said once to be as last read, and anything else shows the outage in words."""
    with ExitStack() as stack:
        try:
            conn = stack.enter_context(data_db.connect(read_only=read_only))
        except duckdb.Error as error:
            if not (read_only and data_db.is_unreachable(error)):
                raise
            conn = StoreAway(error)
        try:
            yield conn
        finally:
            if not read_only:
                forget_readings()  # what this run draws next must show the write
            if stale_since() is not None:
                show_outage()


@contextmanager
def held_database() -> Iterator[None]:
    """Keep the database open across a whole script (or fragment) run.

    Opening the file costs ~12 ms and a page run has several `database()` blocks (the filters, the
    page, the sidebar); while this is held they share the open connection, and the file is released
    when the run ends, as before. If the database cannot be opened, the run goes on without: each
    block then reports the problem where it happens, as it would have. The run's cached figures read the
    data version once (`ui.cache.run_scope`).
    """
    with ExitStack() as stack:
        stack.enter_context(run_scope())
        with suppress(data_db.DatabaseMissing, data_db.DatabaseBusy, duckdb.Error):
            stack.enter_context(data_db.connect(read_only=True))
        yield


def failure_message(error: BaseException, outcome: str) -> str:
    """`outcome` (what did not happen), the cause in words a user can act on when it is known, and a reference.

    An outage of the shared store is no fault to report: it is said once on the page (`show_outage`), and the
    message says only what did not happen and when to try again."""
    if data_db.is_unreachable(error):
        show_outage()
        return f"{outcome} Send it again when the store is back."
    cause = data_db.failure_cause(error)
    reference = f"Quote reference {report_error(error)} to the dashboard's administrator, who can find the details "
    return " ".join(part for part in (outcome, cause, reference + "in the server log.") if part)


def show_outage() -> None:
    """Say once per page run that the shared store cannot be reached, and what that means for what is shown."""
    if not first_in_run("store outage"):
        return
    since = stale_since()
    figures = (
        f"Figures on this page are as last read at {since:%H:%M} and may not be current."
        if since
        else "Parts of this page need the store and will show when it is back."
    )
    st.warning(
        "The shared store cannot be reached just now. Nothing saved has been lost, and what you typed is kept. "
        f"{figures} The page recovers by itself; try again in a minute.",
        icon=":material/cloud_off:",
    )


def show_unexpected_error(error: BaseException) -> None:
    if data_db.is_unreachable(error):
        show_outage()
        return
    if isinstance(error, data_db.DatabaseMissing):
        st.error(data_db.failure_cause(error))
        return
    if isinstance(error, data_db.DatabaseBusy):
        st.warning(data_db.failure_cause(error))
        return
    cause = data_db.failure_cause(error)
    if cause:
        st.error(failure_message(error, "Nothing has been changed."))
        return
    reference = report_error(error)
    st.error(
        f"Something went wrong showing this page. Nothing has been changed. "
        f"Quote reference {reference} to the dashboard's administrator, who can find the details in the server log."
    )


_CALLBACK_FAILURE = "callback_failure"


def write_boundary(outcome: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """For a widget callback that writes. Callbacks run before the page script, outside app.py's error
    boundary: an error there would replace the page with Streamlit's own error screen. This keeps it,
    with its cause and a reference, for `show_write_failure` to show in the run that follows."""

    def wrap(callback: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(callback)
        def guarded(*args: object, **kwargs: object) -> None:
            try:
                callback(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - shown with a reference; the trace goes to the log
                st.session_state[_CALLBACK_FAILURE] = failure_message(error, outcome)

        return guarded

    return wrap


def show_write_failure() -> None:
    """Show (once) what a write callback could not do. Pages call it where their messages go; app.py after."""
    message = st.session_state.pop(_CALLBACK_FAILURE, None)
    if message:
        st.error(message, icon=":material/error:")


def figure_metric(row: pd.Series, *, label: str | None = None) -> None:
    """One reported figure as a metric, with its source quote on hover. `label` is plain text, shown as written."""
    basis_note = "" if row["basis"] == "reported" else f" ({row['basis']})"
    # Quotes and labels come from data (loaded figures too): escaped so Markdown shows them as written.
    help_text = f'"{plain(row["source_quote"])}" — {plain(row["source_document"])}, {plain(row["source_section"])}.'
    if isinstance(row.get("derivation"), str) and row["derivation"]:
        help_text += f" Derived: {plain(vocab.without_ids(row['derivation']))}."
    if isinstance(row.get("earlier"), str) and row["earlier"]:
        help_text += f" This is the newer figure; an older document gave {plain(row['earlier'])}."
    st.metric(
        label=plain_label(label if label is not None else row["label"]) + basis_note,
        value=vocab.figure(row["value"], row["unit"], row["qualifier"] if isinstance(row["qualifier"], str) else None),
        help=help_text,
    )


def not_reported_metric(label: str, what: str) -> None:
    """A headline figure that is not held: said in place, never an error."""
    st.metric(label=label, value=vocab.NOT_REPORTED, help=f"No {what} figure is held for the date shown.")


def _date_text(value: object) -> str:
    if value is None or pd.isna(value):  # NaT too, which is a datetime
        return "no date given"
    return f"{pd.Timestamp(value):%-d %B %Y}"


def as_at_line(figures: pd.DataFrame, as_at: date | None = None) -> None:
    """The documents the page's figures come from, newest first with their dates, and the as-at date in force."""
    # Each document once, at its newest known_on (undated last). In Python, not pandas: a page's dozen rows,
    # on every page run (a pandas chain of sort and de-duplication cost ~4 ms of each).
    rows = figures.to_dict("records") if not figures.empty else []
    dated = [
        (None if "known_on" not in row or pd.isna(row["known_on"]) else pd.Timestamp(row["known_on"]), row)
        for row in rows
        if not pd.isna(row.get("source_document"))
    ]
    # Newest first, undated last; a stable sort keeps the frame's order among equal dates, as pandas did.
    dated.sort(key=lambda pair: (pair[0] is None, -pair[0].value if pair[0] is not None else 0))
    documents: dict[str, dict] = {}
    for _, row in dated:
        documents.setdefault(row["source_document"], row)
    if not documents:
        st.warning(f"No figures for this page are held{f' as at {as_at:%-d %B %Y}' if as_at else ''}.")
        return
    named = "; ".join(
        f"**{plain(document)}** ({_date_text(row.get('source_date', row.get('known_on')))})"
        for document, row in documents.items()
    )
    st.caption(
        f"{figures_phrase(as_at)}, from {named}. Hover over a figure to read the sentence it comes from; "
        "derived, interpolated and modelled values say so."
    )


# The sources table under a page: what a reader checks a figure against, its document's date included.
SOURCE_COLUMNS = [
    "label",
    "fiscal_year",
    "period",
    "scenario",
    "value",
    "unit",
    "qualifier",
    "basis",
    "derivation",
    "source_date",
    "source_document",
    "source_section",
    "source_quote",
    "earlier",
]


def sources_expander(
    figures: pd.DataFrame,
    *,
    title: str = "Where the figures on this page come from",
    revisions: pd.DataFrame | None = None,
) -> None:
    """Every reported figure a page uses, with its section and the sentence it comes from; then any older
    figures a newer document replaced (kept, never overwritten)."""
    replaced = 0 if revisions is None else len(revisions)
    if replaced:
        st.caption(
            f"{vocab.counted(replaced, 'figure')} held for this page {'comes' if replaced == 1 else 'come'} from "
            "older documents that a newer one replaced: "
            "the page shows the newer figure; the older ones are listed under the sources."
        )
    listing = opened_panel(title, f"sources_{title}")
    if listing is None:
        return
    with listing:
        shown = figures.drop_duplicates(subset=["figure_id"]) if "figure_id" in figures else figures
        st.dataframe(figure_cells(shown, SOURCE_COLUMNS), hide_index=True, width="stretch")
        if replaced:
            st.markdown("**Earlier figures, replaced by a newer document**")
            columns = [column for column in SOURCE_COLUMNS if column != "earlier"]
            st.dataframe(figure_cells(revisions, columns), hide_index=True, width="stretch")
