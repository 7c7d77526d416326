"""The HTML reports' templates (exports/templates/*.html.j2), rendered by Jinja2 with autoescape on.

Every value a template prints is escaped unless it is marked safe in Python (`Markup`), so text people
typed (a note, a title) is shown as typed and never runs. Only this package's own CSS is marked safe.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from data import vocab

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True, default=True),
    undefined=StrictUndefined,  # a name the template uses and the caller forgot fails, never prints ""
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["day"] = lambda value, pattern="%-d %B %Y": f"{value:{pattern}}"  # a date, as words


def render(template: str, **context: object) -> str:
    """The template filled in: a whole HTML document in the report's language."""
    return _ENVIRONMENT.get_template(template).render(lang=vocab.DOCUMENT_LANGUAGE, **context)
