from __future__ import annotations

from typing import Any

from fastapi import APIRouter

import modules
from backend.api.deps import CurrentUser

router = APIRouter(tags=["modules"])


@router.get("/modules")
def list_modules(user: CurrentUser) -> list[dict[str, Any]]:
    """The module catalogue, exactly as the registry declares it."""
    return modules.catalogue()
