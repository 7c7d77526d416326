"""ui.tables.readable: what a person reads in a page's table of figures."""

from __future__ import annotations

import pandas as pd

from data import vocab
from ui.tables import readable


def test_every_kind_of_missing_cell_reads_not_reported_and_money_reads_by_its_basis():
    frame = pd.DataFrame(
        {
            "reserve": ["General fund", None, "Usable"],
            "reserve_gbp_m": [31.5, float("nan"), 200.25],
            "deficit_gbp_m": [58.675, 3.0, None],
            "basis": ["modelled", "reported", "reported"],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "on": pd.to_datetime(["2021-10-05", None, "2023-03-31"]),
            "headline": [True, False, True],
        },
        index=[7, 3, 5],
    )
    shown = readable(frame, {"reserve_gbp_m": None, "deficit_gbp_m": "basis"})

    assert list(shown.index) == [7, 3, 5] and list(shown.columns) == list(frame.columns)
    assert all(pd.api.types.is_object_dtype(dtype) for dtype in shown.dtypes)
    assert shown["reserve_gbp_m"].tolist() == ["£31.5m", vocab.NOT_REPORTED, "£200.25m"]
    # modelled: one decimal place; reported: the decimals it has; missing: said so
    assert shown["deficit_gbp_m"].tolist() == ["£58.7m", "£3.0m", vocab.NOT_REPORTED]
    assert shown["reserve"].tolist() == ["General fund", vocab.NOT_REPORTED, "Usable"]
    assert shown["count"].tolist() == [1, vocab.NOT_REPORTED, 3]
    assert shown.loc[3, "on"] == vocab.NOT_REPORTED and shown.loc[7, "on"] == pd.Timestamp("2021-10-05")
    assert shown["headline"].tolist() == [True, False, True]
    assert readable(frame, {}, blank="").loc[3, "reserve"] == ""
    # the frame itself is untouched: exports are made from it
    assert frame["reserve_gbp_m"].iloc[0] == 31.5 and pd.isna(frame["reserve"].iloc[1])
