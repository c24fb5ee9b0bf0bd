"""A resident's own data: /mydata shows what is stored (their questions to helpers included), /deleteme
erases it after a confirmation."""

from __future__ import annotations

from datetime import datetime

from bot import clock
from bot.helpdesk import desk
from bot.learning import screens
from bot.learning.actions import AskDelete, ConfirmDelete, CopyMyData, ShowMenu
from bot.learning.flows.common import as_edit
from bot.learning.flows.menu import menu_screen
from bot.learning.router import Router
from bot.learning.states import Privacy
from bot.learning.turn import StaleAction, Turn
from bot.messages import Attachment, Button, Outcome, Reply
from bot.storage import personal_data
from bot.storage.review_deck import review_deck_size
from bot.storage.vocabulary import HelpStatus, ModuleStatus
from bot.texts import t

router = Router("privacy")


@router.command("mydata")
def on_my_data(turn: Turn, command: str) -> Outcome:
    return Outcome([my_data(turn)])


def my_data(turn: Turn) -> Reply:
    resident, language = turn.me, turn.language
    progress = turn.progress()
    commune = turn.journey.commune(resident.commune_id)
    text = t(
        language,
        "mydata",
        name=resident.display_name or t(language, "none"),
        lang_name="Tiếng Việt" if resident.language == "vi" else "English",
        commune=commune.name(language) if commune else t(language, "none"),
        consent=_local(turn, resident.consent_at),
        last_seen=_local(turn, resident.last_seen_at),
        role=t(language, f"role_{resident.role}"),
        started=len(progress),
        completed=sum(1 for p in progress.values() if p.status == ModuleStatus.COMPLETED),
        answers=turn.learners.answer_count(resident.id),
    )
    setting = t(language, "setting_on" if resident.reminders and turn.journey.reminders else "setting_off")
    extra = [t(language, "mydata_reminders", setting=setting)]
    extra.append(t(language, "mydata_review", cards=review_deck_size(turn.learners.session, resident.id)))
    extra += _questions(turn)
    # The issue-11 lines go after the stored-data list, before the rights paragraph.
    listing, _, rights = text.partition("\n\n")
    text = "\n".join([listing, *extra]) + (f"\n\n{rights}" if rights else "")
    buttons = (
        (Button(t(language, "btn_copy_data"), CopyMyData()),),
        (Button(t(language, "btn_delete_data"), AskDelete()),),
        (Button(t(language, "btn_menu"), ShowMenu()),),
    )
    return Reply(text, buttons)


def _questions(turn: Turn) -> list[str]:
    """The questions they sent to a helper (bot/helpdesk), with the words they wrote: theirs to see."""
    session, language = turn.learners.session, turn.language
    asked = desk.questions_of(session, turn.me.id)
    if not asked:
        return []
    lines = [t(language, "mydata_questions", count=len(asked))]
    for question in asked:
        words = desk.first_text(session, question.id) or "📎"
        status = t(language, "question_open" if question.status == HelpStatus.OPEN else "question_closed")
        day = _local(turn, question.asked_at).split()[0]
        lines.append(t(language, "mydata_question_line", day=day, text=_short(words), status=status))
    return lines


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(turn: Turn, moment: datetime | None) -> str:
    return moment.astimezone(turn.journey.timezone).strftime("%d/%m/%Y %H:%M") if moment else "-"


@router.action(CopyMyData)
def copy_my_data(turn: Turn, action: CopyMyData) -> Outcome:
    """The complete copy, read in this update's transaction and sent as a file once it has committed."""
    content = personal_data.to_json(personal_data.collect(turn.learners.session, turn.me))
    day = clock.local_now(turn.journey.timezone).strftime("%Y-%m-%d")
    copy = Attachment(filename=f"du-lieu-cua-toi-{day}.json", render=lambda: content, kind="document")
    return Outcome([Reply(t(turn.language, "copy_data_caption"), attachment=copy)])


@router.command("deleteme")
def on_delete_me(turn: Turn, command: str) -> Outcome:
    return ask_delete(turn, AskDelete())


@router.action(AskDelete)
def ask_delete(turn: Turn, action: AskDelete) -> Outcome:
    turn.move("ask_delete")
    return Outcome([screens.delete_confirm(turn.language)])


@router.action(ConfirmDelete)
def confirm_delete(turn: Turn, action: ConfirmDelete) -> Outcome:
    if turn.state != Privacy.DELETE_CONFIRM:
        raise StaleAction("delete")
    language = turn.language
    if action.answer == "no":
        turn.move("open_menu")
        return Outcome([as_edit(Reply(t(language, "delete_cancelled"))), menu_screen(turn)])
    turn.move("confirm_delete")
    desk.forget(turn.learners.session, turn.me.id)  # questions and every relayed copy of their words
    turn.learners.forget(turn.me.id)
    turn.resident = None
    return Outcome([as_edit(Reply(t(language, "deleted")))])


@router.screen(Privacy.DELETE_CONFIRM)
def delete_screen(turn: Turn) -> list[Reply]:
    return [screens.delete_confirm(turn.language)]
