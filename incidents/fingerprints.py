"""Fingerprints: which occurrences are the same incident.

Source, route pattern (never the raw URL), status, error code or exception type and the message
with the variable parts stripped. Entity ids never take part: the same failure for two students
is one incident.
"""

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from incidents.models import ENTITY_KINDS
from incidents.scrub import clean

_UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED = re.compile(r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"|“[^”\n]{0,200}”")
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.IGNORECASE)
# Units a number may carry: "2 GB", "30 s", "50%" are limits and sizes, worded as they vary not.
_UNIT = r"(?:[KMGTP]i?B|bytes?|B|ms|s|secs?|seconds?|mins?|minutes?|h|hours?|days?|px|%)(?![\w])"
# A number standing as a value: not part of a word ("MP4", "H264", "utf8"), not with a unit.
_NUMBER = re.compile(rf"(?<![\w.])(?>\d+(?:[.,:]\d+)*)(?![\w])(?!\s?{_UNIT})")
_SPACE = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """The message with what varies replaced (uuids, emails, quoted values, hex ids, numbers
    standing as values, ids in paths), so that the same failure groups as one; words and units
    are never touched."""
    text = _UUID.sub("<uuid>", message or "")
    text = _EMAIL.sub("<email>", text)
    text = _QUOTED.sub("<str>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text).strip()[:500]


def normalise_path(path: str) -> str:
    parts = []
    for part in path.split("/"):
        if _UUID.fullmatch(part):
            parts.append("<uuid>")
        elif part.isdigit() or _HEX.fullmatch(part):
            parts.append("<id>")
        else:
            parts.append(part)
    return "/".join(parts)


def route_for_url(url: str, host: str = "") -> str:
    """The URL pattern a request URL resolved to on this app, else the normalised path."""
    return resolve_url(url, host)[0]


def resolve_url(url: str, host: str = "") -> tuple[str, dict[str, Any]]:
    """(route, kwargs) of a URL: the URL pattern it resolves to on this app and the values it
    names (student_id=7), else its normalised path and no values."""
    if not url:
        return "", {}
    parts = urlsplit(url)
    path = parts.path or "/"
    if not parts.netloc or parts.netloc == host:
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is not None and match.route:
            return "/" + match.route.lstrip("^").rstrip("$"), match.kwargs
    other_host = parts.netloc if parts.netloc != host else ""
    return (other_host + normalise_path(path))[:300], {}


def fingerprint(*, source: str, route: str, status: int | None, code: str, message: str) -> str:
    key = "\x1f".join([source, route, str(status or ""), code, normalise_message(message)])
    return hashlib.sha256(key.encode()).hexdigest()


def entities_from_kwargs(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """URL and task kwargs such as student_id=7 name the entities a failure concerns."""
    found = []
    for name, value in values.items():
        if name.endswith("_id") and name[:-3] in ENTITY_KINDS and value not in (None, ""):
            found.append((name[:-3], clean(value, 64)))
    return tuple(found)
