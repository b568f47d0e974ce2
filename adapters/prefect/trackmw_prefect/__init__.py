"""trackmw for Prefect 3: an MLflow run per flow or task run, found from Prefect's context.

::

    from prefect import flow, task
    from trackmw_prefect import mlflow_run

    @task
    @mlflow_run(run_mode="nested")
    def train(lr: float) -> float: ...

``trackmw.track`` works the same way; this package's entry point teaches trackmw about
Prefect runs. ``import trackmw_prefect`` imports neither mlflow nor prefect.
"""

from __future__ import annotations

from trackmw_prefect._config import mlflow_config, mlflow_tags
from trackmw_prefect._decorator import mlflow_run

__all__ = ["mlflow_config", "mlflow_run", "mlflow_tags"]
