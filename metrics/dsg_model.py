"""The DSG high-needs scenario model: a pure function from typed inputs to a cumulative deficit path.

The source document gives the cumulative deficit at the end of 2020/21 (£37.9m), the in-year overspend
predicted for 2021/22 (£17m) and two end points for 2025/26 (£70m with the recovery plan, £110m
without). It gives nothing for the years between, so those years are *modelled* here and say so.

The model is one rule, applied year by year:

    deficit at the end of a year = deficit at the end of the year before
                                   + that year's in-year overspend
                                   − that year's savings from mitigation

`reported_defaults` derives inputs that reproduce the two reported end points (see its docstring).
Nothing here reads the database: the caller passes the reported figures in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from data.vocab import fiscal_year_label, fiscal_year_start

FORMULA_IN_WORDS = (
    "Deficit at the end of a year = deficit at the end of the year before + that year's in-year "
    "overspend − that year's savings from mitigation."
)
DEFAULTS_IN_WORDS = (
    "Default inputs: the first year's in-year overspend is the one the document predicts. In every later "
    "year the in-year overspend is the same amount, chosen so that without mitigation the deficit reaches "
    "the reported unmitigated figure in the last year. The savings from mitigation are spread evenly over "
    "those later years, so that the deficit reaches the reported figure with the recovery plan. The "
    "document gives no figures for the years between: they are modelled."
)


def next_fiscal_year(fiscal_year: str) -> str:
    """'2020/21' -> '2021/22'."""
    return fiscal_year_label(fiscal_year_start(fiscal_year) + 1)


def fiscal_years(first: str, last: str) -> tuple[str, ...]:
    """Every financial year from `first` to `last` inclusive: ('2021/22', ..., '2025/26')."""
    start, end = fiscal_year_start(first), fiscal_year_start(last)
    if end < start:
        raise ValueError(f"{last} is before {first}")
    return tuple(fiscal_year_label(year) for year in range(start, end + 1))


@dataclass(frozen=True)
class DsgScenario:
    """Inputs to the model. Money in £ millions; one overspend and one savings figure per modelled year."""

    start_year: str  # the last year with a known cumulative deficit, e.g. "2020/21"
    start_deficit_gbp_m: float  # the cumulative deficit at the end of start_year
    years: tuple[str, ...]  # the modelled years, consecutive, starting the year after start_year
    in_year_overspend_gbp_m: tuple[float, ...]
    mitigation_savings_gbp_m: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.years:
            raise ValueError("the scenario needs at least one modelled year")
        expected = fiscal_years(next_fiscal_year(self.start_year), self.years[-1])
        if tuple(self.years) != expected:
            raise ValueError(f"modelled years must run on from {self.start_year} one by one: got {self.years}")
        for name in ("in_year_overspend_gbp_m", "mitigation_savings_gbp_m"):
            values = getattr(self, name)
            if len(values) != len(self.years):
                raise ValueError(f"{name} has {len(values)} values for {len(self.years)} years")
            if not all(math.isfinite(value) for value in values):
                raise ValueError(f"{name} must be finite numbers")
        if any(value < 0 for value in self.mitigation_savings_gbp_m):
            raise ValueError("savings from mitigation cannot be negative")
        if not math.isfinite(self.start_deficit_gbp_m):
            raise ValueError("the starting deficit must be a finite number")


def project(scenario: DsgScenario) -> pd.DataFrame:
    """The modelled cumulative deficit: one row per modelled year (after the known start)."""
    deficit = scenario.start_deficit_gbp_m
    rows = []
    for year, overspend, savings in zip(
        scenario.years, scenario.in_year_overspend_gbp_m, scenario.mitigation_savings_gbp_m, strict=True
    ):
        net = overspend - savings
        deficit += net
        rows.append((year, overspend, savings, net, deficit))
    return pd.DataFrame(
        rows,
        columns=[
            "fiscal_year",
            "in_year_overspend_gbp_m",
            "mitigation_savings_gbp_m",
            "net_in_year_gbp_m",
            "cumulative_deficit_gbp_m",
        ],
    )


def overspend_path(
    first_year_gbp_m: float, later_base_gbp_m: float, growth_rate: float, years: int
) -> tuple[float, ...]:
    """In-year overspend per year: the first year as given, then a base growing by `growth_rate` a year.

    growth_rate is a fraction (0.05 = 5% a year); the second year's overspend is the base itself.
    """
    if years < 1:
        raise ValueError("at least one year is needed")
    if growth_rate <= -1:
        raise ValueError("a growth rate of -100% or less is not meaningful")
    return (first_year_gbp_m, *(later_base_gbp_m * (1 + growth_rate) ** k for k in range(years - 1)))


def savings_path(per_year_gbp_m: float, years: int) -> tuple[float, ...]:
    """Savings from mitigation: none in the first modelled year (its overspend is the predicted one), then
    the same amount each later year."""
    if years < 1:
        raise ValueError("at least one year is needed")
    return (0.0, *([per_year_gbp_m] * (years - 1)))


@dataclass(frozen=True)
class ReportedDefaults:
    """Inputs derived from the reported figures, and the two scenarios they give."""

    later_overspend_gbp_m: float  # the constant in-year overspend after the first modelled year
    mitigation_per_year_gbp_m: float  # the savings from mitigation in each year after the first
    unmitigated: DsgScenario
    mitigated: DsgScenario


def reported_defaults(
    *,
    start_year: str,
    start_deficit_gbp_m: float,
    first_year_overspend_gbp_m: float,
    end_year: str,
    end_unmitigated_gbp_m: float,
    end_mitigated_gbp_m: float,
) -> ReportedDefaults:
    """Inputs that reproduce the two reported end points.

    The first modelled year's overspend is the predicted one. After it the in-year overspend is constant,
    (end_unmitigated − start − first year) / (number of later years), so the unmitigated path ends at the
    reported unmitigated figure. Mitigation saves (end_unmitigated − end_mitigated) / (number of later
    years) in each later year, so the mitigated path ends at the reported mitigated figure.
    """
    years = fiscal_years(next_fiscal_year(start_year), end_year)
    later = len(years) - 1
    if later < 1:
        raise ValueError("the end year must be at least two years after the start year")
    if end_mitigated_gbp_m > end_unmitigated_gbp_m:
        raise ValueError("the mitigated end point is above the unmitigated one")
    later_overspend = (end_unmitigated_gbp_m - start_deficit_gbp_m - first_year_overspend_gbp_m) / later
    mitigation = (end_unmitigated_gbp_m - end_mitigated_gbp_m) / later
    overspend = overspend_path(first_year_overspend_gbp_m, later_overspend, 0.0, len(years))

    def scenario(savings_per_year: float) -> DsgScenario:
        return DsgScenario(
            start_year, start_deficit_gbp_m, years, overspend, savings_path(savings_per_year, len(years))
        )

    return ReportedDefaults(later_overspend, mitigation, scenario(0.0), scenario(mitigation))


PROJECTION_YEARS_AT_LEAST = 5  # as the DfE deficit management plan template looks ahead


def projection_end(start_year: str, override_expiry_year: int | None = None) -> str:
    """The last modelled year: five years after the start, or the year the statutory override ends if later
    (the financial year beginning in the calendar year it is due to expire)."""
    last = fiscal_year_start(start_year) + PROJECTION_YEARS_AT_LEAST
    if override_expiry_year is not None:
        last = max(last, int(override_expiry_year))
    return fiscal_year_label(last)


def steady_scenario(start_year: str, start_deficit_gbp_m: float, in_year_gbp_m: float, end_year: str) -> DsgScenario:
    """From a known year-end deficit, the same in-year overspend every year to `end_year`, no mitigation."""
    years = fiscal_years(next_fiscal_year(start_year), end_year)
    return DsgScenario(
        start_year,
        start_deficit_gbp_m,
        years,
        overspend_path(in_year_gbp_m, in_year_gbp_m, 0.0, len(years)),
        (0.0,) * len(years),
    )


def trend_per_year(first_year: str, first_gbp_m: float, last_year: str, last_gbp_m: float) -> float:
    """The average yearly rise between two year-end deficits."""
    years = fiscal_year_start(last_year) - fiscal_year_start(first_year)
    if years < 1:
        raise ValueError("a trend needs two different years")
    return (last_gbp_m - first_gbp_m) / years


def first_year_above(path: pd.DataFrame, threshold_gbp_m: float) -> str | None:
    """The first year whose cumulative deficit is above the threshold, or None if it never is."""
    return _first_above(path["fiscal_year"], path["cumulative_deficit_gbp_m"], threshold_gbp_m)


def _first_above(years: pd.Series, amounts: pd.Series, threshold_gbp_m: float) -> str | None:
    # In Python over the few modelled years: a pandas mask and lookup cost ~1 ms on every run of the DSG page.
    return next(
        (str(year) for year, amount in zip(years.tolist(), amounts.tolist(), strict=True) if amount > threshold_gbp_m),
        None,
    )


EXPOSURE_IN_WORDS = (
    "The council's own exposure in a year = 0 while the statutory override keeps the deficit off its general "
    "fund; from the year the override ends, the cumulative deficit less the share met by government grant."
)


def exposure(path: pd.DataFrame, override_ends: str | None, grant_share: float) -> pd.DataFrame:
    """The council's own exposure to the modelled deficit under two policy assumptions (scenario inputs).

    `override_ends` is the first financial year the override no longer applies (None: the whole deficit
    counts in every year, the model's default); `grant_share` (0–1) is the share government meets.
    """
    _check_grant_share(grant_share)
    years = path["fiscal_year"].tolist()
    deficits = path["cumulative_deficit_gbp_m"].tolist()
    return pd.DataFrame(
        {
            "fiscal_year": years,
            "cumulative_deficit_gbp_m": deficits,
            "exposure_gbp_m": [
                _exposed(year, deficit, override_ends, grant_share)
                for year, deficit in zip(years, deficits, strict=True)
            ],
        },
        index=path.index,
    )


def _check_grant_share(grant_share: float) -> None:
    if not 0 <= grant_share <= 1:
        raise ValueError("the share met by grant must be between 0% and 100%")


def _exposed(fiscal_year: str, deficit_gbp_m: float, override_ends: str | None, grant_share: float) -> float:
    """The exposure rule for one year: nothing before the override ends, then the deficit less the grant's share."""
    if override_ends and fiscal_year < override_ends:
        return 0.0
    return deficit_gbp_m * (1 - grant_share)


def first_exposure_above(exposed: pd.DataFrame, threshold_gbp_m: float) -> str | None:
    return _first_above(exposed["fiscal_year"], exposed["exposure_gbp_m"], threshold_gbp_m)


def start_exposure(start_year: str, start_deficit_gbp_m: float, override_ends: str | None, grant_share: float) -> float:
    """The council's exposure at the known start (the year before the first modelled one), by `exposure`'s rule:
    nothing while the override still applies."""
    _check_grant_share(grant_share)
    return float(_exposed(start_year, start_deficit_gbp_m, override_ends, grant_share))


def year_above(
    start_year: str,
    start_gbp_m: float,
    first_modelled_above: str | None,
    threshold_gbp_m: float,
    *,
    reported_since: str | None = None,
) -> str | None:
    """When an amount is first above a threshold: already above if it is at the known start (since the year
    the reported year ends were first above it, `reported_since`, where that is known: the year the Reserves
    page and the Overview name), else the first modelled year above it (`first_year_above` or
    `first_exposure_above`), else None. The deficit's and the exposure's statements on the DSG page both say it
    this way, so they never disagree."""
    if reported_above(start_gbp_m, threshold_gbp_m, reported_since):
        return f"already above since {reported_since} (reported)"
    if start_is_above(start_gbp_m, threshold_gbp_m):
        return f"already above in {start_year}"
    return first_modelled_above


def reported_above(start_gbp_m: float, threshold_gbp_m: float, reported_since: str | None) -> bool:
    """Whether `year_above` says the amount is above the threshold on reported figures (not modelled ones): it is
    above at the known start, and reported year ends have been above it since a known year."""
    return reported_since is not None and start_is_above(start_gbp_m, threshold_gbp_m)


def exposure_reported_since(reported_since: str | None, override_ends: str | None, grant_share: float) -> str | None:
    """The year since which the reported exposure is above a reserve, where the policy leaves the exposure equal
    to the deficit over every reported year (no grant, no override in force since `reported_since`); else None:
    the reported deficits then say nothing of the exposure."""
    if reported_since is None or grant_share != 0 or (override_ends is not None and override_ends > reported_since):
        return None
    return reported_since


def start_is_above(start_gbp_m: float, threshold_gbp_m: float) -> bool:
    """Whether the amount the model starts from is already above the threshold (nothing modelled is needed)."""
    return start_gbp_m > threshold_gbp_m
