"""Onboarding: language, the privacy notice and consent, then the commune.

Nothing is stored before consent, so the first two steps carry their choice in the buttons themselves
and run for someone the bot does not know yet; declining stores nothing at all.
"""

from __future__ import annotations

from bot import clock
from bot.cleaning import clean_name
from bot.learning import screens
from bot.learning.actions import ChooseLanguage, DeclineConsent, GiveConsent
from bot.learning.consent_notice import notice_version
from bot.learning.flows import certificates
from bot.learning.flows.common import as_edit
from bot.learning.place import Place
from bot.learning.router import Router
from bot.learning.states import Onboarding
from bot.learning.turn import Journey, StaleAction, Turn
from bot.messages import Outcome, Reply
from bot.storage.models import Resident
from bot.texts import t

router = Router("onboarding")
NAME_MAX = 64


def welcome(journey: Journey) -> Reply:
    return screens.language_picker(t(journey.default_language, "welcome"), ChooseLanguage)


def before_consent_command(turn: Turn, command: str) -> Outcome:
    """Any command from someone who has not agreed: the way in, and nothing else."""
    language = turn.journey.default_language
    if command == "deleteme":
        return Outcome([Reply(t(language, "declined"))])
    if command == "help":
        return Outcome([Reply(t(language, "help")), welcome(turn.journey)])
    if command == "verify":  # anyone may check a certificate shown to them; nothing about them is stored
        return certificates.verify(turn, language)
    if command != "start":
        return Outcome([Reply(t(language, "need_consent")), welcome(turn.journey)])
    return Outcome([welcome(turn.journey)])


def before_consent_other(turn: Turn) -> Outcome:
    """An old lesson button after /deleteme, a forgery, or a message: start over politely."""
    return Outcome([Reply(t(turn.journey.default_language, "need_start")), welcome(turn.journey)], stale=True)


@router.action(ChooseLanguage, before_consent=True)
def choose_language(turn: Turn, action: ChooseLanguage) -> Outcome:
    turn.move("choose_language")
    return Outcome([as_edit(screens.consent(action.language))])


@router.action(GiveConsent, before_consent=True)
def give_consent(turn: Turn, action: GiveConsent) -> Outcome:
    if action.notice != notice_version(action.language):
        # Shown an older notice (or none: a made-up button). Agreeing counts only to the notice on screen.
        notice = t(action.language, "notice_changed")
        return Outcome([as_edit(screens.consent(action.language))], notice=notice, stale=True)
    turn.move("give_consent")
    turn.resident = _register(turn, action.language)
    turn.resident.consent_notice = f"{action.language}:{action.notice}"
    turn.learners.add(turn.resident)
    turn.place = Place()
    return Outcome([as_edit(screens.commune_picker(action.language, turn.journey.communes))])


@router.action(DeclineConsent, before_consent=True)
def decline_consent(turn: Turn, action: DeclineConsent) -> Outcome:
    return Outcome([as_edit(Reply(t(action.language, "declined")))])


@router.action(ChooseLanguage, GiveConsent, DeclineConsent)
def onboarding_again(turn: Turn, action: object) -> Outcome:
    # A consent or language button pressed again after registering: nothing to do twice.
    raise StaleAction("onboarding")


@router.screen(Onboarding.COMMUNE)
def commune_screen(turn: Turn) -> list[Reply]:
    return [screens.commune_picker(turn.language, turn.journey.communes)]


def commune_first(turn: Turn) -> Outcome | None:
    """Onboarding ends with a commune: until one is chosen, the menu's commands show that question."""
    return Outcome(commune_screen(turn)) if turn.state == Onboarding.COMMUNE else None


def _register(turn: Turn, language: str) -> Resident:
    name = clean_name(turn.event.display_name, NAME_MAX)
    now = clock.now()
    if turn.unconsented is not None:  # keep the row (and its role), now with consent
        row = turn.unconsented
        row.chat_id, row.display_name, row.language = turn.key.chat_id, name, language
        row.consent_at, row.last_seen_at = now, now
        return row
    return Resident(
        channel=turn.key.channel,
        external_id=turn.key.user_id,
        chat_id=turn.key.chat_id,
        display_name=name,
        language=language,
        consent_at=now,
        created_at=now,
        last_seen_at=now,
    )
