"""The project's pipelines."""

from __future__ import annotations

from kedro.pipeline import Pipeline, node

from kedro_trackmw_example.nodes import evaluate, make_data, train_model


def register_pipelines() -> dict[str, Pipeline]:
    training = Pipeline([
        node(make_data, "params:data", "dataset", name="make_data"),
        node(train_model, ["dataset", "params:model"], "weights", name="train_model"),
        node(evaluate, ["dataset", "weights"], "test_rmse", name="evaluate"),
    ])
    return {"__default__": training, "training": training}
