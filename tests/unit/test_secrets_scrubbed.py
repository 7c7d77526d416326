"""Secrets scrubbed from every message the project prints or logs: one scrubber (data/redact.py), on the
process's output streams and every logging handler writing there, in the commands and in the server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from data.db import LakeStore
from data.redact import scrubbed
from tests.support.helpers import PROJECT_DIR


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("host=db user=finance password=hunter2 dbname=finance", "host=db user=finance password=*** dbname=finance"),
        ("host=db password = hunter2 dbname=x", "host=db password = *** dbname=x"),
        ("host=db password='hunter 2' dbname=x", "host=db password=*** dbname=x"),
        ('at "host=db PASSWORD=hunter2": refused', 'at "host=db PASSWORD=***": refused'),
        ("postgresql://finance:hunter2@db.internal:5432/x", "postgresql://finance:***@db.internal:5432/x"),
        ("postgresql://db/x?sslmode=require&password=hunter2", "postgresql://db/x?sslmode=require&password=***"),
        ('client_secret = "hunter2"', "client_secret = ***"),
        ('cookie_secret="hunter2"', "cookie_secret=***"),
        ("Local mode: open http://127.0.0.1:8501/?token=abc", "Local mode: open http://127.0.0.1:8501/?token=abc"),
    ],
)
def test_every_spelling_of_a_password_is_hidden_and_nothing_else_changes(text, kept):
    assert scrubbed(text) == kept


def test_the_store_never_names_its_password():
    assert "hunter2" not in str(LakeStore("host=db password = hunter2", "/x"))
    assert "hunter2" not in str(LakeStore("postgresql://u:hunter2@db/x", "/x"))


LOGS_A_TRACEBACK = """
import logging, sys
from streamlit.logger import get_logger
early = get_logger("streamlit.early")  # a handler made before the server starts, as Streamlit's are
import serve  # the server's entry point, which `make run` starts
logging.basicConfig(level=logging.INFO)
print("catalog password=hunter2-printed")
print("catalog password=hunter2-stdout", file=sys.stdout)
early.error("catalog postgresql://u:hunter2-streamlit@db/x")
try:
    raise RuntimeError('Unable to connect to Postgres at "host=db password=hunter2-traceback"')
except RuntimeError:
    logging.getLogger("finance_dashboard").exception("page failed")
"""


def test_the_server_process_scrubs_what_it_prints_and_every_log_record_with_its_traceback():
    done = subprocess.run(
        [sys.executable, "-c", LOGS_A_TRACEBACK], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Unable to connect to Postgres" in output and "page failed" in output and "streamlit" in output
    assert "hunter2" not in output, output
