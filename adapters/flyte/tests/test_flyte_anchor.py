"""flyteplugins-mlflow 2.12 itself, in the defect scenarios: proof the defect tests can fail.

Each test runs the scenario of a ``test_flyte_defects.py`` test with ``flyteplugins.mlflow``
and asserts the defective outcome that test rejects. If flyteplugins-mlflow fixes one, its
test here fails: update the migration table in docs/adapters/flyte.md.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flyte
import pytest
from flyte_testing import run_in_worker, run_local
from flyteplugins.mlflow import (
    Mlflow,
    get_mlflow_context,
    get_mlflow_run,
    mlflow_config,
    mlflow_run,
)

env = flyte.TaskEnvironment(name="anchor")
HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _restore_mlflow_globals() -> Iterator[None]:
    """flyteplugins-mlflow sets the process-wide tracking URI and leaves autolog on."""
    import mlflow
    from mlflow.tracking._tracking_service import utils

    saved = utils._tracking_uri
    yield
    mlflow.autolog(disable=True)
    utils._tracking_uri = saved


@mlflow_run
@env.task
def fails() -> None:
    raise ValueError("boom-anchor-1")


def test_anchor_defect1_failing_task_run_finished(client: Any) -> None:
    context = mlflow_config(tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
    with pytest.raises(Exception, match="boom-anchor-1"):
        run_local(fails, context=context.to_dict())
    (run,) = client.search_runs(["0"])
    assert run.info.status == "FINISHED"


@mlflow_run(run_mode="nested")
@env.task
async def sibling(i: int) -> str:
    import mlflow

    for step in range(5):
        mlflow.log_metric(f"m{i}", step, step=step)
        await asyncio.sleep(0.01 * (3 - i))
    return mlflow.active_run().info.run_id


@mlflow_run(run_mode="new")
@env.task
async def independent() -> str:
    return get_mlflow_run().info.run_id


@mlflow_run
@env.task
async def fan_out() -> list[str]:
    ids = await asyncio.gather(*(sibling(i) for i in range(3)))
    return [*ids, await independent()]


def test_anchor_defect2_siblings_cross_log_and_new_has_parent(client: Any) -> None:
    context = mlflow_config(tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
    *_siblings, new_id = run_local(fan_out, context=context.to_dict())
    runs = client.search_runs(["0"])
    assert any(len(r.data.metrics) > 1 for r in runs), "no run mixes siblings' metrics"
    assert "mlflow.parentRunId" in client.get_run(new_id).data.tags


@mlflow_run
@env.task
def ranked() -> None:
    import mlflow

    mlflow.log_metric("x", 1.0)


def test_anchor_defect3_gated_rank_creates_stray_run(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RANK", "1")
    run_local(ranked)
    assert [r.data.metrics for r in client.search_runs(["0"])] == [{"x": 1.0}]
    monkeypatch.setenv("RANK", "abc")
    with pytest.raises(Exception, match="invalid literal for int"):
        run_local(ranked)


@mlflow_run
@env.task
def reads_context() -> str:
    return type(get_mlflow_context().run_name).__name__


def test_anchor_defect4_context_json_decoded_unknown_key_crashes(client: Any) -> None:
    uri = os.environ["MLFLOW_TRACKING_URI"]
    context = mlflow_config(tracking_uri=uri, run_name="123").to_dict()
    assert run_local(reads_context, context=context) == "int"
    with pytest.raises(Exception, match="unexpected keyword argument 'team'"):
        run_local(reads_context, context={**context, "mlflow_team": "x"})


@mlflow_run(tags={"dec": "1"}, autolog=False)
@env.task
def no_autolog() -> None:
    return None


def test_anchor_defect5_tags_replaced_autolog_forced_and_left_on(client: Any) -> None:
    from mlflow.utils.autologging_utils import AUTOLOGGING_INTEGRATIONS

    context = mlflow_config(tracking_uri=os.environ["MLFLOW_TRACKING_URI"], tags={"ctx": "1"},
                            autolog=True)
    run_local(no_autolog, context=context.to_dict())
    (run,) = client.search_runs(["0"])
    assert "ctx" not in run.data.tags and run.data.tags["dec"] == "1"
    assert AUTOLOGGING_INTEGRATIONS["mlflow"]["disable"] is False, "autolog is off"


def test_anchor_defect6_remote_auto_child_ends_parent_run(client: Any) -> None:
    parent = client.create_run("0")
    context = {"mlflow_tracking_uri": os.environ["MLFLOW_TRACKING_URI"],
               "_mlflow_run_id": parent.info.run_id}
    run_in_worker("remote_tasks:anchor_auto_child", context)
    assert client.get_run(parent.info.run_id).info.status == "FINISHED"


def test_anchor_defect7_root_link_empty() -> None:
    link = Mlflow().get_link(
        run_name="r", project="", domain="", parent_action_name="", action_name="a0",
        context=mlflow_config(link_host="https://mlflow.example.com").to_dict(), pod_name="",
    )
    assert link == ""
