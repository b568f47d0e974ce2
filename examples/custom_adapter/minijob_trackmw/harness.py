"""minijob's conformance harness: run TaskSpec trees as real minijob runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import minijob
from trackmw_conformance import Capability, Harness, TaskSpec, run_body

import trackmw

__all__ = ["MiniJobHarness"]


class MiniJobHarness(Harness):
    """minijob has no async jobs, so async specs run as plain ones (and CANCEL is skipped)."""

    name = "minijob"
    capabilities = Capability.ALL - {Capability.CANCEL}

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        settings = trackmw.tracking_config(**(run_config or {})).to_context()
        runner = minijob.Runner(settings)
        with self.environment(env):
            runner.call(_job(runner, root))


def _job(runner: minijob.Runner, spec: TaskSpec) -> Any:
    @trackmw.track(**spec.config)
    def job() -> None:
        run_body(spec)
        if spec.concurrent:
            runner.map(_job(runner, child) for child in spec.children)
        else:
            for child in spec.children:
                runner.call(_job(runner, child))

    job.__name__ = spec.name
    return job
