"""The error every module failure is reported as: a spec code plus a message naming the offender."""

from __future__ import annotations

from typing import Any

# The error codes of docs/spec-modules.md, with what each one means (shown in docs and the UI).
ERROR_CODES: dict[str, str] = {
    "0001": "A selected column does not exist in the input",
    "0002": "A parameter cannot be parsed or has the wrong type",
    "0003": "An input is missing, null or empty",
    "0004": "A parameter is not greater than its lower bound",
    "0005": "A parameter is not greater than or equal to its lower bound",
    "0006": "A parameter is not less than its upper bound",
    "0007": "A parameter is not less than or equal to its upper bound",
    "0008": "A parameter is out of its range",
    "0011": "A column selection matches no column",
    "0012": "An untrained model reached a port that needs a trained one",
    "0013": "A model of the wrong kind reached a port",
    "0017": "A selected column has a type the module cannot use",
    "0018": "The dataset is invalid",
    "0020": "Too few columns",
    "0021": "Too few usable rows",
    "0024": "A label column is needed but none is set",
    "0025": "The table has no cluster assignment columns",
    "0039": "Unexpected failure",
    "0082": "A model file cannot be read",
    "0083": "The model cannot be expressed in the requested format",
    "0138": "The module ran out of memory",
    "0140": "There is no space left to store the output",
    "0141": "The chosen sweep metric is not computed by the algorithm",
    "0142": "The scored tables hold different kinds of scores",
    "0143": "The algorithm's fit failed on this data",
    "0144": "The compute cluster cannot be reached",
    "0160": "The input needs more memory than the budget allows",
    "0161": "The module cannot run part by part on a partitioned dataset",
}


class ModuleError(Exception):
    """A failure a user can cause, reported on the failing node as ``{code, message}``.

    ``param`` names the parameter the failure is about (the panel highlights it) and ``node_id`` the
    graph node it happened on, when known.
    """

    def __init__(
        self, code: str, message: str, *, param: str | None = None, node_id: str | None = None
    ) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown module error code {code!r}")
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.param = param
        self.node_id = node_id

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __reduce__(self) -> tuple[Any, ...]:
        # pickles with its keyword arguments: a task run on another worker raises it back unchanged
        return (_module_error, (self.code, self.message, self.param, self.node_id))


def _module_error(code: str, message: str, param: str | None, node_id: str | None) -> ModuleError:
    return ModuleError(code, message, param=param, node_id=node_id)


def param_error(param_id: str | None, code: str, message: str) -> ModuleError:
    """A :class:`ModuleError` about one parameter."""
    return ModuleError(code, message, param=param_id)


class Cancelled(Exception):
    """Raised inside the engine when the caller's ``should_stop`` callback says the run was cancelled."""
