"""Tasks the worker process of the tests runs (importable by module name)."""

from __future__ import annotations

import flyte
from flyteplugins.mlflow import mlflow_run as anchor_mlflow_run
from trackmw_flyte import mlflow_run

env = flyte.TaskEnvironment(name="remote_tasks")


@mlflow_run
@env.task
async def auto_child() -> None:
    import mlflow

    mlflow.log_metric("from_child", 1.0)


@mlflow_run(run_mode="nested")
@env.task
async def nested_child() -> None:
    import mlflow

    mlflow.log_param("where", "worker")


@anchor_mlflow_run
@env.task
async def anchor_auto_child() -> None:
    """The same child on flyteplugins-mlflow (the anchor tests show its defect)."""
    import mlflow

    mlflow.log_metric("from_child", 1.0)
