"""Experiment graphs (the JSON of ``api.md``): validation, ordering and headless execution.

A graph is ``{"nodes": [{id, module, params, ...}], "edges": [{id, source, source_port, target,
target_port}]}``. :func:`validate_graph` reports every problem it can find without running
anything; :func:`run_graph` runs the modules in topological order.

- :mod:`.structure`: reading nodes and edges, ordering them.
- :mod:`.issues`: the errors and warnings validation reports, :class:`GraphError`.
- :mod:`.validation`: :func:`validate_graph`, one pass per concern (nodes, edges, cycles, parameters).
- :mod:`.inference`: the last pass, what flows along the edges (columns, configurations).
- :mod:`.running`: :func:`run_graph`.
"""

from __future__ import annotations

from modules.graph.issues import GraphError
from modules.graph.running import run_graph
from modules.graph.structure import ancestors, order_nodes, topological_order
from modules.graph.validation import validate_graph

__all__ = ["GraphError", "ancestors", "order_nodes", "run_graph", "topological_order", "validate_graph"]
