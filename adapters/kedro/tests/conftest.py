"""Fixtures for trackmw-kedro's tests: quiet env, fresh SQLite stores, real Kedro projects.

The conformance harness is :class:`trackmw_kedro.conformance.KedroHarness` (it must live in an
importable module: the suite re-creates it in fresh processes for the rank scenarios).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kedro_project import forget_project, reset_kedro_mlflow, write_project


@pytest.fixture
def sqlite_uri(_empty_sqlite: Path, tmp_path: Path) -> str:
    """A fresh SQLite store (not set in the environment: projects name it in mlflow.yml)."""
    path = tmp_path / "mlflow.db"
    shutil.copyfile(_empty_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def project(tmp_path: Path, sqlite_uri: str) -> Iterator[Callable[..., Path]]:
    """``project(**kw)`` writes a Kedro project whose ``mlflow.yml`` points at ``sqlite_uri``
    (experiment ``defects``); see :func:`kedro_project.write_project` for ``kw``."""
    written: list[Path] = []

    def make(mlflow_yml: dict[str, Any] | None = None, **kw: Any) -> Path:
        base = {"server": {"mlflow_tracking_uri": sqlite_uri},
                "tracking": {"experiment": {"name": "defects"}}}
        root = tmp_path / f"project{len(written)}"
        written.append(write_project(root, mlflow_yml=_merge(base, mlflow_yml or {}), **kw))
        return root

    yield make
    for root in written:
        forget_project(root)


@pytest.fixture
def kedro_mlflow_cleanup() -> Iterator[None]:
    """Undo kedro-mlflow's process-wide leftovers after the test (:func:`reset_kedro_mlflow`)."""
    yield
    reset_kedro_mlflow()


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out
