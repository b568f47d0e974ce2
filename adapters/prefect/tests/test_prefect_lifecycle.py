"""Prefect-specific semantics: identity tags, tag config, retries, crashes, validation, links.

Real flows against the session's local Prefect API and a fresh SQLite MLflow store per test.
"""

from __future__ import annotations

from typing import Any

import mlflow
import pytest
from prefect import flow, get_client, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterTaskRunId,
)
from prefect.runtime import flow_run, task_run
from prefect.settings import temporary_settings
from trackmw_prefect import mlflow_config, mlflow_run, mlflow_tags

import trackmw

quick = {"cache_policy": NO_CACHE, "persist_result": False}


def all_runs(client: Any) -> list[Any]:
    return client.search_runs(["0"])


def one_run(client: Any, task_name: str) -> Any:
    found = [r for r in all_runs(client) if r.data.tags.get("trackmw.task") == task_name]
    assert len(found) == 1, [r.data.tags.get("trackmw.task") for r in all_runs(client)]
    return found[0]


# -- identity ------------------------------------------------------------------------------


@task(name="leaf-task", **quick)
@trackmw.track(run_mode="nested")  # the same as mlflow_run
def leaf() -> dict[str, str]:
    return {"task_run_id": task_run.id, "task_run_name": task_run.name, "flow_run_id": flow_run.id}


@flow(name="inner-flow", persist_result=False)
@mlflow_run(run_mode="nested")
def inner() -> dict[str, Any]:
    return {"flow_run_id": flow_run.id, "leaf": leaf()}


@flow(name="outer-flow", persist_result=False)
@mlflow_run
def outer() -> dict[str, Any]:
    return {"flow_run_id": flow_run.id, "flow_run_name": flow_run.name, "inner": inner()}


def test_identity_tags_from_prefect_context(client: Any) -> None:
    seen = outer()
    top, sub, leaf_seen = seen, seen["inner"], seen["inner"]["leaf"]
    root_run, sub_run, leaf_run = (one_run(client, n) for n in ("outer-flow", "inner-flow",
                                                                   "leaf-task"))
    assert root_run.info.run_name == "outer-flow" and leaf_run.info.run_name == "leaf-task"
    t = root_run.data.tags
    assert (t["prefect.flow_run_id"], t["prefect.flow_run_name"], t["prefect.flow_name"]) == (
        top["flow_run_id"], top["flow_run_name"], "outer-flow")
    assert t["prefect.root_flow_run_id"] == top["flow_run_id"]
    assert "prefect.parent_flow_run_id" not in t and t["prefect.run_count"] == "1"
    t = sub_run.data.tags
    assert t["prefect.flow_run_id"] == sub["flow_run_id"]
    assert t["prefect.parent_flow_run_id"] == t["prefect.root_flow_run_id"] == top["flow_run_id"]
    assert t["mlflow.parentRunId"] == root_run.info.run_id
    t = leaf_run.data.tags
    assert (t["prefect.task_run_id"], t["prefect.task_run_name"], t["prefect.task_name"]) == (
        leaf_seen["task_run_id"], leaf_seen["task_run_name"], "leaf-task")
    assert t["prefect.flow_run_id"] == leaf_seen["flow_run_id"] == sub["flow_run_id"]
    assert t["prefect.root_flow_run_id"] == top["flow_run_id"]
    assert t["mlflow.parentRunId"] == sub_run.info.run_id


def test_outside_prefect_is_not_a_prefect_run(client: Any) -> None:
    @mlflow_run
    def plain() -> None:
        mlflow.log_param("x", "1")

    plain()
    (run,) = all_runs(client)
    assert run.data.tags["trackmw.adapter"] != "prefect"
    assert not any(k.startswith("prefect.") for k in run.data.tags)


@task(**quick)
@mlflow_run
async def auto_async_task() -> str:
    mlflow.log_metric("from_task", 1.0)
    return trackmw.active_run().run_id


@flow(name="auto-subflow", persist_result=False)
@mlflow_run
async def auto_subflow() -> str:
    mlflow.log_metric("from_subflow", 1.0)
    return await auto_async_task()


@flow(name="auto-parent", persist_result=False)
@mlflow_run
async def auto_parent() -> tuple[str, str]:
    return trackmw.active_run().run_id, await auto_subflow()


def test_auto_subflow_and_task_join_the_parent_flows_run(client: Any) -> None:
    import asyncio

    parent_id, task_saw = asyncio.run(auto_parent())
    (run,) = all_runs(client)
    assert run.info.run_id == parent_id == task_saw
    assert run.data.metrics == {"from_subflow": 1.0, "from_task": 1.0}
    assert run.info.status == "FINISHED"


# -- run-wide config as Prefect tags -------------------------------------------------------


