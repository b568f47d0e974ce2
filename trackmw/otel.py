"""Each run as an OpenTelemetry span, when an SDK tracer provider is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trackmw.run import Run
    from trackmw.task import TaskInfo

__all__ = ["TRACE_ID_TAG", "end_span", "start_span", "trace_id_hex"]

TRACE_ID_TAG = "trackmw.trace_id"


def start_span(run: Run, task: TaskInfo) -> Any:
    """Start a span for ``run``; None (and no cost) without an SDK tracer provider."""
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return None
    span = provider.get_tracer("trackmw").start_span(
        f"trackmw {task.name}",
        attributes={
            "trackmw.run_id": run.run_id,
            "trackmw.experiment_id": run.experiment_id,
            "trackmw.adapter": task.adapter,
            "trackmw.task": task.name,
        },
    )
    return span


def end_span(span: Any, status: str, error: BaseException | None) -> None:
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("trackmw.status", status)
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


def trace_id_hex(span: Any) -> str:
    return format(span.get_span_context().trace_id, "032x")
