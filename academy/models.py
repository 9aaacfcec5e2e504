from django.db import models


class RateBucket(models.Model):
    """How many requests one key (a user, an address, an email) made in one fixed window
    (academy/ratelimit.py), shared by every web process."""

    key = models.CharField(max_length=100)
    window_end = models.BigIntegerField(help_text="When the window ends, in seconds since the epoch.")
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_end"], name="rate_bucket_key_window_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} until {self.window_end}: {self.hits}"


class RatePace(models.Model):
    """One key's steady-rate limit (academy/pacing.py), shared by every web process: the moment
    its accepted requests would all have been served, had they come at the steady rate."""

    key = models.CharField(max_length=100, primary_key=True)
    due_us = models.BigIntegerField(
        help_text="Microseconds since the epoch; a moment already past is the same as no row."
    )

    def __str__(self) -> str:
        return f"{self.key} due at {self.due_us}"
