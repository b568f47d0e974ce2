"""trackmw's conformance suite: one set of scenarios every adapter must pass.

Subclass :class:`ConformanceTests` with your :class:`Harness`, or run
``pytest --trackmw-adapter=NAME``.
"""

from __future__ import annotations

from trackmw_conformance.body import ConformanceError, run_body, run_body_async
from trackmw_conformance.harness import Capability, Harness, Step, TaskSpec
from trackmw_conformance.suite import ConformanceTests
from trackmw_conformance.world import World

__all__ = [
    "Capability",
    "ConformanceError",
    "ConformanceTests",
    "Harness",
    "Step",
    "TaskSpec",
    "World",
    "run_body",
    "run_body_async",
]
