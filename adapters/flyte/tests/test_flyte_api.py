"""The flyteplugins-compatible API: config blocks, context, propagation, errors, imports."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import flyte
import pytest
from flyte_testing import run_in_worker, run_local
from trackmw_flyte import get_mlflow_context, get_mlflow_run, mlflow_config, mlflow_run
from trackmw_flyte._identity import BAGGAGE_KEY, parent_ref, task_info

import trackmw

env = flyte.TaskEnvironment(name="api")


def test_import_loads_neither_mlflow_nor_flyte() -> None:
    code = ("import sys, trackmw_flyte, trackmw_flyte.plugin\n"
            "assert 'mlflow' not in sys.modules and 'flyte' not in sys.modules, sorted(sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]


@mlflow_run
@env.task
def child_reads_context() -> str:
    config = get_mlflow_context()
    assert config is not None
    return f"{config.run_mode}:{get_mlflow_run().info.run_id}"


@mlflow_run
@env.task
def parent_with_block() -> list[str]:
    with mlflow_config(run_mode="new", tags={"role": "child"}):
        inside = child_reads_context()
    return [get_mlflow_run().info.run_id, inside]


def test_mlflow_config_block_overrides_for_called_tasks(client: Any) -> None:
    parent_id, inside = run_local(parent_with_block)
    mode, child_id = inside.split(":")
    assert mode == "new" and child_id != parent_id
    child = client.get_run(child_id)
    assert child.data.tags["role"] == "child"
    assert "mlflow.parentRunId" not in child.data.tags
    assert "role" not in client.get_run(parent_id).data.tags


@mlflow_run
@env.task
def carries_parent() -> list[str]:
    carried = parent_ref(dict(flyte.ctx().custom_context))
    assert carried is not None
    return [get_mlflow_run().info.run_id, carried.run_id, carried.experiment_id]


def test_running_task_puts_its_run_in_childrens_custom_context(client: Any) -> None:
    """What remote child actions receive: the run, in W3C baggage, in the custom context."""
    run_id, carried_id, experiment_id = run_local(carries_parent)
    assert carried_id == run_id and experiment_id == "0"


def test_remote_nested_child_finds_parent_through_custom_context(client: Any) -> None:
    """A child action in another process (no shared context, no BAGGAGE variable) nests
    under the run its caller put in the custom context, in the caller's experiment."""
    experiment_id = client.create_experiment("remote-parent")
    with trackmw.start_run("parent", experiment_id=experiment_id) as parent:
        assert parent is not None
        context = {BAGGAGE_KEY: trackmw.propagation_env(parent)["BAGGAGE"]}
        run_in_worker("remote_tasks:nested_child", context)
    (child,) = [r for r in client.search_runs([experiment_id]) if r.info.run_id != parent.run_id]
    assert child.data.tags["mlflow.parentRunId"] == parent.run_id
    assert child.data.params == {"where": "worker"} and child.info.status == "FINISHED"
    assert child.data.tags["flyte.run_name"] == "remote-run"


@mlflow_run(enabled=False)
@env.task
def untracked() -> bool:
    return get_mlflow_run() is None and trackmw.active_run() is None


def test_disabled_task_has_no_run(client: Any) -> None:
    assert run_local(untracked) is True
    assert client.search_runs(["0"]) == []


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: mlflow_config(run_mod="new"), "run_mod"),
        (lambda: mlflow_config(run_mode="sideways"), "auto | new | nested"),
        (lambda: mlflow_config(experiment_name="a", experiment_id="1"), "not both"),
        (lambda: mlflow_run(description="x"), "description"),
        (lambda: mlflow_run(run_name="a", run_id="b"), "not both"),
    ],
    ids=["unknown-key", "bad-value", "two-experiments", "start-run-kwarg", "name-and-id"],
)
def test_bad_config_fails_early_with_the_key(make: Any, expected: str) -> None:
    with pytest.raises(trackmw.ConfigError, match=expected):
        make()


def test_config_reads_back_and_serialises_as_strings() -> None:
    config = mlflow_config(experiment_id="123", autolog=True, tags={"a": "1"})
    assert config.experiment_id == "123" and config.autolog is True and config.run_name is None
    assert config.to_dict() == {"trackmw.experiment_id": "123", "trackmw.autolog": "true",
                                "trackmw.tags": '{"a": "1"}'}


def test_plain_function_outside_flyte_is_tracked_like_trackmw_track(client: Any) -> None:
    @mlflow_run(run_name="plain")
    def plain() -> str:
        assert task_info(plain) is None  # not inside a Flyte task
        return get_mlflow_run().info.run_id

    run = client.get_run(plain())
    assert run.info.run_name == "plain" and run.info.status == "FINISHED"
    assert "flyte.action_name" not in run.data.tags
