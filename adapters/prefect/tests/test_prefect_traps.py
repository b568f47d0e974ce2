"""The known traps of MLflow under Prefect, each run for real and read back from the store.

Each test names the trap and what plain MLflow does there; with trackmw-prefect the task's
``mlflow.*`` calls follow the task's context, so every check below fails without it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import mlflow
import pytest
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner
from trackmw_prefect import mlflow_run

import trackmw

quick = {"cache_policy": NO_CACHE, "persist_result": False}


def runs_by_name(client: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for run in client.search_runs(["0"]):
        found.setdefault(run.info.run_name, []).append(run)
    return found


# -- (a) a submitted task's plain mlflow.log_metric: no stray run on the pool thread --------


@task(**quick)
def untracked_logger(i: int) -> int:
    mlflow.log_metric(f"from_pool_{i}", i)
    return threading.get_ident()


@task(**quick)
@mlflow_run(run_mode="nested")
def tracked_logger(i: int) -> int:
    mlflow.log_metric("own", i)
    return threading.get_ident()


@flow(persist_result=False)
@mlflow_run
def pool_flow() -> set[int]:
    threads = {f.result() for f in untracked_logger.map(range(3))}
    threads |= {f.result() for f in tracked_logger.map(range(2))}
    return threads


def test_submitted_task_plain_log_metric_no_stray_run(client: Any) -> None:
    """Plain MLflow: the pool thread's run stack is empty, so ``mlflow.log_metric`` starts a
    stray run there that stays RUNNING. Here it lands in the flow's run."""
    threads = pool_flow()
    assert threading.get_ident() not in threads, "tasks did not run on pool threads"
    runs = runs_by_name(client)
    assert sorted(runs) == ["pool-flow", "tracked_logger"], sorted(runs)
    (parent,) = runs["pool-flow"]
    assert parent.data.metrics == {"from_pool_0": 0, "from_pool_1": 1, "from_pool_2": 2}
    kids = runs["tracked_logger"]
    assert sorted(k.data.metrics["own"] for k in kids) == [0, 1]
    assert {k.data.tags["mlflow.parentRunId"] for k in kids} == {parent.info.run_id}
    assert {r.info.status for rs in runs.values() for r in rs} == {"FINISHED"}
    assert mlflow.active_run() is None


# -- (b) mlflow.start_run(run_id=parent) in a task ends the parent early -------------------


@task(**quick)
def legacy_reopens_parent(parent_run_id: str, nested: bool) -> str:
    """Plain-MLflow code: reopen the flow's run by id to log into it."""
    with mlflow.start_run(run_id=parent_run_id, nested=nested) as run:
        mlflow.log_metric(f"legacy_nested_{nested}", 1.0)
        return str(run.info.run_id)


@task(**quick)
@mlflow_run
def tracked_reopens_parent(parent_run_id: str) -> str:
    with mlflow.start_run(run_id=parent_run_id):
        mlflow.log_metric("tracked", 1.0)
    return str(mlflow.active_run().info.run_id)


@flow(persist_result=False)
@mlflow_run
def parent_stays_open(tracking_uri: str) -> tuple[str, list[str], str]:
    me = trackmw.active_run()
    assert me is not None
    seen = [legacy_reopens_parent.submit(me.run_id, nested).result() for nested in (False, True)]
    seen.append(tracked_reopens_parent.submit(me.run_id).result())
    status_after_tasks = mlflow.MlflowClient(tracking_uri).get_run(me.run_id).info.status
    mlflow.log_metric("after_tasks", 2.0)
    return me.run_id, seen, status_after_tasks


def test_start_run_with_parent_id_in_task_does_not_end_parent(client: Any, sqlite_uri: str) -> None:
    """Plain MLflow: ``with mlflow.start_run(run_id=parent)`` in a task ends the parent
    FINISHED when the block exits, while the flow still runs (and without ``nested=True``
    under a tracked flow MLflow refuses: "already active"). Here the task joins the run it
    is already in and the run stays RUNNING until the flow ends."""
    parent_id, seen, status_after_tasks = parent_stays_open(sqlite_uri)
    assert seen == [parent_id] * 3
    assert status_after_tasks == "RUNNING", "a task ended the flow's run early"
    (run,) = client.search_runs(["0"])
    assert run.info.run_id == parent_id and run.info.status == "FINISHED"
    assert run.data.metrics == {"legacy_nested_False": 1.0, "legacy_nested_True": 1.0,
                                "tracked": 1.0, "after_tasks": 2.0}


