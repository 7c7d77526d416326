"""Shared fixtures: a real DuckDB file built from the CSVs, the app under AppTest, a live server."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from bench import postgres
from bench.serving import free_port, start_server, stop
from data import db as data_db
from data.build import build
from tests.support.helpers import (
    CHROMIUM,
    LOCAL_TOKEN,
    PROJECT_DIR,
    assert_no_unexpected_page_errors,
    assert_only_expected_page_errors,
    browser_context,
)

SAMPLE_ROWS = 12_000


def _scan_installed_components_once() -> None:
    """Streamlit's AppTest scans every installed package's metadata for components on each new AppTest (~0.7 s
    of CPU, a few hundred times a run). The packages do not change during a run, so the scan's answer is kept."""
    from streamlit.components.v2 import manifest_scanner

    scan = functools.cache(manifest_scanner.scan_component_manifests)
    manifest_scanner.scan_component_manifests = lambda *args, **kwargs: list(scan(*args, **kwargs))


_scan_installed_components_once()

# The same examples on every run, so `make test` (and CI) passes or fails on the code, not on the draw;
# HYPOTHESIS_PROFILE=explore searches new examples (run it when changing a page or a metric).
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per session from the CSVs, with sample monitoring lines. Do not write to it."""
    path = tmp_path_factory.mktemp("db") / "finance.duckdb"
    build(path, sample_rows=SAMPLE_ROWS, built_by="pytest")
    return path


@pytest.fixture
def db_path(built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built database that a test may change; FINANCE_DB points at it."""
    path = tmp_path / "finance.duckdb"
    shutil.copyfile(built_db, path)
    monkeypatch.setenv("FINANCE_DB", str(path))
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.ThrowawayPostgres]:
    """A throwaway PostgreSQL cluster for the whole session, stopped and deleted at the end."""
    yield from _throwaway_postgres()


@pytest.fixture
def own_postgres() -> Iterator[postgres.ThrowawayPostgres]:
    """A PostgreSQL cluster for one test, which it may stop and start (an outage): no other test uses it."""
    yield from _throwaway_postgres()


def _throwaway_postgres() -> Iterator[postgres.ThrowawayPostgres]:
    bin_dir = postgres.postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL is not installed: `make test` installs Debian's postgresql (as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = postgres.start(bin_dir)
    try:
        yield server
    finally:
        data_db.close_lakes()
        server.stop()


@pytest.fixture(scope="session")
def built_lake(postgres_server, tmp_path_factory: pytest.TempPathFactory) -> data_db.LakeStore:
    """A shared store built once per session like `built_db`; tests get copies of its catalog (`lake_store`)."""
    data_path = tmp_path_factory.mktemp("lake")
    template = data_db.LakeStore(postgres_server.create_database("finance_template"), f"{data_path}/")
    build(template, sample_rows=SAMPLE_ROWS, built_by="pytest")
    # createdb -T needs the template with no connections.
    data_db.close_lakes()
    return template


_lake_count = 0


@pytest.fixture
def lake_store(built_lake, postgres_server, monkeypatch: pytest.MonkeyPatch) -> data_db.LakeStore:
    """A private copy of the built shared store that a test may change; FINANCE_STORE points at it.

    The copy's catalog is a new PostgreSQL database from the template. Data files are never rewritten
    in place (DuckLake writes new files and records deletions), so the copies share the data folder.
    """
    global _lake_count
    _lake_count += 1
    name = f"finance_{os.getpid()}_{_lake_count}"
    store = data_db.LakeStore(postgres_server.create_database(name, template="finance_template"), built_lake.data_path)
    monkeypatch.setenv("FINANCE_STORE", "ducklake")
    monkeypatch.setenv("FINANCE_CATALOG", store.catalog)
    monkeypatch.setenv("FINANCE_DATA_PATH", store.data_path)
    return store


@pytest.fixture(params=["embedded", "shared"])
def store(request: pytest.FixtureRequest) -> Path | data_db.LakeStore:
    """Each store in turn, a private copy that the test may change: the embedded file, then the shared store."""
    return request.getfixturevalue("db_path" if request.param == "embedded" else "lake_store")


class _PageErrors(logging.Handler):
    """Keeps each error the app showed with a reference (ui.error_reference logs it at ERROR)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.traces: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "error reference" in record.getMessage():
            self.traces.append(record.getMessage())


@pytest.fixture
def app_test(db_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """The real app under Streamlit's AppTest, on a private database, as a running server runs it.

    AppTest starts every run in Streamlit's old pages/ mode (it resets the flag that app.py's
    st.navigation clears), where ui.frame.require_frame() has to rerun the script, dropping a
    button click. A running server clears that flag for good on its first run, so here it is
    cleared after each AppTest run starts. tests/app/test_frame.py covers the guard without this.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original_init = PagesManager.__init__

    def init_as_a_running_server(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_as_a_running_server)
    # As for a served app (`_serve`): a page that showed an error the test did not expect fails it.
    errors = _PageErrors()
    logger = logging.getLogger("finance_dashboard")
    logger.addHandler(errors)
    try:
        yield AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=60)
    finally:
        logger.removeHandler(errors)
    assert_only_expected_page_errors(errors.traces, _expected_page_errors(request), "app_test")


@pytest.fixture
def live_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The app served by Streamlit on a free local port, on a private database; yields its URL.

    A module marked `shared_server` (its tests change nothing the server keeps) gets one server for all its
    tests: a server's start and its first, cold page cost seconds each.
    """
    if request.node.get_closest_marker("shared_server"):
        yield request.getfixturevalue("module_app")
        return
    yield from _serve(request.getfixturevalue("db_path"), tmp_path / "server.log", _expected_page_errors(request))


@pytest.fixture(scope="module")
def module_app(request: pytest.FixtureRequest, built_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """One served app for a module's tests, on the module's own copy of the built database, which the
    module's `prepare_served_database(path)`, if it has one, fills first."""
    directory = tmp_path_factory.mktemp("served")
    path = directory / "finance.duckdb"
    shutil.copyfile(built_db, path)
    if prepare := getattr(request.module, "prepare_served_database", None):
        prepare(path)
    yield from _serve(path, directory / "server.log", _expected_page_errors(request))


def _expected_page_errors(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The errors a test (or a shared server's module) means its pages to show: `page_errors_expected(*patterns)`."""
    marker = request.node.get_closest_marker("page_errors_expected")
    return tuple(marker.args) if marker else ()


def _serve(db_path: Path, log_path: Path, expected_errors: tuple[str, ...] = ()) -> Iterator[str]:
    """Serve the app on `db_path`; once stopped, fail if a page showed an error the test did not expect."""
    port = free_port()
    env = {**os.environ, "FINANCE_DB": str(db_path), "FINANCE_LOCAL_TOKEN": LOCAL_TOKEN}
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
    ]  # fmt: skip
    process = start_server(command, env, port, log_path)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
    assert_no_unexpected_page_errors(log_path, expected_errors)


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium under Playwright (never Playwright's own download)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed: run `make test` as root or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def conn(built_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built database, shared by a module's tests."""
    with duckdb.connect(str(built_db), read_only=True) as connection:
        yield connection


@pytest.fixture
def write_conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to this test's private copy of the database."""
    with duckdb.connect(str(db_path)) as connection:
        yield connection


@pytest.fixture
def page(chromium_browser):
    context = browser_context(chromium_browser)
    yield context.new_page()
    context.close()
