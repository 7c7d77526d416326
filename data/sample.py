"""Reproducible synthetic period-close snapshots and savings (basis 'sample') that tell the reported story.

The council's ledger is not public, so the app ships sample data to show how budget monitoring works.
It is labelled 'sample' everywhere. What is forced to the reported figures, and what is invented:

- 2020/21 monitoring snapshots, P1 to P12, one line per cost centre and period. Every period's annual
  budgets sum to the £304m net budget (RF002). The council-wide forecast overspend is £18.6m at P9, the
  quarter 3 forecast (RF005), and £15m at P12, the outturn (RF003); at P12 the central capital financing
  and contingency lines underspend by £5.25m (RF006) and £4.7m (RF007). The forecasts at the other
  periods, the central lines before P12 and every split by directorate, service and cost centre are
  invented for the sample and are not in the source.
- 2021/22 savings schemes at P2, P4 and P6 whose targets sum to the £27m of tactical and transformational
  savings the council was working to deliver (RF021; the budget called it "nearly £28m", RF020). Scheme
  names, statuses and forecast delivery are invented.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data import db
from data.access import Actor, require

DEFAULT_SEED = 2021
SAMPLE_YEAR = "2020/21"
SAVINGS_YEAR = "2021/22"
PENCE = 100
PERIODS = 12


def _reported_pounds(figure_id: str) -> int:
    """A reported figure from data/reported_figures.csv, in pounds: the sample is forced to the file's own
    values, so the two cannot drift apart."""
    with (Path(__file__).parent / "reported_figures.csv").open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["figure_id"] == figure_id:
                return round(float(row["value"]) * 1_000_000)
    raise LookupError(f"reported_figures.csv has no {figure_id}")


NET_BUDGET = _reported_pounds("RF002")
Q3_FORECAST_OVERSPEND = _reported_pounds("RF005")  # at P9
NET_OVERSPEND = _reported_pounds("RF003")  # at P12, the outturn
CAPITAL_FINANCING_UNDERSPEND = _reported_pounds("RF006")
CONTINGENCY_UNDERSPEND = _reported_pounds("RF007")
SAVINGS_PROGRAMME = _reported_pounds("RF021")

# The council-wide forecast overspend at each period close, £m. P9 and P12 are the reported figures;
# the rest is a sample path between them.
COUNCIL_FORECAST_M = (
    8.2, 9.9, 11.6, 12.8, 14.1, 15.4, 16.6, 17.7, Q3_FORECAST_OVERSPEND / 1e6, 17.8, 16.5, NET_OVERSPEND / 1e6,
)  # fmt: skip
COUNCIL_FORECAST_PENCE = tuple(round(m * 1_000_000) * PENCE for m in COUNCIL_FORECAST_M)

# (directorate, service, share of cost centres, share of budget, share of the service overspend early in
# the year, share late in the year). Shares are sample assumptions, not from the source.
SERVICES = [
    ("Adults & Housing", "Adult Care & Support", 0.14, 0.29, 0.34, 0.28),
    ("Adults & Housing", "Commissioning", 0.06, 0.06, 0.07, 0.05),
    ("Adults & Housing", "Housing", 0.05, 0.03, 0.03, 0.02),
    ("Children's Services", "Care & Protection", 0.10, 0.14, 0.16, 0.27),
    ("Children's Services", "Education & Learning", 0.08, 0.07, 0.06, 0.09),
    ("Children's Services", "Commissioning & Partnerships", 0.04, 0.03, 0.02, 0.03),
    ("Place", "Highways", 0.10, 0.08, 0.09, 0.06),
    ("Place", "Waste Services", 0.06, 0.09, 0.07, 0.06),
    ("Place", "Planning", 0.04, 0.02, 0.03, 0.03),
    ("Place", "Assets & Property", 0.05, 0.03, 0.06, 0.05),
    ("Place", "Economic Growth", 0.03, 0.01, 0.01, 0.01),
    ("Corporate Development", "Finance & Commercial", 0.06, 0.03, 0.03, 0.02),
    ("Corporate Development", "ICT", 0.05, 0.03, 0.02, 0.02),
    ("Corporate Development", "Legal & Democratic", 0.04, 0.02, 0.01, 0.01),
    ("Central budgets", "Capital financing", 0.05, 0.05, 0.0, 0.0),
    ("Central budgets", "Contingency", 0.05, 0.02, 0.0, 0.0),
]
# The central underspends reach the reported outturn at P12; before that they grow evenly (sample).
CENTRAL_UNDERSPENDS_AT_P12 = {
    "Capital financing": -CAPITAL_FINANCING_UNDERSPEND,
    "Contingency": -CONTINGENCY_UNDERSPEND,
}

# (directorate, scheme, share of the programme) for the 2021/22 savings sample.
SAVINGS_SCHEMES = [
    ("Adults & Housing", "Strength-based practice in adult social care", 0.16),
    ("Adults & Housing", "Review of commissioned home care packages", 0.10),
    ("Adults & Housing", "Housing temporary accommodation reduction", 0.04),
    ("Children's Services", "Placement sufficiency and in-house foster care", 0.14),
    ("Children's Services", "Home to school transport route optimisation", 0.06),
    ("Children's Services", "Early help redesign", 0.05),
    ("Place", "Waste collection round optimisation", 0.08),
    ("Place", "Car parking charges review", 0.05),
    ("Place", "Office estate rationalisation", 0.07),
    ("Corporate Development", "Convergence of corporate systems", 0.09),
    ("Corporate Development", "Digital customer contact", 0.06),
    ("Corporate Development", "Procurement and contract savings", 0.10),
]
SAVINGS_PERIODS = (2, 4, 6)


def _allocate(total_pence: int, weights: np.ndarray) -> np.ndarray:
    """Split an exact pence total across lines in proportion to weights (largest remainder)."""
    if total_pence < 0:
        return -_allocate(-total_pence, weights)
    raw = weights / weights.sum() * total_pence
    floor = np.floor(raw).astype(np.int64)
    short = int(total_pence - floor.sum())
    if short:
        floor[np.argsort(raw - floor)[-short:]] += 1
    return floor


def minimum_rows() -> int:
    return len(SERVICES) * PERIODS


def generate(rows: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """About `rows` snapshot lines for 2020/21 (rows // 12 cost centres, each at P1–P12), amounts in pence.

    Every period's totals are exact: budget £304m; forecast overspend as in COUNCIL_FORECAST_M.
    """
    if rows < minimum_rows():
        raise ValueError(f"Sample needs at least {minimum_rows()} lines, one cost centre per service and period.")
    rng = np.random.default_rng(seed)
    # One cost centre per service, then the rest in proportion: rows // 12 cost centres in all.
    shares = np.array([s[2] for s in SERVICES])
    centres_per_service = 1 + _allocate(rows // PERIODS - len(SERVICES), shares).astype(int)
    budgets = _allocate(NET_BUDGET * PENCE, np.array([s[3] for s in SERVICES]))
    early = np.array([s[4] for s in SERVICES])
    late = np.array([s[5] for s in SERVICES])
    central_at_p12 = sum(CENTRAL_UNDERSPENDS_AT_P12.values()) * PENCE
    frames = []
    service_variance = np.zeros((len(SERVICES), PERIODS), dtype=np.int64)
    for p in range(PERIODS):
        central = round(central_at_p12 * (p + 1) / PERIODS)
        shares = early + (late - early) * p / (PERIODS - 1)
        service_variance[:, p] = _allocate(COUNCIL_FORECAST_PENCE[p] - central, shares + 1e-12) * (shares > 0)
        for name, pounds in CENTRAL_UNDERSPENDS_AT_P12.items():
            index = next(i for i, s in enumerate(SERVICES) if s[1] == name)
            service_variance[index, p] = round(pounds * PENCE * (p + 1) / PERIODS)
        # Put any rounding difference on the largest service so the council total is exact.
        service_variance[0, p] += COUNCIL_FORECAST_PENCE[p] - service_variance[:, p].sum()
    for index, (directorate, service, *_shares) in enumerate(SERVICES):
        n = int(centres_per_service[index])
        weight = rng.lognormal(mean=0.0, sigma=0.6, size=n)
        budget = _allocate(int(budgets[index]), weight)
        spread = np.abs(rng.normal(loc=1.0, scale=0.8, size=n)) * weight + 1e-9
        code = f"{directorate[:2].upper()}{index:02d}"
        names = [f"{code}-{c:05d} {service} cost centre {c + 1}" for c in range(n)]
        for p in range(PERIODS):
            drift = spread * np.abs(rng.normal(1.0, 0.1, size=n))
            variance = _allocate(int(service_variance[index, p]), drift)
            profile = (p + 1) / PERIODS
            actual = np.round(budget * profile + variance * profile * rng.uniform(0.7, 1.0, size=n)).astype(np.int64)
            frames.append(
                pd.DataFrame(
                    {
                        "fiscal_year": SAMPLE_YEAR,
                        "period": np.full(n, p + 1, dtype=np.int32),
                        "directorate": directorate,
                        "service": service,
                        "cost_centre": names,
                        "annual_budget_pence": budget,
                        "actual_ytd_pence": actual,
                        "forecast_outturn_pence": budget + variance,
                    }
                )
            )
    # Period order: a period's lines sit together in the table, so a period filter skips the rest.
    return pd.concat(frames, ignore_index=True).sort_values("period", kind="stable", ignore_index=True)


def generate_savings(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """2021/22 savings schemes at P2, P4 and P6, amounts in pence; targets sum to the £27m programme."""
    rng = np.random.default_rng(seed + 1)
    targets = _allocate(SAVINGS_PROGRAMME * PENCE, np.array([s[2] for s in SAVINGS_SCHEMES]))
    # Each scheme's delivery as a share of target at P6 (sample); earlier periods are more hopeful.
    final_share = np.clip(rng.normal(0.72, 0.25, size=len(SAVINGS_SCHEMES)), 0.0, 1.0)
    rows = []
    for period in SAVINGS_PERIODS:
        optimism = (6 - period) / 4 * 0.15
        for (directorate, scheme, _), target, share in zip(SAVINGS_SCHEMES, targets, final_share, strict=True):
            delivered_share = min(1.0, share + optimism * (1 - share))
            delivery = round(int(target) * delivered_share)
            if delivered_share >= 0.999:
                status = "delivered" if period >= 6 else "on_track"
            elif delivered_share >= 0.8:
                status = "on_track"
            elif delivered_share >= 0.4:
                status = "at_risk"
            else:
                status = "not_deliverable"
            rows.append((SAVINGS_YEAR, period, directorate, scheme, int(target), delivery, status))
    return pd.DataFrame(
        rows,
        columns=["fiscal_year", "period", "directorate", "scheme", "target_pence", "forecast_delivery_pence", "status"],
    )


def fill(conn: duckdb.DuckDBPyConnection, *, rows: int, seed: int, loaded_by: str) -> int:
    """Replace the sample lines in `monitoring` and `savings` with a fresh reproducible set in one transaction;
    returns load_id."""
    with db.transaction(conn):
        return fill_lines(conn, rows=rows, seed=seed, loaded_by=loaded_by)


def fill_lines(conn: duckdb.DuckDBPyConnection, *, rows: int, seed: int, loaded_by: str) -> int:
    """`fill` inside the caller's transaction."""
    lines = generate(rows, seed)
    schemes = generate_savings(seed)
    digest = hashlib.sha256(f"sample rows={rows} seed={seed}".encode()).hexdigest()
    conn.execute("DELETE FROM monitoring WHERE basis = 'sample'")
    conn.execute("DELETE FROM savings WHERE basis = 'sample'")
    load_id = db.next_id(conn, "load_id")
    conn.execute(
        "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
        "VALUES ($id, 'sample', $name, $sha, $rows, $at, $by)",
        {
            "id": load_id,
            "name": f"sample (rows={rows}, seed={seed})",
            "sha": digest,
            "rows": len(lines) + len(schemes),
            "at": datetime.now(),
            "by": loaded_by,
        },
    )
    conn.register("sample_lines", lines)
    try:
        conn.execute(
            """
            INSERT INTO monitoring
            SELECT fiscal_year, period, directorate, service, cost_centre,
                   CAST(annual_budget_pence AS DECIMAL(14, 2)) / 100, CAST(actual_ytd_pence AS DECIMAL(14, 2)) / 100,
                   CAST(forecast_outturn_pence AS DECIMAL(14, 2)) / 100, 'sample', $load_id
            FROM sample_lines
            """,
            {"load_id": load_id},
        )
    finally:
        conn.unregister("sample_lines")
    conn.register("sample_schemes", schemes)
    try:
        conn.execute(
            """
            INSERT INTO savings
            SELECT fiscal_year, period, directorate, scheme, CAST(target_pence AS DECIMAL(14, 2)) / 100,
                   CAST(forecast_delivery_pence AS DECIMAL(14, 2)) / 100, status, 'sample', $load_id
            FROM sample_schemes
            """,
            {"load_id": load_id},
        )
    finally:
        conn.unregister("sample_schemes")
    for table in ("loads", "monitoring", "savings"):
        db.enforce_schema_rules(conn, table, load_id)
    return load_id


def replace_sample(conn: duckdb.DuckDBPyConnection, actor: Actor, *, rows: int, seed: int = DEFAULT_SEED) -> int:
    """`python -m data sample`: an admin replaces the sample lines; refused once real lines cover the year.

    Real monitoring lines or savings for the sample's year supersede the sample (a load removes them);
    putting sample lines back beside real ones would double the year's totals.
    """
    require(actor, "admin", "replace the sample monitoring lines")
    real_lines = conn.execute(
        """
        SELECT (SELECT count(*) FROM monitoring WHERE basis = 'reported' AND fiscal_year = $year)
             + (SELECT count(*) FROM savings WHERE basis = 'reported' AND fiscal_year = $savings_year)
        """,
        {"year": SAMPLE_YEAR, "savings_year": SAVINGS_YEAR},
    ).fetchone()[0]
    if real_lines:
        raise ValueError(
            f"{real_lines:,} loaded lines cover the sample's years ({SAMPLE_YEAR} monitoring, {SAVINGS_YEAR} "
            "savings): sample lines would sit beside them. Undo those loads first if you want the sample back."
        )
    return fill(conn, rows=rows, seed=seed, loaded_by=actor.identity)
