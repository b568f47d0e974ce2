"""Fixtures for trackmw-flyte's tests: quiet, isolated MLflow stores and Flyte local runs.

The conformance harness is :class:`trackmw_flyte.conformance.FlyteHarness` (it must live in an
importable module: the suite re-creates it in fresh processes for the rank scenarios).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from trackmw_flyte.conformance import FlyteHarness

__all__ = ["FlyteHarness"]


@pytest.fixture(scope="session", autouse=True)
def _flyte() -> None:
    import flyte

    flyte.init()


@pytest.fixture
def task_env() -> Iterator[Any]:
    """A fresh ``flyte.TaskEnvironment`` per test (task names are per environment)."""
    import flyte

    yield flyte.TaskEnvironment(name=f"t{os.urandom(4).hex()}")
