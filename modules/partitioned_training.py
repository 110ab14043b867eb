"""Training on a partitioned table (the Dask executor, a dataset stored in parts): the feature space
fitted from statistics of every part, then each part's training matrix built where the part is and
kept in that worker's memory for the partitioned fit. The in-memory preparation is
:func:`modules.training.prepare_training`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modules.algorithms.base import ClusterConfig
from modules.context import RunContext
from modules.features import FeatureSpace, feature_statistics, plan_features, space_from_statistics
from modules.params import Param
from modules.partitioned import PartitionedTable
from modules.training import feature_column_set

__all__ = ["PartitionedMatrix", "prepare_partitioned_training"]


@dataclass
class PartitionedMatrix:
    """The training matrix of a partitioned table, held part by part in the workers' memory.

    ``parts[p]`` is a future of part p's features as :meth:`FeatureSpace.transform` gives them (the
    complete rows' matrix, the complete mask, unseen category values); ``X`` the complete rows of all
    parts as one float64 dask array (partition sizes known), for the partitioned fit.
    """

    space: FeatureSpace
    parts: list[Any]
    X: Any
    n_rows: int

    @property
    def n_training_rows(self) -> int:
        return int(self.X.shape[0])


def _part_features(part: pd.DataFrame, space: FeatureSpace) -> tuple[np.ndarray, np.ndarray, int]:
    return space.transform(part)


def _features_matrix(features: tuple[np.ndarray, np.ndarray, int]) -> np.ndarray:
    return features[0]


def _features_rows(features: tuple[np.ndarray, np.ndarray, int]) -> int:
    return len(features[0])


def prepare_partitioned_training(
    table: PartitionedTable,
    params: dict[str, Any],
    config: ClusterConfig,
    *,
    column_param: Param,
    label_param: Param,
    ctx: RunContext,
) -> PartitionedMatrix:
    """:func:`prepare_training` of a partitioned table (no row weights): the features planned from its
    schema, fitted from statistics of every part (categories, min and max of the complete rows), then each
    part's matrix built and kept where it was built. The same space and matrix rows as the whole table
    would give."""
    import dask.array as da

    plan = plan_features(
        table.schema,
        feature_column_set(params),
        params["label_column"],
        column_param=column_param,
        label_param=label_param,
    )
    space = space_from_statistics(
        plan,
        table.each_part(feature_statistics, plan=plan, should_stop=ctx.should_stop),
        normalize=config.normalize,
    )
    client = table.client
    parts = table.persist_each(_part_features, space=space)
    sizes = client.gather(client.map(_features_rows, parts))
    blocks = client.map(_features_matrix, parts)
    X = da.concatenate(
        [
            da.from_delayed(block, shape=(size, space.width), dtype=np.float64)
            for block, size in zip(blocks, sizes, strict=True)
        ]
    )
    matrix = PartitionedMatrix(space, parts, X, table.n_rows)
    dropped = matrix.n_rows - matrix.n_training_rows
    ctx.log(
        f"Features: {', '.join(n for n, _ in plan)} → {space.width} numeric feature"
        f"{'s' if space.width != 1 else ''}; {matrix.n_training_rows} training rows"
        + (f" ({dropped} with missing values left out)" if dropped else "")
        + (", min-max normalised" if config.normalize else "")
        + f"; built part by part ({table.n_parts} parts) and kept in the workers' memory."
    )
    return matrix
