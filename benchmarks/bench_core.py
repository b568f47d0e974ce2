"""Overhead of trackmw's core against raw MLflow, measured in one run on one SQLite store.

    python benchmarks/bench_core.py [--tasks 20]

Not a timed test: it prints numbers and ratios, it asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from _common import measure, report, temp_store

PARAMS = {f"p{i}": i for i in range(5)}
METRICS = {f"m{i}": float(i) for i in range(10)}


def repeat(task: object, times: int) -> None:
    for _ in range(times):
        task()  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--store", choices=["sqlite", "file"], default="sqlite")
    args = parser.parse_args()
    temp_store(args.store)
    import mlflow

    import trackmw

    mlflow.set_experiment("bench")

    def raw() -> None:
        for _ in range(args.tasks):
            with mlflow.start_run():
                mlflow.log_params(PARAMS)
                mlflow.log_metrics(METRICS)

    @trackmw.track(experiment_name="bench")
    def fluent_task() -> None:
        mlflow.log_params(PARAMS)
        mlflow.log_metrics(METRICS)

    @trackmw.track(experiment_name="bench")
    def run_api_task() -> None:
        run = trackmw.active_run()
        assert run is not None
        run.log_params(PARAMS)
        run.log_metrics(METRICS)

    @trackmw.track(experiment_name="bench", rank=1)
    def gated_task() -> None:
        pass

    results = {
        "raw mlflow.start_run": measure(raw),
        "trackmw @track + mlflow.log_*": measure(lambda: repeat(fluent_task, args.tasks)),
        "trackmw @track + Run.log_*": measure(lambda: repeat(run_api_task, args.tasks)),
        "trackmw @track on a gated rank": measure(lambda: repeat(gated_task, args.tasks)),
    }
    report(f"{args.tasks} tasks, 5 params + 10 metrics each ({args.store})", results,
           "raw mlflow.start_run")
    imports = {
        name: measure(lambda code=code: subprocess.run([sys.executable, "-c", code], check=True),
                      repeat=3)
        for name, code in {"python -c pass": "pass", "import mlflow": "import mlflow",
                           "import trackmw": "import trackmw"}.items()
    }
    report("cold interpreter + import", imports, "import mlflow")


if __name__ == "__main__":
    main()
