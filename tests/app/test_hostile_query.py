"""Every query parameter the app reads, fed hostile values on the pages that read them: no exception, no error
box, and the session is not broken (the next page, opened with no parameters, is drawn cleanly)."""

from __future__ import annotations

import pytest

from ui import filters

PARAMS = ("as_at", filters.PARAM_DIRECTORATE, filters.PARAM_YEAR, filters.PARAM_PERIOD,
          filters.PARAM_DRILL, filters.PARAM_SERVICE, filters.PARAM_COST_CENTRE, "rec", "token")  # fmt: skip
HOSTILE = {
    "year 9999": "9999-12-31",
    "year 1": "0001-01-01",
    "huge number": "9" * 40,
    "negative": "-1",
    "not a number": "1e309",
    "markdown and icons": "[x](javascript:alert(1)) :material/lock: $x$ **b**",
    "direction controls": "2021\u202e-10-05\u2066",
    "long": "x" * 5000,
    "percent and quotes": "%00%'\"; DROP TABLE loads;--",
}
# Each test's first run is the Overview, with every parameter set.
PAGES = ("pages/directorates.py", "pages/action_plan.py", "pages/briefing.py")


def errors(at) -> list[str]:
    """Exceptions and the unexpected-error box; a refusal in words ("There is no recommendation -1") is fine."""
    unexpected = [element.value for element in at.error if "Quote reference" in element.value]
    return unexpected + [str(element.value) for element in at.exception]


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_query_values_break_neither_the_page_nor_the_session(app_test, value):
    """One session per value (a session's first run costs most): each page with every parameter set to it,
    then, with none set, another page and each page again."""
    found: dict[str, list[str]] = {}

    def run(step: str, page: str | None) -> None:
        at = app_test.run() if page is None else app_test.switch_page(page).run()
        if errors(at):
            found[step] = errors(at)

    for step, page in (("Overview", None), *((f"{page}, hostile", page) for page in PAGES)):
        for param in PARAMS:  # again before each page: a page may take a value it refuses out of the address
            app_test.query_params[param] = value
        run(step, page)
    for param in PARAMS:
        app_test.query_params.pop(param, None)
    for page in ("pages/reserves.py", *PAGES):
        run(f"{page}, afterwards", page)
    assert not found, found
