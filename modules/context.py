"""What a running module may use from its caller: datasets, saved models, progress, cancellation, the
node log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["RunContext"]


@dataclass
class RunContext:
    """The environment of one module run.

    Every hook defaults to a no-op. ``logs`` and ``warnings`` collect what the module reported (the
    node log and the warnings shown on the node); ``on_*`` callbacks additionally forward them live,
    e.g. to a Server-Sent Events stream.
    """

    load_dataset: Callable[[str], pd.DataFrame] | None = None
    #: A saved model by id (a :class:`modules.trained_model.TrainedClusterModel`).
    load_model: Callable[[str], Any] | None = None
    on_progress: Callable[[float], None] | None = None
    stop_requested: Callable[[], bool] | None = None
    on_log: Callable[[str], None] | None = None
    on_warn: Callable[[str], None] | None = None
    logs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_progress: float = 0.0

    def progress(self, fraction: float) -> None:
        """Report the fraction done, clamped to [0, 1]."""
        fraction = min(1.0, max(0.0, float(fraction)))
        self.last_progress = fraction
        if self.on_progress is not None:
            self.on_progress(fraction)

    def should_stop(self) -> bool:
        """True when the run was cancelled; long loops check it and raise ``Cancelled``."""
        return bool(self.stop_requested()) if self.stop_requested is not None else False

    def log(self, message: str) -> None:
        """Append a line to the node log."""
        self.logs.append(message)
        if self.on_log is not None:
            self.on_log(message)

    def warn(self, message: str) -> None:
        """Show a warning on the node (it also goes to the log)."""
        self.warnings.append(message)
        self.log(f"WARNING: {message}")
        if self.on_warn is not None:
            self.on_warn(message)
