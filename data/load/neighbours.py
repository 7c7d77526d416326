"""Checking a nearest-neighbours list: `authority_code, neighbour_code[, rank]`, ONS codes. Writes nothing."""

from __future__ import annotations

import re

import pandas as pd

from data.load._model import LoadRejected, ParsedFile, Problem, RawTable, column_letter
from data.load.cells import _columns
from data.load.files import is_blank
from data.vocab import counted

NEIGHBOUR_COLUMNS = ("authority_code", "neighbour_code")
_ONS_CODE = re.compile(r"[EWSN]\d{8}")


def _code(value: object) -> str:
    text = "" if is_blank(value) else str(value).strip().upper()
    if not _ONS_CODE.fullmatch(text):
        raise ValueError(f"is {text[:20]!r}; expected an ONS code such as E06000059")
    return text


def _rank(value: object) -> int | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    number = float(text) if re.fullmatch(r"\d+(\.0+)?", text) else None
    if number is None or not 1 <= number <= 99:
        raise ValueError(f"is {text[:20]!r}; expected a whole number from 1 to 99, or blank")
    return int(number)


def validate_neighbours(raw: RawTable) -> ParsedFile:
    """Every row checked; a pair twice, an authority its own neighbour or a rank used twice is refused."""
    positions, problems = _columns(raw, NEIGHBOUR_COLUMNS, ("rank",))
    if problems:
        raise LoadRejected(problems)
    if not raw.rows:
        raise LoadRejected([Problem(raw.file_name, 2, "A", "no data rows below the header", raw.sheet)])
    records: list[tuple[str, str, int | None]] = []
    pairs: dict[tuple[str, str], int] = {}
    ranks: dict[tuple[str, int], int] = {}
    checks = {"authority_code": _code, "neighbour_code": _code, "rank": _rank}
    for row_number, cells in raw.rows:
        record: dict[str, object] = {}
        readable = True
        for name, check in checks.items():
            if name not in positions:
                record[name] = None
                continue
            index = positions[name]
            try:
                record[name] = check(cells[index] if index < len(cells) else None)
            except ValueError as error:
                readable = False
                problems.append(
                    Problem(raw.file_name, row_number, f"{name} ({column_letter(index)})", f"{name} {error}", raw.sheet)
                )
        if not readable:
            continue
        authority, neighbour, rank = record["authority_code"], record["neighbour_code"], record["rank"]
        where = f"neighbour_code ({column_letter(positions['neighbour_code'])})"
        if authority == neighbour:
            problems.append(
                Problem(raw.file_name, row_number, where, f"{authority} is listed as its own neighbour", raw.sheet)
            )
        elif (authority, neighbour) in pairs:
            problems.append(
                Problem(raw.file_name, row_number, where, f"{neighbour} is already listed for {authority} on row "
                        f"{pairs[authority, neighbour]}", raw.sheet)
            )  # fmt: skip
        elif rank is not None and (authority, rank) in ranks:
            problems.append(
                Problem(raw.file_name, row_number, f"rank ({column_letter(positions['rank'])})",
                        f"rank {rank} is already given to another neighbour of {authority} on row "
                        f"{ranks[authority, rank]}", raw.sheet)
            )  # fmt: skip
        else:
            pairs[authority, neighbour] = row_number
            if rank is not None:
                ranks[authority, rank] = row_number
            records.append((authority, neighbour, rank))
    if problems:
        raise LoadRejected(problems)
    frame = pd.DataFrame.from_records(records, columns=["authority_code", "neighbour_code", "rank"])
    frame["rank"] = frame["rank"].astype("Int64")
    authorities = frame["authority_code"].nunique()
    note = f"{counted(len(frame), 'neighbour')} for {authorities} authorit{'y' if authorities == 1 else 'ies'}."
    return ParsedFile("neighbours", raw.file_name, raw.sha256, frame, [note])
