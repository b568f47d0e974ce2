"""Hyperparameter search on Prefect 3 with trackmw-prefect.

The ``search`` flow fans out one nested ``trial`` task per candidate with ``.map()`` (on
Prefect's thread-pool task runner); each trial fits a small scikit-learn model in its own
MLflow run (tagged ``mlflow.parentRunId`` and with its Prefect task run ids), and the flow
logs the best trial into its own run. Run-wide config travels as Prefect tags.

    python examples/prefect/hpo.py   # MLflow's default store: MLFLOW_TRACKING_URI or ./mlruns
    mlflow ui                        # then open the "prefect-hpo" experiment
"""

from __future__ import annotations

import mlflow
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from trackmw_prefect import mlflow_config, mlflow_run


@task(cache_policy=NO_CACHE)
@mlflow_run(run_mode="nested", tags={"role": "trial"})
def trial(alpha: float, seed: int = 0) -> float:
    """Fit a ridge regression with ``alpha``; return its validation error."""
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error
    from sklearn.model_selection import train_test_split

    xs, ys = make_regression(n_samples=200, n_features=8, noise=10.0, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(xs, ys, random_state=seed)
    model = Ridge(alpha=alpha).fit(x_train, y_train)
    error = float(mean_squared_error(y_val, model.predict(x_val)))
    mlflow.log_param("alpha", alpha)
    mlflow.log_metric("val_mse", error)
    return error


@flow(name="search")
@mlflow_run
def search(alphas: list[float]) -> float:
    """Run every trial concurrently and keep the best alpha."""
    errors = trial.map(alphas).result()
    best_error, best_alpha = min(zip(errors, alphas))
    mlflow.log_params({"candidates": len(alphas), "best_alpha": best_alpha})
    mlflow.log_metric("best_val_mse", best_error)
    print(f"best alpha {best_alpha} (val mse {best_error:.2f}) in run "
          f"{mlflow.active_run().info.run_id}")
    return best_alpha


def main(tracking_uri: str | None = None, alphas: tuple[float, ...] = (0.01, 1.0, 30.0, 300.0)) -> float:
    """Run the search; returns the best alpha."""
    with mlflow_config(tracking_uri=tracking_uri, experiment_name="prefect-hpo"):
        return search(list(alphas))


if __name__ == "__main__":
    main()
