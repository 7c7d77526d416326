"""Reserves indicators from the RS returns, for an authority beside its nearest neighbours (no ranking).

Each indicator is declared once (`INDICATORS`: name, formula, the RS lines it uses, which way is lower
risk) and computed once (`indicator_values`); pages and charts draw what `benchmark` decides. Every value
is derived from the returns' lines, in £ thousand as published, and says which lines and dates it used.
A council formed from others (data/authorities.SUCCESSIONS) has no return before it was formed: its
predecessors' figures are kept apart and labelled as theirs, never summed into it or shown as its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from data.authorities import (
    COUNCIL_CODE,
    NEIGHBOURS_SOURCE,
    RETURNS_SOURCE,
    Succession,
    shown_name,
    succession_of,
)
from data.vocab import parse_fiscal_year

NOT_FALLING = "not falling"
NOT_AVAILABLE = "not available"
MIN_NEIGHBOURS = 3  # fewer neighbours with a value than this: no median is given


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str  # "pct" or "years"
    formula: str  # as shown on screen
    lines: str  # the RS lines and dates it uses
    short: str  # a column heading


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "reserves_share",
        "Reserves (excluding schools and public health) as a share of net revenue expenditure",
        "pct",
        "(line 915 + line 916, at 31 March) ÷ line 805 × 100",
        "915 other earmarked and 916 unallocated reserves at 31 March; 805 net revenue expenditure; same year",
        "Reserves, % of NRE",
    ),
    Indicator(
        "unallocated_share",
        "Unallocated reserves as a share of net revenue expenditure",
        "pct",
        "line 916 at 31 March ÷ line 805 × 100",
        "916 unallocated reserves at 31 March; 805 net revenue expenditure; same year",
        "Unallocated, % of NRE",
    ),
    Indicator(
        "change_3y",
        "Change in reserves (excluding schools and public health) over three years",
        "pct",
        "(balance at 31 March of the year − balance at 1 April of the first of the three years) ÷ that 1 April "
        "balance × 100, where balance = line 915 + line 916",
        "915 and 916 at 31 March of the year (its return) and at 1 April of the first of the three years "
        "(that year's return)",
        "Change over 3 years",
    ),
    Indicator(
        "sustainability",
        "Reserves sustainability: years until reserves run out at the average fall of the last three years",
        "years",
        "balance at 31 March ÷ ((balance at 1 April of the first of the three years − balance at 31 March) ÷ 3); "
        "'not falling' when the balance did not fall",
        "915 and 916 at 31 March of the year and at 1 April of the first of the three years",
        "Sustainability",
    ),
)
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}

_LINES = """
    SELECT fiscal_year, ons_code, authority, line, balance_at, value_gbp_k, file_name, sheet, cell
    FROM returns WHERE line IN (805, 915, 916) AND ($codes IS NULL OR list_contains($codes, ons_code))
"""
_AUTHORITIES = """
    SELECT ons_code, arg_max(authority, fiscal_year) AS authority, min(fiscal_year) AS first_year,
           max(fiscal_year) AS last_year, list(DISTINCT fiscal_year ORDER BY fiscal_year) AS years
    FROM returns GROUP BY ons_code ORDER BY authority
"""
_NEIGHBOURS = "SELECT neighbour_code, rank FROM neighbours WHERE authority_code = $code ORDER BY rank, neighbour_code"
_NEIGHBOUR_LOAD = """
    SELECT l.file_name, l.loaded_at FROM neighbours n JOIN loads l USING (load_id)
    WHERE n.authority_code = $code LIMIT 1
"""
_FILES = "SELECT DISTINCT fiscal_year, file_name, sheet FROM returns ORDER BY fiscal_year"


def shift_year(fiscal_year: str, years: int) -> str:
    """'2019/20' shifted by -2 -> '2017/18'."""
    start = int(fiscal_year[:4]) + years
    return f"{start}/{(start + 1) % 100:02d}"


def years_held(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT DISTINCT fiscal_year FROM returns ORDER BY 1").fetchall()]


def authorities(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per authority with a return held: ONS code, latest name (a predecessor of the dashboard's
    council under its full name), first and last year, years held."""
    held = conn.execute(_AUTHORITIES).df()
    held["authority"] = [shown_name(code, name) for code, name in zip(held["ons_code"], held["authority"], strict=True)]
    return held


