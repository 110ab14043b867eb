"""The result columns of a scored table: written by Train, Sweep and Assign, read by Evaluate and the
cluster view. This file owns their names and the one rule that finds them again.

A results table has an ``Assignments`` column (0-based cluster, null when the row was not scored,
:data:`NOISE_LABEL` (−1) when a model that may assign noise scored the row as noise — in no cluster)
followed by one score column per cluster, ``<prefix>j`` for j = 0 … k−1, where the prefix is the
algorithm's (:attr:`~modules.algorithms.base.ClusterModel.score_column_prefix`). A model without
per-cluster scores (:attr:`~modules.algorithms.base.ClusterModel.has_scores` False, e.g. a density
clustering) writes the ``Assignments`` column alone; readers then take the number of clusters from the
model or the labels, never from the score columns. A name the input
already has gets a numeric suffix: ``Assignments (2)``.

Finding them: the assignments column with the highest suffix is the newest; its score columns are
the run of score columns right after it (where the modules write them), or failing that the score
columns with the same suffix anywhere in the table.

What a score column holds is its algorithm's *score kind* (named here, once): :data:`DISTANCE`
(distance-like, lower is nearer, a row's cluster is its lowest score) or :data:`PROBABILITY` (the
probability of belonging to the cluster, in [0, 1], higher is nearer, a row's cluster is its highest
score). Readers of a table ask it of the score columns' prefix (:func:`score_kind_of`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ASSIGNMENTS",
    "DISTANCE",
    "NOISE_LABEL",
    "PROBABILITY",
    "SCORE_KINDS",
    "SILHOUETTE",
    "SIMPLIFIED_SILHOUETTE",
    "ResultColumns",
    "find_result_columns",
    "is_result_column",
    "result_column_names",
    "score_column",
    "score_kind_of",
    "unique_column_name",
]

#: Score kinds: what an algorithm's per-cluster score columns hold.
DISTANCE = "distance"
PROBABILITY = "probability"
SCORE_KINDS = (DISTANCE, PROBABILITY)

ASSIGNMENTS = "Assignments"
#: The ``Assignments`` value of a row scored as noise: in no cluster (null still means "not scored").
NOISE_LABEL = -1
_SUFFIX = r"(?: \((\d+)\))?"
_ASSIGNMENTS_NAME = re.compile(rf"^{re.escape(ASSIGNMENTS)}{_SUFFIX}$")
#: Per-row silhouettes Evaluate Model appends (modules/silhouette.py): results, never features.
SILHOUETTE = "Silhouette"
SIMPLIFIED_SILHOUETTE = "Simplified Silhouette"
_SILHOUETTE_NAME = re.compile(rf"^(?:{re.escape(SILHOUETTE)}|{re.escape(SIMPLIFIED_SILHOUETTE)}){_SUFFIX}$")


@dataclass(frozen=True)
class ResultColumns:
    """The assignments column and its score columns, cluster 0 first."""

    assignments: str
    scores: list[str]
    #: What the score columns hold (:data:`DISTANCE` or :data:`PROBABILITY`).
    score_kind: str = DISTANCE

    @property
    def has_scores(self) -> bool:
        """Whether the assignments come with per-cluster score columns (a density model writes none)."""
        return bool(self.scores)

    @property
    def k(self) -> int | None:
        """The number of clusters the score columns cover; None without score columns (then the
        model or the labels say how many clusters there are)."""
        return len(self.scores) or None


def score_column(prefix: str, j: int) -> str:
    return f"{prefix}{j}"


def _unique_name(taken: set[str], base: str) -> str:
    if base not in taken:
        return base
    i = 2
    while f"{base} ({i})" in taken:
        i += 1
    return f"{base} ({i})"


def unique_column_name(existing: Sequence[str], base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)`` … when the table already has that name."""
    return _unique_name(set(existing), base)


def result_column_names(existing: Sequence[str], k: int, prefix: str) -> tuple[str, list[str]]:
    """Names of the new columns given the input's columns: a taken name gets `` (2)``, `` (3)`` …"""
    taken = set(existing)
    assign = _unique_name(taken, ASSIGNMENTS)
    taken.add(assign)
    scores = []
    for j in range(k):
        name = _unique_name(taken, score_column(prefix, j))
        taken.add(name)
        scores.append(name)
    return assign, scores


def _suffix(match: re.Match[str], group: int) -> int:
    """The numeric clash suffix of a matched name (no suffix counts as 1)."""
    text = match.group(group)
    return 1 if text is None else int(text)


def _prefix_kinds() -> dict[str, str]:
    """The score-column prefix of every registered algorithm and its score kind.

    Imported here, not at the top: the algorithms' base module names its score kinds from this
    module, so this module reads the registry only once everything is loaded.
    """
    import modules.algorithms  # noqa: F401 - registers every algorithm's score-column prefix
    from modules.algorithms.base import score_column_kinds

    return score_column_kinds()


def _score_pattern() -> re.Pattern[str]:
    """Score-column names of every registered algorithm (compiled once per set of algorithms)."""
    prefixes = sorted(_prefix_kinds(), key=len, reverse=True)  # longest first: the most specific
    return _pattern_for(tuple(prefixes))


def score_kind_of(score_column_name: str) -> str:
    """The score kind of a score column, from its algorithm's prefix (:data:`DISTANCE` when no
    registered prefix matches)."""
    for prefix, kind in sorted(_prefix_kinds().items(), key=lambda item: len(item[0]), reverse=True):
        if score_column_name.startswith(prefix):
            return kind
    return DISTANCE


@lru_cache(maxsize=8)
def _pattern_for(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in prefixes)
    return re.compile(rf"^(?:{alternatives})(\d+){_SUFFIX}$")


def is_result_column(name: str) -> bool:
    """Whether a column name is an assignments, score or silhouette column (of any algorithm)."""
    return bool(_ASSIGNMENTS_NAME.match(name) or _score_pattern().match(name) or _SILHOUETTE_NAME.match(name))


def find_result_columns(names: Sequence[str]) -> ResultColumns | None:
    """The newest assignments column and its score columns 0 … k−1 (possibly none); None without an
    assignments column."""
    found = [(_suffix(m, 1), i) for i, n in enumerate(names) if (m := _ASSIGNMENTS_NAME.match(n))]
    if not found:
        return None
    suffix, position = max(found)
    pattern = _score_pattern()
    by_cluster: dict[int, str] = {}
    for name in names[position + 1 :]:
        match = pattern.match(name)
        if match is None:
            break
        by_cluster.setdefault(int(match.group(1)), name)
    if not by_cluster:
        for name in names:
            match = pattern.match(name)
            if match and _suffix(match, 2) == suffix:
                by_cluster.setdefault(int(match.group(1)), name)
    scores: list[str] = []
    while len(scores) in by_cluster:
        scores.append(by_cluster[len(scores)])
    return ResultColumns(names[position], scores, score_kind_of(scores[0]) if scores else DISTANCE)
