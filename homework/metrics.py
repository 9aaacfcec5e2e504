"""Upload figures for /metrics (academy/metrics.py), counted by the upload endpoints."""

from prometheus_client import Counter

UPLOADS_STARTED = Counter("academy_uploads_started_total", "Upload sessions opened by parents")
UPLOADS_COMPLETED = Counter("academy_uploads_completed_total", "Uploads completed and checked")
UPLOADS_REFUSED = Counter(
    "academy_uploads_refused_total", "Upload steps refused (open, part or completion), by reason", ["reason"]
)
