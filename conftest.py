"""Repository-wide test isolation and stores: every test runs in its own temp folder, quietly,
with no run, rank, experiment or trackmw setting left over from the environment or an
earlier test.

SQLite stores put artifacts under ``./mlruns`` of the working directory, and MLflow,
Kedro and Prefect phone home unless told not to.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "KEDRO_DISABLE_TELEMETRY": "true",
    "MLFLOW_ALLOW_FILE_STORE": "true",
}
CLEARED = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "JAX_PROCESS_ID",
           "LOCAL_RANK", "BAGGAGE", "TRACEPARENT", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID",
           "MLFLOW_EXPERIMENT_NAME", "MLFLOW_TRACKING_URI", "KEDRO_MP_CONTEXT")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in [v for v in os.environ
                 if v.startswith("TRACKMW_") and v != "TRACKMW_DISABLE_PLUGINS"]:
        monkeypatch.delenv(name)
    fluent = sys.modules.get("mlflow.tracking.fluent")
    if fluent is not None:  # mlflow.set_experiment() in an earlier test (or an anchor plugin)
        monkeypatch.setattr(fluent, "_active_experiment_id", None)


@pytest.fixture(scope="session")
def _empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty SQLite store, copied per test (migrations take seconds)."""
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("template") / "mlflow.db"
    MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def sqlite_uri(_empty_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """One fresh SQLite store, the environment's default (``MLFLOW_TRACKING_URI``)."""
    path = tmp_path / "mlflow.db"
    shutil.copyfile(_empty_sqlite, path)
    uri = f"sqlite:///{path}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


@pytest.fixture
def client(sqlite_uri: str) -> Any:
    """An ``MlflowClient`` on :func:`sqlite_uri`, to read results back."""
    from mlflow import MlflowClient

    return MlflowClient(sqlite_uri)
