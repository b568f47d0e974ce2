"""A small real Kedro project, written to a temp folder and run with real ``KedroSession``s.

Pipelines (node functions live in the project's package, so spawned workers import them):

- ``train``: ``split(params:split)`` -> ``fit(params:model)`` -> ``score(parameters)``, plus an
  independent ``audit(params:audit)`` branch (so ParallelRunner runs nodes side by side);
- ``broken``: ``split`` -> ``explode`` (raises ``ValueError("explode-node")``);
- ``interrupted``: ``split`` -> ``interrupt`` (raises ``KeyboardInterrupt``);
- ``long`` / ``env_param``: one node whose input is ``params:long`` / ``params:env``;
- ``creds``: one node logging whether a credential env var is visible;
- ``other``: the same nodes as ``train``, under another name.
"""

from __future__ import annotations

import itertools
import os
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_ids = itertools.count()

NODES = '''
import time


def split(split):
    time.sleep(0.05)
    return {"rows": split["rows"], "test": split["test_size"]}


def fit(data, model):
    import mlflow

    time.sleep(0.05)
    mlflow.log_metric("rows", data["rows"])
    return model["alpha"] * data["rows"]


def score(fitted, parameters):
    import mlflow

    mlflow.log_metric("score", float(fitted))
    return True


def audit(audit):
    time.sleep(0.05)
    return audit["owner"]


def explode(data):
    raise ValueError("explode-node")


def interrupt(data):
    raise KeyboardInterrupt


def long_param(long):
    return len(long)


def read_token(token_name):
    import os

    import mlflow

    mlflow.log_param("token_seen", os.environ.get(token_name) == "s3cret")
    return True
'''

REGISTRY = '''
from kedro.pipeline import Pipeline, node

from {package} import nodes


def register_pipelines():
    train = Pipeline([
        node(nodes.split, "params:split", "data", name="split"),
        node(nodes.fit, ["data", "params:model"], "fitted", name="fit"),
        node(nodes.score, ["fitted", "parameters"], "scored", name="score"),
        node(nodes.audit, "params:audit", "audited", name="audit"),
    ])
    broken = Pipeline([
        node(nodes.split, "params:split", "data", name="split"),
        node(nodes.explode, "data", "never", name="explode"),
    ])
    interrupted = Pipeline([
        node(nodes.split, "params:split", "data", name="split"),
        node(nodes.interrupt, "data", "never", name="interrupt"),
    ])
    long = Pipeline([node(nodes.long_param, "params:long", "length", name="long_param")])
    env = Pipeline([node(nodes.long_param, "params:env", "length", name="env_param")])
    creds = Pipeline([node(nodes.read_token, "params:token_name", "read", name="read_token")])
    return {{"__default__": train, "train": train, "broken": broken, "long": long,
             "other": train, "env_param": env, "creds": creds, "interrupted": interrupted}}
'''

PARAMETERS = {
    "split": {"rows": 40, "test_size": 0.25},
    "model": {"alpha": 0.5, "solver": {"name": "lbfgs", "tol": 0.001}},
    "audit": {"owner": "ml-team"},
    "long": "x",
    "env": "x",
    "token_name": "KEDRO_TRACKMW_TEST_TOKEN",
}


def write_project(
    root: Path,
    *,
    mlflow_yml: Mapping[str, Any] | None = None,
    trackmw_yml: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    plugins: str = "trackmw",
    credentials: Mapping[str, Any] | None = None,
    settings: str = "",
) -> Path:
    """Write the project; ``plugins``: which tracking hook is active: ``trackmw``,
    ``kedro-mlflow`` or ``both``."""
    package = f"kedro_defects_{os.getpid()}_{next(_ids)}"
    disabled = {"trackmw": ("kedro_mlflow",), "kedro-mlflow": ("trackmw-kedro",),
                "both": ()}[plugins]
    files = {
        "pyproject.toml": f"""
            [tool.kedro]
            package_name = "{package}"
            project_name = "defects"
            kedro_init_version = "1.0.0"
            source_dir = "src"
            """,
        "conf/base/catalog.yml": "{}\n",
        "conf/local/.keep": "",
        f"src/{package}/__init__.py": "",
        f"src/{package}/nodes.py": NODES,
        f"src/{package}/pipeline_registry.py": REGISTRY.format(package=package),
        f"src/{package}/settings.py": f"DISABLE_HOOKS_FOR_PLUGINS = {disabled!r}\n{settings}",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    dump = {"parameters.yml": {**PARAMETERS, **(parameters or {})}}
    if mlflow_yml is not None:
        dump["mlflow.yml"] = mlflow_yml
    if trackmw_yml is not None:
        dump["trackmw.yml"] = trackmw_yml
    if credentials is not None:
        dump["credentials.yml"] = credentials
    for name, data in dump.items():
        folder = root / "conf" / ("local" if name == "credentials.yml" else "base")
        (folder / name).write_text(yaml.safe_dump(dict(data)))
    return root


def run(
    project: Path, pipeline: str = "train", runner: str = "sequential", **run_kw: Any
) -> dict[str, Any]:
    """``kedro run --pipelines=<pipeline> --runner=<runner>`` in this process."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project
    from kedro.runner import ParallelRunner, SequentialRunner, ThreadRunner

    bootstrap_project(project)
    runners = {"sequential": SequentialRunner, "thread": ThreadRunner,
               "parallel": ParallelRunner}
    with KedroSession.create(project_path=project) as session:
        return session.run(pipeline_names=[pipeline], runner=runners[runner](), **run_kw)


def forget_project(project: Path) -> None:
    """Drop the project's modules and ``sys.path`` entry after a test."""
    src = str(project / "src")
    while src in sys.path:
        sys.path.remove(src)
    for name in [m for m in sys.modules if m.startswith("kedro_defects_")]:
        del sys.modules[name]


def reset_kedro_mlflow() -> None:
    """kedro-mlflow leaves runs active and sets MLflow's global tracking URI and experiment
    (in ``os.environ`` too): undo all of it, as a new ``kedro run`` process would start."""
    import mlflow

    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_EXPERIMENT_ID"):
        os.environ.pop(name, None)


def runs_of(client: Any, experiment: str = "defects") -> list[Any]:
    """Every run of ``experiment`` (all stages), oldest first."""
    from mlflow.entities import ViewType

    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    runs = client.search_runs([found.experiment_id], run_view_type=ViewType.ALL)
    return sorted(runs, key=lambda r: r.info.start_time)


def all_runs(client: Any) -> list[Any]:
    """Every run in every experiment of the store (stray runs included)."""
    from mlflow.entities import ViewType

    ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL)]
    return client.search_runs(ids, run_view_type=ViewType.ALL) if ids else []
