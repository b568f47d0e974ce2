"""Overhead of trackmw-flyte against flyteplugins-mlflow on the same Flyte task graph.

One process, one graph (a parent fanning out nested children that log params and metrics),
run as real Flyte local executions with each plugin against its own SQLite store,
interleaved so drift hits both alike. Prints the median wall time per graph and the ratio.

    python benchmarks/bench_flyte.py [--repeats 5] [--children 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from _common import QUIET, report

os.environ.update(QUIET)

import flyte
import flyteplugins.mlflow as anchor
import trackmw_flyte as candidate


def build(plugin: Any, name: str, children: int) -> Callable[..., Any]:
    """The benchmark graph decorated with ``plugin``'s ``mlflow_run``."""
    env = flyte.TaskEnvironment(name=name)

    @plugin.mlflow_run(run_mode="nested")
    @env.task
    async def child(i: int) -> float:
        import mlflow

        mlflow.log_params({"i": i, "kind": "child"})
        for step in range(10):
            mlflow.log_metric("loss", 1.0 / (step + 1 + i), step=step)
        return float(i)

    @plugin.mlflow_run
    @env.task
    async def parent(n: int) -> float:
        import mlflow

        mlflow.log_param("n", n)
        results = await asyncio.gather(*(child(i) for i in range(n)))
        mlflow.log_metric("total", sum(results))
        return sum(results)

    return parent


def timed(plugin: Any, task: Callable[..., Any], uri: str, children: int) -> float:
    context = plugin.mlflow_config(tracking_uri=uri, experiment_name="bench")
    started = time.perf_counter()
    flyte.with_runcontext(mode="local", custom_context=context.to_dict()).run(task, n=children)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--children", type=int, default=4)
    args = parser.parse_args()
    flyte.init()
    folder = tempfile.mkdtemp(prefix="trackmw-bench-flyte-")
    os.chdir(folder)  # SQLite stores put artifacts under ./mlruns
    setups = {
        "flyteplugins-mlflow": (anchor, build(anchor, "bench_anchor", args.children)),
        "trackmw-flyte": (candidate, build(candidate, "bench_trackmw", args.children)),
    }
    uris = {label: f"sqlite:///{folder}/{label}.db" for label in setups}
    times: dict[str, list[float]] = {label: [] for label in setups}
    for label, (plugin, task) in setups.items():  # warm-up: imports, store migrations
        timed(plugin, task, uris[label], args.children)
    for _ in range(args.repeats):
        for label, (plugin, task) in setups.items():
            times[label].append(timed(plugin, task, uris[label], args.children))
    medians = {label: statistics.median(values) for label, values in times.items()}
    report(f"median per graph: 1 parent + {args.children} nested children, {args.repeats} repeats",
           medians, baseline="flyteplugins-mlflow")
    ratio = medians["trackmw-flyte"] / medians["flyteplugins-mlflow"]
    print(f"overhead ratio trackmw-flyte / flyteplugins-mlflow: {ratio:.2f}x")


if __name__ == "__main__":
    main()
