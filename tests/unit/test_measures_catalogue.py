"""The catalogue of measures checked for collisions when it is read or built: a spelling (key or alias) that
names two measures would store a loaded figure under whichever came first."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest

from data import build as build_module
from data.measures import CATALOGUE_CSV, CatalogueInvalid, catalogue
from tests.support.load_files import table_checksums


def colliding_copy(folder, alias_row: int, alias: str):
    """data/*.csv copied into `folder`, with `alias` added to the aliases of the measure on `alias_row`."""
    for name in ("directorates", "measures", "reported_figures", "recommendations", "action_updates_seed"):
        shutil.copyfile(CATALOGUE_CSV.parent / f"{name}.csv", folder / f"{name}.csv")
    with CATALOGUE_CSV.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    target = rows[alias_row - 2]
    target["aliases"] = "|".join(filter(None, [target["aliases"], alias]))
    with (folder / "measures.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_the_reviewed_catalogue_has_no_collisions():
    assert len(catalogue()) >= 20


def test_an_alias_equal_to_another_measures_key_is_refused_naming_both_rows(tmp_path):
    rows = colliding_copy(tmp_path, 2, "net_overspend")  # net_budget's alias is net_overspend's key (row 3)
    assert rows[1]["measure"] == "net_overspend"
    with pytest.raises(CatalogueInvalid, match=r"'net_overspend' is the alias on row 2 and the key on row 3"):
        catalogue(tmp_path / "measures.csv")


def test_an_alias_on_two_measures_in_any_case_is_refused(tmp_path):
    colliding_copy(tmp_path, 4, "Overspend")  # net_overspend (row 3) already has the alias "overspend"
    with pytest.raises(CatalogueInvalid, match=r"'Overspend' is the alias on row 3 and the alias on row 4"):
        catalogue(tmp_path / "measures.csv")


def test_a_build_from_a_colliding_catalogue_is_refused_and_the_database_is_unchanged(db_path, tmp_path, monkeypatch):
    folder = tmp_path / "csvs"
    folder.mkdir()
    colliding_copy(folder, 2, "net_overspend")
    before = table_checksums(db_path)
    monkeypatch.setattr(build_module, "DATA_DIR", folder)
    with pytest.raises(CatalogueInvalid):
        build_module.build(db_path, force=True, sample_rows=0, built_by="pytest")
    assert table_checksums(db_path) == before
    with duckdb.connect(str(db_path), read_only=True) as conn:
        assert (
            "net_overspend"
            not in conn.execute("SELECT aliases FROM measures WHERE measure = 'net_budget'").fetchone()[0]
        )
