"""Caps on what a client may send, each refused with a coded 4xx that names its setting."""

from __future__ import annotations

from typing import Any

from backend.core.config import Settings


class LimitExceeded(Exception):
    """A request passed a cap: answered with `status`, `code`, the setting's name and a message.

    The body has the shape of FastAPI's own validation errors, so clients read every 422 one way:
    `{"detail": [{"type": code, "loc": [...], "msg": message, "limit": setting}]}`.
    """

    def __init__(
        self, status: int, code: str, setting: str, message: str, loc: tuple[str | int, ...] = ("body",)
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.setting, self.message, self.loc = status, code, setting, message, loc

    def to_detail(self) -> list[dict[str, object]]:
        return [{"type": self.code, "loc": list(self.loc), "msg": self.message, "limit": self.setting}]


def check_graph_size(settings: Settings, graph: dict[str, Any]) -> None:
    """At most STUDIO_MAX_GRAPH_NODES nodes and STUDIO_MAX_GRAPH_EDGES edges."""
    for part, cap, setting in (
        ("nodes", settings.max_graph_nodes, "STUDIO_MAX_GRAPH_NODES"),
        ("edges", settings.max_graph_edges, "STUDIO_MAX_GRAPH_EDGES"),
    ):
        count = len(graph.get(part, []))
        if count > cap:
            raise LimitExceeded(
                422,
                "graph_too_large",
                setting,
                f"The graph has {count} {part}; at most {cap} are allowed.",
                ("body", "graph", part),
            )
