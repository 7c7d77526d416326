"""Sample snapshots reconcile to the reported 2020/21 forecast and outturn and are reproducible."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from data import sample


def totals(conn, where: str = "TRUE"):
    return conn.execute(
        "SELECT sum(annual_budget_gbp), sum(forecast_outturn_gbp) FROM monitoring WHERE fiscal_year = '2020/21' AND "
        + where
    ).fetchone()


def test_2020_21_sample_snapshots_sum_to_the_reported_budget_q3_forecast_and_outturn(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        reported = dict(
            conn.execute(
                "SELECT figure_id, value FROM reported_figures "
                "WHERE figure_id IN ('RF002', 'RF003', 'RF005', 'RF006', 'RF007', 'RF021')"
            ).fetchall()
        )
        p9, p12 = totals(conn, "period = 9"), totals(conn, "period = 12")
        capital = totals(conn, "period = 12 AND service = 'Capital financing'")
        contingency = totals(conn, "period = 12 AND service = 'Contingency'")
        budgets = {
            b for (b,) in conn.execute("SELECT sum(annual_budget_gbp) FROM monitoring GROUP BY period").fetchall()
        }
        bases = {b for (b,) in conn.execute("SELECT DISTINCT basis FROM monitoring").fetchall()}
        savings = conn.execute(
            "SELECT DISTINCT sum(target_gbp) FROM savings WHERE fiscal_year = '2021/22' GROUP BY period"
        ).fetchall()
    million = Decimal(1_000_000)
    assert budgets == {Decimal(str(reported["RF002"])) * million}
    assert p9[1] - p9[0] == Decimal(str(reported["RF005"])) * million  # £18.6m at quarter 3
    assert p12[1] - p12[0] == Decimal(str(reported["RF003"])) * million  # £15m outturn
    assert capital[1] - capital[0] == -Decimal(str(reported["RF006"])) * million
    assert contingency[1] - contingency[0] == -Decimal(str(reported["RF007"])) * million
    assert savings == [(Decimal(str(reported["RF021"])) * million,)]
    assert bases == {"sample"}


def test_same_seed_same_lines_other_seed_same_totals():
    first, again, other = sample.generate(600, seed=1), sample.generate(600, seed=1), sample.generate(600, seed=2)
    assert first.equals(again)
    assert not first.equals(other)
    for frame in (first, other):
        assert len(frame) == 600
        by_period = frame.groupby("period")[["annual_budget_pence", "forecast_outturn_pence"]].sum()
        assert (by_period["annual_budget_pence"] == sample.NET_BUDGET * 100).all()
        variance = by_period["forecast_outturn_pence"] - by_period["annual_budget_pence"]
        assert list(variance) == list(sample.COUNCIL_FORECAST_PENCE)
        assert variance[9] == sample.Q3_FORECAST_OVERSPEND * 100 and variance[12] == sample.NET_OVERSPEND * 100
        assert list(by_period.index) == list(range(1, 13))


def test_too_few_rows_is_a_clear_error():
    with pytest.raises(ValueError, match="at least"):
        sample.generate(10)


def test_replacing_the_sample_needs_an_admin(db_path):
    from data.access import Actor, PermissionDenied

    with duckdb.connect(str(db_path)) as conn:
        before = conn.execute("SELECT count(*), max(load_id) FROM monitoring").fetchone()
        with pytest.raises(PermissionDenied):
            sample.replace_sample(conn, Actor("editor@example.gov.uk", "editor"), rows=240)
        assert conn.execute("SELECT count(*), max(load_id) FROM monitoring").fetchone() == before
        sample.replace_sample(conn, Actor("admin@example.gov.uk", "admin"), rows=240)
        assert conn.execute("SELECT count(*) FROM monitoring WHERE basis = 'sample'").fetchone()[0] == 240


def test_the_sample_is_not_put_back_beside_real_lines_for_its_year(db_path):
    from data.access import Actor

    with duckdb.connect(str(db_path)) as conn:
        conn.execute(
            "INSERT INTO monitoring VALUES ('2020/21', 1, 'Place', 'Highways', 'PL-1', 10, 12, 11, 'reported', 99)"
        )
        before = conn.execute("SELECT count(*) FROM monitoring").fetchone()[0]
        with pytest.raises(ValueError, match="Undo those loads first"):
            sample.replace_sample(conn, Actor("admin@example.gov.uk", "admin"), rows=240)
        assert conn.execute("SELECT count(*) FROM monitoring").fetchone()[0] == before
