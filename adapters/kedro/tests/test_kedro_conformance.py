"""trackmw-kedro through the shared conformance suite, as real ``KedroSession`` runs.

Also runnable as ``pytest --trackmw-adapter=kedro`` (the harness entry point).
"""

from __future__ import annotations

from trackmw_conformance import ConformanceTests
from trackmw_kedro.conformance import KedroHarness


class TestKedroConformance(ConformanceTests):
    harness = KedroHarness()


class TestKedroParallelRunnerConformance(ConformanceTests):
    """The same scenarios on a ``ParallelRunner`` (the platform's default start method), on
    the SQLite store only: each node runs in a worker process."""

    harness = KedroHarness(runner="parallel")
    stores = ("sqlite",)
    tier = "parallel"
