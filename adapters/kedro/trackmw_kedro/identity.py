"""Which Kedro task is running: a pipeline run (a session's ``run``) or one node of it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from trackmw import ParentRef, TaskInfo

__all__ = [
    "ADAPTER", "kedro_command", "node_task", "pipeline_names", "pipeline_task", "runner_name",
]

ADAPTER = "kedro"


def pipeline_names(run_params: Mapping[str, Any]) -> list[str]:
    names = run_params.get("pipeline_names") or run_params.get("pipeline_name") or ["__default__"]
    return [names] if isinstance(names, str) else list(names)


def kedro_command(run_params: Mapping[str, Any]) -> str:
    """The ``kedro run`` command line that reproduces this run."""
    parts = ["kedro", "run"]
    env = run_params.get("env")
    if env:
        parts.append(f"--env={env}")
    options = [("pipeline_names", "--pipelines"), ("tags", "--tags"), ("node_names", "--nodes"),
               ("from_nodes", "--from-nodes"), ("to_nodes", "--to-nodes"),
               ("from_inputs", "--from-inputs"), ("to_outputs", "--to-outputs"),
               ("namespaces", "--namespaces")]
    for key, flag in options:
        value = run_params.get(key)
        if value:
            parts.append(f"{flag}={','.join(value)}")
    if run_params.get("load_versions"):
        versions = ",".join(f"{k}:{v}" for k, v in run_params["load_versions"].items())
        parts.append(f"--load-versions={versions}")
    if run_params.get("runtime_params"):
        params = ",".join(f"{k}={v}" for k, v in run_params["runtime_params"].items())
        parts.append(f"--params={params}")
    runner = runner_name(run_params)
    if runner != "SequentialRunner":
        parts.append(f"--runner={runner}")
    return " ".join(parts)


def runner_name(run_params: Mapping[str, Any]) -> str:
    """The runner's class name (Kedro records ``str(runner)``; None means sequential)."""
    found = re.search(r"(\w+Runner)\b", str(run_params.get("runner") or ""))
    return found.group(1) if found else "SequentialRunner"


def pipeline_task(run_params: Mapping[str, Any], env: str | None) -> TaskInfo:
    """The pipeline run's task: named like kedro-mlflow's runs (``pipeline+pipeline``).
    ``env`` is the Kedro env in effect (``run_params`` holds only an explicit one)."""
    names = pipeline_names(run_params)
    session_id = str(run_params.get("run_id") or "")
    tags = {
        "kedro.session_id": session_id,
        "kedro.pipeline_names": ",".join(names),
        "kedro.env": str(run_params.get("env") or env or ""),
        "kedro.version": str(run_params.get("kedro_version") or ""),
        "kedro.command": kedro_command(run_params),
        "kedro.runner": runner_name(run_params),
        "kedro.project_path": str(run_params.get("project_path") or ""),
    }
    return TaskInfo(adapter=ADAPTER, name="+".join(names), id=session_id or None,
                    tags={k: v for k, v in tags.items() if v})


def node_task(node_name: str, session_id: str | None, parent: ParentRef | None) -> TaskInfo:
    tags = {"kedro.node": node_name, **({"kedro.session_id": session_id} if session_id else {})}
    return TaskInfo(adapter=ADAPTER, name=node_name,
                    id=f"{session_id}:{node_name}" if session_id else node_name,
                    parent_id=session_id, tags=tags, parent_run=parent)
