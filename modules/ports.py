"""Port types and ports: each kind of value on an edge is declared once, here.

A :class:`PortType` says what travels on it (the Python class a module receives), how a value is
stored (file extension, writer, reader) and which view shows it. A :class:`Port` may ask for a more
specific view of the same type (a results table opens as a cluster chart, sweep results as the
sweep chart). Everything else — input checks, the artefact store, the output views, the palette —
asks the port type instead of testing for a kind by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from modules.algorithms.base import ClusterConfig
from modules.storage import arrow_table, read_model, read_stored_table, write_arrow_table, write_model
from modules.trained_model import TrainedClusterModel

__all__ = [
    "DATA_TABLE",
    "PORT_TYPES",
    "TRAINED_MODEL",
    "UNTRAINED_MODEL",
    "VIEWS",
    "Port",
    "PortType",
    "port_type_of",
]

#: The views the studio can draw an output with (the frontend has one component per view).
VIEWS = {
    "table": "Column statistics and a paged table.",
    "clusters": "A cluster chart of a results table (2-D projection, sizes, score histograms) and the table.",
    "sweep": "A sweep chart (metric against the number of clusters), and the table.",
    "model": "A model's parameters and what it learnt.",
}

DATA_TABLE = "data_table"
UNTRAINED_MODEL = "untrained_cluster_model"
TRAINED_MODEL = "trained_cluster_model"


@dataclass(frozen=True)
class PortType:
    """A type of value travelling on an edge, how it is stored and which view shows it."""

    id: str
    name: str
    description: str
    python_class: type
    #: How messages name a value of this type: "a data table".
    value_name: str
    extension: str
    write: Callable[[Any, Path], None]
    read: Callable[[Path], Any]
    view: str
    #: Error code when a value of another port type arrives here instead (default 0013).
    wrong_type_codes: Mapping[str, str] = field(default_factory=dict)
    #: Extensions values of this type were stored with before (still read: outputs of earlier runs).
    earlier_extensions: tuple[str, ...] = ()

    @property
    def is_table(self) -> bool:
        return self.python_class is pd.DataFrame

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "description": self.description, "view": self.view}


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """A table travelling between nodes: Arrow IPC, read back by memory map (see :mod:`modules.storage`)."""
    write_arrow_table(arrow_table(frame), path)


#: The port types of the spec. An edge is valid only between ports of the same type.
PORT_TYPES: dict[str, PortType] = {
    t.id: t
    for t in (
        PortType(
            DATA_TABLE,
            "Data table",
            "A table of named, typed columns (numeric, string, boolean, datetime), possibly with missing "
            "values.",
            pd.DataFrame,
            "a data table",
            "arrow",
            write_frame,
            read_stored_table,
            "table",
            earlier_extensions=("parquet",),
        ),
        PortType(
            UNTRAINED_MODEL,
            "Untrained clustering model",
            "A clustering algorithm's configuration, single values or ranges; it has not seen any data.",
            ClusterConfig,
            "an untrained clustering model",
            "npz",
            write_model,
            read_model,
            "model",
        ),
        PortType(
            TRAINED_MODEL,
            "Trained clustering model",
            "The fitted clusters, feature columns, fitted normalisation, label mapping and the seed used.",
            TrainedClusterModel,
            "a trained clustering model",
            "npz",
            write_model,
            read_model,
            "model",
            wrong_type_codes={UNTRAINED_MODEL: "0012"},
        ),
    )
}


def port_type_of(value: Any) -> PortType | None:
    """The port type whose values are instances of ``value``'s class, if any."""
    return next((t for t in PORT_TYPES.values() if isinstance(value, t.python_class)), None)


@dataclass(frozen=True)
class Port:
    """An input or output port of a module; ``view`` overrides the port type's view for an output."""

    id: str
    name: str
    type: str
    optional: bool = False
    description: str = ""
    view: str | None = None

    def __post_init__(self) -> None:
        if self.type not in PORT_TYPES:
            raise ValueError(f"port {self.id!r}: unknown port type {self.type!r}")
        if self.view is not None and self.view not in VIEWS:
            raise ValueError(f"port {self.id!r}: unknown view {self.view!r}")

    @property
    def port_type(self) -> PortType:
        return PORT_TYPES[self.type]

    @property
    def shown_as(self) -> str:
        """The view that shows this port's value."""
        return self.view or self.port_type.view

    def to_json(self, *, is_input: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type}
        if is_input:
            out["optional"] = self.optional
        else:
            out["view"] = self.shown_as
        if self.description:
            out["description"] = self.description
        return out
