"""Built-in config layers: defaults, ``[tool.trackmw]`` and the environment."""

from __future__ import annotations

from collections.abc import Sequence

from trackmw import config
from trackmw.config import ConfigLayer
from trackmw.hookspecs import hookimpl
from trackmw.task import TaskInfo


@hookimpl(trylast=True)
def trackmw_resolve_config(task: TaskInfo, layers: Sequence[ConfigLayer]) -> list[ConfigLayer]:
    found = [config.defaults_layer(), config.project_layer(), config.env_layer()]
    return [layer for layer in found if layer is not None]