# -- (c) async tasks under asyncio.gather share one stack and cross-log ------------------


@task(**quick)
@mlflow_run(run_mode="nested")
async def async_trial(i: int) -> str:
    for step in range(4):
        mlflow.log_metric(f"m{i}", step, step=step)
        await asyncio.sleep(0.01 * (3 - i))
    return mlflow.active_run().info.run_id


@flow(persist_result=False)
@mlflow_run
async def gather_flow() -> list[str]:
    return list(await asyncio.gather(*(async_trial(i) for i in range(3))))


def test_async_tasks_under_gather_do_not_crosslog(client: Any) -> None:
    """Plain MLflow: the coroutines share the event loop thread's run stack, so each
    ``mlflow.log_metric`` goes to whichever run started last."""
    ids = asyncio.run(gather_flow())
    assert len(set(ids)) == 3
    for i, run_id in enumerate(ids):
        run = client.get_run(run_id)
        assert set(run.data.metrics) == {f"m{i}"}, run.data.metrics
        history = client.get_metric_history(run_id, f"m{i}")
        assert [m.step for m in history] == [0, 1, 2, 3]
        assert run.info.status == "FINISHED"


# -- (d) process-pool workers: no contextvars, no MLflow stack ------------------------------


@task(**quick)
@mlflow_run(run_mode="nested")
def process_trial(lr: float) -> int:
    mlflow.log_param("lr", lr)
    mlflow.log_metric("score", lr * 10)
    return os.getpid()


@task(**quick)
@mlflow_run
async def process_joiner() -> int:
    mlflow.log_metric("joined_from_worker", 1.0)
    return os.getpid()


_both_started = threading.Barrier(2, timeout=60)


def wait_for_both_flows() -> None:
    """Both flows' runs are live: a bare BAGGAGE variable names only one of them."""
    _both_started.wait()


@flow(task_runner=ProcessPoolTaskRunner(max_workers=1), persist_result=False)
@mlflow_run
def process_flow(lrs: list[float]) -> tuple[set[int], str]:
    wait_for_both_flows()
    pids = {f.result() for f in process_trial.map(lrs)}
    pids.add(process_joiner.submit().result())
    return pids, trackmw.active_run().run_id


def test_process_pool_workers_find_the_flows_run(client: Any) -> None:
    """Plain MLflow (and contextvars): a worker process knows no run, so each task starts
    an unrelated top-level run. Here each flow publishes its run under its flow run id
    before it can submit, and worker tasks find it through Prefect's own context, also
    with two flows running at once in one process."""
    with ThreadPoolExecutor(2) as pool:
        calls = [pool.submit(process_flow, lrs) for lrs in ([0.1, 0.2], [0.3])]
        results = [call.result() for call in calls]
    pids = set().union(*(p for p, _ in results))
    assert os.getpid() not in pids, "tasks did not run in worker processes"
    runs = runs_by_name(client)
    assert sorted(runs) == ["process-flow", "process_trial"], sorted(runs)
    parents = {r.info.run_id: r for r in runs["process-flow"]}
    for (_, flow_run_id), lrs in zip(results, (["0.1", "0.2"], ["0.3"]), strict=True):
        parent = parents[flow_run_id]
        assert parent.data.metrics == {"joined_from_worker": 1.0}, "auto task did not join"
        trials = [t for t in runs["process_trial"]
                  if t.data.tags["mlflow.parentRunId"] == flow_run_id]
        assert sorted(t.data.params["lr"] for t in trials) == lrs, "trial under another flow"
        assert {t.data.tags["prefect.flow_run_id"] for t in trials} == {
            parent.data.tags["prefect.flow_run_id"]}
    assert {r.info.status for rs in runs.values() for r in rs} == {"FINISHED"}
    assert not [v for v in os.environ if v.startswith("TRACKMWPREFECT_")], "carrier leaked"


@pytest.fixture(autouse=True)
def _no_active_run() -> Any:
    yield
    assert mlflow.active_run() is None
