"""An experiment as a Python script or a Jupyter notebook that runs its graph outside the studio.

The script rebuilds the graph as a literal and runs it with :func:`modules.run_graph`, the engine the
studio's workers run, so the same data, parameters and seeds give the same results. Samples load by
name; uploaded datasets and saved models come from paths or URLs given on the command line (uploads
are read by the studio's own importer, so their column types are the studio's).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

from modules import registry
from modules.graph.structure import graph_edges, graph_nodes
from modules.registry import stored_refs

__all__ = [
    "RunSeeds",
    "StoredObject",
    "experiment_notebook",
    "experiment_script",
    "notebook_json",
    "script_graph",
    "stored_objects",
    "with_drawn_seeds",
]


@dataclass(frozen=True)
class StoredObject:
    """A dataset or saved model the graph names: its id, what the studio calls it, and its kind
    ("sample", "dataset" or "model")."""

    id: str
    name: str
    kind: str


def script_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """What running needs of a graph: nodes (id, module, params) and edges (no canvas positions)."""
    return {
        "nodes": [
            {"id": n["id"], "module": n["module"], "params": dict(n.get("params") or {})}
            for n in graph_nodes(graph)
        ],
        "edges": [
            {k: e[k] for k in ("source", "source_port", "target", "target_port")} for e in graph_edges(graph)
        ],
    }


def _has_empty_seed(node: dict[str, Any]) -> bool:
    """The node has a random number seed and leaves it empty (drawn at every run)."""
    try:
        declared = {p.id: p for p in registry.get(node["module"]).params}
    except KeyError:
        return False
    params = node.get("params") or {}
    return "seed" in declared and params.get("seed", declared["seed"].default) is None


def _unseeded(graph: dict[str, Any]) -> list[str]:
    """Nodes whose random number seed is left empty (drawn afresh at every run)."""
    return [n["id"] for n in graph_nodes(graph) if _has_empty_seed(n)]


@dataclass(frozen=True)
class RunSeeds:
    """The seeds a studio run drew, as the exported graph sets them: ``filled`` is ``{node whose empty
    seed is now set: seed}``; ``conflicts`` names nodes whose one seed the run drew differently for
    several nodes downstream (the first is set)."""

    run_id: int
    filled: dict[str, int]
    conflicts: list[str]


def with_drawn_seeds(
    graph: dict[str, Any], drawn: dict[str, int], run_id: int
) -> tuple[dict[str, Any], RunSeeds]:
    """``graph`` with the seeds run ``run_id`` drew set, so that the script repeats that run.

    ``drawn`` is ``{node id: seed it drew}`` (its log names it). A seed belongs to the node that drew
    it when that node's own seed is empty; else to the one node feeding it whose seed is empty and
    that drew none itself (a model's configuration, whose seed its training node draws).
    """
    nodes = {n["id"]: dict(n, params=dict(n.get("params") or {})) for n in graph_nodes(graph)}
    feeding: dict[str, set[str]] = {}
    for edge in graph_edges(graph):
        feeding.setdefault(edge["target"], set()).add(edge["source"])
    empty = {node_id for node_id, node in nodes.items() if _has_empty_seed(node)}
    filled: dict[str, int] = {}
    conflicts: list[str] = []
    for node_id in sorted(drawn):
        if node_id not in nodes:
            continue
        if node_id in empty:
            owner = node_id
        else:
            owners = sorted(s for s in feeding.get(node_id, ()) if s in empty and s not in drawn)
            if len(owners) != 1:
                continue
            owner = owners[0]
        if owner in filled:
            if filled[owner] != drawn[node_id] and owner not in conflicts:
                conflicts.append(owner)
            continue
        filled[owner] = drawn[node_id]
        nodes[owner]["params"]["seed"] = drawn[node_id]
    seeded = dict(graph, nodes=[nodes[n["id"]] for n in graph_nodes(graph)])
    return seeded, RunSeeds(run_id, filled, conflicts)


_RUNNER = '''
def read_table_file(location: str) -> pd.DataFrame:
    """A CSV, TSV or Parquet file (a path or an http(s) URL), read by the studio's own importer."""
    from backend.services.table_import import read_file

    if location.startswith(("http://", "https://")):
        with tempfile.NamedTemporaryFile(suffix=Path(location).suffix, delete=False) as local:
            with urllib.request.urlopen(location) as response:
                shutil.copyfileobj(response, local)
        return read_file(Path(local.name), location.rsplit("/", 1)[-1])
    return read_file(Path(location), Path(location).name)


def run(datasets: dict[str, str], models: dict[str, str]) -> dict[tuple[str, str], object]:
    """Run the graph; every output by (node id, port id)."""

    def load_dataset(dataset_id: str) -> pd.DataFrame:
        if dataset_id in SAMPLES:
            return load_sample(dataset_id)
        return read_table_file(datasets[dataset_id])

    def load_model(model_id: str) -> object:
        return modules.model_from_bytes(Path(models[model_id]).read_bytes())

    def context(node_id: str) -> modules.RunContext:
        return modules.RunContext(
            load_dataset=load_dataset,
            load_model=load_model,
            on_log=lambda line: print(f"[{node_id}] {line}"),
            on_warn=lambda line: print(f"[{node_id}] warning: {line}"),
        )

    return modules.run_graph(GRAPH, load_dataset, context=context)


def write_outputs(outputs: dict[tuple[str, str], object], out: Path) -> None:
    """Tables as CSV, trained models as the studio's portable .npz, both named <node>.<port>."""
    out.mkdir(parents=True, exist_ok=True)
    for (node_id, port_id), value in outputs.items():
        if isinstance(value, pd.DataFrame):
            value.to_csv(out / f"{node_id}.{port_id}.csv", index=False)
        elif isinstance(value, modules.TrainedClusterModel):
            (out / f"{node_id}.{port_id}.npz").write_bytes(modules.model_to_bytes(value))
'''

_MAIN = """
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", action="append", default=[], metavar="ID=PATH_OR_URL")
    parser.add_argument("--model", action="append", default=[], metavar="ID=PATH")
    parser.add_argument("--out", type=Path, default=Path("outputs"), help="where the outputs are written")
    args = parser.parse_args()
    datasets = dict(item.split("=", 1) for item in args.dataset)
    models = dict(item.split("=", 1) for item in args.model)
    missing = [d for d in UPLOADED if d not in datasets] + [m for m in MODELS if m not in models]
    if missing:
        parser.error(f"give a path or URL for: {', '.join(missing)} (see the list at the top)")
    write_outputs(run(datasets, models), args.out)
    print(f"Outputs written to {args.out}/")


if __name__ == "__main__":
    main()
"""

_IMPORTS = """
from __future__ import annotations

import argparse
import shutil
import tempfile
import urllib.request
from pathlib import Path

import pandas as pd

import modules
from modules.samples import load_sample
"""


def _header(
    name: str,
    version: int,
    objects: list[StoredObject],
    graph: dict[str, Any],
    usage: str,
    seeds: RunSeeds | None,
) -> str:
    lines = [
        f"Cluster Studio experiment {name!r} (version {version}), exported as a script.",
        "",
        "It rebuilds the experiment's graph and runs it with modules.run_graph, the engine the studio",
        "runs: the same data, parameters and seeds give the same results. It needs the Cluster Studio",
        "package: pip install <a clone or archive of the repository>.",
        "",
        f"Usage: {usage}",
    ]
    if objects:
        lines += ["", "What the experiment reads:"]
        for obj in objects:
            how = {
                "sample": "a sample shipped with the studio, loaded by name",
                "dataset": f"an uploaded dataset: --dataset {obj.id}=<its file (CSV, TSV, Parquet) or URL>",
                "model": f"a saved model: --model {obj.id}=<its .npz, from the studio's model export>",
            }[obj.kind]
            lines.append(f"  {obj.id}  {obj.name!r}: {how}")
    if seeds is not None and seeds.filled:
        lines += [
            "",
            f"The seeds studio run {seeds.run_id} drew are set in GRAPH, so this script repeats that run: "
            + ", ".join(f"{node} seed {seed}" for node, seed in sorted(seeds.filled.items()))
            + ".",
        ]
    if seeds is not None and seeds.conflicts:
        lines.append(
            f"Nodes {', '.join(seeds.conflicts)} had their seed drawn several times in run {seeds.run_id} "
            "(once per node they feed): GRAPH sets the first; the other nodes' results differ."
        )
    unseeded = _unseeded(graph)
    if unseeded:
        lines += [
            "",
            f"Seeds left empty in the studio (nodes {', '.join(unseeded)}) are drawn afresh at every run:",
            "set 'seed' in GRAPH below (the studio's node log names the seed a run drew) to repeat a run.",
        ]
    return "\n".join(lines)


def _constants(graph: dict[str, Any], objects: list[StoredObject]) -> str:
    kinds = {kind: [o.id for o in objects if o.kind == kind] for kind in ("sample", "dataset", "model")}
    runnable = script_graph(graph)
    graph_literal = "\n".join(
        ["{", '    "nodes": [']
        + [f"        {_literal(n)}," for n in runnable["nodes"]]
        + ["    ],", '    "edges": [']
        + [f"        {_literal(e)}," for e in runnable["edges"]]
        + ["    ],", "}"]
    )
    return (
        "# The experiment's graph: nodes with their parameters, and the edges between their ports.\n"
        f"GRAPH = {graph_literal}\n\n"
        f"SAMPLES = {_literal(kinds['sample'])}  # loaded by name\n"
        f"UPLOADED = {_literal(kinds['dataset'])}  # given with --dataset ID=PATH_OR_URL\n"
        f"MODELS = {_literal(kinds['model'])}  # given with --model ID=PATH\n"
    )


def _literal(value: Any) -> str:
    """A Python literal of JSON-like data, on one line, with double-quoted strings."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _usage(stem: str, objects: list[StoredObject]) -> str:
    args = [f"--dataset {o.id}=<file>" for o in objects if o.kind == "dataset"]
    args += [f"--model {o.id}=<file>" for o in objects if o.kind == "model"]
    return " ".join([f"python {stem}.py", *args, "[--out outputs]"])


def stored_objects(graph: dict[str, Any], names: dict[str, tuple[str, str]]) -> list[StoredObject]:
    """The objects the graph names, in graph order: ``names[id] = (name, kind)``."""
    seen: dict[str, StoredObject] = {}
    for param_type in ("dataset", "trained_model"):
        for _, _, object_id in stored_refs(graph, param_type):
            name, kind = names[object_id]
            seen.setdefault(object_id, StoredObject(object_id, name, kind))
    return list(seen.values())


def experiment_script(
    name: str,
    version: int,
    graph: dict[str, Any],
    objects: list[StoredObject],
    stem: str,
    seeds: RunSeeds | None = None,
) -> str:
    """The experiment as a runnable Python script (``stem``.py); ``seeds``: those a run drew, already
    set in ``graph`` (:func:`with_drawn_seeds`)."""
    doc = _header(name, version, objects, graph, _usage(stem, objects), seeds)
    return "\n".join(
        [
            "#!/usr/bin/env python3",
            '"""' + doc.replace('"""', "'''") + '\n"""',
            _IMPORTS.strip("\n"),
            "",
            _constants(graph, objects),
            _RUNNER.rstrip("\n"),
            "",
            _MAIN.rstrip("\n"),
            "",
        ]
    )


