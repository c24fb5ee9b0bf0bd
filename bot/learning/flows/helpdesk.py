"""Asking a person: /ask or 🙋 shows what the helper will see, the resident types (or sends a photo or
voice note), and is brought back where they were. While their question is open, whatever they write
goes to the helper instead of the "please use the buttons" hint; after two messages in a row the bot
could not understand, it offers a helper. The rules themselves live in `bot.helpdesk.desk`."""

from __future__ import annotations

import uuid
from typing import Any

from bot.helpdesk import desk
from bot.helpdesk.actions import AskHelper, CancelAsk, RateHelp
from bot.learning.actions import ShowMenu
from bot.learning.flows.onboarding import commune_first
from bot.learning.router import Router
from bot.learning.states import LEARNING, Ask, Menu, return_trigger
from bot.learning.turn import StaleAction, Turn
from bot.messages import Button, EventKind, Outcome, Reply
from bot.texts import t

router = Router("helpdesk")
MISSES_BEFORE_OFFER = 2


def _desk(turn: Turn) -> desk.Desk:
    return desk.Desk(turn.journey.catalog, turn.journey.communes, turn.journey.help_policy)


def _where(turn: Turn) -> dict[str, Any]:
    """Where they asked from: the screen they left (kept in the place while they type)."""
    place = turn.place
    found = {"state": place.back, "module": place.module, "step": place.step, "question": place.question}
    return {key: value for key, value in found.items() if value is not None}


def _content(turn: Turn) -> desk.Content:
    event = turn.event
    source = f"{event.key.channel}:{event.message_ref or uuid.uuid4().hex}"
    if event.kind is EventKind.MEDIA:
        kind = event.payload if event.payload in ("photo", "voice") else None
        return desk.Content(event.caption, kind, event.media_id if kind else None, source)
    return desk.Content(event.payload, None, None, source)


def _menu_row(language: str) -> tuple[Button, ...]:
    return (Button(t(language, "btn_menu"), ShowMenu()),)


def intro(turn: Turn) -> Reply:
    """What the helper will see, and nothing else; or, with a question open, that this adds to it."""
    language, me = turn.language, turn.me
    if desk.open_question(turn.learners.session, me.id) is not None:
        text = t(language, "ask_open_intro")
    else:
        commune = turn.journey.commune(me.commune_id)
        text = t(
            language,
            "ask_intro",
            name=me.display_name or "?",
            commune=commune.name(language) if commune else "-",
            where=desk.where_text(turn.journey.catalog, _where(turn), language),
        )
    return Reply(text, ((Button(t(language, "btn_ask_cancel"), CancelAsk()),),))


def _go_back(turn: Turn) -> None:
    back = turn.place.back
    turn.place.back = None
    turn.move(return_trigger(back if back in LEARNING and back != Ask.TYPING else Menu.MAIN))


@router.command("ask")
def on_ask(turn: Turn, command: str) -> Outcome:
    if (held := commune_first(turn)) is not None:
        return held
    return ask_helper(turn, AskHelper())


@router.action(AskHelper)
def ask_helper(turn: Turn, action: AskHelper) -> Outcome:
    back = turn.place.back if turn.state == Ask.TYPING else turn.state
    turn.move("ask_helper")
    turn.place.back = back
    return Outcome([intro(turn)])


@router.action(CancelAsk)
def cancel_ask(turn: Turn, action: CancelAsk) -> Outcome:
    if turn.state != Ask.TYPING:
        raise StaleAction("not asking")
    _go_back(turn)
    return Outcome([Reply(t(turn.language, "ask_cancelled")), *turn.current_screen()])


@router.text(Ask.TYPING)
def question_typed(turn: Turn) -> Outcome:
    language = turn.language
    content = _content(turn)
    if not content.relayable:
        return Outcome([Reply(t(language, "ask_need_words"), intro(turn).buttons)])
    _, new = desk.ask(turn.learners.session, _desk(turn), turn.me, _where(turn), content)
    _go_back(turn)
    return Outcome([Reply(t(language, "ask_sent" if new else "ask_added")), *turn.current_screen()])


@router.unhandled_text
def follow_up_or_offer(turn: Turn) -> Outcome | None:
    """With a question open, a message is for the helper; otherwise, the second message in a row the
    bot cannot understand brings the offer of a person."""
    language = turn.language
    question = desk.open_question(turn.learners.session, turn.me.id)
    content = _content(turn)
    if question is not None and content.relayable:
        desk.add_from_resident(turn.learners.session, _desk(turn), question, turn.me, content)
        return Outcome([Reply(t(language, "ask_added"), (_menu_row(language),))])
    misses = (turn.place.misses or 0) + 1
    if misses < MISSES_BEFORE_OFFER:
        turn.place.misses = misses
        return None
    turn.place.misses = None
    offer = Reply(t(language, "ask_offer"), ((Button(t(language, "btn_ask"), AskHelper()),), _menu_row(language)))
    return Outcome([offer])


@router.action(RateHelp)
def rate_help(turn: Turn, action: RateHelp) -> Outcome:
    if not desk.rate(turn.learners.session, turn.me.id, action.question, action.verdict):
        raise StaleAction(f"rating {action.question}")
    return Outcome([Reply(t(turn.language, "rated"), (_menu_row(turn.language),))])


@router.screen(Ask.TYPING)
def asking_screen(turn: Turn) -> list[Reply]:
    return [intro(turn)]
