"""The run context across asyncio tasks, threads, stores and processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mlflow
import pytest

import trackmw


def test_asyncio_siblings_fluent_logging_no_crosstalk(store) -> None:
    @trackmw.track(run_mode="nested")
    async def sibling(i: int) -> str:
        mlflow.log_param("who", i)
        await asyncio.sleep(0.02 * (5 - i))
        mlflow.log_metric("score", float(i))
        mlflow.set_tag("tag_of", str(i))
        return trackmw.active_run().run_id

    @trackmw.track
    async def parent() -> list[str]:
        return list(await asyncio.gather(*(sibling(i) for i in range(5))))

    ids = asyncio.run(parent())
    for i, run_id in enumerate(ids):
        run = store.run(run_id)
        assert run.data.params == {"who": str(i)}
        assert run.data.metrics == {"score": float(i)}
        assert run.data.tags["tag_of"] == str(i)


def test_reopening_the_bound_run_by_id_joins_it(sqlite_store) -> None:
    """Plain-MLflow code reopens its parent's run by id in each worker; MLflow would end it
    when the first worker's block exits. Inside a task in that run, the call joins it."""
    @trackmw.track  # auto: reuses the caller's run
    def worker(parent_id: str, i: int) -> None:
        with mlflow.start_run(run_id=parent_id) as joined:
            assert joined.info.run_id == parent_id
            mlflow.log_metric(f"m{i}", float(i))

    @trackmw.track
    def parent() -> str:
        run_id = trackmw.active_run().run_id
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(trackmw.bind_context(worker), [run_id] * 3, range(3)))
        assert sqlite_store.run(run_id).info.status == "RUNNING"  # still ours
        mlflow.log_metric("after", 1.0)
        return run_id

    run = sqlite_store.run(parent())
    assert run.info.status == "FINISHED"
    assert run.data.metrics == {"m0": 0.0, "m1": 1.0, "m2": 2.0, "after": 1.0}
    assert len(sqlite_store.runs()) == 1 and mlflow.active_run() is None


def test_thread_siblings_fluent_logging_no_crosstalk(store) -> None:
    barrier = threading.Barrier(4)

    @trackmw.track(run_mode="nested")
    def sibling(i: int) -> str:
        barrier.wait(timeout=30)  # all four runs live at once
        mlflow.log_param("who", i)
        mlflow.log_metric("score", float(i))
        return trackmw.active_run().run_id

    @trackmw.track
    def parent() -> tuple[str, list[str]]:
        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(trackmw.bind_context(sibling), range(4)))
        return trackmw.active_run().run_id, ids

    parent_id, ids = parent()
    for i, run_id in enumerate(ids):
        run = store.run(run_id)
        assert run.data.params == {"who": str(i)} and run.data.metrics == {"score": float(i)}
        assert run.data.tags["mlflow.parentRunId"] == parent_id


def test_concurrent_tasks_reach_their_own_stores(tmp_path: Path) -> None:
    uris = [f"sqlite:///{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"]

    async def task(uri: str, value: str) -> str:
        @trackmw.track(tracking_uri=uri, experiment_name="two-stores")
        async def body() -> str:
            mlflow.log_param("value", value)
            await asyncio.sleep(0.05)
            mlflow.log_metric("m", 1.0)
            return trackmw.active_run().run_id

        return await body()

    async def main() -> list[str]:
        return list(await asyncio.gather(task(uris[0], "a"), task(uris[1], "b")))

    ids = asyncio.run(main())
    for uri, run_id, value in zip(uris, ids, "ab", strict=True):
        assert mlflow.MlflowClient(uri).get_run(run_id).data.params == {"value": value}


CHILD = """
import sys, trackmw, mlflow
@trackmw.track(run_mode=sys.argv[1])
def child():
    mlflow.log_param("child_" + sys.argv[1], "yes")
    return trackmw.active_run().run_id
print(child())
"""


def test_subprocess_finds_parent_through_baggage(store) -> None:
    def spawn(mode: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
        done = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    @trackmw.track
    def parent() -> tuple[str, str, str]:
        assert "trackmw.run_id" in trackmw.propagation_env()["BAGGAGE"]
        return trackmw.active_run().run_id, spawn("auto"), spawn("nested")

    parent_id, auto_id, nested_id = parent()
    assert auto_id == parent_id, "an auto child in a subprocess reuses the parent's run"
    assert store.run(parent_id).data.params == {"child_auto": "yes"}
    assert store.run(parent_id).info.status == "FINISHED"
    nested = store.run(nested_id)
    assert nested.data.tags["mlflow.parentRunId"] == parent_id
    assert "BAGGAGE" not in os.environ


def test_fresh_thread_does_not_adopt_a_running_sibling(store) -> None:
    started, release = threading.Event(), threading.Event()

    @trackmw.track
    def long_task() -> str:
        started.set()
        release.wait(timeout=30)
        return trackmw.active_run().run_id

    @trackmw.track(run_mode="nested")
    def other() -> str | None:
        return trackmw.active_run().parent_run_id

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(long_task)
        assert started.wait(timeout=30)
        assert pool.submit(other).result() is None  # a fresh context: no parent
        release.set()
        first.result()


@pytest.mark.parametrize("variable", ["TRACEPARENT", "BAGGAGE"])
def test_propagation_env_outside_a_run_carries_no_run(variable: str) -> None:
    assert "trackmw.run_id" not in trackmw.propagation_env().get(variable, "")
