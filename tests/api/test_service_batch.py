"""Batch jobs of a scoring service over HTTP: uploads, datasets and samples scored by a worker process."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from backend.core.status import RunStatus
from backend.models import ServiceBatchJob
from modules.samples import load_sample
from tests.api.conftest import upload
from tests.api.service_helpers import bearer, deploy, keep_model, wait_for_job
from tests.services.web_service_models import assert_same_scores, iris_model, module_answer

pytestmark = pytest.mark.slow

DIST = [f"DistancesToClusterCenter no.{j}" for j in range(3)]
IRIS = load_sample("sample-iris")


@pytest.fixture
def service(client: TestClient, alice: dict[str, str]) -> dict:
    return deploy(client, alice, keep_model(client, "alice"), append=True)


def batch_path(service: dict, *rest: str) -> str:
    return "/".join([f"/api/services/{service['id']}/batch", *rest])


def send_file(
    client: TestClient, service: dict, headers: dict[str, str], content: bytes, name: str = "new.csv"
):
    return client.post(batch_path(service), headers=headers, files={"file": (name, io.BytesIO(content))})


def test_an_uploaded_csv_scored_as_assign_scores_it(client: TestClient, service: dict) -> None:
    key = bearer(service["primary_key"])
    sent = send_file(client, service, key, IRIS.to_csv(index=False).encode(), "iris.csv")
    assert sent.status_code == 202, sent.text
    job = sent.json()
    assert job["status"] in ("queued", "running", "succeeded") and job["submitted_by"] == "key"
    assert (job["source"], job["input_name"], job["result_url"]) == ("upload", "iris.csv", None)
    done = wait_for_job(client, key, service["id"], job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == 1.0 and done["n_rows"] == 150 and done["error"] is None
    assert done["result_url"] == f"http://testserver{batch_path(service, job['id'], 'result')}"
    expected = module_answer(IRIS, iris_model(), append=True)

    as_csv = client.get(batch_path(service, job["id"], "result"), headers=key)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert_same_scores(pd.read_csv(io.BytesIO(as_csv.content)), expected, DIST)

    parquet_type = "application/vnd.apache.parquet"
    as_parquet = client.get(batch_path(service, job["id"], "result"), headers={**key, "Accept": parquet_type})
    assert as_parquet.status_code == 200 and as_parquet.headers["content-type"] == parquet_type
    assert_same_scores(pd.read_parquet(io.BytesIO(as_parquet.content)), expected, DIST)
    by_query = client.get(batch_path(service, job["id"], "result") + "?format=parquet", headers=key)
    assert by_query.content == as_parquet.content

    folder = Path(client.app.state.batch_jobs.folder(job["id"]))  # type: ignore[attr-defined]
    assert [p.name for p in folder.iterdir()] == ["result.parquet"]  # the upload is gone


def test_a_dataset_and_a_sample_by_id(client: TestClient, alice: dict[str, str], service: dict) -> None:
    dataset = upload(client, alice, IRIS.iloc[:40].to_csv(index=False).encode(), "part.csv").json()
    for dataset_id, rows in ((dataset["id"], 40), ("sample-iris", 150)):
        sent = client.post(batch_path(service), headers=alice, json={"dataset_id": dataset_id})
        assert sent.status_code == 202, sent.text
        assert sent.json()["submitted_by"] == "owner" and sent.json()["input_name"] == dataset_id
        done = wait_for_job(client, alice, service["id"], sent.json()["id"])
        assert done["status"] == "succeeded" and done["n_rows"] == rows
    listed = client.get(batch_path(service), headers=bearer(service["secondary_key"])).json()
    assert listed["count"] == 2 and [j["source"] for j in listed["data"]] == ["sample", "dataset"]


def test_what_cannot_be_a_job(
    client: TestClient, alice: dict[str, str], bob: dict[str, str], service: dict
) -> None:
    key = bearer(service["primary_key"])
    others = upload(client, bob, b"sepal_length\n1\n").json()["id"]
    assert client.post(batch_path(service), headers=key, json={"dataset_id": others}).status_code == 404
    assert client.post(batch_path(service), headers=key, json={"dataset": "x"}).status_code == 422
    bad_json = client.post(
        batch_path(service), headers={**key, "Content-Type": "application/json"}, content=b"["
    )
    assert bad_json.status_code == 422
    text = client.post(batch_path(service), headers={**key, "Content-Type": "text/plain"}, content=b"x")
    assert text.status_code == 415
    no_file = client.post(batch_path(service), headers=key, files={"other": ("a.csv", io.BytesIO(b"a\n1\n"))})
    assert no_file.status_code == 400
    assert client.post(batch_path(service), json={"dataset_id": "sample-iris"}).status_code == 401
    assert (
        client.post(batch_path(service), headers=bob, json={"dataset_id": "sample-iris"}).status_code == 404
    )


def test_a_job_that_fails_says_why_and_has_no_result(client: TestClient, service: dict) -> None:
    key = bearer(service["primary_key"])
    sent = send_file(client, service, key, b"a,b\n1,2\n")
    done = wait_for_job(client, key, service["id"], sent.json()["id"])
    assert done["status"] == "failed" and done["error"]["code"] == "0001"
    assert "'sepal_length'" in done["error"]["message"] and done["result_url"] is None
    result = client.get(batch_path(service, done["id"], "result"), headers=key)
    assert result.status_code == 409 and "failed" in result.json()["detail"]


def test_a_disabled_service_takes_no_jobs(client: TestClient, alice: dict[str, str], service: dict) -> None:
    client.patch(f"/api/services/{service['id']}", headers=alice, json={"enabled": False})
    key = bearer(service["primary_key"])
    assert (
        client.post(batch_path(service), headers=key, json={"dataset_id": "sample-iris"}).status_code == 403
    )
    assert (
        client.post(batch_path(service), headers=alice, json={"dataset_id": "sample-iris"}).status_code == 403
    )
    assert client.get(batch_path(service), headers=key).status_code == 403
    assert client.get(batch_path(service), headers=alice).status_code == 200


def test_delete_a_job_and_its_result(client: TestClient, alice: dict[str, str], service: dict) -> None:
    sent = client.post(batch_path(service), headers=alice, json={"dataset_id": "sample-iris"}).json()
    wait_for_job(client, alice, service["id"], sent["id"])
    folder = Path(client.app.state.batch_jobs.folder(sent["id"]))  # type: ignore[attr-defined]
    assert folder.is_dir()
    assert client.delete(batch_path(service, sent["id"]), headers=alice).status_code == 204
    assert not folder.exists()
    assert client.get(batch_path(service, sent["id"]), headers=alice).status_code == 404
    assert client.get(batch_path(service, "not-a-uuid"), headers=alice).status_code == 404
    assert client.delete(batch_path(service, "not-a-uuid"), headers=alice).status_code == 404


def test_deleting_the_service_removes_its_jobs_files(
    client: TestClient, alice: dict[str, str], service: dict
) -> None:
    sent = client.post(batch_path(service), headers=alice, json={"dataset_id": "sample-iris"}).json()
    wait_for_job(client, alice, service["id"], sent["id"])
    folder = Path(client.app.state.batch_jobs.folder(sent["id"]))  # type: ignore[attr-defined]
    assert client.delete(f"/api/services/{service['id']}", headers=alice).status_code == 204
    assert not folder.exists()


def test_a_restart_marks_unfinished_jobs_interrupted(
    client: TestClient, alice: dict[str, str], service: dict, settings
) -> None:
    from backend.main import create_app

    app = client.app
    job_id, folder = app.state.batch_jobs.new_folder()  # type: ignore[attr-defined]
    stray = Path(app.state.batch_jobs.root) / "00000000-0000-4000-8000-000000000000"  # type: ignore[attr-defined]
    stray.mkdir()
    with app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        session.add(
            ServiceBatchJob(
                id=job_id, service_id=service["id"], status=RunStatus.RUNNING, source="sample",
                input_name="sample-iris", submitted_by="owner",
            )
        )  # fmt: skip
        session.commit()
    again = create_app(settings)
    with TestClient(again) as restarted:
        job = restarted.get(batch_path(service, job_id), headers=alice).json()
    again.state.engine.dispose()
    assert job["status"] == "interrupted" and "server stopped" in job["error"]["message"]
    assert folder.is_dir() and not stray.exists()
