"""How every `python -m ...` command meets a person: secrets scrubbed, and one line instead of a traceback.

Each command catches the errors it expects and says what to do about them; `run` is the guard behind
them for whatever nobody foresaw (a value out of range deep in a library, a path that is a folder): the
error's kind and message on one line, exit status 1, nothing written by this guard itself. Argument
checks that argparse can make (`bounded_int`, `plausible_date`, `file_path`) are made there, so a
hostile value gets the usual usage line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from data.redact import scrub_output
from data.vocab import implausible_date

MAX_MESSAGE_CHARS = 500


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """`main(argv)`'s exit status; an unexpected error becomes one line on standard error and status 1."""
    scrub_output()
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last guard: no traceback reaches a terminal
        message = " ".join(str(error).split())[:MAX_MESSAGE_CHARS] or "no message"
        print(f"error: {type(error).__name__}: {message}. Nothing more was done.", file=sys.stderr)
        return 1


def bounded_int(lowest: int, highest: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `lowest` to `highest`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if not lowest <= value <= highest:
            raise argparse.ArgumentTypeError(f"{value} is outside {lowest} to {highest}")
        return value

    return parse


def plausible_date(text: str) -> date:
    """An argparse type: an as-at date written YYYY-MM-DD that data.vocab's plausible-date rule accepts."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date written YYYY-MM-DD") from None
    problem = implausible_date(value)
    if problem:
        raise argparse.ArgumentTypeError(f"the date {problem}")
    return value


def file_path(text: str) -> Path:
    """An argparse type: a path that is not a folder (a database or output file may not exist yet)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text[:200]} is a folder; give a file's path")
    return path
