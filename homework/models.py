from django.conf import settings
from django.db import models


class Homework(models.Model):
    """A piece of homework a customer hands in for one of their students: one or more files."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        REVIEWED = "reviewed", "Reviewed"

    student = models.ForeignKey("academics.Student", on_delete=models.PROTECT, related_name="homework")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="homework_submitted"
    )
    title = models.CharField(max_length=200)
    # The academic task it was handed in for; free-text homework has none. Homework may know
    # academics (the app graph points this way); a deleted task leaves its homework untouched.
    task = models.ForeignKey(
        "academics.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="homework"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Its files. Homework points at media, never the other way (media is a generic pipeline).
    media = models.ManyToManyField("media.MediaItem", through="HomeworkFile", related_name="+")

    class Meta:
        ordering = ["-created_at"]
        # The admin list: newest first, all or by status (the to-do list is "submitted"): the
        # index gives the first page without sorting every homework.
        indexes = [
            models.Index(fields=["-created_at"], name="homework_newest"),
            models.Index(fields=["status", "-created_at"], name="homework_status_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class HomeworkFile(models.Model):
    """One file handed in as part of a homework: each media item belongs to at most one.

    Deleting the media item removes its link; homework with files cannot be deleted (PROTECT).
    """

    homework = models.ForeignKey(Homework, on_delete=models.PROTECT, related_name="files")
    media_item = models.OneToOneField(
        "media.MediaItem", on_delete=models.CASCADE, related_name="homework_file"
    )

    def __str__(self) -> str:
        return f"{self.homework} · {self.media_item}"


class UploadSession(models.Model):
    """One file on its way from a customer's browser to the store.

    Local backend: the browser sends raw chunks, appended to `storage_key` on disk. S3 backend:
    the browser PUTs straight to the bucket (one presigned PUT, or a multipart upload with equal
    `part_size` parts); the app confirms with a HEAD. On completion the file becomes a media
    item (media.services) and the session points at it. `state` describes the session's life;
    what was stored is decided by the store and the media item, not by this column.
    """

    class State(models.TextChoices):
        OPEN = "open", "Uploading"
        COMPLETED = "completed", "Completed"
        ABORTED = "aborted", "Cancelled"
        FAILED = "failed", "Failed"

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("academics.Student", on_delete=models.PROTECT, related_name="+")
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="upload_sessions")
    original_name = models.CharField(max_length=255)
    declared_size = models.BigIntegerField()
    declared_type = models.CharField(max_length=100, blank=True)
    storage_key = models.CharField(max_length=500, unique=True)
    backend = models.CharField(max_length=8)
    multipart_upload_id = models.CharField(max_length=500, blank=True)
    part_size = models.BigIntegerField(default=0)
    bytes_received = models.BigIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    error_code = models.CharField(max_length=50, blank=True)
    media_item = models.OneToOneField(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="upload_session"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"
