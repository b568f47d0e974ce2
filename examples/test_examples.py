"""Every runnable example runs, and what it claims lands in the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlflow import MlflowClient

HERE = Path(__file__).parent


def test_demo_tracks_nested_search(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/demo.db"
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_DISABLE_TELEMETRY": "true"}
    done = subprocess.run([sys.executable, str(HERE / "demo.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    client = MlflowClient(uri)
    experiment = client.get_experiment_by_name("trackmw-demo")
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert len(parents) == 1 and len(runs) == 6
    parent = parents[0]
    assert parent.data.params["search.model"] == "ridge"
    trials = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert sorted(float(r.data.params["alpha"]) for r in trials) == [0.01, 0.1, 1.0, 10.0, 100.0]
    best = min(trials, key=lambda r: r.data.metrics["rmse"])
    assert parent.data.tags["best_alpha"] == best.data.params["alpha"]
    assert {r.info.status for r in runs} == {"FINISHED"}
    assert parent.data.tags["trackmw.link"] in done.stdout
    assert not (tmp_path / "mlruns").exists()
