"""The config model: keys, layers, validation and provenance.

Layers, lowest first: defaults < project file < environment < parent run < orchestrator
run-wide context < ``tracking_config`` block < explicit decorator arguments. Every resolved
value remembers the layer that set it.
"""

from __future__ import annotations

import contextvars
import enum
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, final

from trackmw.errors import ConfigError
from trackmw.links import scrub_uri

__all__ = [
    "CONTEXT_PREFIX",
    "DEFAULT_LINK_TEMPLATE",
    "KEYS",
    "ConfigLayer",
    "Key",
    "Level",
    "ResolvedConfig",
    "TrackingConfig",
    "defaults_layer",
    "env_layer",
    "project_layer",
    "resolve",
    "tracking_config",
]

CONTEXT_PREFIX = "trackmw."
DEFAULT_LINK_TEMPLATE = "{host}/#/experiments/{experiment_id}/runs/{run_id}"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Level(enum.IntEnum):
    """Where a layer sits; higher levels override lower ones."""

    DEFAULTS = 0
    PROJECT = 10
    ENVIRONMENT = 20
    PARENT = 30
    RUN_CONTEXT = 40
    BLOCK = 50
    EXPLICIT = 60


@dataclass(frozen=True)
class Key:
    """One config key: its type, default, allowed values and documentation."""

    name: str
    kind: str  # str | bool | int | dict | choice
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    secret: bool = False

    @property
    def allowed(self) -> str:
        if self.kind == "choice":
            return " | ".join(self.choices)
        return {
            "str": "a string",
            "bool": "true | false",
            "int": "an integer",
            "dict": "a mapping of str to str (JSON object or k=v,k2=v2)",
        }[self.kind]

    def parse(self, value: Any, layer: str) -> Any:
        """Coerce ``value`` (typed, or a string from env/context) to this key's type."""
        if value is None:
            return None
        kind = self.kind
        fail = ConfigError(self.name, "***" if self.secret else value, layer, self.allowed)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise fail
        if kind == "int":
            if isinstance(value, bool):
                raise fail
            try:
                return int(value)
            except (TypeError, ValueError):
                raise fail from None
        if kind == "choice":
            if isinstance(value, str) and value.strip().lower() in self.choices:
                return value.strip().lower()
            raise fail
        if kind == "dict":
            parsed = _parse_dict(value, fail)
            if self.name == "credentials":
                _check_credential_names(parsed, layer)
            return parsed
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
        raise fail


def _parse_dict(value: Any, fail: ConfigError) -> dict[str, Any]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise fail from None
        else:
            pairs = [p for p in text.split(",") if p.strip()]
            if any("=" not in p for p in pairs):
                raise fail
            value = dict(p.split("=", 1) for p in pairs)
            value = {k.strip(): v.strip() for k, v in value.items()}
    if not isinstance(value, Mapping):
        raise fail
    return {str(k): v if isinstance(v, (bool, int, float)) else str(v) for k, v in value.items()}


def _check_credential_names(credentials: Mapping[str, Any], layer: str) -> None:
    """Credentials are exported as env vars, where ``TRACKMW_*`` would be read as config."""
    for name in credentials:
        if name.upper().startswith(ENV_PREFIX):
            raise ConfigError("credentials", name, layer,
                              f"environment variable names outside {ENV_PREFIX}* "
                              "(trackmw reads those as config keys)", "reserved variable name")


def _keys(*keys: Key) -> dict[str, Key]:
    return {k.name: k for k in keys}


