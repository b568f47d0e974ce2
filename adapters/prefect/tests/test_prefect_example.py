"""examples/prefect/hpo.py runs and leaves the HPO shape in the store."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).parents[3] / "examples" / "prefect" / "hpo.py"


def test_hpo_example_nested_mapped_trials_best_picked(sqlite_uri: str, client: Any) -> None:
    example = runpy.run_path(str(EXAMPLE), run_name="hpo_example")
    alphas = (0.01, 1.0, 30.0, 300.0)
    best = example["main"](tracking_uri=sqlite_uri, alphas=alphas)
    experiment = client.get_experiment_by_name("prefect-hpo")
    runs = client.search_runs([experiment.experiment_id])
    (parent,) = [r for r in runs if r.data.tags["trackmw.task"] == "search"]
    trials = [r for r in runs if r.data.tags["trackmw.task"] == "trial"]
    assert sorted(float(t.data.params["alpha"]) for t in trials) == sorted(alphas)
    assert all(t.data.tags["mlflow.parentRunId"] == parent.info.run_id for t in trials)
    assert all(set(t.data.metrics) == {"val_mse"} for t in trials), "trials cross-logged"
    assert len({t.data.tags["prefect.task_run_id"] for t in trials}) == len(alphas)
    assert {t.data.tags["prefect.flow_run_id"] for t in trials} == {
        parent.data.tags["prefect.flow_run_id"]}
    winner = min(trials, key=lambda t: t.data.metrics["val_mse"])
    assert float(winner.data.params["alpha"]) == best == float(parent.data.params["best_alpha"])
    assert parent.data.metrics["best_val_mse"] == winner.data.metrics["val_mse"]
    assert {r.info.status for r in runs} == {"FINISHED"}
