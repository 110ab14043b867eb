"""All API routers, mounted under /api."""

from fastapi import APIRouter

from backend.api.routes import (
    auth,
    datasets,
    experiments,
    graphs,
    health,
    models,
    modules,
    runs,
    service_batch,
    services,
    sharing,
)

api_router = APIRouter(prefix="/api")
for route_module in (
    health,
    auth,
    modules,
    datasets,
    models,
    services,
    service_batch,
    experiments,
    graphs,
    runs,
    sharing,
):
    api_router.include_router(route_module.router)
