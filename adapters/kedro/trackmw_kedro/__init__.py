"""trackmw for Kedro 1.x: kedro-mlflow's ``mlflow.yml`` on the trackmw engine.

Installing ``trackmw-kedro`` registers :data:`trackmw_hook` through the ``kedro.hooks``
entry point: every ``kedro run`` becomes one MLflow run (nodes reuse it, or get nested child
runs), configured by the project's unchanged ``conf/<env>/mlflow.yml`` plus an optional
``conf/<env>/trackmw.yml``. ``import trackmw_kedro`` imports neither mlflow nor Kedro (the
hooks load on first use), so trackmw's own plugin entry point stays free for non-Kedro code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trackmw_kedro.hooks import TrackmwHook, trackmw_hook

__all__ = ["TrackmwHook", "trackmw_hook"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from trackmw_kedro import hooks

        return getattr(hooks, name)
    raise AttributeError(f"module 'trackmw_kedro' has no attribute {name!r}")
