"""Migration: the same project and ``mlflow.yml``, first with kedro-mlflow, then with
trackmw-kedro, records the same experiment, run name, params and metrics."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kedro_project import reset_kedro_mlflow, run, runs_of

MLFLOW_YML = {"tracking": {"params": {"dict_params": {"flatten": True, "sep": "__"},
                                      "long_params_strategy": "truncate"}}}


@pytest.mark.usefixtures("kedro_mlflow_cleanup")
def test_same_mlflow_yml_same_results(project: Callable[..., Path], client: Any) -> None:
    run(project(MLFLOW_YML, plugins="kedro-mlflow"), "train")
    reset_kedro_mlflow()  # its leaked run and global URI/experiment: a new process's state
    run(project(MLFLOW_YML, plugins="trackmw"), "train")
    old, new = runs_of(client)
    assert "trackmw.adapter" not in old.data.tags and new.data.tags["trackmw.adapter"] == "kedro"
    assert old.info.run_name == new.info.run_name == "train"
    assert old.data.params == new.data.params
    assert "model__solver__tol" in new.data.params
    assert old.data.metrics == new.data.metrics == {"rows": 40.0, "score": 20.0}
    assert old.info.status == new.info.status == "FINISHED"
