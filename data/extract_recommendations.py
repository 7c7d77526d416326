"""Extract the 48-row action plan (Appendix 1) from the source text into CSV.

Run `python -m data.extract_recommendations` to regenerate `data/recommendations.csv` and
`data/action_updates_seed.csv`; a test checks that the committed CSVs match this output, so
every recommendation in the database can be traced back to the source table.

The source table is tab-separated. A row starts with "N.\t"; a theme heading ends in four
tabs; a line starting with a tab continues the row above across a page break, cell by cell.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).parent
SOURCE_TEXT = DATA_DIR / "sources" / "dorset_cabinet_2021-10-05_lga_finance_peer_challenge.txt"
RECOMMENDATIONS_CSV = DATA_DIR / "recommendations.csv"
ACTION_UPDATES_SEED_CSV = DATA_DIR / "action_updates_seed.csv"

# "Autumn 2021": autumn is taken as September-November (the Met Office's seasons), so an
# item promised for autumn is due by the last day of November.
SEASON_END_MONTH = {"spring": 5, "summer": 8, "autumn": 11, "winter": 2}
DSG_FIRST_REC = 39  # recs 39-48 come from Appendix 3 (DSG review); 1-38 from Appendix 2
SEED_UPDATED_AT = "2021-10-05 00:00:00"

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
SEE_ALSO = re.compile(r"\b(?:See|As)\s+(\d+)\b")


@dataclass
class Row:
    rec_no: int
    theme: str
    cells: list[list[str]] = field(default_factory=lambda: [[], [], [], []])
    continued: list[bool] = field(default_factory=lambda: [False] * 4)


def _table_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Rec\tPeer recommendation"))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "Dorset Council")
    return lines[start + 1 : end]


def parse_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    theme = ""
    for line in _table_lines(text):
        if not line.strip():
            continue
        parts = line.split("\t")
        if line.endswith("\t\t\t\t") and not parts[0].rstrip(".").isdigit():
            theme = parts[0].strip()
            continue
        head = parts[0].strip()
        if head.rstrip(".").isdigit():
            row = Row(rec_no=int(head.rstrip(".")), theme=theme)
            rows.append(row)
            for i, cell in enumerate(parts[1:5]):
                if cell.strip():
                    row.cells[i].append(cell.strip())
        else:
            row = rows[-1]
            for i, cell in enumerate(parts[1:5]):
                if cell.strip():
                    row.cells[i].append(cell.strip())
                    row.continued[i] = True
    return rows


def plain_text(fragments: list[str]) -> str:
    """Join cell fragments and drop the <p> markup; paragraphs are separated by a blank line."""
    joined = " ".join(fragments)
    paragraphs = [p.strip() for p in re.split(r"</?p>", joined) if p.strip()]
    return "\n\n".join(paragraphs)


def classify_timeline(text: str) -> tuple[str, str]:
    """Return (timeline_kind, due_date ISO or '') for a timeline cell as written."""
    if not text:
        return "missing", ""
    lowered = text.strip().lower()
    if lowered == "ongoing":
        return "ongoing", ""
    if lowered == "complete":
        return "complete", ""
    words = lowered.split()
    if len(words) == 2 and words[1].isdigit() and len(words[1]) == 4:
        year = int(words[1])
        if words[0] in MONTHS:
            month = MONTHS[words[0]]
            return "date", date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        if words[0] in SEASON_END_MONTH:
            month = SEASON_END_MONTH[words[0]]
            end_year = year + 1 if words[0] == "winter" else year
            end_day = calendar.monthrange(end_year, month)[1]
            return "season", date(end_year, month, end_day).isoformat()
    return "invalid", ""


def to_record(row: Row) -> dict[str, object]:
    recommendation = plain_text(row.cells[0])
    response = plain_text(row.cells[1])
    timeline_text = plain_text(row.cells[2])
    lead = " ".join(row.cells[3])
    kind, due = classify_timeline(timeline_text)
    issues: list[str] = []
    if not response:
        issues.append("response cell blank in source")
    if kind == "missing":
        issues.append("timeline cell blank in source")
    if kind == "invalid":
        issues.append(f"timeline cell holds '{timeline_text}', which is not a timeline")
    if not lead:
        issues.append("lead cell blank in source")
    if row.continued[3]:
        issues.append("lead split across a page break in source; fragments joined with a space")
    see_also = sorted({int(n) for n in SEE_ALSO.findall(response)})
    return {
        "rec_no": row.rec_no,
        "theme": row.theme,
        "recommendation": recommendation,
        "response": response,
        "timeline_text": timeline_text,
        "timeline_kind": kind,
        "due_date": due,
        "lead": lead,
        "see_also": " ".join(str(n) for n in see_also),
        "source_appendix": 3 if row.rec_no >= DSG_FIRST_REC else 2,
        "source_issues": "; ".join(issues),
    }


def seed_update(record: dict[str, object]) -> dict[str, object]:
    """The status the document itself supports on 5 October 2021."""
    kind = record["timeline_kind"]
    if kind == "complete":
        status, pct, why = "complete", 100, "timeline given as 'Complete'"
    elif kind == "ongoing":
        status, pct, why = "ongoing", "", "timeline given as 'Ongoing'"
    elif record["response"]:
        status, pct, why = "in_progress", "", "the response describes work under way"
    else:
        status, pct, why = "not_started", "", "no response given in the source"
    return {
        "update_id": record["rec_no"],
        "rec_no": record["rec_no"],
        "status": status,
        "percent_complete": pct,
        "revised_due_date": "",
        "note": f"Seeded from the Cabinet action plan of 5 October 2021: {why}.",
        "evidence_url": "",
        "updated_by": "source document",
        "updated_at": SEED_UPDATED_AT,
    }


def extract(text: str) -> list[dict[str, object]]:
    return [to_record(row) for row in parse_rows(text)]


def write_csv(path: Path, records: list[dict[str, object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def main() -> None:
    records = extract(SOURCE_TEXT.read_text(encoding="utf-8"))
    write_csv(RECOMMENDATIONS_CSV, records)
    write_csv(ACTION_UPDATES_SEED_CSV, [seed_update(r) for r in records])
    print(f"wrote {len(records)} recommendations to {RECOMMENDATIONS_CSV.name}")


if __name__ == "__main__":
    main()
