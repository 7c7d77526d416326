"""The DSG plan as the pages draw it: its start, its two projections, the lines between them, and where a
deficit stands against them. One home for the rule; charts and tables only say it in their words.

The plan is the newest pair of projections (with and without mitigation) for one year. Its start is the
last actual or forecast known when it was made, before its end year; figures known after it are what
happened since. Between the start and the end the plan's paths are straight lines (the scenario model's
defaults give the same, see metrics.dsg_model.reported_defaults); after the end they stay flat.
"""

from __future__ import annotations

import pandas as pd

STANDINGS = ("above", "between", "below", "start")  # above both paths, between them, below the recovery plan
TOLERANCE_GBP_M = 0.005  # figures equal to half a penny in £m are on the path


def standing(value: float, low: float, high: float) -> str:
    """Where a deficit stands against the plan's two paths in a year: 'above' both, 'below' the recovery
    plan's (the lower), else 'between'; 'start' where both paths are still the starting figure and so is it."""
    if abs(high - low) < TOLERANCE_GBP_M and abs(value - low) < TOLERANCE_GBP_M:
        return "start"
    if value > high + TOLERANCE_GBP_M:
        return "above"
    if value < low - TOLERANCE_GBP_M:
        return "below"
    return "between"


def plan_parts(points: pd.DataFrame) -> tuple[pd.Series | None, pd.DataFrame, pd.DataFrame]:
    """(the last point the plan's dashed lines start from, the two end projections, points reported since).

    The plan is the newest pair of projections; its start is the last actual or forecast known when it
    was made, before its end year. Points known after the plan are what happened since.
    """
    projections = points[points["kind"] == "projection"]
    complete = [
        y for y, rows in projections.groupby("fiscal_year") if {"mitigated", "unmitigated"} <= set(rows["scenario"])
    ]
    known = pd.to_datetime(points["known_on"]) if "known_on" in points else pd.Series(pd.NaT, index=points.index)
    others = points[points["kind"] != "projection"]
    if not complete:
        return None, projections.iloc[0:0], others
    end_year = sorted(complete)[-1]
    ends = projections[projections["fiscal_year"] == end_year].drop_duplicates("scenario").set_index("scenario")
    plan_known = known[projections.index[projections["fiscal_year"] == end_year]].max()
    known_others = known[others.index]
    in_plan = (
        (known_others.isna() | (known_others <= plan_known))
        if not pd.isna(plan_known)
        else pd.Series(True, index=others.index)
    )
    before = others[in_plan & (others["fiscal_year"] < end_year)]
    start = before.iloc[-1] if not before.empty else None
    return start, ends, others[~in_plan]


def on_path(start: pd.Series, ends: pd.DataFrame, years: list[str], year: str) -> tuple[float, float]:
    """The two dashed lines' values in `year` (straight lines from the start to each end, flat after)."""
    first, last = years.index(start["fiscal_year"]), years.index(ends["fiscal_year"].iloc[0])
    share = min(1.0, max(0.0, (years.index(year) - first) / (last - first))) if last > first else 1.0
    low, high = ends.loc["mitigated", "value"], ends.loc["unmitigated", "value"]
    return start["value"] + share * (low - start["value"]), start["value"] + share * (high - start["value"])
