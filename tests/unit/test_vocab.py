"""The vocabulary in data/vocab.py is the one the database enforces, and reads and writes the same way."""

from __future__ import annotations

import re

import pytest
from afcharts.af_colours import get_af_colours
from hypothesis import given
from hypothesis import strategies as st

from data import vocab
from tests.support.helpers import PROJECT_DIR

SCHEMA = (PROJECT_DIR / "data" / "schema.sql").read_text()


def check_list(table: str, column: str) -> tuple[str, ...]:
    """The values a CHECK (column IN (...)) constraint allows in `table`."""
    body = re.search(rf"CREATE TABLE {table} \((.*?)\n\);", SCHEMA, re.S).group(1)
    values = re.search(rf"\b{column}\b[^\n]*CHECK \({column} IN \(([^)]*)\)\)", body).group(1)
    return tuple(re.findall(r"'([^']*)'", values))


@pytest.mark.parametrize(
    ("table", "column", "words"),
    [
        ("action_updates", "status", vocab.STATUS_KEYS),
        ("reported_figures", "qualifier", vocab.QUALIFIERS),
        ("reported_figures", "period", vocab.PERIODS),
        ("reported_figures", "scenario", vocab.SCENARIOS),
        ("reported_figures", "unit", vocab.UNITS),
        ("reported_figures", "basis", vocab.BASES),
        ("monitoring", "basis", vocab.MONITORING_BASES),
        ("loads", "kind", vocab.ALL_LOAD_KINDS),
        ("savings", "status", tuple(s.key for s in vocab.SAVINGS_STATUSES)),
        ("savings", "basis", vocab.MONITORING_BASES),
    ],
)
def test_each_vocabulary_list_is_exactly_what_the_schema_allows(table, column, words):
    assert sorted(check_list(table, column)) == sorted(words)


def test_every_status_has_a_label_and_a_colour_from_the_analysis_function_palette():
    palette = {colour.upper() for colour in [*get_af_colours("categorical"), *get_af_colours("focus")]}
    assert set(vocab.STATUS_LABELS) == set(vocab.STATUS_KEYS)
    assert set(vocab.STATUS_COLOURS) == {*vocab.STATUS_LABELS.values(), vocab.NO_UPDATE}
    assert {colour.upper() for colour in vocab.STATUS_COLOURS.values()} <= palette


@pytest.mark.parametrize(
    ("text", "year"),
    [("2021/22", "2021/22"), ("2021-22", "2021/22"), ("2021/2022", "2021/22"), (" 1999/00 ", "1999/00")],
)
def test_financial_years_are_read_in_the_ways_people_write_them(text, year):
    assert vocab.parse_fiscal_year(text) == year
    assert vocab.fiscal_year_label(vocab.fiscal_year_start(year)) == year


@pytest.mark.parametrize("text", ["2021/23", "2021", "21/22", "2021/2023", "", "P7"])
def test_text_that_is_not_a_financial_year_is_refused(text):
    assert vocab.parse_fiscal_year(text) is None
    with pytest.raises(ValueError, match="not a financial year"):
        vocab.fiscal_year_start(text)


def test_periods_and_month_labels_agree():
    assert [vocab.parse_period(f"P{n}") for n in range(1, 13)] == list(range(1, 13))
    assert vocab.parse_period("p07") == 7
    assert vocab.parse_period("13") is None
    assert vocab.month_label(1) == "P1 (Apr)"
    assert vocab.month_label(12) == "P12 (Mar)"


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [(312, None, "£312m"), (31.5, None, "£31.5m"), (5.25, "circa", "c. £5.25m"), (-4.7, None, "-£4.7m")],
)
def test_money_is_written_as_the_source_gives_it(value, qualifier, text):
    assert vocab.gbp_m(value, qualifier=qualifier) == text


def test_a_change_of_zero_carries_no_sign():
    assert vocab.gbp_m_signed(0.01) == "£0.0m"
    assert vocab.gbp_m_signed(3.24) == "+£3.2m"
    assert vocab.gbp_m_signed(-40) == "-£40.0m"


def test_directorate_names_compare_without_case_quotes_or_spacing():
    assert vocab.name_key("  Children’s   Services ") == vocab.name_key("children's services")


def test_every_page_file_exists_and_titles_are_unique():
    from ui.pages_registry import PAGES

    assert all((PROJECT_DIR / "pages" / info.file).is_file() for info in PAGES)
    assert len({info.title for info in PAGES}) == len(PAGES)


QUALIFIER_WORDS = ("forecast", "derived", "modelled", "interpolated", "projection", "sample")


@given(
    name=st.sampled_from(["DSG deficit, 2021/22", "DSG deficit, 2021/22 forecast", "Forecast net overspend"]),
    qualifiers=st.lists(st.sampled_from([*QUALIFIER_WORDS, None]), max_size=4),
)
def test_a_qualified_name_says_each_qualifier_exactly_once(name, qualifiers):
    text = vocab.qualified(name, *qualifiers)
    words = re.findall(r"[a-z]+", text.lower())
    for qualifier in {q for q in qualifiers if q}:
        assert words.count(qualifier) == 1, text
    assert text.startswith(name)


def test_qualified_brackets_only_what_the_name_does_not_say():
    assert vocab.qualified("DSG deficit, 2021/22 forecast", "forecast", "derived") == (
        "DSG deficit, 2021/22 forecast (derived)"
    )
    assert vocab.qualified("DSG deficit, end 2020/21", None, None) == "DSG deficit, end 2020/21"
    assert set(vocab.PERIOD_WORDS) == set(vocab.PERIODS)


@pytest.mark.parametrize(
    ("value", "money", "text"),
    [
        (37.9, False, "37.9"),
        (2.35, False, "2.35"),
        (312.0, True, "312"),
        (13.774999999999999, False, "13.775"),
        (-515357.81, True, "-515,357.81"),
        (-0.0000001, False, "0"),
        (float("nan"), True, ""),
        (None, False, ""),
    ],
)
def test_a_number_reads_with_the_decimals_it_has(value, money, text):
    assert vocab.number(value, thousands=money) == text


@given(value=st.decimals(min_value=-1e9, max_value=1e9, places=4, allow_nan=False))
def test_a_number_keeps_every_decimal_the_value_has(value):
    text = vocab.number(float(value), thousands=True)
    assert float(text.replace(",", "")) == pytest.approx(float(value), abs=1e-9)
    assert not ("." in text and text.endswith("0"))


def test_a_label_inside_a_sentence_keeps_its_acronyms():
    """The RS preview's heading read "Preview: mhclg revenue outturn summary (rs) returns ... 'data by la'"."""
    assert vocab.mid_sentence("Monitoring lines (period-close extract)") == "monitoring lines (period-close extract)"
    returns = "MHCLG Revenue Outturn Summary (RS) returns, one year's 'data by LA' workbook"
    assert vocab.mid_sentence(returns) == returns
    assert vocab.mid_sentence("A") == "a"
