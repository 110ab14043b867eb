from __future__ import annotations

from typing import Any

from fastapi import APIRouter

import modules

router = APIRouter(tags=["modules"])


@router.get("/modules")
def list_modules() -> list[dict[str, Any]]:
    """The module catalogue, exactly as the registry declares it (public: read-only pages draw with it)."""
    return modules.catalogue()
