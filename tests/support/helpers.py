"""Helpers the tests share (fixtures live in conftest.py): paths, a served app, waiting for Streamlit
(bench/waiting.py, shared with the benchmarks)."""

from __future__ import annotations

import functools
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from tenacity import RetryError

from bench.waiting import ERROR_RECORDER, wait_for_app
from bench.waiting import wait_until_settled as wait_until_settled  # tests import it from here
from data import db, retry
from exports.chromium import find_chromium
from ui.identity import local_token_script

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = find_chromium() or Path("/usr/bin/chromium")
TEST_OUTPUT = PROJECT_DIR / "test-output"
# The live servers' local-mode token. A browser brings it as the link `make run` prints does: the script
# below puts it in the address before Streamlit reads the query string. A test that wants a browser
# without it opens its own context. Kept in the environment, so every copy of this module (and every
# pytest-xdist worker's servers) agrees on it.
LOCAL_TOKEN = os.environ.setdefault("FINANCE_TEST_LOCAL_TOKEN", secrets.token_urlsafe(24))
LOCAL_TOKEN_SCRIPT = local_token_script(LOCAL_TOKEN)

# A served app's log: each line Python's logging or Streamlit writes starts with its time; an error the page
# showed with a reference (ui.error_reference) is such a line, followed by its trace.
_LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_REFERENCE_LINE = re.compile(r" error reference [0-9a-f]{8}$")


def page_errors(log: str) -> list[str]:
    """Every error a served app showed a person with a reference, each as its logged trace."""
    errors: list[list[str]] = []
    inside = False
    for line in log.splitlines():
        if _LOG_LINE.match(line):
            inside = bool(_REFERENCE_LINE.search(line))
            if inside:
                errors.append([line])
        elif inside:
            errors[-1].append(line)
    return ["\n".join(lines) for lines in errors]


def assert_only_expected_page_errors(traces: list[str], expected: tuple[str, ...], where: str) -> None:
    """Fail on a trace of an error a page showed that matches none of `expected` (regular expressions)."""
    unexpected = [trace for trace in traces if not any(re.search(p, trace) for p in expected)]
    assert not unexpected, f"{where}: a page showed an error: " + "\n\n".join(t[-1500:] for t in unexpected)


def assert_no_unexpected_page_errors(log_path: Path, expected: tuple[str, ...] = ()) -> None:
    """Fail if the server's log holds an error shown on a page whose trace matches none of `expected` (regular
    expressions): a journey can reach its end with "Something went wrong" further down the page."""
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    assert_only_expected_page_errors(page_errors(log), expected, str(log_path))


BROWSER_TIMEOUT_MS = 90_000  # a busy 2-core machine can take this long to draw a page; a healthy one takes ~2 s


def browser_context(browser, width: int = 1400, height: int = 1000, *, token: bool = True, **options):
    """A new browser context at this size that waits as long as a busy machine may take (Playwright's own
    default is 30 s), bringing the local-mode token unless `token` is False."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.add_init_script(ERROR_RECORDER)  # what a page that went blank says (bench.waiting.page_state)
    if token:
        context.add_init_script(LOCAL_TOKEN_SCRIPT)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    return context


@contextmanager
def read_served_file(path: Path, seconds: float = 30) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a served app's embedded file read-only from the test's process.

    The app holds the file read-write for the length of a run (data.db.connect), and a run can still be
    going when the text a test waits for is on screen (the page's second part, a rerun after a write), so
    another process's open is refused until it ends: try again, as the app's own opening does.
    """
    opening = retry.policy(db._is_transient, first_wait=0.05, max_wait=0.5, seconds=seconds)
    try:
        conn = opening(duckdb.connect, str(path), read_only=True)
    except RetryError as gave_up:
        raise AssertionError(f"{path} stayed held by the app for {seconds:.0f} s") from gave_up.last_attempt.exception()
    try:
        yield conn
    finally:
        conn.close()


