"""An experiment as a Python script or Jupyter notebook (modules/graph/script.py writes them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from backend.models import Experiment, Run, User
from backend.services import datasets, saved_models
from backend.services.experiments import current_version, get_version
from modules.graph.script import (
    experiment_notebook,
    experiment_script,
    notebook_json,
    stored_objects,
    with_drawn_seeds,
)
from modules.registry import stored_refs
from modules.samples import SAMPLES
from modules.training import drawn_seed

ScriptFormat = Literal["py", "ipynb"]
MEDIA_TYPES: dict[str, str] = {"py": "text/x-python", "ipynb": "application/x-ipynb+json"}


@dataclass(frozen=True)
class ExportedExperiment:
    content: str
    media_type: str
    filename: str


class RunNotFound(Exception):
    """The run is not one of this experiment's."""


def export_experiment(
    session: Session, experiment: Experiment, user: User, fmt: ScriptFormat, run_id: int | None = None
) -> ExportedExperiment:
    """The experiment's current version as a script (``py``) or notebook (``ipynb``); with ``run_id``,
    the version that run ran, with the seeds it drew set, so that the script repeats that run."""
    seeds = None
    if run_id is None:
        version = current_version(session, experiment)
        graph: dict[str, Any] = version.graph
    else:
        run = session.get(Run, run_id)
        if run is None or run.experiment_id != experiment.id:
            raise RunNotFound(run_id)
        version = get_version(session, experiment, run.experiment_version)
        drawn = {nr.node_id: seed for nr in run.node_runs if (seed := drawn_seed(nr.log or "")) is not None}
        graph, seeds = with_drawn_seeds(version.graph, drawn, run.id)
    objects = stored_objects(graph, _names(session, user, graph))
    stem = file_stem(experiment.name)
    if fmt == "py":
        content = experiment_script(experiment.name, version.version, graph, objects, stem, seeds)
    else:
        notebook = experiment_notebook(experiment.name, version.version, graph, objects, seeds)
        content = notebook_json(notebook)
    return ExportedExperiment(content, MEDIA_TYPES[fmt], f"{stem}.{fmt}")


def _names(session: Session, user: User, graph: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """``(name, kind)`` of every dataset and model the graph names; objects the caller may not read
    (an owner's, in an experiment shared with them) are named by their id only."""
    samples = {s["id"]: s["name"] for s in SAMPLES}
    names: dict[str, tuple[str, str]] = {}
    for _, _, dataset_id in stored_refs(graph, "dataset"):
        if dataset_id in samples:
            names[dataset_id] = (samples[dataset_id], "sample")
            continue
        try:
            names[dataset_id] = (datasets.get_dataset_row(session, dataset_id, user).name, "dataset")
        except datasets.DatasetNotFound:
            names[dataset_id] = (f"dataset {dataset_id}", "dataset")
    for _, _, model_id in stored_refs(graph, "trained_model"):
        try:
            names[model_id] = (saved_models.get_model_row(session, model_id, user).name, "model")
        except saved_models.ModelNotFound:
            names[model_id] = (f"model {model_id}", "model")
    return names


def file_stem(name: str) -> str:
    """A Python-friendly file name from the experiment's name (never a path)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()[:60]
    return stem or "experiment"
