"""Param preparation: flattening dicts and MLflow's key/value limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackmw.errors import ParamError

__all__ = ["MAX_KEY_LENGTH", "MAX_VALUE_LENGTH", "flatten", "prepare_params"]

# MLflow's limits (mlflow.utils.validation.MAX_PARAM_VAL_LENGTH / MAX_ENTITY_KEY_LENGTH);
# kept here so preparing params never imports mlflow. A test checks they match.
MAX_VALUE_LENGTH = 6000
MAX_KEY_LENGTH = 250
MAX_TAG_VALUE_LENGTH = 8000


def flatten(params: Mapping[str, Any], sep: str = ".", recursive: bool = True) -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; one level only unless ``recursive``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping) and value:
            inner = flatten(value, sep, recursive) if recursive else value
            for sub, subvalue in inner.items():
                out[f"{key}{sep}{sub}"] = subvalue
        else:
            out[str(key)] = value
    return out


def prepare_params(
    params: Mapping[str, Any],
    *,
    flatten_params: bool = False,
    sep: str = ".",
    recursive: bool = True,
    strategy: str = "fail",
) -> tuple[dict[str, str], dict[str, str]]:
    """Split ``params`` into (params, tags) that fit MLflow's limits under ``strategy``.

    ``fail`` raises :class:`ParamError` naming the key; ``tag`` moves a long value to a tag
    ``param.<key>``; ``truncate`` cuts it to the limit. Keys over the limit always fail.
    """
    items = flatten(params, sep, recursive) if flatten_params else dict(params)
    kept: dict[str, str] = {}
    tags: dict[str, str] = {}
    for key, raw in items.items():
        key, value = str(key), str(raw)
        if len(key) > MAX_KEY_LENGTH:
            raise ParamError(
                f"param key {key[:40]!r}... is {len(key)} characters; MLflow allows "
                f"{MAX_KEY_LENGTH}"
            )
        if len(value) <= MAX_VALUE_LENGTH:
            kept[key] = value
        elif strategy == "truncate":
            kept[key] = value[:MAX_VALUE_LENGTH]
        elif strategy == "tag":
            tags[f"param.{key}"[:MAX_KEY_LENGTH]] = value[:MAX_TAG_VALUE_LENGTH]
        else:
            raise ParamError(
                f"param {key!r} is {len(value)} characters; MLflow allows {MAX_VALUE_LENGTH}. "
                "Set long_params_strategy to 'tag' or 'truncate' to keep it."
            )
    return kept, tags
