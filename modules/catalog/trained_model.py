"""Trained Model — a saved trained model as the source of a graph (the palette's Trained Models)."""

from __future__ import annotations

from typing import Any

from modules.context import RunContext
from modules.contract import ErrorDecl, InferEnv, Inferred, Module, Param, Port
from modules.errors import ModuleError
from modules.trained_model import TrainedClusterModel


class TrainedModel(Module):
    id = "trained_model"
    name = "Trained Model"
    category = "Trained Models"
    description = (
        "A trained model saved from an earlier run (Save as trained model), one shared with you through "
        "an experiment, or one imported. Connect it to Assign Data to Clusters or Evaluate Model to "
        "score new data with it."
    )
    version = 1
    order = 15
    outputs = (Port("trained_model", "Trained model", "trained_cluster_model"),)
    params = (
        Param(
            "model_id",
            "Trained model",
            "trained_model",
            required=True,
            description="The saved model to use (GET /api/models).",
        ),
    )
    errors = (
        ErrorDecl("0002", "no model is chosen"),
        ErrorDecl("0003", "the saved model does not exist or is not readable by you"),
    )

    def run(self, params: dict[str, Any], inputs: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
        model_id = params["model_id"]
        if ctx.load_model is None:
            raise ModuleError("0003", f"Saved model {model_id!r} is not available here.", param="model_id")
        try:
            model = ctx.load_model(model_id)
        except (KeyError, LookupError, FileNotFoundError) as exc:
            message = f"Saved model {model_id!r} not found ({exc})."
            raise ModuleError("0003", message, param="model_id") from None
        if not isinstance(model, TrainedClusterModel):
            raise ModuleError("0003", f"Saved model {model_id!r} is not a trained clustering model.")
        ctx.log(f"Loaded saved model {model_id!r}: {model.config.algorithm_name}, {model.k} clusters.")
        return {"trained_model": model}

    def infer(self, params: dict[str, Any], inputs: dict[str, Any], env: InferEnv) -> Inferred:
        info = env.model_info(params["model_id"]) if params.get("model_id") else None
        return Inferred(outputs={"trained_model": info})
