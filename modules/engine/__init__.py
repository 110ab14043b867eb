"""The numerical k-means engine: Lloyd's algorithm, six initialisations, distances and sweep metrics.

Pure NumPy + Numba. The hot paths are compiled (``modules.engine._kernels``); a plain NumPy
reference implementation (``modules.engine._reference``) is what the tests compare them against.
"""

from modules.engine._kernels import blas_threads
from modules.engine.distances import assign, pairwise_distances
from modules.engine.initialization import INIT_METHODS, initial_centroids
from modules.engine.kmeans import KMeansFit, fit_kmeans
from modules.engine.metrics import HIGHER_IS_BETTER, METRIC_NAMES, cluster_metrics

METRICS = ("euclidean", "cosine")

__all__ = [
    "HIGHER_IS_BETTER",
    "INIT_METHODS",
    "METRICS",
    "METRIC_NAMES",
    "KMeansFit",
    "assign",
    "blas_threads",
    "cluster_metrics",
    "fit_kmeans",
    "initial_centroids",
    "pairwise_distances",
]
