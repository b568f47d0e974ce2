"""Carry a flow's MLflow run to task runs in process-pool workers.

A ``ProcessPoolTaskRunner`` worker gets neither contextvars nor MLflow's run stack: only
Prefect's serialized context and a copy of ``os.environ``, both cached at the flow's first
submit. A flow's run is therefore published in ``os.environ`` under a name keyed by the
Prefect flow run id, before the flow body can submit anything; the worker finds it through
the flow run id in its hydrated ``FlowRunContext``. Unlike a bare ``BAGGAGE`` variable this
never names another flow's run when several flows run in one process.
"""

from __future__ import annotations

import os
from typing import Any

from trackmw import ParentRef, Run, env_overlays, parse_baggage, propagation_env

__all__ = ["ENV_PREFIX", "carried_parent", "publish", "withdraw"]

#: Not ``TRACKMW_``: every ``TRACKMW_*`` variable is read as a config key.
ENV_PREFIX = "TRACKMWPREFECT_RUN_"


def _variable(flow_run_id: Any) -> str:
    return ENV_PREFIX + str(flow_run_id).replace("-", "")


def publish(run: Run, flow_run_id: Any) -> object:
    """Export ``run`` for task runs of flow run ``flow_run_id``; returns a handle."""
    return env_overlays.push({_variable(flow_run_id): propagation_env(run)["BAGGAGE"]})


def withdraw(handle: object) -> None:
    env_overlays.pop(handle)


def carried_parent(flow_run: Any) -> ParentRef | None:
    """The run the flow ``flow_run`` published, seen from one of its task runs."""
    if flow_run is None:
        return None
    return parse_baggage(os.environ.get(_variable(flow_run.id), ""))
