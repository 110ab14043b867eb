"""Datasets: uploads stored as Parquet under server-chosen names, plus the samples every user sees.

An upload whose Parquet is larger than ``STUDIO_PARTITION_THRESHOLD_BYTES`` is stored partitioned: at
the same path, a folder of part files (:func:`modules.storage.write_partitioned`). Readers take either.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy import null, select
from sqlalchemy.orm import Session

from backend.core.config import Settings
from backend.core.disk import InsufficientStorage, ensure_free_space
from backend.core.memory import release_memory
from backend.core.status import ACTIVE
from backend.models import (
    Dataset,
    DatasetUsage,
    Experiment,
    NodeRun,
    NodeRunDataset,
    User,
)
from backend.services.growing_file import GrowingFile
from backend.services.outputs import table_page
from backend.services.parquet_pages import parquet_page
from backend.services.stored_files import out_of_space, readable_row, record_with_file, remove_stored
from backend.services.table_import import ImportedTable, TableLimits, import_table
from backend.services.uploads import ReceivedUpload
from modules.column_types import arrow_column_type
from modules.samples import SAMPLES, load_sample, sample_columns
from modules.storage import is_partitioned, read_table, write_partitioned

SAMPLE_IDS = {sample["id"]: sample for sample in SAMPLES}


class DatasetNotFound(Exception):
    pass


class DatasetInUse(Exception):
    def __init__(self, experiment_name: str) -> None:
        super().__init__(experiment_name)
        self.experiment_name = experiment_name


@dataclass(frozen=True)
class DatasetInfo:
    """What the API says about a dataset, upload or sample alike."""

    id: str
    name: str
    n_rows: int
    n_columns: int
    columns: list[dict[str, str]]
    size_bytes: int
    created_at: datetime | None
    sample: bool
    description: str = ""
    owner: User | None = None


def dataset_path(settings: Settings, storage_key: str) -> Path:
    """Where an upload is stored: a Parquet file, or a partitioned one's folder of parts."""
    return settings.dataset_dir / f"{storage_key}.parquet"


def dataset_partitioned(settings: Settings, row: Dataset) -> bool:
    """Whether the upload is stored partitioned."""
    return is_partitioned(dataset_path(settings, row.storage_key))


def partition_if_large(settings: Settings, written: Path, target: Path) -> Path:
    """`written` (a Parquet file) as it is to be stored: itself, or if it is larger than the threshold
    its parts in the new folder `target`, `written` removed. On failure `target` is not left behind."""
    if written.stat().st_size <= settings.partition_threshold_bytes:
        return written
    try:
        write_partitioned(written, target, settings.partition_bytes)
    except BaseException:
        remove_stored(target)
        raise
    written.unlink()
    return target


def dataset_info(row: Dataset) -> DatasetInfo:
    return DatasetInfo(
        id=row.id,
        name=row.name,
        n_rows=row.n_rows,
        n_columns=row.n_columns,
        columns=row.columns,
        size_bytes=row.size_bytes,
        created_at=row.created_at,
        sample=False,
        owner=row.owner,
    )


@cache
def sample_info(sample_id: str) -> DatasetInfo:
    sample = SAMPLE_IDS[sample_id]
    frame = load_sample(sample_id)
    return DatasetInfo(
        id=sample_id,
        name=sample["name"],
        n_rows=len(frame),
        n_columns=frame.shape[1],
        columns=[{"name": name, "type": kind} for name, kind in sample_columns(sample_id) or []],
        size_bytes=int(frame.memory_usage(deep=True).sum()),
        created_at=None,
        sample=True,
        description=sample["description"],
    )


def list_datasets(session: Session, user: User) -> list[DatasetInfo]:
    """The samples, then the user's uploads, newest first."""
    rows = session.scalars(
        select(Dataset).where(Dataset.owner_id == user.id).order_by(Dataset.created_at.desc())
    )
    return [sample_info(s["id"]) for s in SAMPLES] + [dataset_info(row) for row in rows]


def get_dataset_row(session: Session, dataset_id: str, user: User, *, owned: bool = False) -> Dataset:
    """An upload the user owns, or (unless `owned`) one its owner uses in an experiment shared with them.

    Anything else is 'not found', exactly like a dataset that does not exist.
    """
    row = readable_row(session, Dataset, DatasetUsage.dataset_id, dataset_id, user, owned=owned)
    if row is None:
        raise DatasetNotFound(dataset_id)
    return row


def can_read(session: Session, dataset_id: str, user: User) -> bool:
    """A sample, or an upload :func:`get_dataset_row` gives the user."""
    if dataset_id in SAMPLE_IDS:
        return True
    try:
        get_dataset_row(session, dataset_id, user)
    except DatasetNotFound:
        return False
    return True