@task(**quick)
@mlflow_run
def configured_child() -> None:
    mlflow.log_param("who", "child")


@task(tags=["trackmw.run_mode=new"], **quick)
@mlflow_run
def own_tagged_child() -> None:
    mlflow.log_param("who", "own")


@task(name="block_child", **quick)
@mlflow_run
def block_child() -> None:
    mlflow.log_param("who", "block")


@flow(name="configured", persist_result=False)
@mlflow_run
def configured() -> None:
    configured_child()
    own_tagged_child()
    with tags("trackmw.run_mode=new"):  # a block entered in the flow beats the flow's tags
        block_child()


def test_tags_are_the_run_context_layer(client: Any) -> None:
    with mlflow_config(run_mode="nested", run_name="from-tags", tags={"team": "ml"}) as used:
        configured()
    assert sorted(used) == ["trackmw.run_mode=nested", "trackmw.run_name=from-tags",
                            'trackmw.tags={"team": "ml"}']
    root = one_run(client, "configured")
    child = one_run(client, "configured_child")
    own = one_run(client, "own_tagged_child")
    assert root.info.run_name == child.info.run_name == "from-tags"
    assert child.data.tags["mlflow.parentRunId"] == root.info.run_id
    assert "mlflow.parentRunId" not in own.data.tags, "the task's own tag lost"
    assert "mlflow.parentRunId" not in one_run(client, "block_child").data.tags
    assert root.data.tags["team"] == child.data.tags["team"] == "ml"


def test_explicit_arguments_beat_tags(client: Any) -> None:
    @flow(name="explicit", persist_result=False)
    @mlflow_run(run_name="explicit-name")
    def explicit() -> None:
        return None

    with tags(*mlflow_tags(run_name="tag-name", experiment_name="from-tags")):
        explicit()
    experiment = client.get_experiment_by_name("from-tags")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == "explicit-name"


def test_bad_or_conflicting_tags_fail_before_any_run(client: Any) -> None:
    @flow(name="typo", persist_result=False)
    @mlflow_run
    def typo() -> None:
        return None

    with pytest.raises(trackmw.ConfigError, match="run_mod"), tags("trackmw.run_mod=new"):
        typo()
    with pytest.raises(trackmw.ConfigError, match="conflicting"), \
            tags("trackmw.run_mode=new", "trackmw.run_mode=nested"):
        typo()
    with pytest.raises(trackmw.ConfigError, match="unknown config key"):
        mlflow_tags(run_mod="new")
    assert all_runs(client) == []
    typo()
    assert len(all_runs(client)) == 1, "the store recorded nothing: the checks prove nothing"


# -- retries -------------------------------------------------------------------------------

attempts: dict[str, int] = {}


@task(retries=2, retry_delay_seconds=0, **quick)
@mlflow_run(run_mode="nested")
def flaky(key: str) -> int:
    attempts[key] = attempts.get(key, 0) + 1
    mlflow.log_metric("attempt", attempts[key], step=attempts[key])
    if attempts[key] < 3:
        raise RuntimeError(f"flaky attempt {attempts[key]}")
    return attempts[key]


@flow(name="retrying-flow", retries=1, retry_delay_seconds=0, persist_result=False)
@mlflow_run
def retrying_flow(key: str) -> int:
    attempts[key + "-flow"] = attempts.get(key + "-flow", 0) + 1
    mlflow.log_metric("flow_attempt", attempts[key + "-flow"], step=attempts[key + "-flow"])
    done = flaky(key)
    if attempts[key + "-flow"] == 1:
        raise RuntimeError("flow fails once")
    return done


def test_retries_keep_one_run_with_attempt_count(client: Any) -> None:
    """Each retried task or flow keeps one run; it records every attempt and ends with the
    last attempt's status."""
    assert retrying_flow("r1") == 4  # flow attempt 2 runs the task once more
    flow_run_ = one_run(client, "retrying-flow")
    assert flow_run_.info.status == "FINISHED"
    assert flow_run_.data.tags["prefect.run_count"] == "2"
    assert flow_run_.data.tags["trackmw.attempt"] == "2"
    steps = [m.value for m in client.get_metric_history(flow_run_.info.run_id, "flow_attempt")]
    assert steps == [1, 2]
    # the task ran in two flow attempts: 3 attempts in the first, then 1 (attempts[key] >= 3)
    tasks = sorted((r for r in all_runs(client) if r.data.tags["trackmw.task"] == "flaky"),
                   key=lambda r: r.info.start_time)
    assert len(tasks) == 2, "one run per task run (two flow attempts), not per attempt"
    first = tasks[0]
    assert first.info.status == "FINISHED"
    assert first.data.tags["prefect.run_count"] == "3"
    history = client.get_metric_history(first.info.run_id, "attempt")
    assert sorted(m.value for m in history) == [1, 2, 3]
    assert {r.info.status for r in all_runs(client)} == {"FINISHED"}


