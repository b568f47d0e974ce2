"""kedro-mlflow 2.x's ``mlflow.yml``, read unchanged and validated like kedro-mlflow does.

:func:`read` checks every key and value against kedro-mlflow's schema (unknown keys and bad
values raise :class:`trackmw.ConfigError` naming the key path, the value and what is allowed)
and returns a :class:`MlflowYml` with kedro-mlflow's defaults filled in.
:func:`resolve_uri` and :func:`register_header_provider` apply its ``server`` keys the way
kedro-mlflow does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlparse

from trackmw import ConfigError

__all__ = ["SCHEMA", "MlflowYml", "read", "register_header_provider", "resolve_uri"]

LAYER = "mlflow.yml"

# key -> nested schema, or (kind, default); kinds: str, opt_str, bool, list, dict, choice:a|b
SCHEMA: dict[str, Any] = {
    "server": {
        "mlflow_tracking_uri": ("opt_str", None),
        "mlflow_registry_uri": ("opt_str", None),
        "credentials": ("opt_str", None),
        "request_header_provider": {
            "type": ("opt_str", None),
            "pass_context": ("bool", False),
            "init_kwargs": ("dict", {}),
        },
    },
    "tracking": {
        "disable_tracking": {
            "pipelines": ("list", []),
            "disable_autologging": ("bool", True),
        },
        "experiment": {
            "name": ("opt_str", None),
            "create_experiment_kwargs": {
                "artifact_location": ("opt_str", None),
                "tags": ("opt_dict", None),
            },
            "restore_if_deleted": ("bool", True),
        },
        "run": {"id": ("opt_str", None), "name": ("opt_str", None), "nested": ("bool", True)},
        "params": {
            "dict_params": {
                "flatten": ("bool", False),
                "recursive": ("bool", True),
                "sep": ("str", "."),
            },
            "long_params_strategy": ("choice:fail|truncate|tag", "fail"),
        },
    },
    "ui": {"port": ("str", "5000"), "host": ("str", "127.0.0.1")},
}

_ALLOWED = {
    "str": "a string",
    "opt_str": "a string or null",
    "bool": "true | false",
    "list": "a list of strings",
    "dict": "a mapping",
    "opt_dict": "a mapping or null",
}


def _check(schema: Mapping[str, Any], raw: Any, path: str, given: set[str]) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(path or "mlflow.yml", raw, LAYER, "a mapping")
    unknown = sorted(set(raw) - set(schema))
    if unknown:
        where = f"{path}.{unknown[0]}" if path else str(unknown[0])
        raise ConfigError.unknown_key(where, LAYER, ", ".join(schema))
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        where = f"{path}.{key}" if path else key
        if isinstance(spec, dict):
            out[key] = _check(spec, raw.get(key), where, given)
            continue
        kind, default = spec
        if key not in raw:
            out[key] = default
            continue
        given.add(where)
        out[key] = _value(kind, raw[key], where)
    return out


def _value(kind: str, value: Any, where: str) -> Any:
    if kind.startswith("choice:"):
        choices = kind[len("choice:"):].split("|")
        if value in choices:
            return value
        raise ConfigError(where, value, LAYER, " | ".join(choices))
    ok = {
        "str": isinstance(value, (str, int)) and not isinstance(value, bool),
        "opt_str": value is None or isinstance(value, str),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "dict": isinstance(value, Mapping),
        "opt_dict": value is None or isinstance(value, Mapping),
    }[kind]
    if not ok:
        raise ConfigError(where, value, LAYER, _ALLOWED[kind])
    if kind == "str":
        return str(value)
    return dict(value) if isinstance(value, Mapping) else value


@dataclass(frozen=True)
class MlflowYml:
    """A validated ``mlflow.yml``: every key with kedro-mlflow's default, and the keys set."""

    values: Mapping[str, Any]
    given: frozenset[str]

    def get(self, path: str) -> Any:
        node: Any = self.values
        for part in path.split("."):
            node = node[part]
        return node


def read(raw: Any) -> MlflowYml:
    """Validate ``raw`` (the loaded ``mlflow.yml``) against kedro-mlflow 2.x's schema."""
    given: set[str] = set()
    return MlflowYml(_check(SCHEMA, raw, "", given), frozenset(given))


def resolve_uri(uri: str, project_path: Path) -> str:
    """kedro-mlflow's rule: a relative path is relative to the project, not the cwd."""
    if uri in ("databricks", "databricks-uc"):
        return uri
    if PurePath(uri).is_absolute():
        return PurePath(uri).as_uri()
    if urlparse(uri).scheme == "":
        return (Path(project_path) / uri).as_uri()
    return uri


_registered: set[str] = set()


def register_header_provider(options: Mapping[str, Any], context: Any) -> None:
    """kedro-mlflow's ``server.request_header_provider``: registered once per process."""
    kind = options.get("type") if options else None
    if not kind or kind in _registered:
        return
    from kedro.utils import load_obj
    from mlflow.tracking.request_header import registry
    from mlflow.tracking.request_header.abstract_request_header_provider import (
        RequestHeaderProvider,
    )

    cls = load_obj(kind)
    if not (isinstance(cls, type) and issubclass(cls, RequestHeaderProvider)):
        raise ConfigError("server.request_header_provider.type", kind, LAYER,
                          "a subclass of mlflow's RequestHeaderProvider")
    kwargs = dict(options.get("init_kwargs") or {})
    if options.get("pass_context"):
        kwargs["kedro_context"] = context
    registry._request_header_provider_registry.register(lambda: cls(**kwargs))
    _registered.add(kind)
