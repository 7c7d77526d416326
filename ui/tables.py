"""Tables as a person reads them: money as £m to the precision reported, a missing cell "not reported".

Only the cells shown change; the frames (and every export made from them) keep the unrounded values.
"""

from __future__ import annotations

import pandas as pd

from data import vocab


def readable(frame: pd.DataFrame, money: dict[str, str | None], *, blank: str = vocab.NOT_REPORTED) -> pd.DataFrame:
    """`frame` with each money column (name -> the column holding its basis, or None for 'reported') as text,
    and every other missing cell as `blank`: never None, nan or a raw float on screen."""
    shown = frame.copy()
    for column, basis_column in money.items():
        bases = shown[basis_column] if basis_column else pd.Series("reported", index=shown.index)
        shown[column] = [
            vocab.money_cell(value, basis=basis) for value, basis in zip(shown[column], bases, strict=True)
        ]
    return shown.astype(object).where(shown.notna(), blank)
