"""examples/kedro runs as a real Kedro project and leaves its runs in its own ./mlruns."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kedro_project import run, runs_of

EXAMPLE = Path(__file__).parents[3] / "examples" / "kedro"


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Path]:
    """A copy of the example (its file store is written inside the project)."""
    copy = shutil.copytree(EXAMPLE, tmp_path / "example",
                           ignore=shutil.ignore_patterns("mlruns", "__pycache__"))
    yield copy
    sys.path[:] = [p for p in sys.path if p != str(copy / "src")]
    for name in [m for m in sys.modules if m.startswith("kedro_trackmw_example")]:
        del sys.modules[name]


def test_example_logs_params_metrics_and_nested_node_run(example: Path) -> None:
    from mlflow import MlflowClient

    run(example, "__default__")
    client = MlflowClient((example / "mlruns").as_uri())
    runs = {r.data.tags["trackmw.task"]: r for r in runs_of(client, "kedro-trackmw-example")}
    assert set(runs) == {"__default__", "train_model"}
    pipeline, train = runs["__default__"], runs["train_model"]
    assert pipeline.data.params == {"data.rows": "200", "data.noise": "0.1", "data.seed": "7"}
    assert set(pipeline.data.metrics) == {"test_rmse"}
    assert pipeline.data.metrics["test_rmse"] < 0.2
    assert train.data.params == {"model.alpha": "0.5", "model.features.scale": "True",
                                 "model.features.degree": "2"}
    assert set(train.data.metrics) == {"train_rmse"}
    assert train.data.tags["mlflow.parentRunId"] == pipeline.info.run_id
    assert pipeline.data.tags["project"] == "kedro-trackmw-example"
    assert {r.info.status for r in runs.values()} == {"FINISHED"}
