"""Make data, fit a ridge regression in closed form, evaluate it."""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np


def make_data(data: dict[str, Any]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(data["seed"])
    x = rng.uniform(-1, 1, size=(data["rows"], 3))
    y = x @ np.array([2.0, -1.0, 0.5]) + rng.normal(0, data["noise"], data["rows"])
    split = int(0.8 * data["rows"])
    return {"x_train": x[:split], "y_train": y[:split], "x_test": x[split:], "y_test": y[split:]}


def train_model(dataset: dict[str, np.ndarray], model: dict[str, Any]) -> np.ndarray:
    x, y = dataset["x_train"], dataset["y_train"]
    weights = np.linalg.solve(x.T @ x + model["alpha"] * np.eye(x.shape[1]), x.T @ y)
    mlflow.log_metric("train_rmse", float(np.sqrt(np.mean((x @ weights - y) ** 2))))
    return weights


def evaluate(dataset: dict[str, np.ndarray], weights: np.ndarray) -> float:
    error = dataset["x_test"] @ weights - dataset["y_test"]
    rmse = float(np.sqrt(np.mean(error**2)))
    mlflow.log_metric("test_rmse", rmse)
    return rmse
