"""Shared benchmark plumbing: a quiet temp store and a timer that reports ratios."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
         "MLFLOW_ALLOW_FILE_STORE": "true", "KEDRO_DISABLE_TELEMETRY": "true"}


def temp_store(kind: str = "sqlite") -> str:
    """A fresh store in a temp folder, set as MLFLOW_TRACKING_URI."""
    os.environ.update(QUIET)
    folder = tempfile.mkdtemp(prefix="trackmw-bench-")
    uri = f"sqlite:///{folder}/bench.db" if kind == "sqlite" else f"file://{folder}/mlruns"
    os.environ["MLFLOW_TRACKING_URI"] = uri
    return uri


def measure(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs, after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(title: str, results: dict[str, float], baseline: str, unit: str = "s") -> None:
    """Print each result and its ratio to ``baseline`` (measured in this same run)."""
    base = results[baseline]
    print(f"\n{title}")
    for name, value in results.items():
        print(f"  {name:<40} {value * 1000:9.1f} m{unit}   x{value / base:5.2f} vs {baseline}")
