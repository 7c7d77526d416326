"""Three consecutive years of RS workbooks in the published layout (built: see tests/fixtures/README.md).

2017-18 and 2018-19 hold Dorset County Council (E10000009), a predecessor of Dorset Council; 2019-20 holds
Dorset Council (E06000059), formed on 1 April 2019. The Isle of Wight has no row in 2018-19, as an
authority that did not submit would not. Values are £ thousand; the tests work the indicators out by hand.
"""

from __future__ import annotations

from pathlib import Path

from bench.rs_workbook import Authority, rs_workbook
from data.__main__ import main as cli
from data.authorities import NEIGHBOURS_FILE

YEARS = ("2017-18", "2018-19", "2019-20")
LAYOUTS = {"2017-18": 0, "2018-19": 1, "2019-20": 2}  # each year's workbook laid out a little differently

# (E-code, ONS code, name, class): values per year below, as
# (805 net revenue expenditure, 915 at 1 April, 916 at 1 April, 915 at 31 March, 916 at 31 March).
CORNWALL = ("E0801", "E06000052", "Cornwall", "UA")
WILTSHIRE = ("E0802", "E06000054", "Wiltshire", "UA")
DORSET_COUNTY = ("E1001", "E10000009", "Dorset", "SC")
DORSET_COUNCIL = ("E0803", "E06000059", "Dorset Council", "UA")
ISLE_OF_WIGHT = ("E0804", "E06000046", "Isle of Wight", "UA")
OTHERS = (
    ("E0805", "E06000017", "Rutland", "UA"),
    ("E0806", "E06000019", "Herefordshire, County of", "UA"),
    ("E0807", "E06000051", "Shropshire", "UA"),
    ("E0808", "E06000057", "Northumberland", "UA"),
    ("E0809", "E06000011", "East Riding of Yorkshire", "UA"),
    ("E0810", "E06000022", "Bath and North East Somerset", "UA"),
    ("E0811", "E06000024", "North Somerset", "UA"),
    ("E0812", "E06000027", "Torbay", "UA"),
    ("E0813", "E06000049", "Cheshire East", "UA"),
    ("E0814", "E06000050", "Cheshire West and Chester", "UA"),
    ("E0815", "E06000056", "Central Bedfordshire", "UA"),
    ("E0816", "E08000014", "Sefton", "MD"),
)
VALUES: dict[str, dict[tuple, tuple[float, float, float, float, float]]] = {
    "2017-18": {
        CORNWALL: (400_000, 60_000, 20_000, 58_000, 21_000),
        WILTSHIRE: (300_000, 40_000, 10_000, 42_000, 10_000),
        DORSET_COUNTY: (280_000, 25_000, 12_000, 24_000, 11_000),
        ISLE_OF_WIGHT: (150_000, 9_000, 8_000, 8_000, 7_000),
    },
    "2018-19": {
        CORNWALL: (410_000, 58_000, 21_000, 55_000, 20_500),
        WILTSHIRE: (310_000, 42_000, 10_000, 45_000, 12_000),
        DORSET_COUNTY: (290_000, 24_000, 11_000, 23_000, 10_000),
    },
    "2019-20": {
        CORNWALL: (420_000, 55_000, 20_500, 50_000, 19_000),
        WILTSHIRE: (320_000, 45_000, 12_000, 50_000, 14_000),
        DORSET_COUNCIL: (300_000, 31_000, 27_000, 30_000, 28_000),
        ISLE_OF_WIGHT: (160_000, 7_500, 6_500, 7_000, 6_000),
    },
}
for _year, _base in zip(YEARS, (100_000, 105_000, 110_000), strict=True):
    for _offset, _other in enumerate(OTHERS):
        _nre = _base + _offset * 20_000
        _end = _nre * (0.12 + _offset * 0.01)
        VALUES[_year][_other] = (_nre, _nre * 0.15, _nre * 0.05, _end, _nre * (0.03 + _offset % 3 * 0.01))


def authorities(year: str) -> list[Authority]:
    return [
        Authority(
            ecode,
            ons,
            name,
            kind,
            {
                "nce": nre * 1.05,
                "nre": nre,
                "earmarked_start": e_start,
                "unallocated_start": u_start,
                "earmarked_end": e_end,
                "unallocated_end": u_end,
                "schools_start": 5_000.0,
                "schools_end": 4_000.0,
                "ph_start": 1_000.0,
                "ph_end": 900.0,
            },
        )
        for (ecode, ons, name, kind), (nre, e_start, u_start, e_end, u_end) in VALUES[year].items()
    ]


def file_name(year: str) -> str:
    return f"RS_{year}_data_by_LA.xlsx"


def workbook(year: str, **changes) -> bytes:
    return rs_workbook(year, authorities(year), layout=LAYOUTS[year], **changes)


def write_years(folder: Path) -> list[Path]:
    paths = []
    for year in YEARS:
        path = folder / file_name(year)
        path.write_bytes(workbook(year))
        paths.append(path)
    return paths


def load_all(folder: Path) -> None:
    """The three years and Dorset Council's neighbours, through the command line, into $FINANCE_DB."""
    for path in write_years(folder):
        assert cli(["load", str(path)]) == 0  # the kind is worked out from the RS file name
    assert cli(["load", str(NEIGHBOURS_FILE), "--kind", "neighbours"]) == 0
