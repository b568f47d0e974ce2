"""Overhead of trackmw-kedro against kedro-mlflow on the same Kedro pipeline.

One process, one project (a copy of ``examples/kedro``: three nodes, flattened params,
metrics), the same ``mlflow.yml``; each plugin in turn is the only active hook (the other one
switched off with ``DISABLE_HOOKS_FOR_PLUGINS``) and writes to its own SQLite store, runs
interleaved so drift hits both alike. Prints the median wall time per ``KedroSession.run``
and the ratio.

    python benchmarks/bench_kedro.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import QUIET, report

os.environ.update(QUIET)

EXAMPLE = Path(__file__).parents[1] / "examples" / "kedro"
PACKAGE = "kedro_trackmw_example"
DISABLE = {"kedro-mlflow": "trackmw-kedro", "trackmw-kedro": "kedro_mlflow"}


def configure(project: Path, plugin: str, uri: str) -> None:
    """Make ``plugin`` the project's only tracking hook, logging to ``uri``."""
    (project / "src" / PACKAGE / "settings.py").write_text(
        f"DISABLE_HOOKS_FOR_PLUGINS = ({DISABLE[plugin]!r},)\n")
    yml = (EXAMPLE / "conf" / "base" / "mlflow.yml").read_text()
    (project / "conf" / "base" / "mlflow.yml").write_text(
        yml.replace("mlflow_tracking_uri: mlruns", f"mlflow_tracking_uri: {uri}"))
    sys.modules.pop(f"{PACKAGE}.settings", None)


def timed(project: Path) -> float:
    import mlflow
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    bootstrap_project(project)
    started = time.perf_counter()
    with KedroSession.create(project_path=project) as session:
        session.run()
    elapsed = time.perf_counter() - started
    # kedro-mlflow leaves its run active and its store as MLflow's global tracking URI
    # (also in os.environ); a new `kedro run` process would start clean, so start clean
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_EXPERIMENT_ID"):
        os.environ.pop(name, None)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)  # Kedro's per-node log lines would dominate the timing
    folder = Path(tempfile.mkdtemp(prefix="trackmw-bench-kedro-"))
    os.chdir(folder)  # SQLite stores put artifacts under ./mlruns
    project = shutil.copytree(EXAMPLE, folder / "project",
                              ignore=shutil.ignore_patterns("mlruns", "__pycache__"))
    (project / "conf" / "base" / "trackmw.yml").unlink()  # one run each, like kedro-mlflow
    uris = {plugin: f"sqlite:///{folder / plugin}.db" for plugin in DISABLE}
    times: dict[str, list[float]] = {plugin: [] for plugin in DISABLE}
    for repeat in range(args.repeats + 1):  # the first round warms up (imports, migrations)
        for plugin in DISABLE:
            configure(project, plugin, uris[plugin])
            elapsed = timed(project)
            if repeat:
                times[plugin].append(elapsed)
    from mlflow import MlflowClient

    for plugin, uri in uris.items():  # both really tracked every session
        client = MlflowClient(uri)
        found = client.search_runs([e.experiment_id for e in client.search_experiments()])
        assert len(found) == args.repeats + 1, f"{plugin} recorded {len(found)} runs"
    medians = {plugin: statistics.median(values) for plugin, values in times.items()}
    report(f"median per KedroSession.run: 3 nodes, {args.repeats} repeats", medians,
           baseline="kedro-mlflow")
    ratio = medians["trackmw-kedro"] / medians["kedro-mlflow"]
    print(f"overhead ratio trackmw-kedro / kedro-mlflow: {ratio:.2f}x")


if __name__ == "__main__":
    main()
