from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from media import owners


class MediaItemQuerySet(models.QuerySet["MediaItem"]):
    def with_variant_facts(self) -> "MediaItemQuerySet":
        """Variant count, web size and poster id, from the variants (one join, no extra queries)."""
        return self.annotate(
            variant_count=Count("variants"),
            web_size=Sum("variants__size_bytes", filter=Q(variants__role="web")),
            poster_id=Max("variants__id", filter=Q(variants__role="poster")),
            web_id=Max("variants__id", filter=Q(variants__role="web")),
            original_id=Max("variants__id", filter=Q(variants__role="original")),
        )

    def for_media_insights(self) -> "MediaItemQuerySet":
        return self.select_related("uploader", *owners.related()).with_variant_facts()

    # "Eligible for optimising" is defined here once: the Media page's filters and count,
    # "Optimise all eligible" and the start page all read it (derive_state mirrors it per row).
    def optimised(self) -> "MediaItemQuerySet":
        """Items with a variant made from the original (a web copy, a poster)."""
        return self.filter(_made_from_the_original())

    def original_only(self) -> "MediaItemQuerySet":
        """Videos with nothing but their original: structure, not a flag, decides."""
        return self.filter(~_made_from_the_original(), kind=MediaItem.Kind.VIDEO)

    def eligible(self) -> "MediaItemQuerySet":
        """Eligible for optimising: a video with only its original and no optimise job under way
        (a failed one may be tried again). One refused for its input is counted here too: asking
        that of every video doubled the Media page's time at 100,000 items; its row says Refused
        and offers no Optimise, and optimising it again is refused (409 `video_refused`)."""
        from media import jobstate

        return self.original_only().filter(~jobstate.active())


def _made_from_the_original() -> Exists:
    return Exists(MediaVariant.objects.filter(item=OuterRef("pk")).exclude(role=MediaVariant.Role.ORIGINAL))


class MediaItem(models.Model):
    """One uploaded file (document, image or video) and, through its variants, what we made of it.

    Whose file it is (a student's homework) is known by the app that links to it, told through
    media.owners. Its state is derived from its variants (design rule 4): exactly one variant (the original)
    means "original only", eligible for optimisation; more than one means optimised.
    """

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploads")
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    content_type = models.CharField(max_length=100)  # sniffed from the content, not the name
    size_bytes = models.BigIntegerField()
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = MediaItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # The Media page's filters and sorts (media/queries.py): newest first is created_at's own
        # index; these serve the type filter and the size sorts without a full sort.
        indexes = [
            models.Index(fields=["kind", "created_at"], name="media_item_kind_created"),
            models.Index(fields=["size_bytes"], name="media_item_size"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def owner(self) -> owners.Owner | None:
        """Whose file this is, as the app that links to it tells (media.owners)."""
        return owners.owner_of(self)

    @property
    def is_optimised(self) -> bool:
        """More than one variant means optimised (derived, never stored)."""
        count = getattr(self, "variant_count", None)
        if count is None:
            count = self.variants.count()
        return count > 1


class MediaVariant(models.Model):
    class Role(models.TextChoices):
        ORIGINAL = "original", "Original"
        WEB = "web", "Web MP4"
        POSTER = "poster", "Poster"

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="variants")
    role = models.CharField(max_length=16, choices=Role.choices)
    storage_key = models.CharField(max_length=500, unique=True)
    size_bytes = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    codec = models.CharField(max_length=50, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    checksum_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "role"], name="media_variant_unique_role")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.role}"
