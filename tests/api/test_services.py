"""Scoring web services over HTTP: deploy, keys, scoring in every shape, refusals, usage, OpenAPI."""

from __future__ import annotations

import orjson
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.models import Service
from modules.samples import load_sample
from tests.api.service_helpers import bearer, deploy, keep_model, score_path
from tests.services.web_service_models import (
    BODIES,
    CONTENT_TYPES,
    IRIS_FEATURES,
    answer_frame,
    assert_same_scores,
    iris_model,
    module_answer,
)

DIST = [f"DistancesToClusterCenter no.{j}" for j in range(3)]
IRIS = load_sample("sample-iris")


@pytest.fixture
def service(client: TestClient, alice: dict[str, str]) -> dict:
    return deploy(client, alice, keep_model(client, "alice"))


def post_rows(client: TestClient, service: dict, df: pd.DataFrame, shape: str, key: str):
    headers = {**bearer(key), "Content-Type": CONTENT_TYPES.get(shape, "application/json")}
    return client.post(score_path(service), headers=headers, content=BODIES[shape](df))


def test_deploy_shows_the_keys_once_and_stores_only_digests(
    client: TestClient, alice: dict[str, str], service: dict
) -> None:
    assert service["primary_key"].startswith("csk_") and service["secondary_key"].startswith("csk_")
    assert service["primary_key"] != service["secondary_key"]
    assert service["primary_key_hint"] == service["primary_key"][:8]
    assert service["enabled"] is True and service["append"] is False and service["model_name"] == "Iris"
    assert service["score_url"] == f"http://testserver/api/services/{service['id']}/score"
    assert service["batch_url"] == f"http://testserver/api/services/{service['id']}/batch"
    assert [c["name"] for c in service["input_columns"]] == IRIS_FEATURES
    assert {c["type"] for c in service["input_columns"]} == {"number"}
    assert service["output_columns"] == ["Assignments", *DIST]
    listed = client.get("/api/services", headers=alice).json()
    assert listed["count"] == 1 and "primary_key" not in listed["data"][0]
    one = client.get(f"/api/services/{service['id']}", headers=alice).json()
    assert "primary_key" not in one and one["primary_key_hint"] == service["primary_key_hint"]
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        row = session.scalar(select(Service))
        stored = " ".join(str(value) for value in vars(row).values())
    assert service["primary_key"] not in stored and service["secondary_key"] not in stored


def test_a_model_the_caller_cannot_read_is_not_found(
    client: TestClient, bob: dict[str, str], service: dict
) -> None:
    response = client.post("/api/services", headers=bob, json={"model_id": service["model_id"], "name": "x"})
    assert response.status_code == 404
    assert client.get(f"/api/services/{service['id']}", headers=bob).status_code == 404


@pytest.mark.parametrize("shape", list(BODIES))
@pytest.mark.parametrize("append", [False, True])
def test_scoring_gives_what_assign_gives(
    client: TestClient, alice: dict[str, str], service: dict, shape: str, append: bool
) -> None:
    if append:
        patched = client.patch(f"/api/services/{service['id']}", headers=alice, json={"append": True})
        assert patched.status_code == 200 and patched.json()["output_columns"][:4] == IRIS_FEATURES
    response = post_rows(client, service, IRIS, shape, service["secondary_key"])
    assert response.status_code == 200, response.text
    expected_type = "text/csv" if shape == "csv" else "application/json"
    assert response.headers["content-type"].startswith(expected_type)
    got = answer_frame(response.content, shape)
    assert_same_scores(got, module_answer(IRIS, iris_model(), append=append), DIST)


def test_keys_regenerate_one_at_a_time(client: TestClient, alice: dict[str, str], service: dict) -> None:
    one_row = IRIS.iloc[:1]
    old_primary, secondary = service["primary_key"], service["secondary_key"]
    assert post_rows(client, service, one_row, "records", old_primary).status_code == 200
    renewed = client.post(f"/api/services/{service['id']}/keys/primary", headers=alice)
    assert renewed.status_code == 200
    body = renewed.json()
    assert body["secondary_key"] is None and body["primary_key"].startswith("csk_")
    assert body["primary_key"] != old_primary and body["primary_key_hint"] == body["primary_key"][:8]
    refused = post_rows(client, service, one_row, "records", old_primary)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert post_rows(client, service, one_row, "records", secondary).status_code == 200
    assert post_rows(client, service, one_row, "records", body["primary_key"]).status_code == 200
    renewed = client.post(f"/api/services/{service['id']}/keys/secondary", headers=alice).json()
    assert renewed["primary_key"] is None
    assert post_rows(client, service, one_row, "records", secondary).status_code == 401
    assert client.post(f"/api/services/{service['id']}/keys/tertiary", headers=alice).status_code == 422


