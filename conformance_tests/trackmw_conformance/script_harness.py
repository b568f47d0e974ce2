"""The harness of the built-in script adapter: tasks are ``@trackmw.track`` functions."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import trackmw
from trackmw_conformance.body import run_body, run_body_async
from trackmw_conformance.harness import Capability, Harness, TaskSpec

__all__ = ["ScriptHarness"]


class ScriptHarness(Harness):
    """Runs each task as a tracked function; concurrent children in threads or asyncio.

    A plain script's run-wide config is a ``trackmw.tracking_config`` block around it.
    """

    name = "script"
    capabilities = Capability.ALL

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        with self.environment(env), trackmw.tracking_config(**(run_config or {})):
            if root.is_async:
                asyncio.run(_call_async(root))
            else:
                _call(root)


def _call(spec: TaskSpec) -> None:
    @trackmw.track(name=spec.name, **spec.config)
    def task() -> None:
        run_body(spec)
        if spec.concurrent:
            with ThreadPoolExecutor(len(spec.children) or 1) as pool:
                futures = [
                    pool.submit(contextvars.copy_context().run, _call, c) for c in spec.children
                ]
                for future in futures:
                    future.result()
        else:
            for child in spec.children:
                _call(child)

    task()


async def _call_async(spec: TaskSpec) -> None:
    @trackmw.track(name=spec.name, **spec.config)
    async def task() -> None:
        await run_body_async(spec)
        if spec.concurrent:
            await asyncio.gather(*(_call_async(c) for c in spec.children))
        else:
            for child in spec.children:
                await _call_async(child)

    await task()
