"""``mlflow_config``: run-wide config for Flyte's ``custom_context`` and a local override block."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from trackmw import ConfigError, ConfigLayer, Level, TrackingConfig, tracking_config
from trackmw.config import KEYS
from trackmw_flyte._identity import custom_context

__all__ = ["CONTEXT_LAYER", "MlflowConfig", "context_layer", "get_mlflow_context", "mlflow_config"]

CONTEXT_LAYER = "flyte custom_context"


class MlflowConfig(Mapping[str, str]):
    """trackmw config as Flyte's ``custom_context`` (``{"trackmw.key": "text"}``).

    Read values as attributes (``cfg.run_name``; None when unset). As a context manager it
    overrides config for tasks called inside the block: the block applies to child actions in
    this process, and the same keys travel in the custom context to remote child actions.
    """

    def __init__(self, config: TrackingConfig) -> None:
        self._config = config
        self._flat = config.to_context()
        self._entered: list[contextlib.ExitStack] = []

    def __getitem__(self, key: str) -> str:
        return self._flat[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat)

    def __len__(self) -> int:
        return len(self._flat)

    def __repr__(self) -> str:
        return f"mlflow_config({self._config!r})"

    def __getattr__(self, name: str) -> Any:
        if name in KEYS:
            return self._config.get(name)
        raise AttributeError(name)

    def to_dict(self) -> dict[str, str]:
        """The custom-context form as a plain dict (flyteplugins-mlflow's name for it)."""
        return dict(self._flat)

    def __enter__(self) -> MlflowConfig:  # noqa: PYI034 - Python 3.10 has no typing.Self
        import flyte

        stack = contextlib.ExitStack()
        stack.enter_context(self._config)
        stack.enter_context(flyte.custom_context(**self._flat))
        self._entered.append(stack)
        return self

    def __exit__(self, *exc: object) -> None:
        self._entered.pop().close()


def mlflow_config(
    tracking_uri: str | None = None,
    experiment_name: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
    run_mode: str | None = None,
    autolog: bool | None = None,
    framework: str | None = None,
    log_models: bool | None = None,
    log_datasets: bool | None = None,
    autolog_kwargs: Mapping[str, Any] | None = None,
    link_host: str | None = None,
    link_template: str | None = None,
    **config: Any,
) -> MlflowConfig:
    """Config for a whole Flyte run or a block: same arguments as flyteplugins' ``mlflow_config``.

    Any other trackmw key (``flatten_params``, ``long_params_strategy``, ...) is accepted too;
    an unknown key raises :class:`trackmw.ConfigError` naming the allowed keys. Only the
    arguments you pass are set, so unset ones never override a lower layer.
    """
    named = {
        "tracking_uri": tracking_uri, "experiment_name": experiment_name,
        "experiment_id": experiment_id, "run_name": run_name, "run_id": run_id, "tags": tags,
        "run_mode": run_mode, "autolog": autolog, "framework": framework,
        "log_models": log_models, "log_datasets": log_datasets,
        "autolog_kwargs": autolog_kwargs, "link_host": link_host, "link_template": link_template,
    }
    values = {**{k: v for k, v in named.items() if v is not None}, **config}
    check_exclusive(values, "mlflow_config")
    return MlflowConfig(tracking_config(**values))


def check_exclusive(values: Mapping[str, Any], layer: str) -> None:
    """Reject the pairs flyteplugins-mlflow rejects (one experiment, one run selector)."""
    for first, second in (("experiment_name", "experiment_id"), ("run_name", "run_id")):
        if values.get(first) is not None and values.get(second) is not None:
            raise ConfigError(second, values[second], layer, f"{first} or {second}, not both",
                              reason="conflicting keys")


def context_layer(context: Mapping[str, str]) -> ConfigLayer:
    """The ``trackmw.*`` keys of a Flyte custom context as a run-context layer.

    Strings keep their declared types (``experiment_id="123"`` stays a string); other keys
    (``mlflow_*`` included) are not ours and are ignored; an unknown ``trackmw.*`` key raises
    :class:`trackmw.ConfigError`.
    """
    return ConfigLayer.from_context(CONTEXT_LAYER, Level.RUN_CONTEXT, context)


def get_mlflow_context() -> MlflowConfig | None:
    """The run-wide config in the running action's custom context, or None when it has none."""
    layer = context_layer(custom_context())
    return MlflowConfig(TrackingConfig(layer.values)) if layer.values else None
