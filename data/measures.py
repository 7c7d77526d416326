"""The catalogue of measures (data/measures.csv, a reviewed file): what a figure may report, and how.

A figures load accepts a measure only if the catalogue has it, by key or by one of its aliases, and
only with the catalogue's unit and one of its periods and scenarios. New measures are added here in a
reviewed change, never by a load.
"""

from __future__ import annotations

import csv
import difflib
import functools
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_CSV = Path(__file__).parent / "measures.csv"
# A balance is a level at a point in time (a reserve, the cumulative DSG deficit): its value at the year end
# may be given at outturn or as at a date, and both mean the same thing. A flow is an amount over a year
# (a budget, an overspend). Anything else (a rate, a year, a count) is "other".
STOCK_OR_FLOW = ("balance", "flow", "other")
YEAR_END_PERIODS = ("outturn", "as_at")  # how a balance's year-end value may be given


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    definition: str
    aliases: tuple[str, ...]
    periods: tuple[str, ...]
    scenarios: tuple[str, ...]  # empty: the measure takes no scenario
    stock_or_flow: str = "other"  # one of STOCK_OR_FLOW

    def __post_init__(self) -> None:
        if self.stock_or_flow not in STOCK_OR_FLOW:
            raise ValueError(f"{self.key}: stock_or_flow is {self.stock_or_flow!r}; expected one of {STOCK_OR_FLOW}")
        if self.stock_or_flow == "balance" and not set(YEAR_END_PERIODS) <= set(self.periods):
            raise ValueError(f"{self.key} is a balance: it must accept its year-end value at {YEAR_END_PERIODS}")

    @property
    def is_balance(self) -> bool:
        return self.stock_or_flow == "balance"


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split("|") if part)


class CatalogueInvalid(ValueError):
    """The catalogue file cannot be used: two measures share a spelling, so a figure could land on either."""


@functools.cache
def catalogue(path: Path = CATALOGUE_CSV) -> dict[str, Measure]:
    """Key -> Measure, from the reviewed CSV. Raises CatalogueInvalid if any spelling names two measures."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    measures = [
        Measure(
            row["measure"],
            row["label"],
            row["unit"],
            row["definition"],
            _split(row["aliases"]),
            _split(row["periods"]),
            _split(row["scenarios"]),
            row["stock_or_flow"],
        )
        for row in rows
    ]
    problems = collisions(measures)
    if problems:
        raise CatalogueInvalid(f"{path.name}: " + "; ".join(problems) + ". Every key and alias must name one measure.")
    return {measure.key: measure for measure in measures}


def collisions(measures: list[Measure]) -> list[str]:
    """Every spelling (a key or an alias, compared in lower case as loads compare them) given to more than one
    measure, or twice: each as '<spelling> is ... on rows N and M' (the header is row 1)."""
    first: dict[str, tuple[int, str]] = {}
    problems = []
    for row, measure in enumerate(measures, start=2):
        for kind, spelling in [("key", measure.key), *(("alias", alias) for alias in measure.aliases)]:
            name = spelling.strip().lower()
            if name in first:
                earlier_row, earlier_kind = first[name]
                problems.append(f"{spelling!r} is the {earlier_kind} on row {earlier_row} and the {kind} on row {row}")
            else:
                first[name] = (row, kind)
    return problems


def balances(measures: dict[str, Measure] | None = None) -> tuple[str, ...]:
    """The keys of every balance in the catalogue."""
    return tuple(key for key, measure in (measures or catalogue()).items() if measure.is_balance)


def names(measures: dict[str, Measure]) -> dict[str, str]:
    """Every accepted spelling (key or alias, lower case) -> the catalogue key."""
    accepted = {key: key for key in measures}
    for measure in measures.values():
        for alias in measure.aliases:
            accepted.setdefault(alias, measure.key)
    return accepted


def suggestions(text: str, measures: dict[str, Measure], limit: int = 3) -> list[str]:
    """The catalogue keys nearest to an unknown measure, nearest first (aliases count towards their key)."""
    accepted = names(measures)
    close = difflib.get_close_matches(text.lower(), list(accepted), n=limit * 3, cutoff=0.6)
    keys: list[str] = []
    for name in close:
        if accepted[name] not in keys:
            keys.append(accepted[name])
    return keys[:limit]
