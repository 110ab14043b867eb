"""ids never reused (SQLite AUTOINCREMENT); the datasets each node run's output came from

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose integer ids name stored data. PostgreSQL sequences never hand an id out twice;
#: SQLite gives the largest freed rowid again unless the table is declared AUTOINCREMENT.
INTEGER_ID_TABLES = ("users", "experiments", "experiment_versions", "runs", "node_runs", "auth_tokens")


def _set_autoincrement(enabled: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in INTEGER_ID_TABLES:
        # Batch mode copies the table into a new one declared with (or without) AUTOINCREMENT.
        # Alembic's connection runs without PRAGMA foreign_keys, so the copy cascades nothing.
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": enabled}
        ) as batch_op:
            del batch_op


def upgrade() -> None:
    _set_autoincrement(True)
    op.create_table(
        "node_run_datasets",
        sa.Column("node_run_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_run_id"],
            ["node_runs.id"],
            name=op.f("fk_node_run_datasets_node_run_id_node_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_run_id", "dataset_id", name=op.f("pk_node_run_datasets")),
    )
    with op.batch_alter_table("node_run_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_node_run_datasets_dataset_id"), ["dataset_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("node_run_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_run_datasets_dataset_id"))
    op.drop_table("node_run_datasets")
    _set_autoincrement(False)
