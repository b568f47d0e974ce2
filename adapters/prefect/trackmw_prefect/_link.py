"""Links both ways: a Prefect link artifact to the MLflow run, and the Prefect run's UI page
on the MLflow run (``trackmw.orchestrator_link``, set from :class:`trackmw.TaskInfo`)."""

from __future__ import annotations

import warnings

from trackmw import Run, TrackingWarning
from trackmw_prefect._identity import PrefectRun

__all__ = ["attach_link"]


def attach_link(run: Run, here: PrefectRun) -> None:
    """Create a link artifact to ``run`` on the running Prefect task or flow run.

    Link artifacts need only the Prefect API (the ephemeral one works). A failure warns and
    never fails the task.
    """
    if run.link is None:
        return
    from prefect.artifacts import create_link_artifact

    kind = "task" if here.is_task else "flow"
    try:
        create_link_artifact(  # type: ignore[call-arg]
            link=run.link.url,
            link_text=f"{run.link.label}: {run.name}",
            description=f"MLflow run `{run.run_id}` of this {kind} run "
                        f"(experiment `{run.experiment_id}`).",
            _sync=True,
        )
    except Exception as exc:  # noqa: BLE001 - the task's result matters more than a link
        warnings.warn(f"trackmw: no Prefect link artifact for run {run.run_id} ({exc})",
                      TrackingWarning, stacklevel=2)