@task(retries=1, retry_delay_seconds=0, **quick)
@mlflow_run(run_mode="nested")
def always_fails() -> None:
    raise ValueError("always-fails")


@flow(name="exhausted", persist_result=False)
@mlflow_run
def exhausted() -> None:
    always_fails()


def test_retries_exhausted_run_failed(client: Any) -> None:
    with pytest.raises(ValueError, match="always-fails"):
        exhausted()
    child = one_run(client, "always_fails")
    assert child.info.status == "FAILED"
    assert child.data.tags["prefect.run_count"] == "2"
    assert one_run(client, "exhausted").info.status == "FAILED"


# -- crashes and validation ----------------------------------------------------------------


@task(**quick)
@mlflow_run(run_mode="nested")
def interrupted() -> None:
    mlflow.log_param("started", "yes")
    raise KeyboardInterrupt


@flow(name="crashing", persist_result=False)
@mlflow_run
def crashing() -> None:
    interrupted()


@flow(name="exiting", persist_result=False)
@mlflow_run
def exiting(code: int) -> None:
    raise SystemExit(code)


def test_crashes_end_runs_killed(client: Any) -> None:
    """KeyboardInterrupt and SystemExit crash the Prefect run (``on_crashed``, never
    ``on_failure``): the MLflow runs end KILLED, none is left RUNNING."""
    with pytest.raises(KeyboardInterrupt):
        crashing()
    assert one_run(client, "interrupted").info.status == "KILLED"
    assert one_run(client, "crashing").info.status == "KILLED"
    with pytest.raises(SystemExit):
        exiting(3)
    assert one_run(client, "exiting").info.status == "KILLED"
    assert "RUNNING" not in {r.info.status for r in all_runs(client)}


@flow(name="typed", persist_result=False)
@mlflow_run
def typed(count: int) -> int:
    mlflow.log_param("count", count)
    return count


def test_parameter_validation_failure_creates_no_run(client: Any) -> None:
    """Prefect rejects the parameters before the flow function runs (``on_failure`` with no
    ``on_running``): no MLflow run exists at all."""
    state = typed("not-a-number", return_state=True)
    assert state.is_failed()
    assert all_runs(client) == []
    assert typed(2) == 2
    assert len(all_runs(client)) == 1


# -- links both ways -----------------------------------------------------------------------


@task(**quick)
@mlflow_run(run_mode="nested")
def linked_task() -> str:
    return task_run.id


@flow(name="linked-flow", persist_result=False)
@mlflow_run(link_host="https://mlflow.example.com")
def linked_flow() -> tuple[str, str]:
    return flow_run.id, linked_task()


def test_link_artifacts_and_prefect_ui_tag(client: Any) -> None:
    with temporary_settings(updates={"ui_url": "https://prefect.example.com"}):
        flow_id, task_id = linked_flow()
    parent, child = one_run(client, "linked-flow"), one_run(client, "linked_task")
    assert parent.data.tags["trackmw.orchestrator_link"] == (
        f"https://prefect.example.com/runs/flow-run/{flow_id}")
    assert child.data.tags["trackmw.orchestrator_link"] == (
        f"https://prefect.example.com/runs/task-run/{task_id}")
    with get_client(sync_client=True) as prefect:
        on_flow = prefect.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_id])))
        on_task = prefect.read_artifacts(artifact_filter=ArtifactFilter(
            task_run_id=ArtifactFilterTaskRunId(any_=[task_id])))
    flow_links = [a.data for a in on_flow if a.task_run_id is None]
    assert flow_links == [f"[MLflow: linked-flow]({parent.data.tags['trackmw.link']})"]
    assert [a.data for a in on_task] == [
        f"[MLflow: linked_task]({child.data.tags['trackmw.link']})"]
    assert parent.data.tags["trackmw.link"].startswith("https://mlflow.example.com/#/experiments/")


# -- decorator order -----------------------------------------------------------------------


@mlflow_run(run_mode="nested")
@task(name="above-task", **quick)
def above_task(x: int) -> int:
    mlflow.log_metric("x", x)
    return x


@mlflow_run
@flow(name="above-flow", persist_result=False)
async def above_flow() -> int:
    return above_task(4) + above_task(5)


def test_mlflow_run_above_flow_and_task(client: Any) -> None:
    import asyncio

    assert asyncio.run(above_flow()) == 9
    parent = one_run(client, "above-flow")
    kids = [r for r in all_runs(client) if r.data.tags["trackmw.task"] == "above-task"]
    assert sorted(k.data.metrics["x"] for k in kids) == [4, 5]
    assert {k.data.tags["mlflow.parentRunId"] for k in kids} == {parent.info.run_id}
