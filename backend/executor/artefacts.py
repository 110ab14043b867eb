"""Node outputs on disk: tables as Parquet, models in the engine's portable format (no pickle).

Paths come only from server-generated hex keys, never from anything a user sent.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api import types as ptypes

from backend.services.table_import import rows_per_group
from modules.models import dump_model, load_model

_KEY = re.compile(r"^[0-9a-f]{32}$")
EXTENSIONS = {"data_table": "parquet", "untrained_cluster_model": "npz", "trained_cluster_model": "npz"}


@dataclass(frozen=True)
class ArtefactRef:
    key: str
    type: str

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "type": self.type}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArtefactRef:
        return cls(key=str(data["key"]), type=str(data["type"]))


class ArtefactStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, ref: ArtefactRef) -> Path:
        if not _KEY.match(ref.key) or ref.type not in EXTENSIONS:
            raise ValueError(f"not an artefact reference: {ref}")
        return self.root / ref.key[:2] / f"{ref.key}.{EXTENSIONS[ref.type]}"

    def derived_path(self, ref: ArtefactRef, name: str) -> Path:
        """Where a payload computed from an artefact is kept (e.g. its chart data), beside it."""
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"not a derived payload name: {name!r}")
        return self.path(ref).with_name(f"{ref.key}.{name}.json")

    def write_derived(self, ref: ArtefactRef, name: str, payload: bytes) -> None:
        final = self.derived_path(ref, name)
        staging = final.with_name(final.name + ".tmp")
        try:
            staging.write_bytes(payload)
            os.replace(staging, final)
        finally:
            staging.unlink(missing_ok=True)  # nothing half-written stays behind

    def read_derived(self, ref: ArtefactRef, name: str) -> bytes | None:
        path = self.derived_path(ref, name)
        return path.read_bytes() if path.is_file() else None

    def exists(self, ref: ArtefactRef) -> bool:
        try:
            return self.path(ref).is_file()
        except ValueError:
            return False

    def delete_key(self, key: str) -> None:
        """Remove an artefact and every payload derived from it (whatever its type)."""
        if not _KEY.match(key):
            raise ValueError(f"not an artefact key: {key!r}")
        for path in (self.root / key[:2]).glob(f"{key}.*"):
            path.unlink(missing_ok=True)

    def collect_garbage(self, referenced: set[str]) -> int:
        """Delete stored files whose key no run references any more (and leftovers of failed writes).

        Only safe while nothing is running: the caller does it at start-up. Returns the files removed.
        """
        removed = 0
        for path in self.root.glob("*/*"):
            key = path.name.split(".", 1)[0]
            if path.is_file() and (key not in referenced or path.name.endswith(".tmp")):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def write(self, value: Any, port_type: str) -> ArtefactRef:
        """Store a value atomically (written aside, then renamed into place)."""
        ref = ArtefactRef(uuid.uuid4().hex, port_type)
        final = self.path(ref)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.with_name(final.name + ".tmp")
        try:
            if port_type == "data_table":
                # Row groups of about a million cells, so that a page of rows reads megabytes, not the
                # table; dictionaries only for text (see backend.services.table_import.parquet_writer).
                frame = _table_for_parquet(value)
                frame.to_parquet(
                    staging,
                    index=False,
                    row_group_size=rows_per_group(frame.shape[1]),
                    use_dictionary=_text_columns(frame),
                )
            else:
                dump_model(value, staging)
            os.replace(staging, final)
        finally:
            staging.unlink(missing_ok=True)  # nothing half-written stays behind
        return ref

    def read(self, ref: ArtefactRef) -> Any:
        path = self.path(ref)
        if ref.type == "data_table":
            return pd.read_parquet(path)
        return load_model(path)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(name)
        for name, dtype in frame.dtypes.items()
        if not (ptypes.is_numeric_dtype(dtype) or ptypes.is_datetime64_any_dtype(dtype))  # bool is numeric
    ]


def _table_for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet wants string column names and a plain index."""
    frame = frame.reset_index(drop=True)
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    return frame