KEYS: dict[str, Key] = _keys(
    Key("tracking_uri", "str", None, "MLflow tracking URI; MLflow's own default when unset."),
    Key("registry_uri", "str", None, "MLflow model registry URI."),
    Key("experiment_name", "str", None, "Experiment by name."),
    Key("experiment_id", "str", None, "Experiment by id (strings stay strings)."),
    Key("create_experiment", "bool", True, "Create the named experiment when missing."),
    Key("restore_if_deleted", "bool", False, "Restore the named experiment when deleted."),
    Key("experiment_artifact_location", "str", None, "Artifact location of a created experiment."),
    Key("experiment_tags", "dict", {}, "Tags of a created experiment; merged like tags."),
    Key("run_name", "str", None, "Run name; the task name when unset."),
    Key("run_id", "str", None, "Resume this run instead of starting one."),
    Key("run_mode", "choice", "auto", "How to relate to a parent run.", ("auto", "new", "nested")),
    Key("tags", "dict", {}, "Run tags; merged across layers, higher layers win per tag."),
    Key("enabled", "bool", True, "false runs the body with no run at all."),
    Key("autolog", "bool", False, "Turn on MLflow autologging for the task."),
    Key("framework", "str", None, "Autolog only this flavor (sklearn, pytorch, ...)."),
    Key("log_models", "bool", True, "Autolog models."),
    Key("log_datasets", "bool", True, "Autolog datasets."),
    Key("autolog_kwargs", "dict", {}, "Extra keyword arguments for the autolog call."),
    Key("link_host", "str", None, "MLflow UI host for links."),
    Key("link_template", "str", DEFAULT_LINK_TEMPLATE, "UI link template."),
    Key("rank", "int", None, "This process's distributed rank; overrides detection."),
    Key("flatten_params", "bool", False, "Flatten dict params into one param per key."),
    Key("flatten_sep", "str", ".", "Separator between flattened keys."),
    Key("flatten_recursive", "bool", True, "Flatten nested dicts too."),
    Key(
        "long_params_strategy",
        "choice",
        "fail",
        "What to do with params over MLflow's limits.",
        ("fail", "tag", "truncate"),
    ),
    Key("credentials", "dict", {}, "Env vars exported only while the run is live.", secret=True),
)
_MERGED = frozenset({"tags", "experiment_tags", "autolog_kwargs", "credentials"})


def _check_key(name: str, layer: str) -> Key:
    try:
        return KEYS[name]
    except KeyError:
        raise ConfigError.unknown_key(name, layer, ", ".join(sorted(KEYS))) from None


@dataclass(frozen=True)
class ConfigLayer:
    """Config values from one source, already validated and typed."""

    name: str
    level: Level
    values: Mapping[str, Any]

    @classmethod
    def build(cls, name: str, level: Level, values: Mapping[str, Any]) -> ConfigLayer:
        """Validate ``values`` (typed, or strings) and drop the ones that are None."""
        parsed = {k: _check_key(k, name).parse(v, name) for k, v in values.items()}
        return cls(name, level, {k: v for k, v in parsed.items() if v is not None})

    @classmethod
    def from_context(
        cls, name: str, level: Level, mapping: Mapping[str, Any], prefix: str = CONTEXT_PREFIX
    ) -> ConfigLayer:
        """Parse the ``prefix``-ed keys of an orchestrator context (other keys are ignored)."""
        values = {k[len(prefix) :]: v for k, v in mapping.items() if k.startswith(prefix)}
        return cls.build(name, level, values)


@dataclass(frozen=True)
class ResolvedConfig:
    """The merged config for one task, with the layer that set each value."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def describe(self) -> list[tuple[str, str, str]]:
        """(key, shown value, layer) rows, secrets masked; what ``trackmw doctor`` prints."""
        rows = []
        for name, key in KEYS.items():
            value = self.values.get(name)
            if name.endswith("_uri"):
                value = scrub_uri(value)
            shown = "***" if key.secret and value else repr(value)
            rows.append((name, shown, self.sources.get(name, "defaults")))
        return rows


def defaults_layer() -> ConfigLayer:
    return ConfigLayer("defaults", Level.DEFAULTS, {k.name: k.default for k in KEYS.values()})


def resolve(layers: list[ConfigLayer]) -> ResolvedConfig:
    """Merge layers lowest level first (stable within a level)."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    level_of: dict[str, Level] = {}
    for layer in sorted(layers, key=lambda lay: lay.level):
        for name, value in layer.values.items():
            if name in _MERGED:
                value = {**values.get(name, {}), **value}
            values[name], sources[name], level_of[name] = value, layer.name, layer.level
    _pick_experiment(values, sources, level_of)
    return ResolvedConfig(values, sources)


def _pick_experiment(values: dict[str, Any], sources: dict[str, str], level_of: dict) -> None:
    """Keep only the experiment selector (name or id) set by the higher layer."""
    name, eid = values.get("experiment_name"), values.get("experiment_id")
    if name is None or eid is None:
        return
    drop = "experiment_id" if level_of["experiment_name"] > level_of["experiment_id"] else (
        "experiment_name"
    )
    values[drop] = None
    sources.pop(drop, None)


# -- the ``tracking_config`` block layer -----------------------------------------------

