"""Make untrusted text safe to store: secrets masked, sizes capped.

Applied to everything an occurrence keeps (payloads, headers, URLs, messages, tracebacks), both
for browser reports and for what the backend captures itself.
"""

import json
import re
from typing import Any

MASK = "[scrubbed]"
CARD_MASK = "[card]"
SECRET_WORDS = (
    r"pass(?:word|wd|phrase)?|pwd|token|secret|authori[sz]ation|cookie|session|csrf|"
    r"api[-_ ]?key|apikey|private[-_ ]?key|credential|signature"
)
_SECRET_KEY = re.compile(rf"(?:{SECRET_WORDS})", re.IGNORECASE)
# Cheap tests first: most text holds no secret word, no token and no long run of digits, and the
# full patterns are only worth running when it does. The hint is a literal prefix of every
# alternative of the patterns below, searched in lower-cased text: an IGNORECASE alternation
# costs ~9 us on a 70-character string, this ~1 us (it runs on every string of every report).
_HINT = re.compile(
    r"pass|pwd|token|secret|authori|cookie|session|csrf|key|credential|signature|bearer|basic|eyj|invite"
)
_DIGITS = re.compile(r"\d[\d -]{11,}\d")
# key=value, key: value, "key": "value" (the value stops at a delimiter).
_SECRET_PAIR = re.compile(
    rf"""(?ix)
    (?P<key>[\w-]*(?:{SECRET_WORDS})[\w-]*)
    (?P<sep>["']?\s*[:=]\s*["']?)
    (?P<scheme>(?:bearer|basic|token)\s+)?
    (?P<value>[^\s"'&,;<>]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
# One-time tokens travel in link paths, with no key to name them: the invitation and
# password-reset links (accounts/urls.py: <prefix>/<uidb64>/<token>/) and anything shaped like
# Django's token (base-36 time, a dash, 32 hex digits) as a segment of another path.
# The step after the link (".../set-password/") holds no token and stays readable.
_LINK_TOKEN = re.compile(
    r"(?P<link>/(?:invite|password-reset)/[A-Za-z0-9_-]+/)(?!set-password(?:[/?#\s]|$))[^/?#\s\"'<>]+"
)
_PATH_TOKEN = re.compile(r"/[0-9a-z]{1,13}-[0-9a-f]{32}(?=[/?#\s\"'<>]|$)")

MESSAGE_CHARS = 2000
URL_CHARS = 2048
SHORT_CHARS = 300
TRACEBACK_CHARS = 20_000
PAYLOAD_BYTES = 8192


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_MASK if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)


def _mask_pair(match: re.Match[str]) -> str:
    return f"{match.group('key')}{match.group('sep')}{match.group('scheme') or ''}{MASK}"


def scrub_text(text: str) -> str:
    if not text:
        return text
    if "\x00" in text:
        # PostgreSQL's text and jsonb cannot hold U+0000; storing one failed the whole record.
        text = text.replace("\x00", "\ufffd")
    if _HINT.search(text.lower()):
        text = _SECRET_PAIR.sub(_mask_pair, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        text = _JWT.sub(MASK, text)
        text = _LINK_TOKEN.sub(lambda m: f"{m.group('link')}{MASK}", text)
    if "-" in text and "/" in text:
        text = _PATH_TOKEN.sub("/" + MASK, text)
    if _DIGITS.search(text):
        text = _CARD.sub(_mask_card, text)
    return text


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean(text: Any, limit: int = MESSAGE_CHARS) -> str:
    """Scrubbed and size-capped text; None becomes ''."""
    if text is None:
        return ""
    return clip(scrub_text(str(text)), limit)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def scrub_data(value: Any, depth: int = 0) -> Any:
    """A JSON-like value with secret keys masked and strings scrubbed; nesting capped."""
    if depth > 8:
        return "[too deep]"
    if isinstance(value, dict):
        return {
            clip(scrub_text(str(k)), 200): MASK if is_secret_key(str(k)) else scrub_data(v, depth + 1)
            for k, v in list(value.items())[:200]
        }
    if isinstance(value, (list, tuple)):
        return [scrub_data(v, depth + 1) for v in list(value)[:200]]
    if isinstance(value, str):
        return clip(scrub_text(value), MESSAGE_CHARS * 4)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clip(scrub_text(str(value)), MESSAGE_CHARS)


def cap_payload(value: Any, limit: int = PAYLOAD_BYTES) -> Any:
    """Scrub, then keep at most `limit` bytes of JSON: a larger payload keeps a preview."""
    if value is None:
        return None
    scrubbed = scrub_data(value)
    text = json.dumps(scrubbed, ensure_ascii=False, default=str)
    if len(text.encode()) <= limit:
        return scrubbed
    return {"_truncated": True, "_bytes": len(text.encode()), "preview": clip(text, limit // 2)}


def scrub_headers(headers: Any) -> dict[str, str]:
    return {
        str(name): MASK if is_secret_key(str(name)) else clean(value, SHORT_CHARS)
        for name, value in headers.items()
    }