def test_who_may_score(client: TestClient, alice: dict[str, str], bob: dict[str, str], service: dict) -> None:
    body = BODIES["records"](IRIS.iloc[:2])
    path = score_path(service)
    assert client.post(path, content=body).status_code == 401
    assert client.post(path, content=body, headers=bearer("csk_" + "x" * 43)).status_code == 401
    other = deploy(client, alice, service["model_id"])
    assert client.post(path, content=body, headers=bearer(other["primary_key"])).status_code == 401
    assert (
        client.post(
            "/api/services/nope/score", content=body, headers=bearer(service["primary_key"])
        ).status_code
        == 401
    )
    assert client.post(path, content=body, headers=alice).status_code == 200  # the owner's test form
    assert client.post(path, content=body, headers=bob).status_code == 404


def test_a_disabled_service_answers_403(client: TestClient, alice: dict[str, str], service: dict) -> None:
    assert (
        post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 200
    )  # cached
    off = client.patch(f"/api/services/{service['id']}", headers=alice, json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    response = post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"])
    assert response.status_code == 403 and "disabled" in response.json()["detail"]
    assert (
        client.post(score_path(service), headers=alice, content=BODIES["records"](IRIS.iloc[:1])).status_code
        == 403
    )
    client.patch(f"/api/services/{service['id']}", headers=alice, json={"enabled": True})
    assert post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"records": [', "application/json", 400, "malformed"),
        (b'{"records": [{"sepal_length": NaN}]}', "application/json", 400, "malformed"),
        (b'{"rows": []}', "application/json", 400, "malformed"),
        (orjson.dumps({"records": [{"sepal_length": 1.0}]}), "application/json", 400, "missing_columns"),
        (b"a,b\n1,2\n", "text/csv", 400, "missing_columns"),
        (b"x=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_bad_requests_are_said_clearly(
    client: TestClient, service: dict, body: bytes, content_type: str, status: int, code: str
) -> None:
    headers = {**bearer(service["primary_key"]), "Content-Type": content_type}
    response = client.post(score_path(service), headers=headers, content=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]["code"] == code


def test_wrong_type_names_row_and_column(client: TestClient, service: dict) -> None:
    rows = IRIS.iloc[:3].drop(columns="species").to_dict("records")
    rows[2]["petal_width"] = "wide"
    response = client.post(
        score_path(service), headers=bearer(service["primary_key"]), json={"records": rows}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "code": "wrong_type",
        "message": "Row 3, column 'petal_width': expected a number, got 'wide'.",
        "row": 3,
        "column": "petal_width",
    }


def test_more_rows_than_allowed_is_413(client: TestClient, service: dict) -> None:
    rows = [[5.0, 3.0, 1.5, 0.2]] * 10_001
    body = {"dataframe_split": {"columns": IRIS_FEATURES, "data": rows}}
    response = client.post(score_path(service), headers=bearer(service["primary_key"]), json=body)
    assert response.status_code == 413
    assert response.json()["detail"]["limit"] == "STUDIO_SCORE_MAX_ROWS"
    body["dataframe_split"]["data"] = rows[:10_000]
    assert (
        client.post(score_path(service), headers=bearer(service["primary_key"]), json=body).status_code == 200
    )


def test_a_body_over_the_json_cap_is_413(client: TestClient, service: dict) -> None:
    cap = client.app.state.settings.max_json_bytes  # type: ignore[attr-defined]
    body = b'{"records": [' + b'{"sepal_length": 1.0},' * (cap // 20) + b"{}]}"
    response = client.post(score_path(service), headers=bearer(service["primary_key"]), content=body)
    assert response.status_code == 413
    assert response.json()["detail"][0]["limit"] == "STUDIO_MAX_JSON_BYTES"


def test_wrong_keys_from_one_address_are_throttled(client: TestClient, service: dict) -> None:
    wrong = bearer("csk_" + "w" * 43)
    for _ in range(30):
        assert client.post(score_path(service), headers=wrong, content=b"{}").status_code == 401
    throttled = client.post(score_path(service), headers=wrong, content=b"{}")
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1
    assert (
        client.post(score_path(service), headers=bearer(service["primary_key"]), content=b"{}").status_code
        == 429
    )


def test_delete_stops_the_keys(client: TestClient, alice: dict[str, str], service: dict) -> None:
    assert (
        post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 200
    )  # cached
    assert client.delete(f"/api/services/{service['id']}", headers=alice).status_code == 204
    assert post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 401
    assert client.get(f"/api/services/{service['id']}", headers=alice).status_code == 404
    assert client.get("/api/services", headers=alice).json() == {"data": [], "count": 0}


def test_deleting_the_model_deletes_its_services(
    client: TestClient, alice: dict[str, str], service: dict
) -> None:
    assert (
        post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 200
    )  # cached
    assert client.delete(f"/api/models/{service['model_id']}", headers=alice).status_code == 204
    assert client.get(f"/api/services/{service['id']}", headers=alice).status_code == 404
    assert post_rows(client, service, IRIS.iloc[:1], "records", service["primary_key"]).status_code == 401


def test_usage_counts_requests_rows_errors_and_latency(
    client: TestClient, alice: dict[str, str], service: dict
) -> None:
    for rows in (1, 5, 150):
        assert (
            post_rows(client, service, IRIS.iloc[:rows], "records", service["primary_key"]).status_code == 200
        )
    bad = client.post(score_path(service), headers=bearer(service["primary_key"]), content=b"[")
    assert bad.status_code == 400
    client.post(
        score_path(service), headers=bearer("csk_" + "z" * 43), content=b"{}"
    )  # not the service's: not counted
    usage = client.get(f"/api/services/{service['id']}/usage", headers=alice).json()
    assert usage["count"] == 1
    (hour,) = usage["data"]
    assert (hour["requests"], hour["rows"], hour["errors"]) == (4, 156, 1)
    assert 0 < hour["p50_ms"] <= hour["p95_ms"]
    assert hour["hour"].endswith(":00:00Z") or hour["hour"].endswith(":00:00+00:00")


def test_usage_survives_a_restart(client: TestClient, alice: dict[str, str], service: dict, settings) -> None:
    from backend.main import create_app

    assert post_rows(client, service, IRIS.iloc[:7], "records", service["primary_key"]).status_code == 200
    client.app.state.service_usage.stop()  # type: ignore[attr-defined]  # what shutdown does: flush
    again = create_app(settings)
    with TestClient(again) as restarted:
        usage = restarted.get(f"/api/services/{service['id']}/usage", headers=alice).json()
    again.state.engine.dispose()
    assert [(h["requests"], h["rows"]) for h in usage["data"]] == [(1, 7)]


def test_each_service_documents_its_columns(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], service: dict
) -> None:
    own = client.get(f"/api/services/{service['id']}/openapi.json", headers=bearer(service["primary_key"]))
    assert own.status_code == 200
    doc = own.json()
    operation = doc["paths"][score_path(service)]["post"]
    request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    records = request_schema["oneOf"][1]["properties"]["records"]["items"]
    assert records["required"] == IRIS_FEATURES
    assert records["properties"]["petal_width"] == {"type": ["number", "null"]}
    assert (
        operation["requestBody"]["content"]["application/json"]["example"]["dataframe_split"]["columns"]
        == IRIS_FEATURES
    )
    assert doc["components"]["securitySchemes"]["ServiceKey"]["scheme"] == "bearer"
    assert client.get(f"/api/services/{service['id']}/openapi.json", headers=bob).status_code == 404

    assert score_path(service) in client.get("/openapi.json", headers=alice).json()["paths"]
    assert score_path(service) not in client.get("/openapi.json").json()["paths"]
    assert score_path(service) not in client.get("/openapi.json", headers=bob).json()["paths"]
    client.patch(f"/api/services/{service['id']}", headers=alice, json={"enabled": False})
    assert score_path(service) not in client.get("/openapi.json", headers=alice).json()["paths"]
