"""The one place trackmw writes to MLflow: every run, param, tag, metric, artifact, status.

Batching and spooling during tracking outages belong here and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from trackmw.errors import ConfigError, TrackingError
from trackmw.links import scrub_text, scrub_uri

__all__ = ["RunWriter", "Store"]

_BATCH = 100  # MLflow's MAX_PARAMS_TAGS_PER_BATCH
_METRIC_BATCH = 1000  # MLflow's MAX_METRICS_PER_BATCH


class Store:
    """An MLflow tracking store, reached through ``MlflowClient``."""

    def __init__(self, tracking_uri: str | None, registry_uri: str | None = None) -> None:
        from mlflow import MlflowClient
        from mlflow.tracking._tracking_service.utils import _resolve_tracking_uri

        self.tracking_uri: str = _resolve_tracking_uri(tracking_uri)
        self.client = MlflowClient(self.tracking_uri, registry_uri)

    def fail(self, action: str, exc: Exception) -> TrackingError:
        """A TrackingError for ``exc`` with credentials removed (raise it ``from None``:
        MLflow's own message may hold the URI's password)."""
        detail = scrub_text(f"{type(exc).__name__}: {exc}")
        return TrackingError(f"{action} failed on {scrub_uri(self.tracking_uri)}: {detail}")

    def experiment_id(self, config: Any, layer_of: Mapping[str, str]) -> str:
        """The experiment named or id'd by ``config``: created or restored if asked."""
        client = self.client
        if config.experiment_id:
            return str(config.experiment_id)
        name = config.experiment_name
        if not name:
            from mlflow.tracking.fluent import _get_experiment_id

            return str(_get_experiment_id() or "0")
        try:
            found = client.get_experiment_by_name(name)
        except Exception as exc:  # noqa: BLE001 - any store error: a scrubbed TrackingError
            raise self.fail(f"looking up experiment {name!r}", exc) from None
        if found is None:
            if not config.create_experiment:
                raise ConfigError(
                    "experiment_name", name, layer_of.get("experiment_name", "?"),
                    "an existing experiment (or set create_experiment=true)",
                    reason="experiment does not exist",
                )
            try:
                return str(client.create_experiment(
                    name, artifact_location=config.experiment_artifact_location,
                    tags=config.experiment_tags or None))
            except Exception:  # created concurrently by a sibling
                found = client.get_experiment_by_name(name)
                if found is None:
                    raise
        if found.lifecycle_stage == "deleted":
            if not config.restore_if_deleted:
                raise ConfigError(
                    "experiment_name", name, layer_of.get("experiment_name", "?"),
                    "a live experiment (or set restore_if_deleted=true)",
                    reason="experiment is deleted",
                )
            client.restore_experiment(found.experiment_id)
        return str(found.experiment_id)

    def create_run(self, experiment_id: str, name: str, tags: Mapping[str, str]) -> Any:
        try:
            return self.client.create_run(experiment_id, run_name=name, tags=dict(tags))
        except Exception as exc:  # noqa: BLE001 - any store error: a scrubbed TrackingError
            raise self.fail("creating a run", exc) from None

    def get_run(self, run_id: str) -> Any:
        try:
            return self.client.get_run(run_id)
        except Exception as exc:  # noqa: BLE001 - any store error: a scrubbed TrackingError
            raise self.fail(f"reading run {run_id}", exc) from None

    def writer(self, run_id: str) -> RunWriter:
        return RunWriter(self, run_id)


class RunWriter:
    """Writes to one run."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store, self.run_id = store, run_id

    def log_params(self, params: Mapping[str, str]) -> None:
        from mlflow.entities import Param

        items = [Param(k, v) for k, v in params.items()]
        for i in range(0, len(items), _BATCH):
            self._batch(params=items[i : i + _BATCH])

    def set_tags(self, tags: Mapping[str, str]) -> None:
        from mlflow.entities import RunTag

        items = [RunTag(k, str(v)) for k, v in tags.items()]
        for i in range(0, len(items), _BATCH):
            self._batch(tags=items[i : i + _BATCH])

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(k, float(v), now, step or 0) for k, v in metrics.items()]
        for i in range(0, len(items), _METRIC_BATCH):
            self._batch(metrics=items[i : i + _METRIC_BATCH])

    def log_artifact(self, path: str, artifact_path: str | None = None) -> None:
        self.store.client.log_artifact(self.run_id, path, artifact_path)

    def log_artifacts(self, path: str, artifact_path: str | None = None) -> None:
        self.store.client.log_artifacts(self.run_id, path, artifact_path)

    def set_status(self, status: str) -> None:
        """RUNNING reopens the run; FINISHED/FAILED/KILLED end it."""
        client = self.store.client
        if status == "RUNNING":
            client.update_run(self.run_id, status="RUNNING")
        else:
            client.set_terminated(self.run_id, status)

    def _batch(self, **items: Any) -> None:
        self.store.client.log_batch(self.run_id, synchronous=True, **items)
