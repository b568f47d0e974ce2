"""Overhead of trackmw-prefect against hand-written ``mlflow.start_run`` code in Prefect 3.

One process, one local Prefect API (``prefect_test_harness``), one flow shape: a parent flow
whose run holds a param and a metric, calling ``--children`` tasks one after another, each
logging params and ten metric steps into its own nested run. Three variants run interleaved,
each against its own SQLite store: Prefect alone (no MLflow), hand-written MLflow code
(``mlflow.start_run(parent_run_id=...)`` in each task), and ``@mlflow_run``. Prints the
median wall time per flow, the ratio, and the overhead per task.

    python benchmarks/bench_prefect.py [--repeats 5] [--children 8]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from _common import QUIET, report

os.environ.update(QUIET)
os.environ.update({
    "PREFECT_HOME": tempfile.mkdtemp(prefix="trackmw-bench-prefect-home-"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
})

import mlflow
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import temporary_settings
from prefect.testing.utilities import prefect_test_harness
from trackmw_prefect import mlflow_config, mlflow_run

quick = {"cache_policy": NO_CACHE, "persist_result": False}


def child_body(i: int) -> float:
    mlflow.log_params({"i": i, "kind": "child"})
    for step in range(10):
        mlflow.log_metric("loss", 1.0 / (step + 1 + i), step=step)
    return float(i)


# -- Prefect alone -------------------------------------------------------------------------


@task(**quick)
def bare_child(i: int) -> float:
    return float(i)


@flow(persist_result=False)
def bare_parent(n: int) -> float:
    return sum(bare_child(i) for i in range(n))


# -- hand-written MLflow ---------------------------------------------------------------------


@task(**quick)
def manual_child(i: int, parent_run_id: str) -> float:
    with mlflow.start_run(run_name="child", parent_run_id=parent_run_id, nested=True):
        return child_body(i)


@flow(persist_result=False)
def manual_parent(n: int) -> float:
    with mlflow.start_run(run_name="parent", experiment_id=experiment_id("bench")) as run:
        mlflow.log_param("n", n)
        total = sum(manual_child(i, run.info.run_id) for i in range(n))
        mlflow.log_metric("total", total)
    return total


def experiment_id(name: str) -> str:
    found = mlflow.get_experiment_by_name(name)
    return found.experiment_id if found else mlflow.create_experiment(name)


# -- trackmw-prefect -------------------------------------------------------------------------


@task(**quick)
@mlflow_run(run_mode="nested")
def tracked_child(i: int) -> float:
    return child_body(i)


@flow(persist_result=False)
@mlflow_run
def tracked_parent(n: int) -> float:
    mlflow.log_param("n", n)
    total = sum(tracked_child(i) for i in range(n))
    mlflow.log_metric("total", total)
    return total


def timed(parent: Callable[[int], float], uri: str, children: int) -> float:
    started = time.perf_counter()
    if parent is tracked_parent:
        with mlflow_config(tracking_uri=uri, experiment_name="bench"):
            parent(children)
    else:
        mlflow.set_tracking_uri(uri)
        parent(children)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--children", type=int, default=8)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="trackmw-bench-prefect-")
    os.chdir(folder)  # SQLite stores put artifacts under ./mlruns
    setups: dict[str, Any] = {
        "prefect alone": bare_parent,
        "hand-written mlflow.start_run": manual_parent,
        "trackmw-prefect": tracked_parent,
    }
    uris = {label: f"sqlite:///{folder}/{i}.db" for i, label in enumerate(setups)}
    times: dict[str, list[float]] = {label: [] for label in setups}
    with temporary_settings(updates={"flows.heartbeat_frequency": None}), \
            prefect_test_harness(server_startup_timeout=90):
        for label, parent in setups.items():  # warm-up: imports, store migrations
            timed(parent, uris[label], args.children)
        for _ in range(args.repeats):
            for label, parent in setups.items():
                times[label].append(timed(parent, uris[label], args.children))
    medians = {label: statistics.median(values) for label, values in times.items()}
    report(f"median per flow: 1 parent + {args.children} nested child tasks, "
           f"{args.repeats} repeats", medians, baseline="hand-written mlflow.start_run")
    manual, tracked = medians["hand-written mlflow.start_run"], medians["trackmw-prefect"]
    print(f"overhead ratio trackmw-prefect / hand-written: {tracked / manual:.2f}x")
    print(f"overhead per task: {(tracked - manual) / (args.children + 1) * 1000:+.1f} ms "
          f"(MLflow itself: {(manual - medians['prefect alone']) / (args.children + 1) * 1000:.1f}"
          " ms per task)")


if __name__ == "__main__":
    main()
