"""trackmw-prefect through the shared conformance suite, as real Prefect flow runs.

Also runnable as ``pytest --trackmw-adapter=prefect`` (the harness entry point).
"""

from __future__ import annotations

from trackmw_conformance import ConformanceTests
from trackmw_prefect.conformance import PrefectHarness


class TestPrefectConformance(ConformanceTests):
    harness = PrefectHarness()
