"""Fixtures for the core tests: real MLflow stores, a fresh experiment each test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("core-stores")


@pytest.fixture(autouse=True)
def _no_disabled_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The root conftest isolates env and MLflow state; core tests also run every plugin."""
    monkeypatch.delenv("TRACKMW_DISABLE_PLUGINS", raising=False)


class Store:
    """A real store with a fresh default experiment, read back with MlflowClient."""

    def __init__(self, uri: str, experiment: str) -> None:
        self.uri, self.experiment = uri, experiment

    @property
    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(self.uri)

    def runs(self, experiment: str | None = None) -> list[Any]:
        found = self.client.get_experiment_by_name(experiment or self.experiment)
        if found is None:
            return []
        runs = self.client.search_runs([found.experiment_id], max_results=500)
        return sorted(runs, key=lambda r: r.info.start_time)

    def run(self, run_id: str) -> Any:
        return self.client.get_run(run_id)


@pytest.fixture(params=["sqlite", "file"])
def store(request: pytest.FixtureRequest, store_folder: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    uri = (f"sqlite:///{store_folder / 'core.db'}" if request.param == "sqlite"
           else (store_folder / "mlruns").as_uri())
    experiment = f"core-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", experiment)
    yield Store(uri, experiment)
    import mlflow

    assert mlflow.active_run() is None, "a test left an active MLflow run"
    leaked = [r.info.run_id for r in Store(uri, experiment).runs() if r.info.status == "RUNNING"]
    assert not leaked, f"runs left RUNNING: {leaked}"


@pytest.fixture
def sqlite_store(store_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The SQLite store only, for tests that need no store parametrization."""
    uri = f"sqlite:///{store_folder / 'core.db'}"
    experiment = f"core-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", experiment)
    return Store(uri, experiment)
