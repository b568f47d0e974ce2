"""``get_mlflow_run()``: the running task's MLflow run, as flyteplugins-mlflow returns it."""

from __future__ import annotations

from typing import Any

import trackmw

__all__ = ["get_mlflow_run"]


def get_mlflow_run() -> Any:
    """The ``mlflow.ActiveRun`` of the tracked task running here, or None.

    None outside ``@mlflow_run``, on a non-zero rank and when tracking is disabled. Use
    :func:`trackmw.active_run` for trackmw's own :class:`trackmw.Run` handle.
    """
    run = trackmw.active_run()
    if run is None:
        return None
    import mlflow

    active = mlflow.active_run()
    if active is not None and active.info.run_id == run.run_id:
        return active
    return mlflow.ActiveRun(mlflow.MlflowClient(run._tracking_uri).get_run(run.run_id))
