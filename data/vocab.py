"""The dashboard's words, defined once: statuses, qualifiers, periods, months, financial years, money, page names.

Every layer imports these from here (data → metrics → charts → pages); `tests/unit/test_vocab.py` holds the
lists against the CHECK constraints in `schema.sql`, so adding a status is one edit here plus the schema.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date


# --- recommendation statuses -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    key: str  # as stored in action_updates.status
    label: str  # as people read it
    colour: str  # from the Analysis Function palette; never the only carrier: the label is shown beside it


STATUSES: tuple[Status, ...] = (
    Status("not_started", "Not started", "#BFBFBF"),  # context grey
    Status("in_progress", "In progress", "#A285D1"),  # light purple
    Status("ongoing", "Ongoing", "#28A197"),  # turquoise
    Status("blocked", "Blocked", "#F46A25"),  # orange
    Status("complete", "Complete", "#12436D"),  # dark blue
)
STATUS_KEYS: tuple[str, ...] = tuple(status.key for status in STATUSES)
STATUS_LABELS: dict[str, str] = {status.key: status.label for status in STATUSES}
STATUS_FROM_LABEL: dict[str, str] = {status.label: status.key for status in STATUSES}
NO_UPDATE = "No update"  # a recommendation with no recorded status yet
# Label -> colour in the order charts stack them: done first, then work under way, then not begun.
STATUS_COLOURS: dict[str, str] = {
    STATUS_LABELS[key]: {status.key: status.colour for status in STATUSES}[key]
    for key in ("complete", "in_progress", "ongoing", "blocked", "not_started")
} | {NO_UPDATE: "#3D3D3D"}

# --- reported figures --------------------------------------------------------------------------------------
QUALIFIER_PREFIX: dict[str, str] = {  # the source's hedge, and how it is written before a figure
    "circa": "c. ",
    "nearly": "nearly ",
    "just under": "just under ",
    "less than": "under ",
    "within top": "top ",
}
QUALIFIERS: tuple[str, ...] = tuple(QUALIFIER_PREFIX)
PERIODS: tuple[str, ...] = ("budget", "q1", "q2", "q3", "outturn", "forecast", "plan", "projection", "as_at")
# Periods whose figure says what has happened (a quarter's position, the year end, a balance on a date): their
# year has begun by the time a document reports them. A budget, forecast, plan or projection may be for any year.
HAPPENED_PERIODS: tuple[str, ...] = ("q1", "q2", "q3", "outturn", "as_at")
# How a period reads after a financial year in a label: "DSG deficit, 2025/26 quarter 2".
PERIOD_WORDS: dict[str, str] = {
    "budget": "budget",
    "q1": "quarter 1",
    "q2": "quarter 2",
    "q3": "quarter 3",
    "outturn": "year end",
    "forecast": "forecast",
    "plan": "plan",
    "projection": "projection",
    "as_at": "in year",
}
# How a period reads on its own, in a table cell or a spreadsheet: "Quarter 2", "Year end".
PERIOD_CELLS: dict[str, str] = {code: words.capitalize() for code, words in PERIOD_WORDS.items()}
SCENARIOS: tuple[str, ...] = ("mitigated", "unmitigated")
SCENARIO_WORDS: dict[str, str] = {"mitigated": "With the recovery plan", "unmitigated": "Without mitigation"}
UNITS: tuple[str, ...] = ("gbp_m", "pct", "count", "year", "rank")
BASES: tuple[str, ...] = ("reported", "derived", "interpolated", "sample")
LOADABLE_BASES: tuple[str, ...] = ("reported", "derived")
MONITORING_BASES: tuple[str, ...] = ("reported", "sample")
LOAD_KINDS: tuple[str, ...] = ("monitoring", "figures", "savings", "returns", "neighbours")  # loadable files
ALL_LOAD_KINDS: tuple[str, ...] = ("build", "sample", *LOAD_KINDS)

# --- months and financial years ----------------------------------------------------------------------------
MONTH_NAMES: tuple[str, ...] = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
_FISCAL_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")
_PERIOD = re.compile(r"(?i)p?\s*(\d{1,2})")


def month_label(month: int) -> str:
    """'P1 (Apr)': period 1 is April."""
    return f"P{month} ({MONTH_NAMES[month - 1]})"


def period_label(period: int) -> str:
    """'P9': a period close as Cabinet reports name it (P1 = April)."""
    return f"P{period}"


def parse_period(text: str) -> int | None:
    """1–12 from '7', 'P7' or 'p07'; None for anything else."""
    match = _PERIOD.fullmatch(text.strip())
    month = int(match.group(1)) if match else 0
    return month if 1 <= month <= 12 else None


def parse_fiscal_year(text: str) -> str | None:
    """'2021/22' from '2021/22', '2021-22' or '2021/2022'; None if it is not a financial year."""
    match = _FISCAL_YEAR.fullmatch(text.strip())
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if end % 100 == (start + 1) % 100 and (end < 100 or end == start + 1) and 1990 <= start <= 2100:
        return fiscal_year_label(start)
    return None


def fiscal_year_label(start: int) -> str:
    """2021 -> '2021/22'."""
    return f"{start}/{(start + 1) % 100:02d}"


def year_not_begun(fiscal_year: str, on: date) -> str | None:
    """'is 2031/32, which begins on 1 April 2031' where the year had not begun on `on` (a figure of what has
    happened cannot be for it), to follow the year's name; None if it had."""
    start = date(fiscal_year_start(fiscal_year), 4, 1)
    return None if start <= on else f"is {fiscal_year}, which begins on {start:%-d %B %Y}"


