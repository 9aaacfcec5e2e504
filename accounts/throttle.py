"""Throttles per email and per client address, counted in the cache for a window.

Login counts failures: after N for one email (or 4 x N from one address) it refuses for the
window. Password reset counts every request, since each one sends an email: a lock must hold
whether or not an account uses the address, or the refusal would tell which ones do.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# The per-address limit is looser so that a shared office or school address is not locked by one
# person (behind a proxy, the address is the client's: academy/client.py).
ADDRESS_FACTOR = 4


@dataclass(frozen=True)
class Throttle:
    scope: str
    attempts_setting: str
    window_setting: str

    @property
    def attempts(self) -> int:
        return int(getattr(settings, self.attempts_setting))

    @property
    def window(self) -> int:
        return int(getattr(settings, self.window_setting))

    @property
    def wait(self) -> str:
        """The window in words: "15 minutes", "an hour", "2 hours"."""
        minutes = max(1, -(-self.window // 60))
        if minutes % 60 == 0:
            hours = minutes // 60
            return "an hour" if hours == 1 else f"{hours} hours"
        return "a minute" if minutes == 1 else f"{minutes} minutes"

    def _key(self, kind: str, value: str) -> str:
        digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
        return f"{self.scope}:{kind}:{digest}"

    def is_locked(self, email: str, ip: str) -> bool:
        by_email, by_ip = self._key("email", email), self._key("ip", ip)
        counts = cache.get_many([by_email, by_ip])
        return (
            counts.get(by_email, 0) >= self.attempts or counts.get(by_ip, 0) >= self.attempts * ADDRESS_FACTOR
        )

    def record(self, email: str, ip: str) -> None:
        for key in (self._key("email", email), self._key("ip", ip)):
            if cache.add(key, 1, self.window):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, self.window)

    def clear(self, email: str) -> None:
        cache.delete(self._key("email", email))


LOGIN = Throttle("login-fail", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW_SECONDS")
PASSWORD_RESET = Throttle(
    "password-reset", "PASSWORD_RESET_THROTTLE_ATTEMPTS", "PASSWORD_RESET_THROTTLE_WINDOW_SECONDS"
)