def get_dataset(session: Session, dataset_id: str, user: User) -> DatasetInfo:
    if dataset_id in SAMPLE_IDS:
        return sample_info(dataset_id)
    return dataset_info(get_dataset_row(session, dataset_id, user))


STORING_FULL = (
    "The server ran out of disk space while storing the upload; nothing was kept. "
    "Free space in its data folder (or ask the administrator to), then upload again."
)


@dataclass(frozen=True)
class StagedUpload:
    """An upload parsed and written as Parquet beside it (a file, or a folder of parts), not yet recorded."""

    path: Path
    imported: ImportedTable

    def discard(self) -> None:
        remove_stored(self.path)


def stage_upload(settings: Settings, upload: GrowingFile, filename: str) -> StagedUpload:
    """Parse the upload (while it arrives) and write it as Parquet beside it; on failure nothing is kept.

    Runs in a worker thread while the request is received (uploads.receive_file_consumed). A full disk is
    :class:`InsufficientStorage`; an unusable file is `InvalidDataset`.
    """
    staging = upload.path.with_suffix(".parquet")
    parts = upload.path.with_suffix(".parts")
    limits = TableLimits(settings.max_rows, settings.max_cells)
    try:
        imported = import_table(upload.path, filename, staging, limits, growing=upload)
        return StagedUpload(partition_if_large(settings, staging, parts), imported)
    except Exception as exc:
        staging.unlink(missing_ok=True)
        remove_stored(parts)
        if out_of_space(exc):
            raise InsufficientStorage(STORING_FULL) from None
        raise
    finally:
        release_memory()


def create_dataset(
    session: Session,
    settings: Settings,
    user: User,
    upload: ReceivedUpload,
    staged: StagedUpload,
    name: str | None,
) -> DatasetInfo:
    """Record the staged upload as a dataset, its Parquet file moved into place; on any failure nothing
    is kept (neither the upload nor the staged file).

    A full disk (or database) is :class:`InsufficientStorage`.
    """
    staging, imported = staged.path, staged.imported
    try:
        upload.discard()  # its space is needed more than it is
        storage_key = uuid.uuid4().hex
        final = dataset_path(settings, storage_key)
        final.parent.mkdir(parents=True, exist_ok=True)
        row = Dataset(
            id=str(uuid.uuid4()),
            owner_id=user.id,
            name=((name or "").strip() or Path(upload.filename).stem.strip() or "Dataset")[:255],
            original_filename=Path(upload.filename).name[:255],
            source_format=imported.source_format,
            n_rows=imported.n_rows,
            n_columns=len(imported.schema),
            columns=[{"name": f.name, "type": arrow_column_type(f.type)} for f in imported.schema],
            size_bytes=upload.size,
            storage_key=storage_key,
        )
        record_with_file(session, row, staging, final)
    except Exception as exc:
        session.rollback()
        remove_stored(staging)
        if out_of_space(exc):
            raise InsufficientStorage(STORING_FULL) from None
        raise
    finally:
        upload.discard()
    session.refresh(row)
    return dataset_info(row)


def save_table_as_dataset(
    session: Session, settings: Settings, user: User, source: Path, name: str, filename: str
) -> DatasetInfo:
    """A stored table (a run's output) kept as one of the user's datasets: a copy that outlives the run.

    The limits of uploads apply (DatasetTooLarge); a full disk is :class:`InsufficientStorage`; on any
    failure nothing is kept.
    """
    ensure_free_space(settings, "saved datasets")
    meta = pq.read_metadata(source)
    schema = meta.schema.to_arrow_schema()
    TableLimits(settings.max_rows, settings.max_cells).check(meta.num_rows, meta.num_rows * len(schema))
    storage_key = uuid.uuid4().hex
    final = dataset_path(settings, storage_key)
    staging = final.with_name(final.name + ".tmp")
    parts = final.with_name(final.name + ".parts.tmp")
    row = Dataset(
        id=str(uuid.uuid4()),
        owner_id=user.id,
        name=name.strip()[:255] or "Dataset",
        original_filename=filename[:255],
        source_format="parquet",
        n_rows=meta.num_rows,
        n_columns=len(schema),
        columns=[{"name": f.name, "type": arrow_column_type(f.type)} for f in schema],
        size_bytes=source.stat().st_size,
        storage_key=storage_key,
    )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staging)
        record_with_file(session, row, partition_if_large(settings, staging, parts), final)
    except Exception as exc:
        session.rollback()
        if out_of_space(exc):
            raise InsufficientStorage(
                "The server ran out of disk space while saving the dataset; nothing was kept."
            ) from None
        raise
    finally:
        staging.unlink(missing_ok=True)
        remove_stored(parts)
    session.refresh(row)
    return dataset_info(row)


