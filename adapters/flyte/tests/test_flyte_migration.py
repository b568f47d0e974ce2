"""Migration: a flyteplugins-mlflow style workflow runs on trackmw-flyte with one import changed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from flyte_testing import run_local

SEED = Path(__file__).with_name("seed_example.py")
OLD = "from flyteplugins.mlflow import Mlflow, get_mlflow_run, mlflow_config, mlflow_run"
NEW = "from trackmw_flyte import Mlflow, get_mlflow_run, mlflow_config, mlflow_run"


def _load_migrated(tmp_path: Path) -> Any:
    source = SEED.read_text()
    assert source.count(OLD) == 1
    migrated = tmp_path / "migrated_seed.py"
    migrated.write_text(source.replace(OLD, NEW))
    spec = importlib.util.spec_from_file_location("migrated_seed", migrated)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["migrated_seed"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def migrated(tmp_path: Path) -> Any:
    module = _load_migrated(tmp_path)
    yield module
    sys.modules.pop("migrated_seed", None)


def test_seed_example_runs_with_only_the_import_changed(migrated: Any, client: Any) -> None:
    from mlflow.utils.autologging_utils import autologging_is_disabled

    context = migrated.mlflow_config(experiment_name="seed", link_host="http://mlflow.local")
    best = run_local(migrated.pipeline, context=context)
    assert best == pytest.approx(0.0)
    experiment = client.get_experiment_by_name("seed")
    runs = {r.info.run_id: r for r in client.search_runs([experiment.experiment_id])}
    by_task: dict[str, list[Any]] = {}
    for run in runs.values():
        by_task.setdefault(run.data.tags["trackmw.task"], []).append(run)
    assert sorted((t, len(rs)) for t, rs in by_task.items()) == [
        ("evaluate", 1), ("pipeline", 1), ("trial", 3)]
    (root,) = by_task["pipeline"]
    # the auto child `train` shared the root run: its autolog and the parent's own logging
    assert root.data.params["n_samples"] == "60" and "C" in root.data.params
    assert "accuracy" in root.data.metrics
    assert root.data.tags["trackmw.link"].startswith("http://mlflow.local/#/experiments/")
    for trial in by_task["trial"]:
        assert trial.data.tags["mlflow.parentRunId"] == root.info.run_id
        assert trial.data.tags["kind"] == "trial" and "loss" in trial.data.metrics
    (evaluate,) = by_task["evaluate"]
    assert "mlflow.parentRunId" not in evaluate.data.tags and evaluate.data.tags["step"] == "eval"
    assert {r.info.status for r in runs.values()} == {"FINISHED"}
    assert autologging_is_disabled("sklearn")
