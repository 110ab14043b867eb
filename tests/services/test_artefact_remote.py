"""Artefacts at an fsspec URL (STUDIO_ARTEFACTS_URL): written by one store, read by another with its own
local folder (two machines), on fsspec's memory and local file systems."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest

from backend.core.status import RunStatus
from backend.executor import ArtefactRef, ArtefactStore
from backend.executor.remote_artefacts import WORKER_CACHE, RemoteArtefacts, local_root
from backend.executor.task import SAMPLE_SOURCE, NodeTask, execute_node_task
from backend.services import node_outputs
from backend.services.outputs import table_page
from modules.ports import DATA_TABLE, TRAINED_MODEL, UNTRAINED_MODEL
from tests.services.test_artefact_formats import shareable_frame
from tests.services.test_parquet_pages import typed_frame


@pytest.fixture(params=["memory", "file"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A shared location: fsspec's in-process memory file system, or a folder by a file:// URL."""
    if request.param == "file":
        yield f"file://{tmp_path / 'shared' / 'prefix'}"
        return
    prefix = f"memory://artefact-tests-{uuid.uuid4().hex}/prefix"
    yield prefix
    fs = fsspec.filesystem("memory")
    if fs.exists(prefix):
        fs.rm(prefix, recursive=True)


def machine(tmp_path: Path, name: str, url: str) -> ArtefactStore:
    """A store with its own local folder: what one machine of the cluster has."""
    return ArtefactStore(tmp_path / name / "artefacts", url)


def local_files(store: ArtefactStore) -> list[str]:
    return sorted(path.name for path in store.root.glob("*/*") if path.is_file())


def remote_files(url: str) -> list[str]:
    return [relative.split("/", 1)[1] for relative in RemoteArtefacts(url).listing()]


def run_node(
    root: Path, url: str, module_id: str, params: dict[str, object], inputs: dict[str, ArtefactRef]
) -> dict[str, ArtefactRef]:
    task = NodeTask(
        f"t:{module_id}",
        module_id,
        params,
        inputs,
        {"sample-iris": SAMPLE_SOURCE},
        str(root),
        artefacts_url=url,
    )
    result = execute_node_task(task)
    assert result.status == RunStatus.SUCCEEDED, result.error
    return result.outputs


def test_outputs_of_every_port_type_written_on_one_machine_are_read_on_another(
    tmp_path: Path, url: str
) -> None:
    """The tiny pipeline, each node on another machine's cache: each reads its inputs from the URL."""
    roots = [tmp_path / name / "artefacts" for name in ("a", "b", "c")]
    for root in roots:
        root.mkdir(parents=True)
    data = run_node(roots[0], url, "dataset", {"dataset_id": "sample-iris"}, {})["dataset"]
    untrained = run_node(roots[1], url, "kmeans_clustering", {"n_clusters": 3, "seed": 1}, {})
    trained = run_node(
        roots[2],
        url,
        "train_clustering_model",
        {},
        {"untrained_model": untrained["untrained_model"], "dataset": data},
    )
    assert {data.type, untrained["untrained_model"].type, trained["trained_model"].type} == {
        DATA_TABLE,
        UNTRAINED_MODEL,
        TRAINED_MODEL,
    }
    writers = {data.key: roots[0], untrained["untrained_model"].key: roots[1]}
    writers |= {ref.key: roots[2] for ref in trained.values()}
    reader = machine(tmp_path, "reader", url)
    for ref in [data, untrained["untrained_model"], *trained.values()]:
        writer = ArtefactStore(writers[ref.key])
        assert reader.exists(ref) and not reader._local(ref).is_file()  # known there, not fetched yet
        fetched = reader.path(ref)
        assert fetched.parent.parent == reader.root
        assert fetched.read_bytes() == writer.path(ref).read_bytes()  # the very bytes written
        if ref.type == DATA_TABLE:
            pd.testing.assert_frame_equal(reader.read(ref), writer.read(ref))
        else:
            assert reader.read(ref).to_json_summary() == writer.read(ref).to_json_summary()
    # The results table shares the dataset's columns: its parts travelled with it.
    results = trained["results_dataset"]
    assert [name for name in local_files(reader) if name.startswith(results.key)] == [
        f"{results.key}.0.arrow",
        f"{results.key}.arrow",
    ]
    assert f"{results.key}.visualization.json" in remote_files(url)  # the chart data the task computed


