"""Secrets kept out of everything the project prints or logs: one scrubber, on the process's output streams.

A password reaches a message in ways no caller can foresee: DuckDB's own errors quote the whole catalog
connection string ("Unable to connect to Postgres at \"host=... password=...\""), a traceback shows the
value an exception carried, a configuration error quotes its line. So rather than each message being
careful, `scrub_output` puts `scrubbed` between the process and its standard output and error, and points
every logging handler that writes there at the scrubbed streams: the command line and the server (app.py,
serve.py) both call it first.

What is hidden: the value after `password`, `passwd`, `pwd`, `sslpassword`, `client_secret` or
`cookie_secret` and `=` or `:` (spaces allowed, quoted or not, as libpq, TOML and URLs write it), and the
password in a URL's `user:password@host`. The local-mode token is not hidden: printing its link in the
terminal that started the server is how the person who started it gets in (ui/identity.py).
"""

from __future__ import annotations

import io
import logging
import re
import sys
from typing import TextIO

HIDDEN = "***"
_KEY_VALUE = re.compile(
    r"""(?ix)
    \b(password|passwd|pwd|sslpassword|client_secret|cookie_secret)
    (["']?\s*[=:]\s*)
    ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'"&;,]+)
    """
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@'\"]*):([^\s/@'\"]+)@")


def scrubbed(text: str) -> str:
    """`text` with every password-like value replaced by ***."""
    text = _KEY_VALUE.sub(lambda m: f"{m[1]}{m[2]}{HIDDEN}", text)
    return _URL_PASSWORD.sub(rf"\1:{HIDDEN}@", text)


class ScrubbedStream(io.TextIOBase):
    """A text stream that writes `scrubbed` text to the stream it wraps (everything else is passed through)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(scrubbed(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def scrub_output() -> None:
    """Make every later write to standard output and error, and every log record written there, scrubbed.

    Idempotent; handlers made later (Streamlit's and logging.basicConfig's default to sys.stderr) write to
    the scrubbed streams as they find them in sys.
    """
    if isinstance(sys.stdout, ScrubbedStream) and isinstance(sys.stderr, ScrubbedStream):
        return  # app.py calls this on every run; handlers made since write to the scrubbed streams already
    replaced: dict[int, ScrubbedStream] = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, ScrubbedStream):
            wrapper = ScrubbedStream(stream)
            replaced[id(stream)] = wrapper
            setattr(sys, name, wrapper)
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            if isinstance(handler, logging.StreamHandler) and id(handler.stream) in replaced:
                handler.setStream(replaced[id(handler.stream)])
