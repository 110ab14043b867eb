"""What validating a graph reports: issues (errors and warnings), and the error a run raises for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class GraphError(ValueError):
    """A graph that cannot run as drawn; ``errors`` are the validation errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        first = errors[0]["message"] if errors else "invalid graph"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


def issue(code: str, message: str, **where: Any) -> dict[str, Any]:
    """One validation error or warning: ``{node_id?, edge_id?, port?, param?, code, message}``."""
    return {**{k: v for k, v in where.items() if v is not None}, "code": code, "message": message}


@dataclass
class Report:
    """The errors and warnings found so far, in the order found."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def error(self, code: str, message: str, **where: Any) -> None:
        self.errors.append(issue(code, message, **where))

    def warn(self, code: str, message: str, **where: Any) -> None:
        self.warnings.append(issue(code, message, **where))

    def result(self, **extra: Any) -> dict[str, Any]:
        """``{valid, errors, warnings, **extra}``."""
        return {"valid": not self.errors, "errors": self.errors, "warnings": self.warnings, **extra}
