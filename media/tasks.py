"""Background jobs of the media app: thin, ids in, one pipeline call, safe to run twice."""

from django.tasks import task

from media.pipeline import media_optimise
from media.storage import StorageUnavailable


@task
def process_video_proof(media_id: int) -> None:
    """ProcessVideoProof: make the web MP4 and poster of one media item (see media/pipeline.py).

    A bad input raises VideoRejected (permanent); a storage outage raises StorageUnavailable,
    which the retry policy retries with backoff.
    """
    media_optimise(item_id=media_id)


try:  # the jobs app's retry policies (issue 5)
    from jobs.retry import retry_policy
except ImportError:  # pragma: no cover - before the jobs app is merged
    pass
else:
    retry_policy(
        process_video_proof,
        max_attempts=5,
        backoff_base=30.0,
        backoff_max=1800.0,
        transient=(StorageUnavailable,),
    )
