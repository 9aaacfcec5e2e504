"""The browser report schema: validation with a reason per field, then a scrubbed Capture.

Types are checked strictly (a wrong type is a 400 naming the field); lengths are not refused
but truncated, so a long message still arrives.
"""

import re
from typing import Any

from django.http import HttpRequest

from academy.client import client_ip
from academy.errors import DomainError
from incidents.capture import Capture
from incidents.fingerprints import entities_from_kwargs, resolve_url
from incidents.models import ENTITY_KINDS, Source
from incidents.scrub import SHORT_CHARS, TRACEBACK_CHARS, URL_CHARS, cap_payload, clean

KINDS = ("http", "network", "js", "rejection")
TOP_LEVEL = {"kind", "ui_message", "page_url", "request", "response", "error", "entities", "breadcrumbs"}
REQUEST_FIELDS = {"method", "url", "status", "request_id"}
ERROR_FIELDS = {"name", "message", "stack"}
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_ENTITY = re.compile(r"^([a-z_]{1,32}):([A-Za-z0-9_-]{1,64})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_ENTITIES = 20
MAX_BREADCRUMBS = 20


class InvalidReport(DomainError):
    status = 400


def _object(data: dict[str, Any], name: str, allowed: set[str], errors: dict[str, str]) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[name] = "must be an object"
        return {}
    for extra in sorted(set(value) - allowed):
        errors[f"{name}.{extra}"] = "unknown field"
    return value


def _string(data: dict[str, Any], name: str, errors: dict[str, str], label: str | None = None) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[label or name] = "must be a string"
        return ""
    return value


def validate(data: Any) -> dict[str, Any]:
    """The report as plain values, or InvalidReport with details={"fields": {field: reason}}."""
    if not isinstance(data, dict):
        raise InvalidReport("invalid_report", "The report must be a JSON object.", details={"fields": {}})
    errors: dict[str, str] = {}
    for extra in sorted(set(data) - TOP_LEVEL):
        errors[extra] = "unknown field"
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = f"required; one of {', '.join(KINDS)}"
    ui_message = _string(data, "ui_message", errors)
    page_url = _string(data, "page_url", errors)
    request = _object(data, "request", REQUEST_FIELDS, errors)
    error = _object(data, "error", ERROR_FIELDS, errors)
    method = _string(request, "method", errors, "request.method").upper()
    if method and method not in METHODS:
        errors["request.method"] = f"must be one of {', '.join(sorted(METHODS))}"
    url = _string(request, "url", errors, "request.url")
    request_id = _string(request, "request_id", errors, "request.request_id")
    if request_id and not _REQUEST_ID.match(request_id):
        errors["request.request_id"] = "must be 1-128 letters, digits or ._:-"
    status = _status(request, errors)
    if kind in ("http", "network") and not url:
        errors["request.url"] = f"required for kind {kind}"
    if kind == "http" and status is None and "request.status" not in errors:
        errors["request.status"] = "required for kind http"
    entities = _entities(data, errors)
    breadcrumbs = data.get("breadcrumbs", [])
    if not isinstance(breadcrumbs, list) or not all(isinstance(b, str) for b in breadcrumbs):
        errors["breadcrumbs"] = "must be a list of strings"
        breadcrumbs = []
    error_message = _string(error, "message", errors, "error.message")
    if kind in ("js", "rejection") and not (error_message or ui_message):
        errors["error.message"] = f"required for kind {kind} (or ui_message)"
    if errors:
        raise InvalidReport(
            "invalid_report",
            "The incident report is not valid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            details={"fields": errors},
        )
    return {
        "kind": kind,
        "ui_message": ui_message,
        "page_url": page_url,
        "method": method,
        "url": url,
        "status": status,
        "request_id": request_id,
        "response": data.get("response"),
        "error_name": _string(error, "name", errors),
        "error_message": error_message,
        "error_stack": _string(error, "stack", errors),
        "entities": tuple(entities),
        "breadcrumbs": breadcrumbs[-MAX_BREADCRUMBS:],
    }


def _status(request: dict[str, Any], errors: dict[str, str]) -> int | None:
    """request.status: a whole number from 0 to 599 (0 when the browser got no answer), or None."""
    status = request.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 0 <= status <= 599
    ):
        errors["request.status"] = "must be a whole number from 0 to 599"
        return None
    return status


def _entities(data: dict[str, Any], errors: dict[str, str]) -> list[tuple[str, str]]:
    """The "kind:id" references the report names, as (kind, id) pairs of known kinds."""
    entities: list[tuple[str, str]] = []
    raw_entities = data.get("entities", [])
    if not isinstance(raw_entities, list):
        errors["entities"] = 'must be a list of "kind:id" strings'
        raw_entities = []
    elif len(raw_entities) > MAX_ENTITIES:
        errors["entities"] = f"at most {MAX_ENTITIES} entries"
    for index, ref in enumerate(raw_entities[:MAX_ENTITIES]):
        match = _ENTITY.match(ref) if isinstance(ref, str) else None
        if match is None:
            errors[f"entities[{index}]"] = 'must look like "student:42"'
        elif match.group(1) not in ENTITY_KINDS:
            errors[f"entities[{index}]"] = f"unknown kind; one of {', '.join(sorted(ENTITY_KINDS))}"
        else:
            entities.append((match.group(1), match.group(2)))
    return entities


def to_capture(report: dict[str, Any], request: HttpRequest) -> Capture:
    """A scrubbed, capped Capture of a valid report; identity comes from the session only."""
    host = request.get_host()
    url = clean(report["url"], URL_CHARS)
    is_js = report["kind"] in ("js", "rejection")
    # The entities the failing action was about: its own URL's ids (the lesson being deleted)
    # and those of the element that acted (the upload form's student), not the whole page's.
    route, kwargs = resolve_url(url, host) if url else resolve_url(clean(report["page_url"], URL_CHARS), host)
    entities = tuple(dict.fromkeys((*entities_from_kwargs(kwargs), *report["entities"])))[:MAX_ENTITIES]
    payload: dict[str, Any] = {"kind": report["kind"]}
    if report["response"] is not None:
        payload["response"] = report["response"]
    if is_js:
        payload["error"] = {
            "name": report["error_name"],
            "message": report["error_message"],
            "stack": report["error_stack"][:TRACEBACK_CHARS],
        }
    code = clean(report["error_name"], 200) if is_js else ""
    response = report["response"]
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        code = clean(response["error"].get("code", ""), 200)
    elif report["kind"] == "network":
        code = "network_error"
    return Capture(
        source=Source.BROWSER,
        method=report["method"],
        url=url,
        route=route,
        status_code=report["status"] or None,
        error_code=code,
        ui_message=clean(report["ui_message"] or report["error_message"]),
        page_url=clean(report["page_url"], URL_CHARS),
        browser_payload=cap_payload(payload),
        breadcrumbs=[clean(b, SHORT_CHARS) for b in report["breadcrumbs"]],
        user_agent=clean(request.headers.get("User-Agent", ""), 500),
        request_id=report["request_id"],
        client_ip=client_ip(request),
        entities=entities,
    )
