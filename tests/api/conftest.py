"""Helpers for API tests: signed-in users as bearer headers (the client keeps no cookies)."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

IRIS_CSV = (
    "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n"
    "6.4,3.2,4.5,1.5,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n"
)


#: Strong enough for the password policy (zxcvbn score 4).
PASSWORD = "violet kettle orbit"


def sign_up(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    assert (
        client.post("/api/auth/register", json={"username": username, "password": password}).status_code
        == 201
    )
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, filename: str = "data.csv", name=None
):
    data = {"name": name} if name else None
    return client.post(
        "/api/datasets", headers=headers, files={"file": (filename, io.BytesIO(content))}, data=data
    )


@pytest.fixture
def alice(client: TestClient) -> dict[str, str]:
    return sign_up(client, "alice")


@pytest.fixture
def bob(client: TestClient) -> dict[str, str]:
    return sign_up(client, "bob")
