"""The help desk's Telegram plumbing for those who answer (helpers, officers, admins): the ✋ Nhận and
✅ Đã xong buttons on a question message, a Telegram reply to it (text, photo or voice note) relayed to
the resident, /questions, and the escalation job. The rules are in `bot.helpdesk.desk`; nothing here
forwards a message (a forward would show the sender's account): relays are copies the bot sends.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import actions, clock
from bot.channels.telegram import broadcast_progress as progress
from bot.channels.telegram import handlers
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.channels.telegram.privileged import actor_of, say
from bot.helpdesk import desk, service
from bot.helpdesk.actions import ANSWERER_ACTIONS, ClaimQuestion, CloseQuestion
from bot.runtime import Runtime, help_policy
from bot.storage.vocabulary import HelpStatus
from bot.texts import t

log = logging.getLogger(__name__)
ESCALATION_SECONDS = 60  # how often unclaimed questions are checked against their deadline
Result = desk.Result


def _is_answerer_button(data: object) -> bool:
    return isinstance(data, str) and isinstance(actions.decode(data), ANSWERER_ACTIONS)


async def on_answerer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    action = actions.decode(query.data)
    actor = await actor_of(update, context)
    language = language_of(update)
    runtime = runtime_of(context)
    if actor is None or not isinstance(action, ClaimQuestion | CloseQuestion):
        await say(update, context, t(language, "q_not_yours"))
        return
    if isinstance(action, ClaimQuestion):
        name = update.effective_user.first_name if update.effective_user else None
        answer = await service.claim(runtime.sessions, actor, action.question, name)
    else:
        answer = await service.close(runtime.sessions, actor, action.question)
    progress.tell_sender(context.application)  # the resident's and the others' messages go at once
    if answer.result is Result.CLAIMED:
        await query.answer()
        await context.bot.send_message(query.from_user.id, t(language, "q_claimed_you", id=answer.question_id))
    elif answer.result is Result.CLOSED_NOW:
        await query.answer()
        await context.bot.send_message(query.from_user.id, t(language, "q_closed", id=answer.question_id))
    else:
        await say(update, context, _refusal(language, answer))


def _refusal(language: str, answer: desk.Answer) -> str:
    if answer.result in (Result.TAKEN, Result.YOURS):
        return t(language, "q_taken_alert", id=answer.question_id, name=answer.taken_by or t(language, "q_someone"))
    if answer.result is Result.CLOSED:
        return t(language, "q_already_closed", id=answer.question_id)
    if answer.result is Result.UNKNOWN:
        return t(language, "q_reply_unknown")
    return t(language, "q_not_yours")


def _looks_like_a_question(message: Message) -> bool:
    """A message the bot sent about a question carries its ✋/✅ buttons (or is a follow-up, 💬)."""
    markup = message.reply_markup
    buttons = [button for row in markup.inline_keyboard for button in row] if markup is not None else []
    return any(_is_answerer_button(button.callback_data) for button in buttons) or (
        (message.text or message.caption or "").startswith("💬")
    )


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to one of the bot's messages: from someone who answers questions, to a question
    message, it is relayed; everything else is an ordinary message for the residents' handlers."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    replied = message.reply_to_message
    actor = await actor_of(update, context)
    if actor is None or not (actor.is_helper or actor.is_officer):
        await _as_ordinary(update, context)
        return
    kind, media_id = handlers.media_of(message)
    chat_id = update.effective_chat.id if update.effective_chat else message.chat_id
    content = desk.Content(
        message.text or message.caption,
        kind if media_id else None,
        media_id,
        f"telegram:{chat_id}:{message.message_id}",
    )
    language = language_of(update)
    if not content.relayable:
        await context.bot.send_message(chat_id, t(language, "q_reply_need_content"))
        return
    name = update.effective_user.first_name if update.effective_user else None
    answer = await service.reply(runtime_of(context).sessions, actor, replied.message_id, content, name)
    if answer.result is Result.UNKNOWN and not _looks_like_a_question(replied):
        await _as_ordinary(update, context)  # e.g. a helper who also learns, replying to a lesson
        return
    if answer.result is Result.RELAYED:
        progress.tell_sender(context.application)
        await context.bot.send_message(chat_id, t(language, "q_relayed", id=answer.question_id))
    elif answer.result is not Result.DUPLICATE:
        log.info("help reply refused (%s) in update %s", answer.result, update.update_id)
        await context.bot.send_message(chat_id, _refusal(language, answer))


async def _as_ordinary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await handlers.on_text(update, context)
    else:
        await handlers.on_media(update, context)


async def on_questions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    actor = await actor_of(update, context)
    language = language_of(update)
    if chat is None:
        return
    if actor is None or not (actor.is_helper or actor.is_officer):
        await say(update, context, t(language, "q_not_yours"))
        return
    runtime = runtime_of(context)
    found = await service.waiting_for(runtime.sessions, actor)
    if not found:
        await context.bot.send_message(chat.id, t(language, "q_list_empty"))
        return
    helpdesk = _desk(runtime)
    lines = [t(language, "q_list_title")]
    for question in found:
        status = (
            t(language, "q_status_claimed", name=question.claimed_by_name or t(language, "q_someone"))
            if question.claimed_by is not None
            else t(language, "q_status_waiting")
        )
        commune = helpdesk.commune_name(question.commune_id, language)
        lines.append(t(language, "q_list_line", id=question.id, commune=commune, status=status))
    assert all(question.status == HelpStatus.OPEN for question in found)
    await context.bot.send_message(chat.id, "\n".join(lines))


def _desk(runtime: Runtime) -> desk.Desk:
    return desk.Desk(runtime.catalog, runtime.settings.communes, help_policy(runtime.settings))


async def escalate(application: Application) -> int:
    """Send unclaimed questions past their deadline one level up; the outbox delivers the notices."""
    runtime: Runtime = application.bot_data["runtime"]
    moved = await service.escalate_due(runtime.sessions, _desk(runtime), clock.now())
    if moved:
        progress.tell_sender(application)
    return moved


async def _escalation_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await escalate(context.application)
    except Exception as error:  # the database away for a moment: the next run catches up
        log.warning("help escalation skipped: %s", type(error).__name__)


async def on_startup(application: Application) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(_escalation_job, interval=ESCALATION_SECONDS, first=5)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(on_answerer_button, pattern=_is_answerer_button))
    application.add_handler(CommandHandler("questions", on_questions, filters=private))
    relayable = filters.TEXT | filters.PHOTO | filters.VOICE | filters.CAPTION
    application.add_handler(MessageHandler(private & filters.REPLY & relayable & ~filters.COMMAND, on_reply))