def _inputs(conn: duckdb.DuckDBPyConnection, codes: list[str] | None) -> pd.DataFrame:
    """One row per authority and year: 805, and 915 + 916 at each date, with the cells they came from."""
    lines = conn.execute(_LINES, {"codes": codes}).df()
    if lines.empty:
        return pd.DataFrame(columns=["ons_code", "fiscal_year", "authority", "nre", "start", "end", "cells"])
    lines["key"] = lines["line"].astype(str) + lines["balance_at"].fillna("").map(lambda d: f" {d}" if d else "")
    lines["where"] = lines["key"] + ": " + lines["sheet"].fillna("") + "!" + lines["cell"]
    values = lines.pivot_table(
        index=["ons_code", "fiscal_year"], columns="key", values="value_gbp_k", aggfunc="first", dropna=False
    )
    values = values.reindex(columns=["805", "915 1 April", "915 31 March", "916 1 April", "916 31 March"])
    frame = pd.DataFrame(
        {
            "nre": values["805"],
            # A balance is held only if both lines are: NaN + a number stays NaN.
            "start": values["915 1 April"] + values["916 1 April"],
            "end": values["915 31 March"] + values["916 31 March"],
            "unallocated_end": values["916 31 March"],
        }
    ).reset_index()
    names = lines.groupby(["ons_code", "fiscal_year"], as_index=False).agg(
        authority=("authority", "first"), cells=("where", lambda w: "; ".join(sorted(w)))
    )
    names["authority"] = [shown_name(c, n) for c, n in zip(names["ons_code"], names["authority"], strict=True)]
    return frame.merge(names, on=["ons_code", "fiscal_year"])


def _share(numerator: float, denominator: float) -> float:
    if pd.isna(numerator) or pd.isna(denominator) or denominator <= 0:
        return math.nan
    return numerator / denominator * 100


def _no_earlier_return(code: str, name: str, first: str) -> str:
    succession = succession_of(code)
    if succession is not None and first < succession.first_year:
        return (
            f"needs the {first} return, but {name} was formed on {succession.formed_on:%-d %B %Y}: {first} returns "
            "belong to its predecessors, which are not mixed in"
        )
    return f"needs the {first} return, which is not held for this authority"


def indicator_values(conn: duckdb.DuckDBPyConnection, codes: list[str] | None = None) -> pd.DataFrame:
    """Every indicator for every authority (or those in `codes`) and year held: value (NaN when not
    available), status, reason, and the derivation (lines, dates and cells used). One row per authority,
    year and indicator."""
    inputs = _inputs(conn, codes)
    by_key = {(row.ons_code, row.fiscal_year): row for row in inputs.itertuples(index=False)}
    rows = []
    for row in inputs.itertuples(index=False):
        year = row.fiscal_year
        first = shift_year(year, -2)
        earlier = by_key.get((row.ons_code, first))
        start = earlier.start if earlier is not None else math.nan
        start_note = f"1 April balance from the {first} return" + (f" ({earlier.cells})" if earlier is not None else "")
        derivation_same = f"derived from the {year} return ({row.cells})"
        for indicator in INDICATORS:
            value, status, reason = math.nan, "value", ""
            if indicator.key == "reserves_share":
                value = _share(row.end, row.nre)
            elif indicator.key == "unallocated_share":
                value = _share(row.unallocated_end, row.nre)
            elif earlier is None:
                reason = _no_earlier_return(row.ons_code, row.authority, first)
            elif pd.isna(start) or pd.isna(row.end):
                reason = f"line 915 or 916 is blank or not held in the {first} or {year} return"
            elif indicator.key == "change_3y":
                value = _share(row.end - start, start) if start > 0 else math.nan
            else:
                fall = (start - row.end) / 3
                if fall <= 0:
                    status = NOT_FALLING
                else:
                    value = max(row.end, 0.0) / fall  # a balance already below zero has run out
            if math.isnan(value) and status == "value":
                status = NOT_AVAILABLE
                reason = reason or "line 805, 915 or 916 is blank, zero or not held for this year"
            derivation = derivation_same if indicator.key in ("reserves_share", "unallocated_share") else (
                f"{derivation_same}; {start_note}"
            )  # fmt: skip
            rows.append((row.ons_code, row.authority, year, indicator.key, value, status, reason, derivation))
    return pd.DataFrame(
        rows,
        columns=["ons_code", "authority", "fiscal_year", "indicator", "value", "status", "reason", "derivation"],
    )


