"""Authorities the benchmarking needs to know by name: the dashboard's own council, and councils formed from
others (whose returns before they were formed belong to their predecessors and are never shown as theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

COUNCIL_CODE = "E06000059"  # Dorset Council, the dashboard's council (ONS code)
COUNCIL_NAME = "Dorset Council"

NEIGHBOURS_FILE = Path(__file__).resolve().parent / "benchmarking" / "dorset_nearest_neighbours.csv"
NEIGHBOURS_SOURCE = (
    "Dorset Council's 15 statistical nearest neighbours as the Office for Local Government (Oflog) published "
    "them in its Local Authority Data Explorer (CIPFA's Nearest Neighbours model); see data/benchmarking/README.md"
)
RETURNS_SOURCE = "MHCLG, Revenue Outturn Summary (RS), individual local authority data"


@dataclass(frozen=True)
class Succession:
    """A council formed on `formed_on` from `predecessors` (ONS code, name): returns before then are theirs."""

    successor: str
    successor_name: str
    formed_on: date
    predecessors: tuple[tuple[str, str], ...]
    source: str

    @property
    def first_year(self) -> str:
        """The first financial year the successor made a return for: '2019/20'."""
        return f"{self.formed_on.year}/{(self.formed_on.year + 1) % 100:02d}"


SUCCESSIONS: tuple[Succession, ...] = (
    Succession(
        successor="E06000059",
        successor_name="Dorset Council",
        formed_on=date(2019, 4, 1),
        predecessors=(
            ("E10000009", "Dorset County Council"),
            ("E07000049", "East Dorset District Council"),
            ("E07000050", "North Dorset District Council"),
            ("E07000051", "Purbeck District Council"),
            ("E07000052", "West Dorset District Council"),
            ("E07000053", "Weymouth and Portland Borough Council"),
        ),
        source="The Bournemouth, Dorset and Poole (Structural Changes) Order 2018 (SI 2018/648)",
    ),
)


def succession_of(code: str) -> Succession | None:
    """The succession that formed `code`, if it was formed from other councils."""
    return next((s for s in SUCCESSIONS if s.successor == code), None)


# Names a return may give too briefly to tell apart: MHCLG's returns call Dorset County Council "Dorset",
# which reads as Dorset Council, its successor. These codes are always shown under the name given here.
KNOWN_NAMES: dict[str, str] = {COUNCIL_CODE: COUNCIL_NAME} | {
    code: name for succession in SUCCESSIONS for code, name in succession.predecessors
}


def shown_name(code: str, name_in_return: str | None) -> str:
    """The name an authority is shown under: the known name of a council the dashboard names itself (its own,
    its predecessors), else the name its return gives."""
    return KNOWN_NAMES.get(code) or name_in_return or code
