"""A Kedro project's tracking config as trackmw layers.

Sources, lowest first:

- ``conf/<env>/mlflow.yml`` (kedro-mlflow's file, read unchanged): ``Level.PROJECT``;
- ``[tool.trackmw]`` of the project's ``pyproject.toml``: ``Level.PROJECT``;
- the environment (``MLFLOW_*``, ``TRACKMW_*``), added by the core;
- the top-level keys of ``conf/<env>/trackmw.yml`` (run-wide, per Kedro env, with Kedro's
  resolvers such as ``${runtime_params:...}``): ``Level.RUN_CONTEXT``;
- its ``pipelines.<name>`` and ``nodes.<name>`` sections, for one pipeline run or one node:
  ``Level.EXPLICIT`` (the most specific word a Kedro user can write for a task).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackmw import ConfigError, ConfigLayer, Level
from trackmw.config import find_pyproject, project_layer
from trackmw_kedro import mlflow_yml

__all__ = ["CONFIG_PATTERNS", "ProjectConfig", "from_context"]

CONFIG_PATTERNS = {
    "mlflow": ["mlflow*", "mlflow*/**", "**/mlflow*"],
    "trackmw": ["trackmw*", "trackmw*/**", "**/trackmw*"],
}
SECTIONS = ("pipelines", "nodes")
#: Keys of the run-wide section that name the pipeline's own run, never a node's.
PIPELINE_ONLY = frozenset({"run_id", "run_name"})


@dataclass(frozen=True)
class ProjectConfig:
    """Everything the hooks need, validated when the Kedro context is created."""

    project_path: str
    package_name: str | None
    env: str | None
    shared: tuple[ConfigLayer, ...] = ()  # mlflow.yml: for the pipeline run and every node
    pipeline_only: tuple[ConfigLayer, ...] = ()  # run id / name from mlflow.yml
    pyproject: tuple[ConfigLayer, ...] = ()  # the project's [tool.trackmw], above mlflow.yml
    run_context: Mapping[str, Any] = field(default_factory=dict)
    pipelines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    nodes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    disabled_pipelines: tuple[str, ...] = ()
    header_provider: Mapping[str, Any] = field(default_factory=dict)

    def pipeline_layers(self, names: list[str]) -> list[ConfigLayer]:
        layers = [*self.shared, *self.pipeline_only, *self.pyproject,
                  self._context_layer(PIPELINE_ONLY)]
        if all(name in self.disabled_pipelines for name in names):
            layers.append(ConfigLayer.build("mlflow.yml tracking.disable_tracking",
                                            Level.PROJECT, {"enabled": False}))
        for name in names:
            if name in self.pipelines:
                layers.append(_section("pipelines", name, self.pipelines[name]))
        return layers

    def node_layers(
        self, node: str, pipelines: list[str]
    ) -> tuple[list[ConfigLayer], ConfigLayer | None]:
        """(layers, explicit layer) for node ``node`` of a run of ``pipelines``.

        The node inherits the run-wide keys and its pipelines' sections (both as run
        context, without ``run_id``/``run_name``); its own ``nodes.<name>`` is explicit.
        """
        layers = [*self.shared, *self.pyproject, self._context_layer(frozenset())]
        for name in pipelines:
            if name in self.pipelines:
                inherited = {k: v for k, v in self.pipelines[name].items()
                             if k not in PIPELINE_ONLY}
                layers.append(ConfigLayer.build(f"kedro conf trackmw.yml pipelines.{name}",
                                                Level.RUN_CONTEXT, inherited))
        explicit = _section("nodes", node, self.nodes[node]) if node in self.nodes else None
        return layers, explicit

    def _context_layer(self, keep: frozenset[str]) -> ConfigLayer:
        values = {k: v for k, v in self.run_context.items() if k not in PIPELINE_ONLY or k in keep}
        return ConfigLayer.build("kedro conf trackmw.yml", Level.RUN_CONTEXT, values)

    # -- crossing into ParallelRunner workers (which never see the Kedro context) ---------
    def to_json(self) -> str:
        """The node-relevant config, without secrets (credentials travel as env vars)."""
        shared = [{"name": lay.name, "level": int(lay.level),
                   "values": {k: v for k, v in lay.values.items() if k != "credentials"}}
                  for lay in (*self.shared, *self.pyproject)]
        return json.dumps({"project_path": self.project_path, "package_name": self.package_name,
                           "env": self.env, "shared": shared, "run_context": self.run_context,
                           "pipelines": self.pipelines, "nodes": self.nodes}, default=str)

    @classmethod
    def from_json(cls, text: str) -> ProjectConfig:
        data = json.loads(text)
        shared = tuple(ConfigLayer.build(d["name"], Level(d["level"]), d["values"])
                       for d in data["shared"])
        return cls(data["project_path"], data["package_name"], data["env"], shared=shared,
                   run_context=data["run_context"], pipelines=data["pipelines"],
                   nodes=data["nodes"])


def _section(kind: str, name: str, values: Mapping[str, Any]) -> ConfigLayer:
    return ConfigLayer.build(f"kedro conf trackmw.yml {kind}.{name}", Level.EXPLICIT, values)


def from_context(context: Any) -> ProjectConfig:
    """Read and validate the project's tracking config from a ``KedroContext``."""
    loader = context.config_loader
    for name, patterns in CONFIG_PATTERNS.items():
        loader.config_patterns.setdefault(name, patterns)
    project_path = Path(context.project_path)
    package = getattr(context, "_package_name", None)
    shared: list[ConfigLayer] = []
    pyproject: list[ConfigLayer] = []
    path = find_pyproject(str(project_path))
    if path and path != find_pyproject():  # the core reads the cwd's one
        pyproject = [layer for layer in [project_layer(str(project_path))] if layer]
    raw_mlflow = _load(loader, "mlflow")
    pipeline_only: list[ConfigLayer] = []
    extra: dict[str, Any] = {}
    if raw_mlflow is not None:
        parsed = mlflow_yml.read(raw_mlflow)
        values, run_values = _mlflow_values(parsed, project_path, package, loader)
        shared.append(ConfigLayer.build(mlflow_yml.LAYER, Level.PROJECT, values))
        pipeline_only.append(ConfigLayer.build(mlflow_yml.LAYER, Level.PROJECT, run_values))
        extra["disabled_pipelines"] = tuple(parsed.get("tracking.disable_tracking.pipelines"))
        extra["header_provider"] = parsed.get("server.request_header_provider")
    run_context, sections = _trackmw_section(_load(loader, "trackmw") or {})
    return ProjectConfig(
        project_path=str(project_path), package_name=package,
        env=context.env or getattr(loader, "default_run_env", None),
        shared=tuple(shared), pipeline_only=tuple(pipeline_only), pyproject=tuple(pyproject),
        run_context=run_context,
        pipelines=sections["pipelines"], nodes=sections["nodes"], **extra,
    )