def fiscal_year_start(fiscal_year: str) -> int:
    """'2021/22' -> 2021; ValueError naming the value for anything not written like that."""
    if parse_fiscal_year(fiscal_year) != fiscal_year:
        raise ValueError(f"{fiscal_year!r} is not a financial year written like 2021/22")
    return int(fiscal_year[:4])


# --- plausible dates ---------------------------------------------------------------------------------------
# Every date that enters (a source's date, a figure's as-at date, the dashboard's as-at date, a due date) is held
# to this one rule, so a slip of the keyboard (2202 for 2022, 0001-01-01) is refused with a reason instead of
# becoming "the latest figures" for good or slipping a later figure into an earlier view.
EARLIEST_PLAUSIBLE_DATE = date(2000, 1, 1)  # before any council finance document this dashboard is for
PLAUSIBLE_YEARS_AHEAD = 15  # the furthest a plan or due date reaches: a medium-term plan is 3 to 10 years


def implausible_date(value: date, *, may_be_future: bool = False, today: date | None = None) -> str | None:
    """Why `value` cannot be a date the dashboard holds, to follow the date's name; None if it can.

    A date something was published or known (`may_be_future=False`) is not after today; a date something is
    due or planned may be up to PLAUSIBLE_YEARS_AHEAD years ahead. Neither is before EARLIEST_PLAUSIBLE_DATE.
    """
    today = today or date.today()
    if value < EARLIEST_PLAUSIBLE_DATE:
        return f"is {value.isoformat()}, before {EARLIEST_PLAUSIBLE_DATE.isoformat()}: check the year"
    if not may_be_future and value > today:
        return f"is {value.isoformat()}, after today ({today.isoformat()}): a date already passed is expected"
    latest = date(today.year + PLAUSIBLE_YEARS_AHEAD, 12, 31)
    if value > latest:
        return f"is {value.isoformat()}, after {latest.isoformat()}: check the year"
    return None


# --- budget monitoring -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SavingsStatus:
    key: str  # as stored in savings.status
    label: str


SAVINGS_STATUSES: tuple[SavingsStatus, ...] = (
    SavingsStatus("delivered", "Delivered"),
    SavingsStatus("on_track", "On track"),
    SavingsStatus("at_risk", "At risk"),
    SavingsStatus("not_deliverable", "Not deliverable"),
)
SAVINGS_STATUS_LABELS: dict[str, str] = {s.key: s.label for s in SAVINGS_STATUSES}

RAG_RED, RAG_AMBER, RAG_GREEN = "Red", "Amber", "Green"
# From the Analysis Function palette; the RAG word is always in the cell beside the colour.
RAG_COLOURS: dict[str, str] = {
    RAG_RED: "#801650",
    RAG_AMBER: "#F46A25",
    RAG_GREEN: "#28A197",
}  # pink, orange, turquoise


# --- directorate names ----------------------------------------------------------------------------------------
def name_key(name: str) -> str:
    """How two spellings of a directorate's name are compared: case, curly quotes and spacing ignored."""
    return re.sub(r"\s+", " ", name.replace("’", "'").strip().lower())


# --- money ------------------------------------------------------------------------------------------------------
NOT_GIVEN = "not given"
NOT_REPORTED = "not reported"  # a headline figure no document gives for the date shown: said, never guessed
LATEST_FIGURES = "Latest figures"  # the dashboard with no as-at date chosen: everything held


