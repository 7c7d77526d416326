"""Sample monitoring lines reconcile to the reported 2020/21 position and are reproducible."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from data import sample


def totals(conn, where: str = "TRUE"):
    return conn.execute(
        "SELECT sum(budget_gbp), sum(actual_gbp) FROM monitoring WHERE fiscal_year = '2020/21' AND " + where
    ).fetchone()


def test_2020_21_sample_lines_sum_to_the_reported_budget_and_overspend(built_db):
    with duckdb.connect(str(built_db), read_only=True) as conn:
        budget, actual = totals(conn)
        reported = dict(
            conn.execute(
                "SELECT figure_id, value FROM reported_figures WHERE figure_id IN ('RF002', 'RF003', 'RF006', 'RF007')"
            ).fetchall()
        )
        capital = totals(conn, "service = 'Capital financing'")
        contingency = totals(conn, "service = 'Contingency'")
        bases = {b for (b,) in conn.execute("SELECT DISTINCT basis FROM monitoring").fetchall()}
    million = Decimal(1_000_000)
    assert budget == Decimal(str(reported["RF002"])) * million
    assert actual - budget == Decimal(str(reported["RF003"])) * million
    assert capital[1] - capital[0] == -Decimal(str(reported["RF006"])) * million
    assert contingency[1] - contingency[0] == -Decimal(str(reported["RF007"])) * million
    assert bases == {"sample"}


def test_same_seed_same_lines_other_seed_same_totals():
    first, again, other = sample.generate(600, seed=1), sample.generate(600, seed=1), sample.generate(600, seed=2)
    assert first.equals(again)
    assert not first.equals(other)
    for frame in (first, other):
        assert len(frame) == 600
        assert frame["budget_pence"].sum() == sample.NET_BUDGET * 100
        assert (frame["actual_pence"] - frame["budget_pence"]).sum() == sample.NET_OVERSPEND * 100
        assert frame["period_month"].between(1, 12).all()


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
