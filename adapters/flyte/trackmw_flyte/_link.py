"""The ``Mlflow`` link for ``env.task(links=[...])``: a useful MLflow URL for every action.

Flyte renders a link when it submits the action, before the action's run exists. So:

- an explicit ``link`` wins;
- a task that reuses its parent's run (``auto`` under a tracked parent) links to that run;
- a ``nested`` task links to its parent run, labelled "MLflow (parent)";
- otherwise (a root task, a ``new`` task) the link is an MLflow run search filtered on the
  Flyte run and action tags trackmw puts on the run it is about to create.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from trackmw.links import default_host, scrub_uri
from trackmw_flyte._identity import LINK_KEY, parent_ref

__all__ = ["Mlflow", "search_link"]

PARENT_LABEL = "MLflow (parent)"


@dataclass
class Mlflow:
    """MLflow UI link for Flyte tasks (implements Flyte's ``Link`` protocol)."""

    name: str = "MLflow"
    link: str = ""
    icon_uri: str = ""
    _decorator_run_mode: str = ""

    def get_link(
        self,
        run_name: str,
        project: str,
        domain: str,
        context: dict[str, str],
        parent_action_name: str,
        action_name: str,
        pod_name: str,
        **kwargs: Any,
    ) -> str:
        if self.link:
            return self.link
        context = context or {}
        mode = self._decorator_run_mode or context.get("trackmw.run_mode", "auto")
        parent_link = context.get(LINK_KEY, "")
        if parent_link and mode in ("auto", "nested"):
            return parent_link
        return search_link(context, run_name, action_name)

    def for_run_mode(self, run_mode: str | None) -> None:
        """Remember the decorator's run mode (links are rendered before the task runs)."""
        if run_mode:
            self._decorator_run_mode = run_mode
            if run_mode == "nested":
                self.name = PARENT_LABEL


def search_link(context: Mapping[str, str], run_name: str, action_name: str) -> str:
    """An MLflow UI search for the run tagged with this Flyte run and action."""
    host = context.get("trackmw.link_host") or default_host(context.get("trackmw.tracking_uri"))
    host = (scrub_uri(host) or "").rstrip("/")
    parent = parent_ref(context)
    experiment = context.get("trackmw.experiment_id") or (
        parent.experiment_id if parent and "trackmw.experiment_name" not in context else None
    )
    if experiment is None and "trackmw.experiment_name" not in context:
        experiment = "0"  # MLflow's default experiment
    query = f"tags.`flyte.run_name` = '{run_name}' and tags.`flyte.action_name` = '{action_name}'"
    if experiment is None:  # named experiment, id unknown before the run: the experiment list
        return f"{host}/#/experiments"
    # braces stay: remote Flyte fills in templates such as ``{{.actionName}}`` itself
    return f"{host}/#/experiments/{experiment}?searchFilter={quote(query, safe='{}')}"