def shown(value: float, status: str, unit: str) -> str:
    """An indicator's value in words: '12.3%', '8.5 years', 'not falling', 'not available'."""
    if status != "value":
        return status
    return f"{value:,.1f}%" if unit == "pct" else f"{value:,.1f} years"


def _comparable(value: float, status: str) -> float:
    """Sustainability that is not falling compares as the lowest risk of all."""
    return math.inf if status == NOT_FALLING else value


LOWER_RISK, HIGHER_RISK, LEVEL, NO_COMPARISON = "lower risk", "higher risk", "level with the median", "no comparison"


def risk_words(indicator: Indicator, value: float, status: str, neighbours: pd.DataFrame) -> tuple[str, str]:
    """(level, sentence): 'Lower risk than the neighbours' median (12.3% against 9.8%).' Higher is lower risk
    for every indicator; 'not falling' is lower risk than any number of years."""
    held = neighbours[neighbours["status"].isin(["value", NOT_FALLING])]
    if status == NOT_AVAILABLE:
        return NO_COMPARISON, "No comparison: the authority's value is not available."
    if len(held) < MIN_NEIGHBOURS:
        return NO_COMPARISON, f"No comparison: fewer than {MIN_NEIGHBOURS} neighbours have a value for this year."
    median = median_of(held)
    mine = _comparable(value, status)
    median_text = NOT_FALLING if math.isinf(median) else shown(median, "value", indicator.unit)
    against = f"({shown(value, status, indicator.unit)} against {median_text})"
    if mine > median:
        return LOWER_RISK, f"Lower risk than the neighbours' median {against}."
    if mine < median:
        return HIGHER_RISK, f"Higher risk than the neighbours' median {against}."
    return LEVEL, f"Level with the neighbours' median {against}."


def median_of(held: pd.DataFrame) -> float:
    """The median of values that may include 'not falling' (infinite: above every number)."""
    values = sorted(_comparable(v, s) for v, s in zip(held["value"], held["status"], strict=True))
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    low, high = values[middle - 1], values[middle]
    return high if math.isinf(low) or math.isinf(high) else (low + high) / 2


@dataclass
class Benchmark:
    """Everything the Benchmarking page shows for one authority and year."""

    authority: str  # ONS code
    authority_name: str
    year: str
    values: pd.DataFrame  # the authority and its neighbours this year: indicator_values rows + is_subject
    trend: pd.DataFrame  # per year held: the authority's value and the neighbours' median, per indicator
    words: dict[str, str]  # indicator key -> "Higher risk than ..." sentence
    levels: dict[str, str]  # indicator key -> LOWER_RISK, HIGHER_RISK, LEVEL or NO_COMPARISON
    medians: dict[str, float]  # indicator key -> the neighbours' median this year (NaN: none; inf: not falling)
    missing: pd.DataFrame  # neighbours with no return this year, and why
    predecessor_values: pd.DataFrame  # predecessors' own figures (labelled as theirs), when the year is before
    succession: Succession | None
    subject_missing: str | None  # why the authority itself has no return this year, if it has none
    neighbours_source: str
    returns_source: str
    notes: list[str] = field(default_factory=list)


def _why_missing(code: str, year: str, held: pd.DataFrame) -> str:
    succession = succession_of(code)
    if succession is not None and year < succession.first_year:
        names = ", ".join(name for _, name in succession.predecessors)
        return f"formed on {succession.formed_on:%-d %B %Y}; returns for {year} belong to its predecessors ({names})"
    row = held[held["ons_code"] == code]
    if row.empty:
        return "no return held for any year loaded"
    name = row.iloc[0]["authority"]
    namesakes = held[(held["authority"] == name) & (held["ons_code"] != code)]
    elsewhere = [other for other, years in zip(namesakes["ons_code"], namesakes["years"], strict=True)
                 if year in list(years)]  # fmt: skip
    if elsewhere:
        # Published returns do this: North Yorkshire is E10000022 in 2015-16 and 2017-18, E10000023 in 2016-17.
        return (
            f"the {year} return lists {name} under another ONS code ({', '.join(elsewhere)}); returns are joined "
            "by ONS code, so it is not counted as this authority's"
        )
    first, last = row.iloc[0]["first_year"], row.iloc[0]["last_year"]
    if year < first:
        return f"its first return held is for {first} (created since, or earlier years not loaded)"
    if year > last:
        return f"its last return held is for {last} (abolished or merged since, or later years not loaded)"
    return f"the {year} return has no row for it (not submitted or not published that year)"


