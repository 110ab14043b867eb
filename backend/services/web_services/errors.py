"""What a scoring request can get wrong, said to the caller: a 4xx with a code, a message and where."""

from __future__ import annotations

from typing import Any


class ScoreRequestError(Exception):
    """A request the service cannot score: ``status`` (400 or 413), a ``code`` and a message in words.

    ``where`` adds what the caller needs to find the fault: ``columns`` (the missing ones), or ``row``
    (counted from 1: the first data row is row 1) and ``column``.
    """

    def __init__(self, status: int, code: str, message: str, **where: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.where = status, code, message, where

    def to_detail(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.where}


def malformed(message: str) -> ScoreRequestError:
    return ScoreRequestError(400, "malformed", message)


def wrong_type(row: int, column: str, message: str) -> ScoreRequestError:
    """Row ``row`` is 0-based here and 1-based in what the caller reads."""
    return ScoreRequestError(
        400, "wrong_type", f"Row {row + 1}, column {column!r}: {message}", row=row + 1, column=column
    )


def missing_columns(columns: list[str]) -> ScoreRequestError:
    plural = "s" if len(columns) > 1 else ""
    return ScoreRequestError(
        400,
        "missing_columns",
        f"The request lacks the column{plural} {', '.join(repr(c) for c in columns)} that the model needs.",
        columns=columns,
    )


def too_many_rows(rows: int, limit: int) -> ScoreRequestError:
    return ScoreRequestError(
        413,
        "too_many_rows",
        f"The request has {rows} rows; a scoring request may have at most {limit} (STUDIO_SCORE_MAX_ROWS). "
        "Send larger tables as a batch job.",
        limit="STUDIO_SCORE_MAX_ROWS",
    )


def too_many_cells(rows: int, columns: int) -> ScoreRequestError:
    return ScoreRequestError(
        413,
        "too_many_cells",
        f"The request's {rows} rows and {columns} distinct columns make more cells than a scoring request "
        "may have; send the same columns in every row, or larger tables as a batch job.",
    )