_blocks: contextvars.ContextVar[tuple[Mapping[str, Any], ...]] = contextvars.ContextVar(
    "trackmw_blocks", default=()
)


@final
class TrackingConfig(Mapping[str, Any]):
    """Config values as a context manager (a block layer) and as run-wide context."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(ConfigLayer.build("tracking_config", Level.BLOCK, values).values)
        self._tokens: list[contextvars.Token] = []

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {k: "***" if KEYS[k].secret else v for k, v in self._values.items()}
        return f"TrackingConfig({shown!r})"

    def __enter__(self) -> TrackingConfig:
        self._tokens.append(_blocks.set((*_blocks.get(), self._values)))
        return self

    def __exit__(self, *exc: object) -> None:
        _blocks.reset(self._tokens.pop())

    def to_context(self, prefix: str = CONTEXT_PREFIX) -> dict[str, str]:
        """A flat ``dict[str, str]`` for orchestrator contexts; typed back by the schema.

        Orchestrators store and show their contexts (Flyte's custom context, Prefect's tags),
        so secrets are refused: ``credentials``, and URIs that carry user info (a password).
        """
        for key, value in self._values.items():
            if KEYS[key].secret or (isinstance(value, str) and scrub_uri(value) != value):
                raise ConfigError(key, "***", "an orchestrator's run context",
                                  "no secrets: pass credentials through the environment or "
                                  "the decorator", "a secret cannot travel")
        return {prefix + k: _to_text(v) for k, v in self._values.items()}


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return json.dumps(dict(value), sort_keys=True)
    return str(value)


def tracking_config(**overrides: Any) -> TrackingConfig:
    """Config for everything tracked inside the ``with`` block, below explicit arguments.

    The value is also run-wide config: pass ``cfg.to_context()`` to an orchestrator's context.
    """
    return TrackingConfig(overrides)


def block_layers() -> list[ConfigLayer]:
    """The active ``tracking_config`` blocks, innermost last."""
    return [ConfigLayer("tracking_config block", Level.BLOCK, vals) for vals in _blocks.get()]


# -- environment ------------------------------------------------------------------------

ENV_PREFIX = "TRACKMW_"
_MLFLOW_ENV = {
    "MLFLOW_TRACKING_URI": "tracking_uri",
    "MLFLOW_REGISTRY_URI": "registry_uri",
    "MLFLOW_EXPERIMENT_NAME": "experiment_name",
    "MLFLOW_EXPERIMENT_ID": "experiment_id",
    "MLFLOW_RUN_ID": "run_id",
}
#: ``TRACKMW_*`` variables that are not config keys.
RESERVED_ENV = frozenset({"TRACKMW_DISABLE_PLUGINS", "TRACKMW_CONFORMANCE_OUT"})


def env_layer(environ: Mapping[str, str] | None = None) -> ConfigLayer:
    """``MLFLOW_*`` variables, then ``TRACKMW_<KEY>`` (which win over them)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {k: environ[e] for e, k in _MLFLOW_ENV.items() if environ.get(e)}
    for var, text in environ.items():
        if var.startswith(ENV_PREFIX) and var not in RESERVED_ENV:
            values[_check_key(var[len(ENV_PREFIX) :].lower(), f"env {var}").name] = text
    return ConfigLayer.build("environment", Level.ENVIRONMENT, values)


# -- project file -----------------------------------------------------------------------

_project_cache: dict[str, tuple[int, ConfigLayer]] = {}


def find_pyproject(start: str | None = None) -> str | None:
    """The nearest ``pyproject.toml`` from ``start`` (the working directory) upwards."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def project_layer(start: str | None = None) -> ConfigLayer | None:
    """``[tool.trackmw]`` of the nearest pyproject.toml, cached by modification time."""
    path = find_pyproject(start)
    if path is None:
        return None
    mtime = os.stat(path).st_mtime_ns
    cached = _project_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    layer = ConfigLayer.build(f"{path} [tool.trackmw]", Level.PROJECT, _read_tool_table(path))
    _project_cache[path] = (mtime, layer)
    return layer


def _read_tool_table(path: str) -> Mapping[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return data.get("tool", {}).get("trackmw", {})


def explicit_layer(values: Mapping[str, Any]) -> ConfigLayer:
    return ConfigLayer.build("explicit arguments", Level.EXPLICIT, values)

