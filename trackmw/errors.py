"""Exceptions raised by trackmw."""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "ParamError", "TrackingError", "TrackmwError"]


class TrackmwError(Exception):
    """Base class of every trackmw error."""


class ConfigError(TrackmwError, ValueError):
    """A config key or value is invalid; raised before any run is created."""

    def __init__(
        self, key: str, value: Any, layer: str, allowed: str, reason: str = "invalid value"
    ) -> None:
        self.key, self.value, self.layer, self.allowed = key, value, layer, allowed
        super().__init__(f"{reason} for {key!r}: {value!r} (from {layer}); allowed: {allowed}")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable: it crosses process pools
        return _restore, (type(self), self.args, self.__dict__)

    @classmethod
    def unknown_key(cls, key: str, layer: str, allowed: str) -> ConfigError:
        error = cls(key, key, layer, allowed)
        error.args = (f"unknown config key {key!r} (from {layer}); allowed keys: {allowed}",)
        return error


def _restore(cls: type[Exception], args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ParamError(TrackmwError, ValueError):
    """A param exceeds MLflow's limits under ``long_params_strategy='fail'``."""


class TrackingError(TrackmwError, RuntimeError):
    """The tracking store could not be reached or refused a write."""
