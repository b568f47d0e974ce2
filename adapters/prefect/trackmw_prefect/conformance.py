"""The conformance harness: task trees as real Prefect 3 flow runs.

Loaded by the suite only (``pytest --trackmw-adapter=prefect``); needs
``trackmw-conformance``. The root :class:`TaskSpec` becomes a ``@flow``, its descendants
``@task``s (a task calls its children as nested task runs), each under
``@mlflow_run(**config)``. Concurrent children are ``.submit()``-ed to the flow's
``ThreadPoolTaskRunner`` (sync) or awaited together with ``asyncio.gather`` (async). Run-wide
config is ``prefect.tags(*mlflow_tags(**run_config))`` around the flow call.

Flow runs go to whatever Prefect API is configured (``PREFECT_API_URL``; else Prefect's
ephemeral server, started once per process).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from trackmw_conformance.body import run_body, run_body_async
from trackmw_conformance.harness import Capability, Harness, TaskSpec

from trackmw_prefect import mlflow_run, mlflow_tags

__all__ = ["PrefectHarness"]


class PrefectHarness(Harness):
    """Runs each tree as one Prefect flow run."""

    name = "prefect"
    capabilities = Capability.ALL

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        import prefect

        with self.environment(env):
            tags = mlflow_tags(**run_config) if run_config else []
            flow: Any = prefect.flow(name=root.name, persist_result=False)(_tracked(root))
            with prefect.tags(*tags) if tags else contextlib.nullcontext():
                if root.is_async:
                    asyncio.run(flow())
                else:
                    flow()


def _tracked(spec: TaskSpec) -> Callable[..., Any]:
    """``spec``'s body under ``@mlflow_run``; its children as Prefect tasks."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    children: list[Any] = [
        task(name=child.name, cache_policy=NO_CACHE, persist_result=False)(_tracked(child))
        for child in spec.children
    ]
    body: Callable[..., Any]
    if spec.is_async:

        async def body() -> None:
            await run_body_async(spec)
            if spec.concurrent:
                await asyncio.gather(*(child() for child in children))
            else:
                for child in children:
                    await child()

    else:

        def body() -> None:
            run_body(spec)
            if spec.concurrent:
                for future in [child.submit() for child in children]:
                    future.result()
            else:
                for child in children:
                    child()

    body.__name__ = body.__qualname__ = spec.name
    return mlflow_run(**spec.config)(body)  # type: ignore[no-any-return]
