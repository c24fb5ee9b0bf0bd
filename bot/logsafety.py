"""Keep secrets out of logs: a filter that blanks known secrets in every record, whoever logs it.

Bot API URLs carry the token, and library errors sometimes quote the URL they failed on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[REDACTED]")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self._secrets):
                for secret in self._secrets:
                    text = text.replace(secret, "[REDACTED]")
                record.exc_text, record.exc_info = text, None
        return True


def redact_secrets_in_logs(secrets: Iterable[str]) -> None:
    redactor = RedactSecrets(secrets)
    root = logging.getLogger()
    for handler in root.handlers or [logging.lastResort]:
        if handler is not None:
            handler.addFilter(redactor)
