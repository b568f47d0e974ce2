"""The harness an adapter provides to run the conformance suite in its orchestrator."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = ["Capability", "Harness", "Step", "TaskSpec"]


class Capability:
    """Names of optional behaviours; a scenario needing one a harness lacks is skipped."""

    CONCURRENT_SIBLINGS = "concurrent_siblings"  # children can run at the same time
    RUN_CONTEXT = "run_context"  # run-wide config the orchestrator's own way
    INTERRUPT = "interrupt"  # a KeyboardInterrupt in a body reaches the engine
    CANCEL = "cancel"  # an asyncio.CancelledError in an async body reaches the engine
    NESTED_TREE = "nested_tree"  # children of children (depth > 2)
    LINKS = "links"  # the orchestrator shows a link to the run
    AUTOLOG = "autolog"  # bodies may fit a scikit-learn model
    ALL: ClassVar[frozenset[str]]  # every capability: ``Capability.ALL - {Capability.X}``


Capability.ALL = frozenset(
    value for name, value in vars(Capability).items() if name.isupper() and isinstance(value, str)
)


@dataclass(frozen=True)
class Step:
    """One action a task body performs; plain data so it crosses process boundaries.

    ops: ``log_param(key, value)`` and ``log_metric(key, value)`` via MLflow's fluent API,
    ``run_param(key, value)`` via ``trackmw.active_run().log_param``, ``raise(message)``
    (raises :class:`ConformanceError`), ``interrupt()`` (KeyboardInterrupt), ``cancel()``
    (asyncio.CancelledError), ``sleep(seconds)``, ``fit()`` (a small scikit-learn fit).
    """

    op: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TaskSpec:
    """A task in a tree: its trackmw config, what its body does, and its children.

    A harness runs ``trackmw_conformance.body.run_body(spec)`` as the task's body, then the
    children (each as its own orchestrator task, called from this one), concurrently when
    ``concurrent`` is true.
    """

    name: str
    config: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    children: tuple[TaskSpec, ...] = ()
    concurrent: bool = False
    is_async: bool = False

    def walk(self) -> Iterator[TaskSpec]:
        yield self
        for child in self.children:
            yield from child.walk()


class Harness:
    """Runs task trees in one orchestrator. Subclass it in your adapter's conftest.

    Override :meth:`run`. ``capabilities`` lists what the orchestrator supports; the
    scenarios that need a missing one are skipped with that reason.
    """

    name: ClassVar[str] = "harness"
    capabilities: ClassVar[frozenset[str]] = frozenset()

    def run(
        self,
        root: TaskSpec,
        *,
        run_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Run ``root`` and its children for real; raise what the orchestrator raises.

        ``run_config`` is run-wide trackmw config, set the orchestrator's own way when the
        harness has ``Capability.RUN_CONTEXT``. ``env`` holds variables (``RANK`` ...) the
        tasks must see; :meth:`environment` applies them.
        """
        raise NotImplementedError

    @staticmethod
    @contextlib.contextmanager
    def environment(env: Mapping[str, str] | None) -> Iterator[None]:
        """Set ``env`` in ``os.environ`` for the duration, then restore it exactly."""
        saved = {key: os.environ.get(key) for key in env or {}}
        os.environ.update(env or {})
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
