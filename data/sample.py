"""Reproducible synthetic monitoring lines (basis 'sample') that reconcile to the 2020/21 position.

The council's ledger is not public, so the app ships sample lines to show how the directorate
view works. They are labelled 'sample' everywhere. Their 2020/21 totals are forced to the
reported position: a £304m net budget, a £319m outturn (£15m overspend), with the central
capital financing and contingency lines underspending by £5.25m and £4.7m, so service lines
overspend by £24.95m in total. How that is split between directorates and services is invented
for the sample and is not in the source.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from data.access import Actor, require
from data.db import roll_back

DEFAULT_SEED = 2021
SAMPLE_YEAR = "2020/21"
PENCE = 100

# Reported position (pounds), cited in reported_figures RF002, RF003, RF006, RF007.
NET_BUDGET = 304_000_000
NET_OVERSPEND = 15_000_000
CAPITAL_FINANCING_UNDERSPEND = 5_250_000
CONTINGENCY_UNDERSPEND = 4_700_000

# (directorate, service, share of lines, share of budget, share of the service overspend).
# Shares are sample assumptions, not from the source.
SERVICES = [
    ("Adults & Housing", "Adult Care & Support", 0.14, 0.29, 0.30),
    ("Adults & Housing", "Commissioning", 0.06, 0.06, 0.06),
    ("Adults & Housing", "Housing", 0.05, 0.03, 0.02),
    ("Children's Services", "Care & Protection", 0.10, 0.14, 0.24),
    ("Children's Services", "Education & Learning", 0.08, 0.07, 0.08),
    ("Children's Services", "Commissioning & Partnerships", 0.04, 0.03, 0.03),
    ("Place", "Highways", 0.10, 0.08, 0.07),
    ("Place", "Waste Services", 0.06, 0.09, 0.06),
    ("Place", "Planning", 0.04, 0.02, 0.03),
    ("Place", "Assets & Property", 0.05, 0.03, 0.05),
    ("Place", "Economic Growth", 0.03, 0.01, 0.01),
    ("Corporate Development", "Finance & Commercial", 0.06, 0.03, 0.02),
    ("Corporate Development", "ICT", 0.05, 0.03, 0.02),
    ("Corporate Development", "Legal & Democratic", 0.04, 0.02, 0.01),
    ("Central budgets", "Capital financing", 0.05, 0.05, 0.0),
    ("Central budgets", "Contingency", 0.05, 0.02, 0.0),
]
CENTRAL_UNDERSPENDS = {
    "Capital financing": -CAPITAL_FINANCING_UNDERSPEND,
    "Contingency": -CONTINGENCY_UNDERSPEND,
}


def _allocate(total_pence: int, weights: np.ndarray) -> np.ndarray:
    """Split an exact pence total across lines in proportion to weights (largest remainder)."""
    raw = weights / weights.sum() * total_pence
    floor = np.floor(raw).astype(np.int64)
    short = int(total_pence - floor.sum())
    if short:
        floor[np.argsort(raw - floor)[-short:]] += 1
    return floor


def generate(rows: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Return `rows` monitoring lines for 2020/21 whose totals match the reported position."""
    if rows < len(SERVICES) * 12:
        raise ValueError(f"Sample needs at least {len(SERVICES) * 12} lines, one year per service.")
    rng = np.random.default_rng(seed)
    line_shares = np.array([s[2] for s in SERVICES])
    per_service = _allocate(rows, line_shares).astype(int)
    service_variance_total = (NET_OVERSPEND + CAPITAL_FINANCING_UNDERSPEND + CONTINGENCY_UNDERSPEND) * PENCE
    service_variances = _allocate(service_variance_total, np.array([s[4] for s in SERVICES]) + 1e-12)
    budgets = _allocate(NET_BUDGET * PENCE, np.array([s[3] for s in SERVICES]))
    frames = []
    for index, (directorate, service, _, _, overspend_share) in enumerate(SERVICES):
        n = int(per_service[index])
        line_index = np.arange(n)
        cost_centres = line_index // 12
        months = line_index % 12 + 1
        weight = rng.lognormal(mean=0.0, sigma=0.6, size=n)
        budget = _allocate(int(budgets[index]), weight)
        if service in CENTRAL_UNDERSPENDS:
            variance_total = CENTRAL_UNDERSPENDS[service] * PENCE
        else:
            variance_total = int(service_variances[index]) if overspend_share else 0
        # Variance noise around a positive trend, then forced to the exact service total.
        noise = rng.normal(loc=1.0, scale=0.8, size=n) * weight
        noise = np.where(np.abs(noise) < 1e-9, 1e-9, noise)
        variance = _allocate(variance_total, np.abs(noise)) if variance_total else np.zeros(n, np.int64)
        forecast_error = rng.normal(0.0, 0.15, size=n)
        forecast = budget + np.round(variance * (1.0 + forecast_error)).astype(np.int64)
        code = f"{directorate[:2].upper()}{index:02d}"
        frames.append(
            pd.DataFrame(
                {
                    "fiscal_year": SAMPLE_YEAR,
                    "period_month": months.astype(np.int32),
                    "directorate": directorate,
                    "service": service,
                    "cost_centre": pd.Series(cost_centres).map(lambda c, code=code: f"{code}-{c:05d}"),
                    "budget_pence": budget,
                    "actual_pence": budget + variance,
                    "forecast_pence": forecast,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def fill(conn: duckdb.DuckDBPyConnection, *, rows: int, seed: int, loaded_by: str) -> int:
    """Replace the sample lines in `monitoring` with a fresh reproducible set; returns load_id."""
    lines = generate(rows, seed)
    digest = hashlib.sha256(f"sample rows={rows} seed={seed}".encode()).hexdigest()
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute("DELETE FROM monitoring WHERE basis = 'sample'")
        load_id = conn.execute(
            "INSERT INTO loads (load_id, kind, file_name, sha256, row_count, loaded_at, loaded_by) "
            "VALUES (nextval('load_id_seq'), 'sample', $name, $sha, $rows, $at, $by) RETURNING load_id",
            {
                "name": f"sample (rows={rows}, seed={seed})",
                "sha": digest,
                "rows": len(lines),
                "at": datetime.now(),
                "by": loaded_by,
            },
        ).fetchone()[0]
        conn.register("sample_lines", lines)
        conn.execute(
            """
            INSERT INTO monitoring
            SELECT fiscal_year, period_month, directorate, service, cost_centre,
                   CAST(budget_pence AS DECIMAL(14, 2)) / 100, CAST(actual_pence AS DECIMAL(14, 2)) / 100,
                   CAST(forecast_pence AS DECIMAL(14, 2)) / 100, 'sample', $load_id
            FROM sample_lines
            """,
            {"load_id": load_id},
        )
        conn.unregister("sample_lines")
        conn.execute("COMMIT")
    except Exception:
        roll_back(conn)
        raise
    return load_id


def replace_sample(conn: duckdb.DuckDBPyConnection, actor: Actor, *, rows: int, seed: int = DEFAULT_SEED) -> int:
    """`python -m data sample`: an admin replaces the sample lines; refused once real lines cover the year.

    Real monitoring lines for the sample's year supersede the sample (a load removes them); putting sample
    lines back beside real ones would double the year's totals.
    """
    require(actor, "admin", "replace the sample monitoring lines")
    real_lines = conn.execute(
        "SELECT count(*) FROM monitoring WHERE basis = 'reported' AND fiscal_year = $year", {"year": SAMPLE_YEAR}
    ).fetchone()[0]
    if real_lines:
        raise ValueError(
            f"{real_lines:,} loaded monitoring lines cover {SAMPLE_YEAR}: sample lines would sit beside them. "
            "Undo those loads first if you want the sample back."
        )
    return fill(conn, rows=rows, seed=seed, loaded_by=actor.identity)
