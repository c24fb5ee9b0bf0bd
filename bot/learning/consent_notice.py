"""Which privacy notice a resident agreed to.

The version is a digest of the notice's text in that language, not a number someone must remember to
raise: any change to the wording is a new version. The consent button carries the version it was shown
with; consent is stored with it, and a button from an older text (or a forged one without it) shows
the current notice again instead of counting as agreement.
"""

from __future__ import annotations

import functools
import hashlib

from bot.texts import t

NOTICE_KEY = "consent"  # the text shown with the "I agree" button


@functools.cache
def notice_version(language: str) -> str:
    return hashlib.sha256(t(language, NOTICE_KEY).encode("utf-8")).hexdigest()[:8]
