"""UI links: ``link_host`` + ``link_template``, formatted with documented fields only."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from trackmw.errors import ConfigError

__all__ = ["LINK_FIELDS", "Link", "check_template", "format_link", "scrub_uri"]

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
    return "a template using only " + ", ".join("{%s}" % f for f in LINK_FIELDS)


def format_link(template: str, **fields: Any) -> str:
    check_template(template)
    return template.format(**{f: "" if fields.get(f) is None else fields[f] for f in LINK_FIELDS})


def scrub_uri(uri: str | None) -> str | None:
    """``uri`` without user info or query (where credentials hide)."""
    if not uri:
        return uri
    parts = urlsplit(uri)
    if "@" not in parts.netloc and not parts.query:
        return uri
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host, query=""))


def default_host(tracking_uri: str | None) -> str:
    """The UI host for a store: an http(s) tracking server itself, else a local ``mlflow ui``."""
    if tracking_uri and tracking_uri.startswith(("http://", "https://")):
        return (scrub_uri(tracking_uri) or "").rstrip("/")
    return DEFAULT_UI_HOST
