"""Fixtures for trackmw-flyte's tests: quiet, isolated MLflow stores and Flyte local runs.

The conformance harness is :class:`trackmw_flyte.conformance.FlyteHarness` (it must live in an
importable module: the suite re-creates it in fresh processes for the rank scenarios).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from trackmw_flyte.conformance import FlyteHarness

__all__ = ["FlyteHarness"]

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_ALLOW_FILE_STORE": "true",
}
CLEARED = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "JAX_PROCESS_ID",
           "LOCAL_RANK", "BAGGAGE", "TRACEPARENT", "MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID",
           "MLFLOW_EXPERIMENT_NAME")


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # SQLite stores put artifacts under ./mlruns: keep them in the test's folder.
    monkeypatch.chdir(tmp_path)
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name in [v for v in os.environ if v.startswith("TRACKMW_") and v != "TRACKMW_DISABLE_PLUGINS"]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session", autouse=True)
def _flyte() -> None:
    import flyte

    flyte.init()


@pytest.fixture(scope="session")
def _empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty SQLite store, copied per test (migrations take seconds)."""
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("template") / "mlflow.db"
    MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def sqlite_uri(_empty_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """One fresh SQLite store, the environment's default."""
    path = tmp_path / "mlflow.db"
    shutil.copyfile(_empty_sqlite, path)
    uri = f"sqlite:///{path}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


@pytest.fixture
def client(sqlite_uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(sqlite_uri)


@pytest.fixture
def task_env() -> Iterator[Any]:
    """A fresh ``flyte.TaskEnvironment`` per test (task names are per environment)."""
    import flyte

    yield flyte.TaskEnvironment(name=f"t{os.urandom(4).hex()}")
