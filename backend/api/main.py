"""All API routers, mounted under /api."""

from fastapi import APIRouter

from backend.api.routes import auth, datasets, experiments, graphs, health, modules, runs

api_router = APIRouter(prefix="/api")
for route_module in (health, auth, modules, datasets, experiments, graphs, runs):
    api_router.include_router(route_module.router)
