"""The conformance harness: task trees as real Flyte 2 local executions.

Loaded by the suite only (``pytest --trackmw-adapter=flyte``); needs ``trackmw-conformance``.
Each :class:`TaskSpec` becomes an ``env.task`` named after it under ``@mlflow_run(**config)``;
children are called from the parent's body (``asyncio.gather`` or threads when concurrent);
run-wide config goes in ``flyte.with_runcontext(custom_context=mlflow_config(...))``.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from trackmw_conformance.body import run_body, run_body_async
from trackmw_conformance.harness import Capability, Harness, TaskSpec

from trackmw_flyte import mlflow_config, mlflow_run

__all__ = ["FlyteHarness"]

_envs = itertools.count()
_init_lock = threading.Lock()
_initialised = False


class FlyteHarness(Harness):
    """Runs each tree as one ``flyte.with_runcontext(mode="local")`` run."""

    name = "flyte"
    capabilities = Capability.ALL - {Capability.INTERRUPT}  # see docs/adapters/flyte.md

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        import flyte

        with self.environment(env):
            _init()
            task_env = flyte.TaskEnvironment(name=f"conformance{next(_envs)}")
            task = _task(task_env, root)
            context = mlflow_config(**run_config).to_dict() if run_config else {}
            flyte.with_runcontext(mode="local", custom_context=context).run(task)


def _init() -> None:
    global _initialised
    with _init_lock:
        if not _initialised:
            import flyte

            flyte.init()
            _initialised = True


def _task(env: Any, spec: TaskSpec) -> Any:
    """``spec`` as a tracked Flyte task that calls its children's tasks."""
    children = [_task(env, child) for child in spec.children]
    body: Callable[[], Any]
    if spec.is_async:

        async def body() -> None:
            await run_body_async(spec)
            if spec.concurrent:
                await asyncio.gather(*(child.aio() for child in children))
            else:
                for child in children:
                    await child.aio()

    else:

        def body() -> None:
            run_body(spec)
            if spec.concurrent and children:
                with ThreadPoolExecutor(len(children)) as pool:
                    calls = [pool.submit(contextvars.copy_context().run, c) for c in children]
                    for call in calls:
                        call.result()
            else:
                for child in children:
                    child()

    body.__name__ = body.__qualname__ = spec.name
    return mlflow_run(**spec.config)(env.task(body))
