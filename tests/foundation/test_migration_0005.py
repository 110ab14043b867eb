"""0005: names become unique regardless of case; existing names that differ only by case are renamed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from backend.migrate import downgrade, upgrade


def _users(url: str) -> list[tuple[int, str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(text("SELECT id, username, username_lower FROM users ORDER BY id"))
            ]
    finally:
        engine.dispose()


def test_names_that_differ_only_by_case_are_renamed_and_then_refused(database_url: str) -> None:
    upgrade(database_url, "0004")
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for name in ("Ada", "ada", "bob", "ADA"):
                conn.execute(
                    text("INSERT INTO users (username, password_hash, created_at) VALUES (:n, 'x', :t)"),
                    {"n": name, "t": datetime.now(UTC)},
                )
    finally:
        engine.dispose()

    upgrade(database_url)
    assert _users(database_url) == [
        (1, "Ada", "ada"),
        (2, "ada-2", "ada-2"),
        (3, "bob", "bob"),
        (4, "ADA-4", "ada-4"),
    ]

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            try:
                conn.execute(
                    text(
                        "INSERT INTO users (username, username_lower, password_hash, created_at) "
                        "VALUES ('BOB', 'bob', 'x', :t)"
                    ),
                    {"t": datetime.now(UTC)},
                )
                raise AssertionError("a second 'bob' was accepted")
            except Exception as error:  # IntegrityError from either driver
                assert "unique" in str(error).lower() or "duplicate" in str(error).lower()
    finally:
        engine.dispose()

    downgrade(database_url, "0004")
    upgrade(database_url)
    assert [name for _, name, _ in _users(database_url)] == ["Ada", "ada-2", "bob", "ADA-4"]