def benchmark(conn: duckdb.DuckDBPyConnection, authority: str, year: str) -> Benchmark:
    """The authority beside its nearest neighbours for one year, and the trend over every year held."""
    year = parse_fiscal_year(year)
    held = authorities(conn)
    neighbours = [row[0] for row in conn.execute(_NEIGHBOURS, {"code": authority}).fetchall()]
    succession = succession_of(authority)
    predecessors = [code for code, _ in succession.predecessors] if succession else []
    every = indicator_values(conn, [authority, *neighbours, *predecessors])
    names = dict(zip(held["ons_code"], held["authority"], strict=True))
    name = names.get(authority) or (succession.successor_name if succession else authority)
    group = every[every["ons_code"].isin([authority, *neighbours])].copy()
    group["is_subject"] = group["ons_code"] == authority
    this_year = group[group["fiscal_year"] == year].reset_index(drop=True)
    present = set(this_year["ons_code"])
    missing = pd.DataFrame(
        [(code, names.get(code, code), _why_missing(code, year, held)) for code in neighbours if code not in present],
        columns=["ons_code", "authority", "why"],
    )
    subject_missing = None if authority in present else _why_missing(authority, year, held)
    words, levels, medians = {}, {}, {}
    for indicator in INDICATORS:
        rows = this_year[this_year["indicator"] == indicator.key]
        mine = rows[rows["is_subject"]]
        others = rows[~rows["is_subject"]]
        comparable = others[others["status"].isin(["value", NOT_FALLING])]
        medians[indicator.key] = median_of(comparable) if len(comparable) >= MIN_NEIGHBOURS else math.nan
        if mine.empty:
            levels[indicator.key] = NO_COMPARISON
            words[indicator.key] = f"No comparison: {name} has no return for {year}."
        else:
            levels[indicator.key], words[indicator.key] = risk_words(
                indicator, mine.iloc[0]["value"], mine.iloc[0]["status"], others
            )
    trend_rows = []
    for (key, fiscal_year), rows in group.groupby(["indicator", "fiscal_year"]):
        mine = rows[rows["is_subject"]]
        others = rows[~rows["is_subject"] & rows["status"].isin(["value", NOT_FALLING])]
        median = median_of(others) if len(others) >= MIN_NEIGHBOURS else math.nan
        trend_rows.append(
            (
                key,
                fiscal_year,
                mine.iloc[0]["value"] if not mine.empty else math.nan,
                mine.iloc[0]["status"] if not mine.empty else "no return",
                median if not math.isinf(median) else math.nan,
                len(others),
            )
        )
    trend = pd.DataFrame(
        trend_rows,
        columns=["indicator", "fiscal_year", "authority_value", "authority_status", "neighbours_median", "neighbours"],
    )
    predecessor_values = every.iloc[0:0].copy()
    if succession is not None:
        predecessor_values = every[
            every["ons_code"].isin(predecessors) & (every["fiscal_year"] < succession.first_year)
        ]
        predecessor_values = predecessor_values.reset_index(drop=True)
    files = conn.execute(_FILES).fetchall()
    returns_source = (
        f"{RETURNS_SOURCE}: " + "; ".join(f"{y} {f} (sheet {s})" for y, f, s in files) if files else RETURNS_SOURCE
    )
    loaded = conn.execute(_NEIGHBOUR_LOAD, {"code": authority}).fetchall()
    if not loaded:
        neighbours_source = "no nearest neighbours loaded for this authority"
    elif authority == COUNCIL_CODE:
        neighbours_source = f"{NEIGHBOURS_SOURCE} (loaded from {loaded[0][0]})"
    else:
        neighbours_source = f"nearest neighbours loaded from {loaded[0][0]}"
    return Benchmark(
        authority=authority,
        authority_name=name,
        year=year,
        values=this_year,
        trend=trend,
        words=words,
        levels=levels,
        medians=medians,
        missing=missing,
        predecessor_values=predecessor_values,
        succession=succession,
        subject_missing=subject_missing,
        neighbours_source=neighbours_source,
        returns_source=returns_source,
    )
