"""usernames unique regardless of case: users.username_lower, a unique index in place of username's

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00

Names that differ only by case may already exist ("Ada" and "ada"): the oldest account keeps its
name, each later one is renamed "<name>-<id>" (the migration prints what it renamed) so that both can
still sign in, the later one under its new name.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 64

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("username_lower", sa.String),
)


def _batch_kwargs() -> dict[str, Any]:
    # SQLite batch mode copies the table: keep it AUTOINCREMENT (migration 0004).
    if op.get_bind().dialect.name == "sqlite":
        return {"table_kwargs": {"sqlite_autoincrement": True}}
    return {}


def _unique_name(name: str, user_id: int, taken: set[str]) -> str:
    suffix = f"-{user_id}"
    candidate = name[: NAME_LENGTH - len(suffix)] + suffix
    extra = 1
    while candidate.lower() in taken:
        suffix = f"-{user_id}-{extra}"
        candidate = name[: NAME_LENGTH - len(suffix)] + suffix
        extra += 1
    return candidate


def upgrade() -> None:
    with op.batch_alter_table("users", **_batch_kwargs()) as batch_op:
        batch_op.add_column(sa.Column("username_lower", sa.String(length=NAME_LENGTH), nullable=True))

    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    taken = {name.lower() for _, name in rows}
    seen: set[str] = set()
    for user_id, name in rows:
        if name.lower() in seen:
            renamed = _unique_name(name, user_id, taken | seen)
            print(f"0005: user {user_id} {name!r} renamed {renamed!r} (names are unique regardless of case)")
            name = renamed
        seen.add(name.lower())
        bind.execute(
            users.update().where(users.c.id == user_id).values(username=name, username_lower=name.lower())
        )

    with op.batch_alter_table("users", **_batch_kwargs()) as batch_op:
        batch_op.alter_column("username_lower", existing_type=sa.String(length=NAME_LENGTH), nullable=False)
        batch_op.drop_index("ix_users_username")
        batch_op.create_index(batch_op.f("ix_users_username_lower"), ["username_lower"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("users", **_batch_kwargs()) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_username_lower"))
        batch_op.drop_column("username_lower")
        batch_op.create_index("ix_users_username", ["username"], unique=True)
