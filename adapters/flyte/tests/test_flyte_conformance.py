"""trackmw-flyte through the shared conformance suite, as real Flyte local executions.

Also runnable as ``pytest --trackmw-adapter=flyte`` (the harness entry point).
"""

from __future__ import annotations

from trackmw_conformance import ConformanceTests
from trackmw_flyte.conformance import FlyteHarness


class TestFlyteConformance(ConformanceTests):
    harness = FlyteHarness()
