"""CSV downloads cannot attack a spreadsheet: formula-like text is made inert unless asked for raw."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import upload
from tests.api.test_runs import run_experiment, wait_for

pytestmark = pytest.mark.slow

HOSTILE = 'x,note\n1,"=HYPERLINK(""http://evil.example"",""click"")"\n2,@SUM(A1)\n3,plain\n-4,-5+5\n'


def test_csv_download_neutralises_formulas_and_offers_raw(client: TestClient, alice: dict[str, str]) -> None:
    dataset = upload(client, alice, HOSTILE.encode(), "hostile.csv").json()["id"]
    graph = {
        "nodes": [{"id": "data", "module": "dataset", "params": {"dataset_id": dataset}}],
        "edges": [],
    }
    exp = client.post("/api/experiments", headers=alice, json={"name": "csv", "graph": graph}).json()
    run_id = run_experiment(client, alice, exp["id"])["id"]
    assert wait_for(client, alice, run_id)["status"] == "succeeded"
    url = f"/api/runs/{run_id}/nodes/data/outputs/dataset/download"
    safe = client.get(url, headers=alice)
    assert safe.status_code == 200
    lines = safe.text.split("\r\n")
    assert lines[1] == '1,"\'=HYPERLINK(""http://evil.example"",""click"")"'
    assert lines[2:5] == ["2,'@SUM(A1)", "3,plain", "-4,'-5+5"]  # the number -4 stays a number
    raw = client.get(url, headers=alice, params={"raw": "true"}).text.split("\r\n")
    assert raw[2] == "2,@SUM(A1)"
