"""Tasks the worker process of the tests runs (importable by module name)."""

from __future__ import annotations

import flyte

from trackmw_flyte import mlflow_run

env = flyte.TaskEnvironment(name="remote_tasks")


@mlflow_run
@env.task
async def auto_child() -> None:
    import mlflow

    mlflow.log_metric("from_child", 1.0)