_CHART = """
# A chart of the last result with an Assignments column: its first two numeric features, one colour
# per cluster (needs matplotlib: pip install matplotlib).
results = [v for v in outputs.values() if isinstance(v, pd.DataFrame) and "Assignments" in v.columns]
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
    print("pip install matplotlib to see the chart")
if plt is not None and results:
    table = results[-1]
    features = [c for c in table.select_dtypes("number").columns if c != "Assignments"][:2]
    if len(features) == 2:
        table.plot.scatter(x=features[0], y=features[1], c=table["Assignments"], colormap="tab10")
        plt.show()
"""


def experiment_notebook(
    name: str,
    version: int,
    graph: dict[str, Any],
    objects: list[StoredObject],
    seeds: RunSeeds | None = None,
) -> dict[str, Any]:
    """The experiment as a Jupyter notebook (nbformat 4): the script's cells, then a chart."""
    uploads = {o.id: f"<path or URL of {o.name}>" for o in objects if o.kind == "dataset"}
    models = {o.id: f"<path of {o.name}.npz>" for o in objects if o.kind == "model"}
    usage = "fill in DATASETS and MODEL_FILES below, then run all"
    intro = _header(name, version, objects, graph, usage, seeds)
    cells = [
        _markdown(intro),
        _code(_IMPORTS.strip("\n")),
        _code(_constants(graph, objects).rstrip("\n")),
        _code(
            "# Where the uploaded datasets and saved models are (paths or URLs).\n"
            f"DATASETS = {_literal(uploads)}\n"
            f"MODEL_FILES = {_literal(models)}"
        ),
        _code(_RUNNER.strip("\n")),
        _code('outputs = run(DATASETS, MODEL_FILES)\nwrite_outputs(outputs, Path("outputs"))'),
        _code(_CHART.strip("\n")),
    ]
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.split("\n")[:-1]] + [text.split("\n")[-1]]


def _markdown(text: str) -> dict[str, Any]:
    body = textwrap.indent(text, "    ").split("\n", 1)
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(f"# {body[0].strip()}\n\n{body[1]}")}


def _code(text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": _lines(text),
    }


def notebook_json(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
