"""Hyperparameter search on Flyte 2 with trackmw-flyte.

The parent task fans out one nested trial task per candidate, all at once with
``asyncio.gather``; each trial trains a small scikit-learn model in its own MLflow run (tagged
``mlflow.parentRunId``), and the parent logs the best trial into its own run.

    python examples/flyte/hpo.py   # MLflow's default store: MLFLOW_TRACKING_URI or ./mlflow.db
    mlflow ui                      # then open the "flyte-hpo" experiment
"""

from __future__ import annotations

import asyncio

import flyte
from trackmw_flyte import Mlflow, get_mlflow_run, mlflow_config, mlflow_run

env = flyte.TaskEnvironment(name="flyte-hpo")


@mlflow_run(run_mode="nested", tags={"role": "trial"})
@env.task(links=[Mlflow()])
async def trial(alpha: float, seed: int = 0) -> float:
    """Fit a ridge regression with ``alpha``; return its validation error."""
    import mlflow
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


@mlflow_run
@env.task(links=[Mlflow()])
async def search(alphas: list[float]) -> float:
    """Run every trial concurrently and keep the best alpha."""
    import mlflow

    errors = await asyncio.gather(*(trial(alpha=a) for a in alphas))
    best_error, best_alpha = min(zip(errors, alphas))
    mlflow.log_params({"candidates": len(alphas), "best_alpha": best_alpha})
    mlflow.log_metric("best_val_mse", best_error)
    run = get_mlflow_run()
    print(f"best alpha {best_alpha} (val mse {best_error:.2f}) in run {run.info.run_id}")
    return best_alpha


def main(tracking_uri: str | None = None, alphas: tuple[float, ...] = (0.01, 1.0, 30.0, 300.0)) -> float:
    """Run the search locally; returns the best alpha."""
    flyte.init()
    context = mlflow_config(tracking_uri=tracking_uri, experiment_name="flyte-hpo")
    run = flyte.with_runcontext(mode="local", custom_context=context).run(search, alphas=list(alphas))
    return float(run.outputs()[0])


if __name__ == "__main__":
    main()
