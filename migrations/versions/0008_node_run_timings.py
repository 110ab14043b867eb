"""node run timings: where each node's time went in the worker (module, inputs, outputs, charts, other)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 08:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: node runs recorded before have no timings (the API then says null).
    with op.batch_alter_table("node_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("node_runs", schema=None) as batch_op:
        batch_op.drop_column("timings")
