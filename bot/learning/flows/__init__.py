"""The journey's flows, one module each: what states they own, what buttons and commands they handle.

A new flow is a module here with a `router`, added to `FLOWS`; nothing else in the engine changes.
"""

from __future__ import annotations

from bot.learning.flows import certificates, helpdesk, lesson, menu, onboarding, privacy, quiz, reminders, settings
from bot.learning.router import Router

FLOWS: list[Router] = [
    onboarding.router,
    menu.router,
    lesson.router,
    quiz.router,
    certificates.router,
    settings.router,
    privacy.router,
    reminders.router,
    helpdesk.router,
]
