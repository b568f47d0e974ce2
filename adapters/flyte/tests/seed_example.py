"""A flyteplugins-mlflow 2.x style workflow, written against ``flyteplugins.mlflow``.

test_migration.py swaps the one import line for ``trackmw_flyte`` and runs it unchanged.
"""

import flyte
from flyteplugins.mlflow import Mlflow, get_mlflow_run, mlflow_config, mlflow_run

env = flyte.TaskEnvironment(name="seed-example")


@mlflow_run(autolog=True, framework="sklearn", log_models=False)
@env.task(links=(Mlflow(),))
async def train(n_samples: int = 60) -> float:
    from sklearn.linear_model import LogisticRegression

    xs = [[float(i % 7), float(i % 3)] for i in range(n_samples)]
    ys = [int(x[0] + x[1] > 4) for x in xs]
    model = LogisticRegression(max_iter=200).fit(xs, ys)
    return float(model.score(xs, ys))


@mlflow_run(run_mode="nested", tags={"kind": "trial"})
@env.task(links=(Mlflow(),))
async def trial(c: float) -> float:
    import mlflow

    mlflow.log_param("c", c)
    loss = (c - 0.3) ** 2
    mlflow.log_metric("loss", loss)
    return loss


@mlflow_run
@env.task
async def evaluate() -> None:
    import mlflow

    mlflow.log_metric("evaluated", 1.0)


@mlflow_run
@env.task
async def pipeline(n_samples: int = 60) -> float:
    import mlflow

    run = get_mlflow_run()
    mlflow.log_param("n_samples", n_samples)
    accuracy = await train(n_samples=n_samples)
    mlflow.log_metric("accuracy", accuracy)
    losses = [await trial(c=c) for c in (0.1, 0.3, 0.5)]
    with mlflow_config(run_mode="new", experiment_id=run.info.experiment_id, tags={"step": "eval"}):
        await evaluate()
    return min(losses)
