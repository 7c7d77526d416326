"""Import every chart module in this package so that each registers itself in charts.catalogue."""

from __future__ import annotations

import importlib
import pkgutil

import charts
from charts.catalogue import CATALOGUE, CatalogueEntry

_NOT_CHART_MODULES = {"all", "catalogue", "spec", "__main__"}


def load_catalogue() -> dict[str, CatalogueEntry]:
    for module in pkgutil.iter_modules(charts.__path__):
        if module.name not in _NOT_CHART_MODULES:
            importlib.import_module(f"charts.{module.name}")
    return CATALOGUE
