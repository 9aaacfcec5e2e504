"""The names files are shown and served under, safe to show and safe to save.

    clean_name(name) -> str                      a customer's file name without control, bidi or
                                                 invisible format characters and path separators
    download_name(name, content_type) -> str     clean_name, with an extension that matches the
                                                 sniffed type ("worksheet.bat" of plain text is
                                                 served as "worksheet.bat.txt")
    plays_inline(content_type) -> bool           video and images: the app shows them itself;
                                                 everything else is served as an attachment

A right-to-left override turns "invoice\u202eexe.pdf" into what looks like "invoicefdp.exe"; a
name ending ".bat" or ".hta" runs when opened. The type was sniffed from the content at upload
(media.sniff), so the extension we serve follows the content, never the name.
"""

import unicodedata

# The extensions a file of each allowed type may keep; the first is the one we add.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "video/mp4": (".mp4", ".m4v"),
    "video/quicktime": (".mov", ".qt"),
    "video/webm": (".webm",),
    "video/x-matroska": (".mkv",),
    "video/x-m4v": (".m4v", ".mp4"),
    "video/3gpp": (".3gp",),
    "video/x-msvideo": (".avi",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "text/plain": (".txt",),
}
# Control (Cc), format (Cf: bidi overrides and isolates, zero-width characters), surrogates,
# private use, unassigned, and line/paragraph separators.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MAX_LENGTH = 150


def clean_name(name: str) -> str:
    kept = "".join(
        "_" if ch in "/\\" else " " if unicodedata.category(ch) == "Zs" else ch
        for ch in unicodedata.normalize("NFC", name or "")
        if unicodedata.category(ch) not in _DROPPED
    )
    kept = " ".join(kept.split()).strip(" .")  # no leading dots (hidden files), no trailing ones
    if len(kept) > MAX_LENGTH:
        stem, dot, ext = kept.rpartition(".")
        kept = stem[: MAX_LENGTH - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else kept[:MAX_LENGTH]
    return kept or "file"


def download_name(name: str, content_type: str) -> str:
    cleaned = clean_name(name)
    allowed = EXTENSIONS.get(content_type, (".bin",))
    _, dot, ext = cleaned.rpartition(".")
    if dot and f".{ext.lower()}" in allowed:
        return cleaned
    return cleaned + allowed[0]


def plays_inline(content_type: str) -> bool:
    return content_type.startswith(("video/", "image/"))
