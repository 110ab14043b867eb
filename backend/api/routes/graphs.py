from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import CurrentUser, SessionDep
from backend.schemas import ValidateBody, ValidationResult
from backend.services.validation import validate_graph

router = APIRouter(tags=["graphs"])


@router.post("/graphs/validate", response_model=ValidationResult)
def validate(body: ValidateBody, user: CurrentUser, session: SessionDep) -> dict:
    """Check a graph without saving it: structure, parameters and, where known, columns."""
    return validate_graph(session, user, body.graph.model_dump(mode="json"))