def copy_dataset(session: Session, settings: Settings, source: Dataset, owner: User) -> Dataset:
    """A copy of an upload (file and record) owned by `owner`; added to the session, not committed."""
    storage_key = uuid.uuid4().hex
    original, copied = dataset_path(settings, source.storage_key), dataset_path(settings, storage_key)
    if is_partitioned(original):
        shutil.copytree(original, copied)
    else:
        shutil.copyfile(original, copied)
    copy = Dataset(
        id=str(uuid.uuid4()),
        owner_id=owner.id,
        storage_key=storage_key,
        **{
            field: getattr(source, field)
            for field in (
                "name",
                "original_filename",
                "source_format",
                "n_rows",
                "n_columns",
                "columns",
                "size_bytes",
            )
        },
    )
    session.add(copy)
    return copy


def deletable_dataset(session: Session, dataset_id: str, user: User) -> Dataset:
    """The user's own upload, unless one of their own experiments uses it (DatasetInUse).

    Other people's experiments naming it do not hold it back (nor learn who they are): their graphs
    then name a dataset that no longer exists.
    """
    row = get_dataset_row(session, dataset_id, user, owned=True)
    used_by = session.scalar(
        select(Experiment.name)
        .join(DatasetUsage, DatasetUsage.experiment_id == Experiment.id)
        .where(DatasetUsage.dataset_id == dataset_id, Experiment.owner_id == user.id)
        .limit(1)
    )
    if used_by is not None:
        raise DatasetInUse(used_by)
    return row


def active_runs_using(session: Session, dataset_id: str) -> list[int]:
    """Runs still computing something from the dataset."""
    return list(
        session.scalars(
            select(NodeRun.run_id)
            .join(NodeRunDataset, NodeRunDataset.node_run_id == NodeRun.id)
            .where(NodeRunDataset.dataset_id == dataset_id, NodeRun.status.in_(ACTIVE))
            .distinct()
        )
    )


def forget_outputs_from(session: Session, dataset_id: str) -> set[str]:
    """Detach every run output computed from the dataset; returns their artefact keys (not committed)."""
    computed_from_it = session.scalars(
        select(NodeRun)
        .join(NodeRunDataset, NodeRunDataset.node_run_id == NodeRun.id)
        .where(NodeRunDataset.dataset_id == dataset_id, NodeRun.outputs.is_not(None))
    ).all()
    keys: set[str] = set()
    for node_run in computed_from_it:
        keys.update(ref["key"] for ref in (node_run.outputs or {}).values())
        node_run.outputs = null()  # SQL NULL, not JSON null: 'has outputs' queries test IS NOT NULL
        node_run.log = "\n".join(filter(None, [node_run.log, "Outputs removed: their dataset was deleted."]))
    return keys


def delete_dataset(session: Session, settings: Settings, row: Dataset) -> set[str]:
    """Delete the upload and every run output computed from it; returns those outputs' artefact keys."""
    keys = forget_outputs_from(session, row.id)
    path = dataset_path(settings, row.storage_key)
    session.delete(row)
    session.commit()
    remove_stored(path)
    return keys


# Recently read run-output tables stay in memory so a summary and then a chart of the same output do
# not read it twice; the cache is bounded in bytes and a large table is never kept.
_frames: OrderedDict[str, tuple[pd.DataFrame, int]] = OrderedDict()
_frames_lock = threading.Lock()
FRAME_CACHE_BYTES = 128 << 20
LARGEST_CACHED_FRAME = FRAME_CACHE_BYTES // 4


def read_frame(path: Path) -> pd.DataFrame:
    key = str(path)
    with _frames_lock:
        if key in _frames:
            _frames.move_to_end(key)
            return _frames[key][0]
    frame = read_table(path)
    size = int(frame.memory_usage(deep=True).sum())
    if size <= LARGEST_CACHED_FRAME:
        with _frames_lock:
            _frames[key] = (frame, size)
            while sum(cached for _, cached in _frames.values()) > FRAME_CACHE_BYTES:
                _frames.popitem(last=False)
    return frame


def rows_page(
    session: Session, settings: Settings, dataset_id: str, user: User, offset: int, limit: int
) -> dict[str, Any]:
    """A page of a dataset's rows; an upload's are read from the row groups that hold them, not whole."""
    if dataset_id in SAMPLE_IDS:
        return table_page(load_sample(dataset_id), offset, limit)
    row = get_dataset_row(session, dataset_id, user)
    return parquet_page(dataset_path(settings, row.storage_key), offset, limit)
