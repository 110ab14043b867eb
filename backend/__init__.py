"""Cluster Studio backend: FastAPI routes, services, models, the run executor and artefact store."""

__version__ = "0.1.0"
