"""trackmw demo: a small hyperparameter search on made-up data, tracked as nested runs.

Runs into the embedded SQLite store ``./mlflow.db`` (override with MLFLOW_TRACKING_URI),
then prints every run with its params, metrics and UI link. See them with:

    mlflow ui --backend-store-uri sqlite:///mlflow.db
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import mlflow
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split

import trackmw

os.environ.setdefault("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 8))
    y = x @ rng.normal(size=8) + rng.normal(scale=0.5, size=400)
    return x, y


@trackmw.track(run_mode="nested")
def trial(alpha: float, data: tuple[np.ndarray, ...]) -> float:
    """One trial: its own child run, logging through plain MLflow calls."""
    x_train, x_test, y_train, y_test = data
    mlflow.log_param("alpha", alpha)
    model = Ridge(alpha=alpha).fit(x_train, y_train)
    rmse = float(np.sqrt(np.mean((model.predict(x_test) - y_test) ** 2)))
    mlflow.log_metric("rmse", rmse)
    return rmse


@trackmw.track(experiment_name="trackmw-demo", tags={"project": "demo"}, flatten_params=True)
def search(alphas: list[float]) -> trackmw.Run:
    """The parent run: fans trials out on threads; ``bind_context`` carries this run to them."""
    x, y = make_data()
    data = tuple(train_test_split(x, y, random_state=0))
    run = trackmw.active_run()
    assert run is not None
    run.log_params({"search": {"alphas": alphas, "model": "ridge"}})
    with ThreadPoolExecutor(4) as pool:
        scores = list(pool.map(trackmw.bind_context(trial), alphas, [data] * len(alphas)))
    best = alphas[int(np.argmin(scores))]
    run.log_metrics({"best_rmse": min(scores)})
    run.set_tag("best_alpha", str(best))
    return run


def main() -> None:
    parent = search([0.01, 0.1, 1.0, 10.0, 100.0])
    client = mlflow.MlflowClient()
    children = client.search_runs(
        [parent.experiment_id], f"tags.mlflow.parentRunId = '{parent.run_id}'",
        order_by=["metrics.rmse ASC"],
    )
    print(f"store: {mlflow.get_tracking_uri()}")
    print(f"parent {parent.run_id} {client.get_run(parent.run_id).info.status}")
    print(f"  best_alpha={client.get_run(parent.run_id).data.tags['best_alpha']}")
    print(f"  link: {parent.link.url if parent.link else '-'}")
    for child in children:
        print(f"  trial {child.info.run_id} alpha={child.data.params['alpha']:>6} "
              f"rmse={child.data.metrics['rmse']:.4f} {child.info.status}")
        print(f"    link: {child.data.tags['trackmw.link']}")


if __name__ == "__main__":
    main()