def test_a_table_of_every_type_travels_with_its_pages_and_parquet_copy(tmp_path: Path, url: str) -> None:
    writer, reader = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
    frame = typed_frame()
    ref = writer.write(frame, DATA_TABLE)
    assert remote_files(url) == [f"{ref.key}.arrow"]
    assert node_outputs.rows(reader, ref, 10, 5) == table_page(frame, 10, 5)  # fetched by path
    pd.testing.assert_frame_equal(reader.read(ref), frame)
    with node_outputs.as_parquet(reader, ref) as parquet:
        pd.testing.assert_frame_equal(pd.read_parquet(parquet), frame)


def test_derived_payloads_travel(tmp_path: Path, url: str) -> None:
    writer, reader = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
    ref = writer.write(pd.DataFrame({"x": np.arange(10.0)}), DATA_TABLE)
    writer.write_derived(ref, "visualization", b'{"kind": "table"}')
    assert reader.read_derived(ref, "profile") is None
    assert reader.read_derived(ref, "visualization") == b'{"kind": "table"}'
    assert local_files(reader) == [f"{ref.key}.visualization.json"]  # the payload alone, not the table
    reader.write_derived(ref, "profile", b"{}")  # computed by the server for an artefact it never read
    assert machine(tmp_path, "c", url).read_derived(ref, "profile") == b"{}"


def test_an_appended_table_travels_as_its_files(tmp_path: Path, url: str) -> None:
    writer, second, reader = (machine(tmp_path, name, url) for name in ("a", "b", "c"))
    frame = shareable_frame()
    source = writer.write(frame, DATA_TABLE)
    table = writer.read_input(source)
    appended = pd.concat([table, pd.DataFrame({"Assignments": np.arange(len(frame)) % 4})], axis=1)
    ref = writer.write(appended, DATA_TABLE, [source])
    assert remote_files(url) == sorted([f"{source.key}.arrow", f"{ref.key}.0.arrow", f"{ref.key}.arrow"])
    # appended again on another machine, from the parts it fetched (linked there, copied to the URL)
    again = second.read_input(ref)
    twice = pd.concat([again, pd.DataFrame({"more": np.ones(len(frame))})], axis=1)
    ref2 = second.write(twice, DATA_TABLE, [ref])
    part = second.path(ref2).with_name(f"{ref2.key}.0.arrow")
    assert part.stat().st_ino == second.path(ref).with_name(f"{ref.key}.0.arrow").stat().st_ino
    assert f"{ref2.key}.1.arrow" in remote_files(url)
    pd.testing.assert_frame_equal(reader.read(ref), appended)
    pd.testing.assert_frame_equal(reader.read(ref2), twice)
    assert node_outputs.rows(reader, ref2, 1234, 100) == table_page(twice, 1234, 100)


def test_delete_removes_both_copies(tmp_path: Path, url: str) -> None:
    writer, reader = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
    ref = writer.write(pd.DataFrame({"x": [1.0, 2.0]}), DATA_TABLE)
    writer.write_derived(ref, "visualization", b"{}")
    kept = writer.write(pd.DataFrame({"y": [3.0]}), DATA_TABLE)
    reader.read(ref)
    reader.delete_key(ref.key)
    assert remote_files(url) == [f"{kept.key}.arrow"]
    assert not reader.exists(ref) and not [name for name in local_files(reader) if ref.key in name]
    assert writer.exists(ref)  # another machine's cache keeps its copy: nothing references it any more
    writer.delete_key(ref.key)
    assert local_files(writer) == [f"{kept.key}.arrow"]


