"""Runs: plan them, drive them node by node through the executor, record everything, publish progress.

- :mod:`.manager`: :class:`RunManager`, what the API and the server's lifecycle call.
- :mod:`.planning`: which nodes, in what order, their signatures, lineage and dataset sources.
- :mod:`.scheduler`: one run's coordinator thread: which node next, parallelism, cancel.
- :mod:`.records`: the run and node-run rows, recorded outputs, the cache lookup.
- :mod:`.events`: the events of the Server-Sent Events stream and their channels.
"""

from backend.services.runs.manager import RunManager
from backend.services.runs.planning import NothingToRun
from backend.services.runs.records import node_public

__all__ = ["NothingToRun", "RunManager", "node_public"]
