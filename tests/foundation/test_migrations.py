"""Migrations go up and down on every database, and the models never drift from them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from backend.migrate import downgrade, upgrade
from backend.models import Base

EXPECTED_TABLES = {"users", "datasets", "experiments", "experiment_versions", "runs", "node_runs"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_then_downgrade_then_upgrade_again(database_url: str) -> None:
    upgrade(database_url)
    assert _tables(database_url) >= EXPECTED_TABLES
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    upgrade(database_url)
    assert _tables(database_url) >= EXPECTED_TABLES


def test_models_match_migrations(database_url: str) -> None:
    """Autogenerate finds nothing: a model change without a revision fails here."""
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations drift: {diff}"
