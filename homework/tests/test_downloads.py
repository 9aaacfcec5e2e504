"""Downloads of handed-in files: a clean name with an extension that follows the content, and
only what the app plays itself (video, images) opens in the browser. Both storage backends."""

import pytest
import requests

from homework.tests.conftest import PDF
from media.models import MediaItem

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
RLO = "\u202e"


def _headers(client, item: MediaItem) -> dict[str, str]:
    """The headers the browser finally gets for the original (following S3's presigned redirect)."""
    response = client.get(f"/portal/homework/files/{item.variants.get().pk}/")
    if response.status_code == 302:
        got = requests.get(response["Location"], timeout=10)
        assert got.status_code == 200
        return {k.lower(): v for k, v in got.headers.items()}
    assert response.status_code == 200
    return {k.lower(): v for k, v in response.headers.items()}


@pytest.mark.parametrize(
    ("name", "data", "type_", "disposition"),
    [
        (
            "worksheet.bat",
            b"@echo off\r\ndel *.*\r\n",
            "text/plain",
            'attachment; filename="worksheet.bat.txt"',
        ),
        (
            "run.hta",
            b"<html><script>alert(1)</script></html>\n",
            "text/plain",
            'attachment; filename="run.hta.txt"',
        ),
        ("Essay final.pdf", PDF, "application/pdf", 'attachment; filename="Essay final.pdf"'),
        ("drawing.png", PNG, "image/png", 'inline; filename="drawing.png"'),
        ("drawing.exe", PNG, "image/png", 'inline; filename="drawing.exe.png"'),
    ],
)
def test_only_media_plays_inline_and_the_extension_follows_the_content(
    any_storage, parent_client, student, upload, name, data, type_, disposition
):
    body = upload(parent_client, student, name, data, type_).json()

    headers = _headers(parent_client, MediaItem.objects.get(pk=body["media"]))

    assert headers["content-disposition"] == disposition


def test_control_and_bidi_characters_are_stripped(any_storage, parent_client, student, upload):
    # "invoice<RLO>fdp.bat" looks like "invoicetab.pdf" in a file list.
    body = upload(parent_client, student, f"invoice{RLO}fdp.bat\x07", b"@echo off\r\n", "text/plain").json()
    item = MediaItem.objects.get(pk=body["media"])
    assert item.original_name == "invoicefdp.bat"  # cleaned when it was handed in
    assert "invoicefdp.bat" in parent_client.get("/portal/homework/").content.decode()

    MediaItem.objects.filter(pk=item.pk).update(original_name=f"old{RLO}txt.hta")  # a name from before

    disposition = _headers(parent_client, item)["content-disposition"]
    assert disposition == 'attachment; filename="oldtxt.hta.txt"'


def test_admins_get_the_same_safe_download(any_storage, parent_client, admin_client, student, upload):
    body = upload(parent_client, student, "worksheet.bat", b"@echo off\r\n", "text/plain").json()
    variant = MediaItem.objects.get(pk=body["media"]).variants.get()
    response = admin_client.get(f"/admin/insights/media/files/{variant.pk}/")
    if response.status_code == 302:
        response = requests.get(response["Location"], timeout=10)
    assert response.headers["Content-Disposition"] == 'attachment; filename="worksheet.bat.txt"'
