"""trackmw for Flyte 2: flyteplugins-mlflow's API on the trackmw engine.

Switch by changing one import::

    from trackmw_flyte import Mlflow, get_mlflow_run, mlflow_config, mlflow_run

``import trackmw_flyte`` imports neither mlflow nor flyte; they load when a task runs.
"""

from __future__ import annotations

from trackmw_flyte._config import MlflowConfig, get_mlflow_context, mlflow_config
from trackmw_flyte._decorator import mlflow_run
from trackmw_flyte._link import Mlflow
from trackmw_flyte._run import get_mlflow_run

__all__ = [
    "Mlflow",
    "MlflowConfig",
    "get_mlflow_context",
    "get_mlflow_run",
    "mlflow_config",
    "mlflow_run",
]