def choose_option(page, opener, name: str, *, exact: bool = True, attempts: int = 4) -> None:
    """Open a select box or multiselect and click the option called `name`.

    A page can rerun just after it looks finished (a phone's first visit reports its width, a
    chosen value echoes back) and the rerun closes an open list: open it again, after the app has run.
    """
    option = page.get_by_role("option", name=name, exact=exact)
    for attempt in range(attempts):
        wait_for_app(page)
        opener.click()
        try:
            option.wait_for(timeout=8_000)
            option.click(timeout=8_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def open_data_sources(page, app_url: str) -> None:
    """Open the app, then the Data & sources page by its link, and wait until it has run."""
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("link", name="Data & sources").click()
    page.get_by_text("Load a file").first.wait_for(timeout=30_000)
    wait_for_app(page)


def table_rows(page) -> list[tuple[str, ...]]:
    """The first static table on the page, as the browser shows it: header row, then body rows."""
    table = page.locator("[data-testid='stTable'] table").first
    table.locator("tbody tr").first.wait_for(timeout=30_000)
    header = tuple(t.strip() for t in table.locator("thead th").all_inner_texts())
    body = [
        tuple(cell.strip() for cell in row.locator("td, th").all_inner_texts())
        for row in table.locator("tbody tr").all()
    ]
    return [header, *body]


def assert_store_consistent(conn) -> None:
    """Every active monitoring load holds exactly the lines it recorded; ids are unique."""
    assert conn.execute("SELECT count(*) - count(DISTINCT update_id) FROM action_updates").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) - count(DISTINCT load_id) FROM loads").fetchone()[0] == 0
    mismatched = conn.execute(
        """
        SELECT l.load_id, l.row_count, count(m.load_id) FROM loads l LEFT JOIN monitoring m USING (load_id)
        WHERE l.kind = 'monitoring' AND l.undone_at IS NULL GROUP BY ALL HAVING l.row_count <> count(m.load_id)
        UNION ALL
        SELECT l.load_id, l.row_count, count(s.load_id) FROM loads l LEFT JOIN savings s USING (load_id)
        WHERE l.kind = 'savings' AND l.undone_at IS NULL GROUP BY ALL HAVING l.row_count <> count(s.load_id)
        """
    ).fetchall()
    assert mismatched == []
    orphans = conn.execute(
        """
        SELECT (SELECT count(*) FROM monitoring WHERE load_id NOT IN (SELECT load_id FROM loads))
             + (SELECT count(*) FROM savings WHERE load_id NOT IN (SELECT load_id FROM loads))
        """
    )
    assert orphans.fetchone()[0] == 0


def counting(monkeypatch, module, name: str, calls) -> None:
    """Count calls to module.name in `calls` (a Counter); the wrapper keeps its name, so the figure cache keys
    it as before."""
    original = getattr(module, name)

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def open_page(app_test, page_file: str, **query: str):
    """Run the app under AppTest, then switch to `page_file` (with `query` in the URL); no exception allowed."""
    for name, value in query.items():
        app_test.query_params[name] = value
    app_test.run()
    app_test.switch_page(page_file).run()
    assert not app_test.exception
    return app_test


def pdf_accessibility_faults(pdf: bytes) -> list[str]:
    """What stops a PDF being tagged for assistive technology: no structure tree or MarkInfo, no /Lang, no
    title, or a Figure without /Alt. Empty when the PDF has all of them."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    faults = [f"no {key}" for key in ("/StructTreeRoot", "/MarkInfo", "/Lang") if key not in root]
    if "/MarkInfo" in root and not root["/MarkInfo"].get("/Marked"):
        faults.append("/MarkInfo does not say /Marked true")
    if not (reader.metadata and reader.metadata.title):
        faults.append("no title")
    figures = []
    pending = [root["/StructTreeRoot"]] if "/StructTreeRoot" in root else []
    while pending:
        node = pending.pop().get_object()
        if not isinstance(node, dict):
            continue
        if node.get("/S") == "/Figure":
            figures.append(node)
        kids = node.get("/K")
        pending.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    faults += ["a Figure has no /Alt" for figure in figures if not str(figure.get("/Alt", "")).strip()]
    return faults


def pdf_figures_alt(pdf: bytes) -> list[str]:
    """The /Alt text of every Figure in the PDF's structure tree, in tree order."""
    import io

    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])
    return found


def open_every_panel(at):
    """Open every panel the page drew closed ('Show the data', the sources...), as a user would, and rerun:
    their contents are drawn only when open (ui/panel.py)."""
    from ui.panel import PANEL_KEY_PREFIX

    panels = [key for key in at.session_state._state._state.filtered_state if key.startswith(PANEL_KEY_PREFIX)]
    for key in panels:
        at.session_state[key] = True
    return at.run()


def project_runs_as(user: int) -> bool:
    """Whether another user can run the project's Python here: not in a checkout inside a folder only its
    owner may enter (`mktemp -d` makes one, mode 700). Tests that write as `nobody` skip, saying so."""
    command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", sys.executable, "-c", "import data"]
    try:
        return subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


NOT_RUNNABLE_AS_NOBODY = "the checkout's folders do not let other users in (e.g. mktemp -d's mode 700): chmod 755 it"
