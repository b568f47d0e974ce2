"""One scenario's world: a store, a fresh experiment, and ways to read results back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["World"]


@dataclass
class World:
    """Where a scenario's runs go and how to read them back with ``MlflowClient``."""

    store: str
    tracking_uri: str
    experiment_name: str
    out: Path

    @property
    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(self.tracking_uri)

    def experiment_id(self, name: str | None = None) -> str | None:
        found = self.client.get_experiment_by_name(name or self.experiment_name)
        return None if found is None else str(found.experiment_id)

    def runs(self, experiment: str | None = None) -> list[Any]:
        """Every run of the scenario's experiment (or ``experiment``), oldest first."""
        eid = self.experiment_id(experiment)
        if eid is None:
            return []
        from mlflow.entities import ViewType

        found = self.client.search_runs([eid], run_view_type=ViewType.ALL, max_results=1000)
        return sorted(found, key=lambda r: r.info.start_time)

    def one_run(self, **where: str) -> Any:
        """The single run whose tags match ``where`` (e.g. ``task="parent"``)."""
        matching = [r for r in self.runs() if _matches(r, where)]
        assert len(matching) == 1, f"expected 1 run with {where}, found {len(matching)}"
        return matching[0]

    def by_task(self) -> dict[str, Any]:
        """Runs keyed by their ``trackmw.task`` tag (one run per task expected)."""
        runs: dict[str, Any] = {}
        for run in self.runs():
            task = run.data.tags.get("trackmw.task", "?")
            assert task not in runs, f"two runs for task {task!r}"
            runs[task] = run
        return runs

    def seen(self, task: str) -> dict[str, Any]:
        """What task ``task``'s body observed (it must have run)."""
        path = self.out / f"{task}.json"
        assert path.exists(), f"the body of task {task!r} never ran"
        return json.loads(path.read_text())  # type: ignore[no-any-return]

    def all_seen(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.out.glob("*.json")):
            yield json.loads(path.read_text())


def _matches(run: Any, where: dict[str, str]) -> bool:
    tags = run.data.tags
    return all(tags.get(f"trackmw.{k}") == v for k, v in where.items())
