"""The module base class: one declaration per module drives the palette, the parameter panel, graph
validation, execution, caching and ``GET /api/modules``.

A module is a subclass of :class:`Module` in one file of :mod:`modules.catalog`; it declares its
ports (:mod:`modules.ports`), its parameters (:mod:`modules.params`) and the errors it can raise,
and implements :meth:`Module.run`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from modules.column_types import Schema
from modules.errors import ERROR_CODES, ModuleError
from modules.params import Param
from modules.ports import DATA_TABLE, Port

if TYPE_CHECKING:
    from modules.context import RunContext

__all__ = ["PARTITIONED_INPUT", "ErrorDecl", "InferEnv", "Inferred", "Module", "Partitioned"]

#: The error of a module that cannot run part by part on an input that reaches it partitioned.
PARTITIONED_INPUT = "0161"


@dataclass(frozen=True)
class ErrorDecl:
    """An error a module can raise, and when."""

    code: str
    when: str

    def __post_init__(self) -> None:
        if self.code not in ERROR_CODES:
            raise ValueError(f"unknown error code {self.code!r}")

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "description": ERROR_CODES[self.code], "when": self.when}


@dataclass(frozen=True)
class Partitioned:
    """How a module runs on a partitioned table (a dataset stored partitioned, on the Dask executor): part
    by part, never loading the table whole. ``outputs``: its output tables that are then partitioned too
    (one row per input row); its other outputs are small (a model, a table of metrics)."""

    outputs: tuple[str, ...] = ()


@dataclass
class InferEnv:
    """What static inference (graph validation) may look up."""

    dataset_columns: Callable[[str], Schema | None] = lambda _id: None
    #: A saved model's static description (a :class:`modules.scoring.StaticModelInfo`), None = unknown.
    model_info: Callable[[str], Any] = lambda _id: None


@dataclass
class Inferred:
    """What a module can say about its outputs before running.

    ``outputs`` maps an output port to its static description (``Schema`` for a data table, the
    :class:`~modules.models.UntrainedClusterModel` for a configuration) or None when unknown.
    ``errors`` are ModuleErrors the run would certainly raise; ``warnings`` are messages.
    """

    outputs: dict[str, Any] = field(default_factory=dict)
    errors: list[ModuleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Module:
    """Base class of a module declaration. Subclass it in one file of :mod:`modules.catalog`.

    Class attributes declare the module; :meth:`run` computes it. ``run`` receives validated,
    filled parameters and type-checked inputs (``data_table`` values are pandas DataFrames with
    string column names) and returns ``{output port id: value}`` for every output port.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    description: ClassVar[str] = ""
    version: ClassVar[int | str] = 1
    order: ClassVar[int] = 1000
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    errors: ClassVar[tuple[ErrorDecl, ...]] = ()
    #: Parameters renamed since graphs were saved: ``{old id: new id}`` (saved values move over).
    renamed_params: ClassVar[Mapping[str, str]] = {}
    #: Parameters that no longer exist: their saved values are dropped.
    retired_params: ClassVar[frozenset[str]] = frozenset()
    #: Set when the module can run part by part on a partitioned table; graph validation refuses a
    #: partitioned input of any other module (PARTITIONED_INPUT) rather than let it load the table whole.
    partitioned: ClassVar[Partitioned | None] = None

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        raise NotImplementedError

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        """Describe the outputs from the inputs' static descriptions (None = unknown).

        The default knows nothing. Override to let graph validation follow columns through the
        module; raise-free: put certain failures in ``Inferred.errors``.
        """
        return Inferred()

    def partitioned_refusal(self, params: dict[str, Any], inputs: dict[str, Any]) -> str | None:
        """Why the module cannot run part by part with these parameters and inputs (their static
        descriptions, as :meth:`infer` gets them); None when it can. Graph validation asks this of a node
        with a partitioned input. The default follows :attr:`partitioned`; a module that runs partitioned
        only for some inputs overrides it (and declares PARTITIONED_INPUT among its errors)."""
        if self.partitioned is not None:
            return None
        return (
            f"{self.name} cannot run part by part, and its input is a dataset stored partitioned (too "
            "large to load whole on a worker of the Dask executor). Run it on the local executor, or on a "
            "smaller dataset."
        )

    # -- declaration helpers -----------------------------------------------------------------------

    @classmethod
    def param(cls, param_id: str) -> Param:
        for p in cls.params:
            if p.id == param_id:
                return p
        raise KeyError(param_id)

    @classmethod
    def input(cls, port_id: str) -> Port | None:
        return next((p for p in cls.inputs if p.id == port_id), None)

    @classmethod
    def output(cls, port_id: str) -> Port | None:
        return next((p for p in cls.outputs if p.id == port_id), None)

    @classmethod
    def stored_ids(cls, params: Mapping[str, Any], param_type: str) -> list[tuple[str, str]]:
        """``(parameter id, object id)`` of every set parameter naming a stored object of ``param_type``
        (``dataset`` or ``trained_model``)."""
        return [
            (p.id, params[p.id])
            for p in cls.params
            if p.type == param_type and isinstance(params.get(p.id), str)
        ]

    @classmethod
    def dataset_ids(cls, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """``(parameter id, dataset id)`` of every parameter declared as a dataset that is set."""
        return cls.stored_ids(params, "dataset")

    @classmethod
    def model_ids(cls, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """``(parameter id, saved model id)`` of every parameter declared as a trained model that is set."""
        return cls.stored_ids(params, "trained_model")

    @classmethod
    def to_json(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "name": cls.name,
            "category": cls.category,
            "description": cls.description,
            "version": cls.version,
            "inputs": [p.to_json(is_input=True) for p in cls.inputs],
            "outputs": [p.to_json(is_input=False) for p in cls.outputs],
            "params": [p.to_json() for p in cls.params],
            "errors": [e.to_json() for e in cls.declared_errors()],
        }

    @classmethod
    def declared_errors(cls) -> tuple[ErrorDecl, ...]:
        """The errors the module declares, and PARTITIONED_INPUT for one that takes a table and cannot
        run partitioned (validation raises it from :attr:`partitioned` alone)."""
        refuses = cls.partitioned is None and any(p.type == DATA_TABLE for p in cls.inputs)
        if not refuses or any(e.code == PARTITIONED_INPUT for e in cls.errors):
            return cls.errors
        return (*cls.errors, ErrorDecl(PARTITIONED_INPUT, "an input table is a dataset stored partitioned"))

    @classmethod
    def check_declaration(cls) -> None:
        """Raise ValueError when the declaration contradicts itself (run once at registration)."""
        where = f"module {getattr(cls, 'id', cls.__name__)!r}"
        cls._check_identity(where)
        seen: set[str] = set()
        input_ids = {p.id for p in cls.inputs}
        for p in cls.params:
            cls._check_param(where, p, seen, input_ids)
            seen.add(p.id)
        for old, new in cls.renamed_params.items():
            if new not in seen or old in seen:
                raise ValueError(f"{where}: renamed parameter {old!r} → {new!r} must name a declared new id")

    @classmethod
    def _check_identity(cls, where: str) -> None:
        for attr in ("id", "name", "category"):
            if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr):
                raise ValueError(f"{where}: missing {attr}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", cls.id):
            raise ValueError(f"{where}: id must be snake_case")
        for group in ("inputs", "outputs", "params"):
            ids = [x.id for x in getattr(cls, group)]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{where}: duplicate {group} ids {ids}")

    @staticmethod
    def _check_param(where: str, p: Param, declared_before: set[str], input_ids: set[str]) -> None:
        for other in p.visible_when or {}:
            if other not in declared_before:
                raise ValueError(f"{where}: {p.id} visible_when refers to {other!r} not declared before it")
        if p.columns_from and p.columns_from not in input_ids:
            raise ValueError(f"{where}: {p.id} columns_from {p.columns_from!r} is not an input")
        if p.required and p.default is None:
            return  # no default: the user must choose
        try:
            p.coerce(p.default)
        except ModuleError as exc:
            raise ValueError(f"{where}: default of {p.id} is invalid: {exc.message}") from exc
