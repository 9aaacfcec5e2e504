"""Throttles per email and per client address, counted for a window (academy/ratelimit.py).

Login counts failures: after N for one email (or 4 x N from one address) it refuses until the
window ends. Password reset counts every request, since each one sends an email: a lock must hold
whether or not an account uses the address, or the refusal would tell which ones do.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings

from academy import ratelimit

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
        """The window in words: "15 minutes", "an hour", "2 hours" (the longest wait)."""
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
        counts = ratelimit.counts([by_email, by_ip], self.window)
        return counts[by_email] >= self.attempts or counts[by_ip] >= self.attempts * ADDRESS_FACTOR

    def record(self, email: str, ip: str) -> None:
        ratelimit.hit([self._key("email", email), self._key("ip", ip)], self.window)

    def clear(self, email: str) -> None:
        ratelimit.forget(self._key("email", email))


LOGIN = Throttle("login-fail", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW_SECONDS")
PASSWORD_RESET = Throttle(
    "password-reset", "PASSWORD_RESET_THROTTLE_ATTEMPTS", "PASSWORD_RESET_THROTTLE_WINDOW_SECONDS"
)
