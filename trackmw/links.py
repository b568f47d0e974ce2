"""UI links: ``link_host`` + ``link_template``, formatted with documented fields only."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from trackmw.errors import ConfigError

__all__ = [
    "LINK_FIELDS", "Link", "check_template", "format_link", "scrub_text", "scrub_uri", "ui_link"
]

#: The only names a link template may use.
LINK_FIELDS = ("host", "experiment_id", "run_id", "run_name", "task")
DEFAULT_UI_HOST = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Link:
    """A URL with the label an orchestrator UI shows for it."""

    url: str
    label: str = "MLflow"


def check_template(template: str, layer: str = "link_template") -> None:
    """Reject templates that use unknown fields, attribute or index access, or conversions."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError("link_template", template, layer, _allowed(), str(exc)) from None
    for _text, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in LINK_FIELDS or spec or conversion:
            raise ConfigError(
                "link_template", template, layer, _allowed(), f"field {{{name}}} not allowed"
            )


def _allowed() -> str:
    return "a template using only " + ", ".join("{" + f + "}" for f in LINK_FIELDS)


def format_link(template: str, **fields: Any) -> str:
    check_template(template)
    return template.format(**{f: "" if fields.get(f) is None else fields[f] for f in LINK_FIELDS})


def ui_link(
    config: Any,
    *,
    experiment_id: str,
    run_id: str | None = None,
    parent_run_id: str | None = None,
    run_name: str | None = None,
    task: str | None = None,
) -> Link | None:
    """The UI link for a run. Where the run id is not known yet (a nested task seen at
    submit time) it links to ``parent_run_id``, labelled ``MLflow (parent)``."""
    target, label = (run_id, "MLflow") if run_id else (parent_run_id, "MLflow (parent)")
    if not target:
        return None
    host = (scrub_uri(config.link_host) or default_host(config.tracking_uri)).rstrip("/")
    url = format_link(config.link_template, host=host, experiment_id=experiment_id,
                      run_id=target, run_name=run_name, task=task)
    return Link(url, label)


def scrub_uri(uri: str | None) -> str | None:
    """``uri`` without user info or query (where credentials hide)."""
    if not uri:
        return uri
    parts = urlsplit(uri)
    if "@" not in parts.netloc and not parts.query:
        return uri
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host, query=""))


_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")


def scrub_text(text: str) -> str:
    """``text`` with the user info of every URL in it removed."""
    return _USERINFO.sub("", text)


def default_host(tracking_uri: str | None) -> str:
    """The UI host for a store: an http(s) tracking server itself, else a local ``mlflow ui``."""
    if tracking_uri and tracking_uri.startswith(("http://", "https://")):
        return (scrub_uri(tracking_uri) or "").rstrip("/")
    return DEFAULT_UI_HOST
