"""HTTP responses for stored media: ranged reads (so videos seek) without loading the file.

    serve_variant(request, variant, *, download=False) -> HttpResponse

Local backend: a StreamingHttpResponse with `Accept-Ranges` and 206 partial content for a
`Range: bytes=a-b` request. Either way the file name is cleaned and its extension follows the
sniffed type (media/filenames.py), and only video and images are served inline. S3 backend: a redirect to a short-lived presigned URL (the browser
then ranges against the bucket itself). Access checks are the caller's: the homework app uses
it for customers' own files, media for admins.
"""

import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header

from media import storage
from media.filenames import download_name, plays_inline
from media.models import MediaVariant

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_variant(
    request: HttpRequest, variant: MediaVariant, *, download: bool = False
) -> HttpResponse | StreamingHttpResponse:
    # The customer's name, cleaned, with an extension that matches the sniffed content; only what
    # the app plays itself (video, images) opens in the browser, anything else is a download.
    name = download_name(
        variant.item.original_name
        if variant.role == MediaVariant.Role.ORIGINAL
        else variant.storage_key.rsplit("/", 1)[-1],
        variant.content_type,
    )
    attachment = download or not plays_inline(variant.content_type)
    url = storage.presigned_get_url(
        variant.storage_key,
        expires=900,
        filename=name,
        content_type=variant.content_type,
        attachment=attachment,
    )
    if url is not None:
        return HttpResponseRedirect(url)
    size = storage.stat(variant.storage_key).size
    start, end, status = 0, size - 1, 200
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and size:
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(0, size - int(last)), size - 1
        if start > end or start >= size:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        status = 206
    response = StreamingHttpResponse(
        storage.open_range(variant.storage_key, start, end) if size else iter(()),
        status=status,
        content_type=variant.content_type or "application/octet-stream",
    )
    response["Content-Length"] = str(end - start + 1 if size else 0)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition_header(attachment, name) or ""
    response["Cache-Control"] = "private, max-age=300"
    return response