def test_garbage_collection_removes_unreferenced_keys_at_the_url_and_keeps_the_rest(
    tmp_path: Path, url: str
) -> None:
    worker, server = machine(tmp_path, "worker", url), machine(tmp_path, "server", url)
    kept = worker.write(pd.DataFrame({"x": [1.0]}), DATA_TABLE)
    worker.write_derived(kept, "visualization", b"{}")
    dropped = worker.write(pd.DataFrame({"y": [2.0]}), DATA_TABLE)
    remote = RemoteArtefacts(url)
    leftover = f"{kept.key[:2]}/{kept.key}.arrow.0123.tmp"  # a cut-off put, even of a referenced key
    foreign = "README.txt"  # not the store's: left alone
    for name in (leftover, foreign):
        with remote.fs.open(f"{remote.base}/{name}", "wb") as file:
            file.write(b"x")
    assert server.collect_garbage({kept.key}) == 2
    assert remote_files(url) == [f"{kept.key}.arrow", f"{kept.key}.visualization.json"]
    assert remote.fs.exists(f"{remote.base}/{foreign}") and not server.exists(dropped)
    pd.testing.assert_frame_equal(server.read(kept), pd.DataFrame({"x": [1.0]}))
    assert worker.collect_garbage({kept.key}) == 1  # its own copy of the dropped key


def test_outputs_stored_before_the_url_was_set_are_put_there_at_start_up(tmp_path: Path, url: str) -> None:
    before = ArtefactStore(tmp_path / "server" / "artefacts")  # no URL yet
    source = before.write(shareable_frame(), DATA_TABLE)
    appended = pd.concat([before.read_input(source), pd.DataFrame({"z": np.zeros(3000)})], axis=1)
    ref = before.write(appended, DATA_TABLE, [source])
    before.write_derived(ref, "visualization", b"{}")
    (before.root / "zz").mkdir()
    (before.root / "zz" / "notes.txt").write_text("not an artefact: stays here")
    server = machine(tmp_path, "server", url)
    assert server.upload_missing() == 4
    assert server.upload_missing() == 0
    pd.testing.assert_frame_equal(machine(tmp_path, "worker", url).read(ref), appended)


def test_a_failed_write_leaves_nothing_in_either_place(tmp_path: Path, url: str) -> None:
    store = machine(tmp_path, "a", url)
    with pytest.raises(Exception):  # noqa: B017 - whatever the writer raises
        store.write(object(), DATA_TABLE)
    with pytest.raises(Exception):  # noqa: B017
        store.write("not a model", TRAINED_MODEL)
    assert local_files(store) == [] and remote_files(url) == []


def test_an_output_that_cannot_be_put_at_the_url_is_not_kept_locally(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"a file where the shared folder should be")
    store = machine(tmp_path, "a", f"file://{blocker}")
    with pytest.raises(OSError):
        store.write(pd.DataFrame({"x": [1.0]}), DATA_TABLE)
    assert local_files(store) == []


def test_keys_that_are_not_server_generated_hex_are_refused(tmp_path: Path, url: str) -> None:
    store = machine(tmp_path, "a", url)
    for key in ("../../../etc/passwd", "A" * 32, "0" * 31, "*" * 32):
        ref = ArtefactRef(key, DATA_TABLE)
        with pytest.raises(ValueError):
            store.path(ref)
        with pytest.raises(ValueError):
            store.delete_key(key)
        assert not store.exists(ref)
    with pytest.raises(ValueError):
        RemoteArtefacts(url).put(tmp_path, "../escape")


def test_a_task_caches_in_the_server_folder_where_it_has_it_else_in_its_temp_folder(tmp_path: Path) -> None:
    shared = tmp_path / "artefacts"
    shared.mkdir()
    assert local_root(str(shared), "") == shared
    assert local_root(str(tmp_path / "elsewhere"), "") == tmp_path / "elsewhere"  # as it always was
    assert local_root(str(shared), "memory://x") == shared
    assert local_root(str(tmp_path / "not-on-this-machine"), "memory://x").name == WORKER_CACHE
    assert local_root("", "memory://x").name == WORKER_CACHE