def _hedge(qualifier: object) -> str:
    """The qualifier's prefix; a blank cell (None, or NaN from a DataFrame) has none."""
    return QUALIFIER_PREFIX.get(qualifier, "") if isinstance(qualifier, str) else ""


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def gbp_m(value: float | None, *, qualifier: str | None = None, decimals: int | None = None) -> str:
    """£ millions: '£312m', '£31.5m', '£5.25m'; one decimal unless the source gives more."""
    if _missing(value):
        return NOT_GIVEN
    if decimals is None:
        value = round(float(value), 2)
        decimals = source_decimals(value)
    sign = "-" if value < 0 else ""
    text = f"{sign}£{abs(value):,.{decimals}f}m"
    return _hedge(qualifier) + text


NUMBER_DECIMALS_AT_MOST = 6  # past six decimals a float's digits are binary noise: 13.774999999999999 is 13.775


def number(value: float | None, *, thousands: bool = False) -> str:
    """A number with the decimals it has and no more: '37.9' (never '37.9000'), '2.35', '312', '58.675';
    thousands separated for money ('122,939,355.64'); blank when missing."""
    if _missing(value):
        return ""
    text = f"{round(float(value), NUMBER_DECIMALS_AT_MOST):{',' if thousands else ''}.{NUMBER_DECIMALS_AT_MOST}f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


ROUNDING_NOTE = "Figures may not sum because of rounding."


def source_decimals(value: float) -> int:
    """The decimal places a figure is given to (at most two, as the documents give £m)."""
    value = round(float(value), 2)
    return 0 if value.is_integer() else (1 if round(value, 1) == value else 2)


def money_cell(value: float | None, *, basis: object = "reported", qualifier: str | None = None) -> str:
    """A £m table cell: one decimal place, more only where a reported figure is given to more; a missing
    value reads 'not reported'. Derived and modelled values are shown to one decimal place. A `qualifier`
    ("circa") is written before it, as `gbp_m` writes it."""
    if _missing(value):
        return NOT_REPORTED
    decimals = max(1, source_decimals(value)) if basis == "reported" else 1
    return gbp_m(value, qualifier=qualifier, decimals=decimals)


def adds_up_when_rounded(parts: list[float], total: float) -> bool:
    """Whether the parts, each shown as money_cell shows it, add up to the total as shown (one decimal)."""
    return round(sum(round(part, 1) for part in parts), 1) == round(total, 1)


def is_money_column(name: object) -> bool:
    """A data column holding money: '£m' or '£' in its heading, or a monitoring amount ('variance_gbp')."""
    return "£" in str(name) or str(name).endswith("_gbp")


def gbp_m_signed(difference: float) -> str:
    """A difference in £m with its sign, one decimal: '+£3.2m', '-£40.0m', '£0.0m' (no sign on zero)."""
    text = gbp_m(difference, decimals=1)
    return ("+" if round(difference, 1) > 0 else "") + text


def times(ratio: float | None) -> str:
    """A cover ratio in words: '1.7 times'; 'not reported' where there is none."""
    if _missing(ratio):
        return NOT_REPORTED
    return f"{ratio:.1f} times"


def gbp(pounds: float) -> str:
    """Pounds for monitoring amounts: £m to one decimal; two below £1m; whole pounds below £10,000."""
    if abs(pounds) < 10_000:
        return f"{'-' if pounds < 0 else ''}£{abs(pounds):,.0f}"
    return gbp_m(pounds / 1e6, decimals=1 if abs(pounds) >= 1e6 else 2)


# --- variance and movement (monitoring, pounds) ---------------------------------------------------------------
NO_CHANGE_BELOW_GBP = 0.5  # a movement that rounds to £0 is no change, in the table and on the tile alike


def variance_direction(pounds: float) -> str:
    """'over budget', 'under budget' or 'on budget'."""
    return "over budget" if pounds > 0 else "under budget" if pounds < 0 else "on budget"


def variance_words(pounds: float) -> str:
    """A variance in a table: '£1.20m over', '£3,400 under', 'on budget'."""
    return f"{gbp(abs(pounds))} {'over' if pounds > 0 else 'under'}" if pounds else "on budget"


def movement_direction(pounds: float | None) -> str | None:
    """Which way the forecast variance moved: 'worse', 'better', 'no change' (under 50p), None if not held."""
    if _missing(pounds):
        return None
    if abs(pounds) < NO_CHANGE_BELOW_GBP:
        return "no change"
    return "worse" if pounds > 0 else "better"


def movement_words(pounds: float | None) -> str:
    """A movement in words: 'worse by £1.20m', 'better by £3,400', 'no change', 'not held'."""
    direction = movement_direction(pounds)
    if direction is None:
        return "not held"
    return direction if direction == "no change" else f"{direction} by {gbp(abs(pounds))}"