def _load(loader: Any, name: str) -> Any:
    from kedro.config import MissingConfigException

    try:
        return loader[name]
    except MissingConfigException:
        return None


def _mlflow_values(
    parsed: mlflow_yml.MlflowYml, project_path: Path, package: str | None, loader: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """trackmw keys for every task, and for the pipeline run only (kedro-mlflow's defaults)."""
    get = parsed.get
    uri = get("server.mlflow_tracking_uri")
    registry = get("server.mlflow_registry_uri")
    values: dict[str, Any] = {
        # kedro-mlflow: MLFLOW_TRACKING_URI, else ./mlruns *of the project*; the environment
        # layer sits above this one, so a default here only applies when it is unset
        "tracking_uri": mlflow_yml.resolve_uri(uri or "mlruns", project_path),
        "registry_uri": mlflow_yml.resolve_uri(registry, project_path) if registry else None,
        "experiment_name": get("tracking.experiment.name") or package,
        "restore_if_deleted": get("tracking.experiment.restore_if_deleted"),
        "experiment_tags": get("tracking.experiment.create_experiment_kwargs.tags"),
        "flatten_params": get("tracking.params.dict_params.flatten"),
        "flatten_recursive": get("tracking.params.dict_params.recursive"),
        "flatten_sep": get("tracking.params.dict_params.sep"),
        "long_params_strategy": get("tracking.params.long_params_strategy"),
    }
    location = get("tracking.experiment.create_experiment_kwargs.artifact_location")
    if location:
        values["experiment_artifact_location"] = mlflow_yml.resolve_uri(location, project_path)
    if {"ui.host", "ui.port"} & parsed.given:
        values["link_host"] = f"http://{get('ui.host')}:{get('ui.port')}"
    credentials = get("server.credentials")
    if credentials:
        found = (_load(loader, "credentials") or {}).get(credentials)
        if not isinstance(found, Mapping):
            raise ConfigError("server.credentials", credentials, mlflow_yml.LAYER,
                              "the name of a mapping in credentials.yml")
        values["credentials"] = {str(k): str(v) for k, v in found.items()}
    return values, {"run_id": get("tracking.run.id"), "run_name": get("tracking.run.name")}


def _trackmw_section(
    raw: Any,
) -> tuple[dict[str, Any], dict[str, dict[str, dict[str, Any]]]]:
    """Split ``trackmw.yml`` into run-wide keys and per-pipeline / per-node sections,
    validating each (so a typo fails when the context is created, before any run)."""
    if not isinstance(raw, Mapping):
        raise ConfigError("trackmw", raw, "kedro conf trackmw.yml", "a mapping")
    run_context = {k: v for k, v in raw.items() if k not in SECTIONS}
    ConfigLayer.build("kedro conf trackmw.yml", Level.RUN_CONTEXT, run_context)
    sections: dict[str, dict[str, dict[str, Any]]] = {}
    for kind in SECTIONS:
        entries = raw.get(kind) or {}
        if not isinstance(entries, Mapping) or not all(
            isinstance(v, Mapping) for v in entries.values()
        ):
            raise ConfigError(kind, entries, "kedro conf trackmw.yml",
                              f"a mapping of {kind[:-1]} name to trackmw keys")
        for name, values in entries.items():
            _section(kind, str(name), values)
        sections[kind] = {str(k): dict(v) for k, v in entries.items()}
    return run_context, sections
