"""The public handle on a tracked run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trackmw.links import Link, scrub_uri
from trackmw.params import prepare_params
from trackmw.task import ParentRef

if TYPE_CHECKING:
    from trackmw._writer import RunWriter
    from trackmw.config import ResolvedConfig

__all__ = ["Run"]


class Run:
    """A live MLflow run bound to one tracked task. Every write goes to *this* run."""

    def __init__(
        self,
        *,
        run_id: str,
        experiment_id: str,
        name: str,
        parent_run_id: str | None,
        tracking_uri: str,
        writer: RunWriter,
        config: ResolvedConfig,
    ) -> None:
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.name = name
        self.parent_run_id = parent_run_id
        self.link: Link | None = None
        self._tracking_uri = tracking_uri
        self._writer = writer
        self._config = config

    def __repr__(self) -> str:
        return f"<trackmw.Run {self.run_id} experiment={self.experiment_id} name={self.name!r}>"

    @property
    def tracking_uri(self) -> str | None:
        """The store's URI without credentials."""
        return scrub_uri(self._tracking_uri)

    def as_parent(self) -> ParentRef:
        """This run as the parent of tasks run from here (e.g. in an orchestrator's threads)."""
        return ParentRef(self.run_id, self.experiment_id, self._tracking_uri, local=True)

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log params, flattened and bounded per the task's config."""
        cfg = self._config
        kept, tags = prepare_params(
            params,
            flatten_params=cfg.flatten_params,
            sep=cfg.flatten_sep,
            recursive=cfg.flatten_recursive,
            strategy=cfg.long_params_strategy,
        )
        self._writer.log_params(kept)
        if tags:
            self._writer.set_tags(tags)

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        self._writer.log_metrics({key: value}, step)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        self._writer.log_metrics(metrics, step)

    def set_tag(self, key: str, value: Any) -> None:
        self._writer.set_tags({key: str(value)})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self._writer.set_tags({k: str(v) for k, v in tags.items()})

    def log_artifact(self, local_path: str, artifact_path: str | None = None) -> None:
        self._writer.log_artifact(local_path, artifact_path)

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        self._writer.log_artifacts(local_dir, artifact_path)
