"""Failed-login throttling: after N failures for one email or one address, refuse for a window."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _keys(email: str, ip: str) -> list[str]:
    return [_key("email", email), _key("ip", ip)]


def is_locked(email: str, ip: str) -> bool:
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    # The per-address limit is looser so that a shared office address is not locked by one person.
    counts = cache.get_many(_keys(email, ip))
    return counts.get(_key("email", email), 0) >= limit or counts.get(_key("ip", ip), 0) >= limit * 4


def record_failure(email: str, ip: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key in _keys(email, ip):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def clear(email: str) -> None:
    cache.delete(_key("email", email))
