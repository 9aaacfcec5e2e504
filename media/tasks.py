"""Background jobs of the media app: thin, ids in, one pipeline call, safe to run twice."""

from django.tasks import task

from jobs.retry import retry_policy
from media.pipeline import media_optimise
from media.storage import StorageUnavailable


# A store outage is transient: retried with backoff (30 s, 60 s, 120 s, ... capped at 30 min).
# A bad input (VideoRejected) or a missing original is permanent: never retried.
@retry_policy(max_attempts=5, backoff_base=30.0, backoff_max=1800.0, transient=(StorageUnavailable,))
@task
def process_video_proof(media_id: int) -> None:
    """ProcessVideoProof: make the web MP4 and poster of one media item (media/pipeline.py)."""
    media_optimise(item_id=media_id)
