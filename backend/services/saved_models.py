"""Saved models: trained models kept out of a run (or imported), readable like datasets.

A saved model is immutable once written (only its name and description change), so the loaded model is
cached in memory by its file: scoring services and runs do not read the disk per request.
"""

from __future__ import annotations

import io
import shutil
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.disk import InsufficientStorage, ensure_free_space
from backend.models import Experiment, ExperimentShare, ModelUsage, SavedModel, User
from backend.services.stored_files import out_of_space, readable_row, record_with_file
from modules.scoring import StaticModelInfo
from modules.trained_model import TrainedClusterModel, dump_model, load_model

#: Loaded models kept in memory (each is centres plus a little metadata: small).
CACHED_MODELS = 64


class ModelNotFound(Exception):
    pass


class NotATrainedModel(Exception):
    """What was given to keep is not a trained clustering model (an untrained configuration, a table)."""


@dataclass(frozen=True)
class SavedFrom:
    experiment_id: int
    run_id: int
    node_id: str


def model_path(settings: Settings, storage_key: str) -> Path:
    return settings.model_dir / f"{storage_key}.npz"


def list_models(session: Session, user: User) -> list[SavedModel]:
    """The user's own saved models and those shared with them, newest first."""
    shared = (
        select(ModelUsage.model_id)
        .join(ExperimentShare, ExperimentShare.experiment_id == ModelUsage.experiment_id)
        .join(Experiment, Experiment.id == ModelUsage.experiment_id)
        .join(SavedModel, SavedModel.id == ModelUsage.model_id)
        .where(ExperimentShare.user_id == user.id, Experiment.owner_id == SavedModel.owner_id)
    )
    return list(
        session.scalars(
            select(SavedModel)
            .where(or_(SavedModel.owner_id == user.id, SavedModel.id.in_(shared)))
            .order_by(SavedModel.created_at.desc(), SavedModel.id)
        )
    )


def get_model_row(session: Session, model_id: str, user: User, *, owned: bool = False) -> SavedModel:
    """A model the user owns, or (unless `owned`) one its owner uses in an experiment shared with them.

    Anything else is 'not found', exactly like a model that does not exist.
    """
    row = readable_row(session, SavedModel, ModelUsage.model_id, model_id, user, owned=owned)
    if row is None:
        raise ModelNotFound(model_id)
    return row


def can_read(session: Session, model_id: str, user: User) -> bool:
    try:
        get_model_row(session, model_id, user)
    except ModelNotFound:
        return False
    return True


def static_info(row: SavedModel) -> StaticModelInfo:
    """What graph validation knows of a saved model without reading its file."""
    columns = [str(column["name"]) for column in row.summary.get("feature_columns", [])]
    return StaticModelInfo(row.k, columns, row.summary.get("label_column"), row.algorithm)


def save_model(
    session: Session,
    settings: Settings,
    user: User,
    model: object,
    *,
    name: str,
    description: str = "",
    saved_from: SavedFrom | None = None,
) -> SavedModel:
    """Keep a trained model as one of the user's saved models; on any failure nothing is kept."""
    if not isinstance(model, TrainedClusterModel):
        raise NotATrainedModel(type(model).__name__)
    ensure_free_space(settings, "saved models")
    storage_key = uuid.uuid4().hex
    final = model_path(settings, storage_key)
    staging = final.with_name(final.name + ".tmp")
    buffer = io.BytesIO()
    dump_model(model, buffer)
    row = SavedModel(
        id=str(uuid.uuid4()),
        owner_id=user.id,
        name=name.strip()[:255] or "Trained model",
        description=description,
        algorithm=model.algorithm,
        k=model.k,
        summary=model.to_json_summary(),
        storage_key=storage_key,
        size_bytes=buffer.getbuffer().nbytes,
        source_experiment_id=saved_from.experiment_id if saved_from else None,
        source_run_id=saved_from.run_id if saved_from else None,
        source_node_id=saved_from.node_id if saved_from else None,
    )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging.write_bytes(buffer.getbuffer())
        record_with_file(session, row, staging, final)
    except Exception as exc:
        session.rollback()
        if out_of_space(exc):
            raise InsufficientStorage(
                "The server ran out of disk space while saving the model; nothing was kept."
            ) from None
        raise
    finally:
        staging.unlink(missing_ok=True)
    session.refresh(row)
    return row


def copy_model(session: Session, settings: Settings, source: SavedModel, owner: User) -> SavedModel:
    """A copy of a saved model (file and record) owned by `owner`; added to the session, not committed."""
    storage_key = uuid.uuid4().hex
    shutil.copyfile(model_path(settings, source.storage_key), model_path(settings, storage_key))
    copy = SavedModel(
        id=str(uuid.uuid4()),
        owner_id=owner.id,
        storage_key=storage_key,
        **{
            field: getattr(source, field)
            for field in (
                "name",
                "description",
                "algorithm",
                "k",
                "summary",
                "size_bytes",
                "source_experiment_id",
                "source_run_id",
                "source_node_id",
            )
        },
    )
    session.add(copy)
    return copy


def delete_model(session: Session, settings: Settings, row: SavedModel) -> None:
    """Forget the model and its file (experiments naming it then fail with 'not found' when run)."""
    path = model_path(settings, row.storage_key)
    session.delete(row)
    session.commit()
    path.unlink(missing_ok=True)
    _cache_forget(row.storage_key)


_cache: OrderedDict[str, TrainedClusterModel] = OrderedDict()
_cache_lock = threading.Lock()


def load_trained(settings: Settings, row: SavedModel) -> TrainedClusterModel:
    """The saved model itself, from the in-memory cache when it was read before."""
    with _cache_lock:
        found = _cache.get(row.storage_key)
        if found is not None:
            _cache.move_to_end(row.storage_key)
            return found
    model = load_model(model_path(settings, row.storage_key))
    if not isinstance(model, TrainedClusterModel):
        raise ModelNotFound(row.id)
    with _cache_lock:
        _cache[row.storage_key] = model
        while len(_cache) > CACHED_MODELS:
            _cache.popitem(last=False)
    return model


def _cache_forget(storage_key: str) -> None:
    with _cache_lock:
        _cache.pop(storage_key, None)
