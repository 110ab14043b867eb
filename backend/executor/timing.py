"""Where a node's time went: the module itself, and what the runtime adds around it.

A node task measures four stretches (reading its input artefacts, the module, writing its outputs,
precomputing their charts: computed while the outputs are written, so "charts" is the part left after
the writing); everything else of its wall time (setting up, cleaning up) is "other".
Its run log ends with one line, e.g.::

    Timing: module 2.310 s; outside the module 0.120 s (inputs 0.030 s, outputs 0.050 s, charts 0.040 s,
    other 0.000 s) = 5.2 % of the module's time
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: The stretches outside the module, in the order the log line gives them.
OUTSIDE_PARTS = ("inputs", "outputs", "charts")
TIMING_PREFIX = "Timing: "


@dataclass
class NodeTimer:
    """Seconds per stretch of one node task, measured with a monotonic clock from its creation."""

    started: float = field(default_factory=time.perf_counter)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stretch(self, name: str) -> Iterator[None]:
        """Add the time the block takes (also when it raises) to ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def finish(self) -> NodeTimings:
        total = time.perf_counter() - self.started
        module = self.seconds.get("module", 0.0)
        parts = {name: self.seconds.get(name, 0.0) for name in OUTSIDE_PARTS}
        return NodeTimings(total_s=total, module_s=module, parts=parts)


@dataclass(frozen=True)
class NodeTimings:
    """A finished node task's times; ``outside_s`` = total - module = the parts + ``other_s``."""

    total_s: float
    module_s: float
    parts: dict[str, float]

    @property
    def outside_s(self) -> float:
        return max(0.0, self.total_s - self.module_s)

    @property
    def other_s(self) -> float:
        return max(0.0, self.outside_s - sum(self.parts.values()))

    @property
    def outside_share(self) -> float | None:
        """Time outside the module as a share of the module's time (None if the module took none)."""
        return self.outside_s / self.module_s if self.module_s > 0 else None

    def to_json(self) -> dict[str, float]:
        """Milliseconds by stretch: module, inputs, outputs, charts, other, outside, total."""
        stretches = {"module": self.module_s, **self.parts, "other": self.other_s}
        return {
            **{f"{name}_ms": seconds * 1000 for name, seconds in stretches.items()},
            "outside_ms": self.outside_s * 1000,
            "total_ms": self.total_s * 1000,
        }

    def log_line(self) -> str:
        parts = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in self.parts.items())
        share = self.outside_share
        ratio = f" = {share * 100:.1f} % of the module's time" if share is not None else ""
        return (
            f"{TIMING_PREFIX}module {self.module_s:.3f} s; outside the module {self.outside_s:.3f} s "
            f"({parts}, other {self.other_s:.3f} s){ratio}"
        )
