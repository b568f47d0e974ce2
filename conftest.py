"""Repository-wide test isolation: every test runs in its own temp folder, quietly.

SQLite stores put artifacts under ``./mlruns`` of the working directory, and MLflow,
Kedro and Prefect phone home unless told not to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "KEDRO_DISABLE_TELEMETRY": "true",
    "MLFLOW_ALLOW_FILE_STORE": "true",
}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in QUIET.items():
        monkeypatch.setenv(name, value)
