from __future__ import annotations

import json

import anyio
from fastapi import APIRouter, Response

from backend.api.deps import CurrentUser, SessionDep, SettingsDep
from backend.core.limits import check_graph_size
from backend.schemas import ValidateBody, ValidationResult
from backend.services.validation import validate_graph

router = APIRouter(tags=["graphs"])

#: Validations computed at once: one, since it is pure Python and two threads would only take turns on
#: the GIL; more wait their turn instead of crowding out every other request.
VALIDATIONS_AT_ONCE = anyio.CapacityLimiter(1)


@router.post("/graphs/validate", response_model=ValidationResult)
async def validate(
    body: ValidateBody, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Check a graph without saving it: structure, parameters and, where known, columns."""
    graph = body.graph.model_dump(mode="json")
    check_graph_size(settings, graph)

    def validated() -> bytes:
        result = validate_graph(session, user, graph, settings.max_validation_columns, settings=settings)
        return json.dumps(result, allow_nan=False).encode()

    # Validating and encoding the answer both happen off the event loop.
    return Response(
        await anyio.to_thread.run_sync(validated, limiter=VALIDATIONS_AT_ONCE), media_type="application/json"
    )
