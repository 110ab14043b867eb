"""The one grammar of integer lists written as text: ``"2-5, 10, 20"`` (Range Builder parameters) and
``"1-3,5"`` (column indices). Comma-separated integers and inclusive ranges ``a-b`` with ``a ≤ b``;
the values keep the given order, duplicates dropped."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["expand_ranges"]

_SIGNED_ITEM = re.compile(r"^\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?$")
_UNSIGNED_ITEM = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def expand_ranges(
    text: str,
    fail: Callable[[str], Exception],
    *,
    signed: bool,
    what: str,
    max_values: int,
) -> list[int]:
    """The integers ``text`` lists, or ``fail(reason)`` raised for the first problem.

    ``what`` names one item in messages ("an integer", "an index"); ``signed`` allows negative
    numbers; more than ``max_values`` values in all is refused.
    """
    if not text.strip():
        raise fail("it is empty")
    item = _SIGNED_ITEM if signed else _UNSIGNED_ITEM
    values: dict[int, None] = {}
    for part in text.split(","):
        if not part.strip():
            raise fail("empty item between commas")
        match = item.match(part)
        if not match:
            raise fail(f"{part.strip()!r} is not {what} or a range a-b")
        lo = int(match.group(1))
        hi = lo if match.group(2) is None else int(match.group(2))
        if hi < lo:
            raise fail(f"range {part.strip()!r} goes downwards")
        if hi - lo + 1 + len(values) > max_values:
            raise fail(f"it expands to more than {max_values} values")
        values.update(dict.fromkeys(range(lo, hi + 1)))
    return list(values)
