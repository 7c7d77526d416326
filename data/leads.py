"""The lead alias list: how the lead cells of Appendix 1 group into named leads.

The source names the same lead in different ways ("SLT", "Senior Leadership Team (SLT)") and some
cells name several leads ("SLT, Cabinet and Budget Holders"). `lead_aliases.csv` maps each lead cell,
exactly as written, to one or more leads separated by `|`. A recommendation belongs to every lead its
cell maps to. A cell that is not in the list keeps its own text as its lead; a blank cell is
`NO_LEAD`. Edit the CSV (not the code) when a lead is renamed; a test checks every cell is listed.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

LEAD_ALIASES_CSV = Path(__file__).parent / "lead_aliases.csv"
NO_LEAD = "No lead in source"


@cache
def lead_aliases() -> dict[str, tuple[str, ...]]:
    """Lead cell text → the leads it names, from lead_aliases.csv."""
    with LEAD_ALIASES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    aliases: dict[str, tuple[str, ...]] = {}
    for line, row in enumerate(rows, start=2):
        text, leads = row["lead_text"].strip(), row["leads"].strip()
        if not text or not leads:
            raise ValueError(f"{LEAD_ALIASES_CSV.name}, row {line}: lead_text and leads are both required")
        if text in aliases:
            raise ValueError(f"{LEAD_ALIASES_CSV.name}, row {line}, column lead_text: {text!r} is listed twice")
        aliases[text] = tuple(lead.strip() for lead in leads.split("|") if lead.strip())
    return aliases


def leads_for(lead_text: str | None) -> tuple[str, ...]:
    """The named leads for one lead cell: aliases applied, unlisted cells kept as written."""
    if lead_text is None or not str(lead_text).strip():
        return (NO_LEAD,)
    text = " ".join(str(lead_text).split())
    return lead_aliases().get(text, (text,))
