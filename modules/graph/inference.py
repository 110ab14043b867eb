"""The last validation pass: what flows along the edges (columns, configurations), followed through each
module's ``infer`` in topological order, and the column errors a run would raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.columns import select_columns
from modules.contract import PARTITIONED_INPUT, InferEnv, Module, Param, Schema
from modules.errors import ModuleError
from modules.graph.issues import Report

#: ``(target node, input port) -> (source node, output port)`` for every accepted edge.
Connections = dict[tuple[str, str], tuple[str, str]]


def _sample_columns(dataset_id: str) -> Schema | None:
    from modules.samples import sample_columns

    return sample_columns(dataset_id)


def infer_outputs(
    report: Report,
    ordered: list[str],
    checked: dict[str, tuple[Module, dict[str, Any]]],
    connected: Connections,
    dataset_columns: Callable[[str], list[tuple[str, str]] | None] | None,
    model_info: Callable[[str], Any] | None = None,
    partitioned_datasets: Callable[[str], bool] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """Follow every node of ``checked`` (``{node id: (module, filled parameters)}``) in ``ordered``.

    Adds column errors and the modules' warnings to ``report``; returns the tables each output port
    will carry where known (``{"node_id.port_id": [{name, type}]}``): column pickers offer these.
    ``partitioned_datasets(dataset_id)``: whether the run reads that dataset in parts (None: none is):
    a node reading one, or fed a partitioned table, must be able to run partitioned
    (:meth:`Module.partitioned_refusal`, else PARTITIONED_INPUT).
    """
    inference = _Inference(report, connected, dataset_columns, model_info, partitioned_datasets)
    for nid in ordered:
        if nid in checked:
            inference.node(nid, *checked[nid])
    return {
        f"{nid}.{port_id}": [{"name": name, "type": kind} for name, kind in info]
        for (nid, port_id), info in inference.static.items()
        if isinstance(info, list)
    }


def _check_column_param(p: Param, value: Any, schema: Schema) -> None:
    """The column(s) a parameter names exist in its input's table, as the module would check."""
    if p.type == "column":
        if value not in {n for n, _ in schema}:
            raise ModuleError("0001", f"Parameter {p.label}: column {value!r} not found in the input.")
    else:
        select_columns(schema, value, param=p)


class _Inference:
    def __init__(
        self,
        report: Report,
        connected: Connections,
        dataset_columns: Callable[[str], list[tuple[str, str]] | None] | None,
        model_info: Callable[[str], Any] | None,
        partitioned_datasets: Callable[[str], bool] | None = None,
    ) -> None:
        def lookup(dataset_id: str) -> Schema | None:
            found = dataset_columns(dataset_id) if dataset_columns is not None else None
            return found if found is not None else _sample_columns(dataset_id)

        self.report = report
        self.connected = connected
        self.env = InferEnv(dataset_columns=lookup, model_info=model_info or (lambda _id: None))
        #: What each output port carries, where known: ``(node, port) -> description``.
        self.static: dict[tuple[str, str], Any] = {}
        self.partitioned_datasets = partitioned_datasets
        #: The output ports that carry a partitioned table: ``(node, port)``.
        self.partitioned: set[tuple[str, str]] = set()
        # An error found both by the parameter checks and here is reported once.
        self._seen = {(e.get("node_id"), e.get("param"), e["code"], e["message"]) for e in report.errors}

    def node(self, nid: str, module: Module, filled: dict[str, Any]) -> None:
        infos = {
            port.id: self.static.get(self.connected[(nid, port.id)])
            if (nid, port.id) in self.connected
            else None
            for port in module.inputs
        }
        self._check_columns(nid, module, filled, infos)
        self._check_partitioned(nid, module, filled, infos)
        try:
            inferred = module.infer(filled, infos, self.env)
        except Exception as exc:  # inference is best effort; the run will report the real failure
            self.report.warn(
                "warning", f"Node {nid!r}: could not check ahead of the run ({exc}).", node_id=nid
            )
            return
        for problem in inferred.errors:
            self._error(nid, problem)
        for message in inferred.warnings:
            self.report.warn("warning", f"Node {nid!r}: {message}", node_id=nid)
        for port_id, info in inferred.outputs.items():
            self.static[(nid, port_id)] = info

    def _check_columns(self, nid: str, module: Module, filled: dict[str, Any], infos: dict[str, Any]) -> None:
        for p in module.params:
            value = filled.get(p.id)
            schema = infos.get(p.columns_from) if p.columns_from else None
            if value is None or schema is None or not p.is_visible(filled):
                continue
            try:
                _check_column_param(p, value, schema)
            except ModuleError as exc:
                exc.param = p.id
                self._error(nid, exc)

    def _check_partitioned(
        self, nid: str, module: Module, filled: dict[str, Any], infos: dict[str, Any]
    ) -> None:
        """A node reading a partitioned dataset, or fed a partitioned table, runs part by part or is an
        error; the tables it then outputs are partitioned."""
        if self.partitioned_datasets is None:
            return
        reads = any(self.partitioned_datasets(dataset_id) for _, dataset_id in module.dataset_ids(filled))
        fed = any(self.connected.get((nid, port.id)) in self.partitioned for port in module.inputs)
        if not (reads or fed):
            return
        refusal = module.partitioned_refusal(filled, infos)
        if refusal is not None:
            self._error(nid, ModuleError(PARTITIONED_INPUT, refusal))
        elif module.partitioned is not None:
            self.partitioned.update((nid, port_id) for port_id in module.partitioned.outputs)

    def _error(self, nid: str, exc: ModuleError) -> None:
        param = exc.param
        message = f"Node {nid!r}: {exc.message}"
        key = (nid, param, exc.code, message)
        if key not in self._seen:
            self._seen.add(key)
            self.report.error(exc.code, message, node_id=nid, param=param)
