"""`kassavirta.pipeline.dask` on a real (local) cluster gives exactly the local run's results.

500 generated invoices, with numbers reused across files, checked on a
`LocalCluster` of two worker processes and by the local engine: the JSON of
every result must be identical, in-run duplicates included. Skips cleanly
without the `[dask]` extra.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import TODAY, benchmark_module

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("dask.distributed")

from kassavirta.config.policy import build_policy  # noqa: E402
from kassavirta.config.toml import load_config  # noqa: E402
from kassavirta.pipeline.batch import Batch  # noqa: E402
from kassavirta.pipeline.walk import iter_input_names  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dask")
    benchmark_module("generate").generate(folder, 500, seed=11, per_folder=100)
    return folder


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def local(generated: Path) -> list[dict[str, Any]]:
    options = load_config(generated / "kassavirta.toml")
    policy = build_policy(options, today=TODAY)
    return [
        r.model_dump(mode="json")
        for r in Batch(policy, jobs=1).results(iter_input_names([generated]))
    ]


def test_dask_equals_the_local_run(
    generated: Path, client: Any, local: list[dict[str, Any]]
) -> None:
    from kassavirta.pipeline.dask import check_paths

    results = check_paths(
        [generated],
        today=TODAY,
        settings=generated / "settings.json",
        assignments=[generated / "assignments.json"],
        client=client,
    )
    found = [r.model_dump(mode="json") for r in results]
    assert json.dumps(found) == json.dumps(local)
    in_run = [
        r
        for r in found
        for f in r["findings"]
        if f["rule"] == "duplicate-number" and "this run" in (f["detail"] or "")
    ]
    assert len(in_run) >= 5  # the shuffle by number had collisions to decide
    assert len(client.scheduler_info()["workers"]) == 2


def test_dask_over_bytes_equals_the_local_run(
    generated: Path, client: Any, local: list[dict[str, Any]]
) -> None:
    from kassavirta.pipeline.dask import build_policy_for, check_blobs

    policy = build_policy_for(
        today=TODAY,
        settings=generated / "settings.json",
        assignments=[generated / "assignments.json"],
    )
    blobs = [(name, Path(name).read_bytes()) for name in iter_input_names([generated])]
    results = check_blobs(blobs, policy=policy, client=client, npartitions=7)
    assert [r.model_dump(mode="json") for r in results] == local


def test_nothing_to_check_is_an_empty_list(client: Any) -> None:
    from kassavirta.pipeline.dask import check_blobs

    assert check_blobs([], today=TODAY, client=client) == []