# How a period reads on a tile after its year: 'DSG deficit, 2025/26 Q2', 'Overspend, 2020/21 outturn'.
PERIOD_SHORT: dict[str, str] = {
    "budget": "",
    "q1": "Q1",
    "q2": "Q2",
    "q3": "Q3",
    "outturn": "outturn",
    "forecast": "forecast",
    "plan": "plan",
    "projection": "projection",
    "as_at": "in year",
}


def year_and_period(fiscal_year: str, period: str) -> str:
    """A balance's year and period on a tile: 'end 2020/21' at outturn, else '2025/26 Q2'."""
    if period == "outturn":
        return f"end {fiscal_year}"
    return " ".join(part for part in (fiscal_year, PERIOD_SHORT.get(period, period)) if part)


def pct(value: float | None, *, qualifier: str | None = None) -> str:
    if _missing(value):
        return NOT_GIVEN
    return _hedge(qualifier) + f"{value:g}%"


def figure(value: float | None, unit: str, qualifier: str | None = None) -> str:
    """A reported figure in its own unit."""
    if unit == "gbp_m":
        return gbp_m(value, qualifier=qualifier)
    if unit == "pct":
        return pct(value, qualifier=qualifier)
    if _missing(value):
        return NOT_GIVEN
    if unit == "count":
        return _hedge(qualifier) + f"{value:,.0f}"
    return _hedge(qualifier) + f"{value:g}"


def qualified(name: str, *qualifiers: str | None) -> str:
    """The name with each qualifier ("forecast", "derived", "modelled") shown once: those the name does not
    already say, in brackets after it. 'DSG deficit, 2021/22 forecast' + forecast, derived ->
    'DSG deficit, 2021/22 forecast (derived)'."""
    said = set(re.findall(r"[a-z]+", name.lower()))
    missing = [q for q in dict.fromkeys(qualifiers) if q and q.lower() not in said]
    return f"{name} ({', '.join(missing)})" if missing else name


# --- language -------------------------------------------------------------------------------------------------
DOCUMENT_LANGUAGE = "en-GB"  # the dashboard's pages and exported documents: British English (WCAG 3.1.1)


# Internal ids: reported figures (RF013), loaded figures (L0005-0002) and their sources (L0005-S01). They stay in
# the "Show the data" tables and the exports, where an auditor looks for them, and never reach a sentence on screen.
INTERNAL_ID = re.compile(r"\b(?:RF\d{3}|L\d{4}-S?\d{2,4})\b")
_IDS_THEN_COLON = re.compile(r"^\s*(?:(?:RF\d{3}|L\d{4}-S?\d{2,4})\s*[-+]?\s*)+:\s*")
UNIT_WORDS = {"gbp_m": "£ million", "pct": "per cent", "year": "year", "count": "number", "rank": "rank"}


def without_ids(text: str) -> str:
    """A derivation as a sentence for the screen: 'RF013 + RF014: the £37.9m ...' -> 'The £37.9m ...'."""
    words = _IDS_THEN_COLON.sub("", text)
    words = INTERNAL_ID.sub("", words).strip()
    return words[:1].upper() + words[1:]


def mid_sentence(label: str) -> str:
    """A label as it reads inside a sentence: its first letter small, unless its first word is an acronym
    ('Monitoring lines' -> 'monitoring lines'; 'MHCLG Revenue Outturn Summary (RS)' stays as it is)."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 recommendation', '2 recommendations', '1,200 lines': a count with its noun in the right number."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def possessive(name: str) -> str:
    """ "Place's", "Children's Services'", "Central budgets'": a name's possessive, as English writes it."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


# --- page names -------------------------------------------------------------------------------------------------
# What the dashboard calls its pages: charts name the page each is drawn on (the briefing pack's catalogue).
# Each page's file, icon, section and place in the sidebar are the UI's: ui/pages_registry.py.
@dataclass(frozen=True)
class PageName:
    title: str


OVERVIEW = PageName("Overview")
BUDGET_OUTTURN = PageName("Budget & outturn")
RESERVES = PageName("Reserves")
DSG = PageName("DSG & high needs")
ACTION_PLAN = PageName("Action plan")
DIRECTORATES = PageName("Directorates")
DATA_SOURCES = PageName("Data & sources")
BRIEFING = PageName("Briefing pack")
BENCHMARKING = PageName("Benchmarking")
ACCESSIBILITY = PageName("Accessibility")
