"""How values are stored on disk: tables as Parquet, models as the portable ``.npz`` (no pickle).

The port types (:mod:`modules.ports`) name these writers and readers; the server's artefact store and
its dataset import call them through the port type, never by kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api import types as ptypes

from modules.trained_model import dump_model, load_model

__all__ = ["ROW_GROUP_CELLS", "read_model", "read_table", "rows_per_group", "write_model", "write_table"]

#: Cells per stored row group: a page of rows reads about 8 MB, not the whole table.
ROW_GROUP_CELLS = 1 << 20


def rows_per_group(n_columns: int) -> int:
    return max(1024, min(1 << 20, ROW_GROUP_CELLS // max(1, n_columns)))


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Parquet in row groups of about a million cells, so that a page of rows reads megabytes, not the
    table; dictionaries only for text (numbers would be dictionary-encoded value by value)."""
    frame = frame.reset_index(drop=True)  # Parquet wants a plain index and string column names
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    text_columns = [
        str(name)
        for name, dtype in frame.dtypes.items()
        if not (ptypes.is_numeric_dtype(dtype) or ptypes.is_datetime64_any_dtype(dtype))  # bool is numeric
    ]
    frame.to_parquet(
        path, index=False, row_group_size=rows_per_group(frame.shape[1]), use_dictionary=text_columns
    )


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def write_model(model: Any, path: Path) -> None:
    dump_model(model, path)


def read_model(path: Path) -> Any:
    return load_model(path)
