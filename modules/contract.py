"""The module contract in one import: ports, parameters and the module base class.

Module files import what they declare from here; the parts live in :mod:`modules.ports`,
:mod:`modules.params` and :mod:`modules.module`.
"""

from modules.column_types import Schema
from modules.errors import param_error
from modules.module import PARTITIONED_INPUT, ErrorDecl, InferEnv, Inferred, Module, Partitioned
from modules.params import (
    PARAM_TYPES,
    Choice,
    Param,
    check_params,
    param_issues,
    parse_int_range,
    validate_params,
)
from modules.ports import PORT_TYPES, Port, PortType

__all__ = [
    "PARAM_TYPES",
    "PARTITIONED_INPUT",
    "PORT_TYPES",
    "Choice",
    "ErrorDecl",
    "InferEnv",
    "Inferred",
    "Module",
    "Param",
    "Partitioned",
    "Port",
    "PortType",
    "Schema",
    "check_params",
    "param_error",
    "param_issues",
    "parse_int_range",
    "validate_params",
]
