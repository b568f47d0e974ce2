"""Fixtures for trackmw-prefect's tests: one local Prefect API per session, quiet MLflow stores.

Prefect reads its settings when first imported, so they are set here, before any test module
imports prefect. The conformance harness is :class:`trackmw_prefect.conformance.PrefectHarness`
(an importable module: the suite re-creates it in fresh processes, which reach the same API
through ``PREFECT_API_URL``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

PREFECT_ENV = {
    "PREFECT_HOME": tempfile.mkdtemp(prefix="trackmw-prefect-home-"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_ALLOW_FILE_STORE": "true",
}
os.environ.update(PREFECT_ENV)


@pytest.fixture(scope="session", autouse=True)
def prefect_api() -> Iterator[str]:
    """One local Prefect API server (127.0.0.1) for the session, flow heartbeats off."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings(updates={"flows.heartbeat_frequency": None}), \
            prefect_test_harness(server_startup_timeout=90):
        url = str(PREFECT_API_URL.value())
        os.environ["PREFECT_API_URL"] = url  # for subprocesses (rank scenarios, examples)
        try:
            yield url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


