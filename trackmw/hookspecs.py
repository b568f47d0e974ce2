"""Every hook trackmw calls, in lifecycle order. Names and arguments are the public contract.

Implement them in a module or class marked with :data:`trackmw.hookimpl` and register it
through the ``trackmw`` entry-point group. The core's own behaviour is a set of default
plugins called after every adapter and user plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from trackmw.config import ConfigLayer, ResolvedConfig
    from trackmw.links import Link
    from trackmw.plan import RunPlan
    from trackmw.run import Run
    from trackmw.task import ParentRef, TaskInfo

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("trackmw")
hookimpl = pluggy.HookimplMarker("trackmw")


@hookspec(firstresult=True)
def trackmw_task_info(fn: Callable[..., Any] | None) -> TaskInfo | None:
    """Which orchestrator task is running ``fn`` (None for a ``with`` block).

    Return None when not inside your orchestrator; the first answer wins. The built-in
    fallback names the task after ``fn`` (or ``"run"``).
    """


@hookspec
def trackmw_resolve_config(
    task: TaskInfo, layers: Sequence[ConfigLayer]
) -> list[ConfigLayer] | ConfigLayer | None:
    """Add config layers for ``task``; ``layers`` are those known so far (read only).

    Each returned layer is merged at its own :class:`~trackmw.Level`, so an orchestrator's
    run-wide context (``Level.RUN_CONTEXT``) overrides the environment and is overridden
    by ``tracking_config`` blocks and decorator arguments.
    """


@hookspec(firstresult=True)
def trackmw_gate_by_rank(task: TaskInfo, config: ResolvedConfig) -> int | None:
    """This process's distributed rank, or None when unknown (rank 0 is assumed).

    Only called when ``config.rank`` is unset: an explicit rank always wins. Any rank but 0
    runs the body with no run and without importing mlflow.
    """


@hookspec(firstresult=True)
def trackmw_choose_run_mode(
    task: TaskInfo, config: ResolvedConfig, parent: ParentRef | None
) -> RunPlan | None:
    """The run plan for ``task``: reuse, new, nested, resume or off.

    ``parent`` is the run found in the caller's context, from the orchestrator, or from
    ``BAGGAGE`` in the environment, in that order of preference.
    """


@hookspec(firstresult=True)
def trackmw_build_link(run: Run, config: ResolvedConfig, task: TaskInfo) -> Link | None:
    """The UI link for ``run``; the default formats ``link_template`` with ``link_host``."""


@hookspec
def trackmw_run_started(run: Run, task: TaskInfo) -> None:
    """``run`` is live and bound; attach orchestrator links, artifacts or spans here."""


@hookspec
def trackmw_run_ended(
    run: Run, status: str, error: BaseException | None, task: TaskInfo
) -> None:
    """``run`` ended with ``status`` (FINISHED, FAILED, KILLED) because of ``error``.

    Called for reused runs too (their status stays with their owner).
    """
