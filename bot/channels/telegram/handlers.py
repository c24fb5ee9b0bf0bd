"""Residents' handlers: every private message or button becomes one engine event.

The handlers own only what is Telegram's: reading the update, answering the button press, editing or
sending messages, and telling the person kindly when something outside their control failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import update as sql_update
from sqlalchemy.exc import DBAPIError
from telegram import ChatMember, InputFile, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import clock
from bot.channels.telegram.keyboards import caption, inline_keyboard
from bot.messages import Event, EventKind, Outcome, UserKey
from bot.runtime import Runtime
from bot.storage.failures import describe, is_refused_data
from bot.storage.models import Resident
from bot.storage.vocabulary import Channel
from bot.texts import t

log = logging.getLogger(__name__)
ARGUMENT_MAX = 16  # a command's one word of argument ("/reminders off"); longer is not a word we know
CHANNEL = Channel.TELEGRAM
TEXT_PAYLOAD_MAX = 1000  # a question to a helper may be a paragraph; nothing else needs more


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.application.bot_data["runtime"]


def language_of(update: Update) -> str:
    code = update.effective_user.language_code if update.effective_user else None
    return "en" if code and code.startswith("en") else "vi"


def _event(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    kind: EventKind,
    payload: str,
    argument: str = "",
    media_id: str | None = None,
) -> Event:
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None
    key = UserKey(CHANNEL, context.bot.id, chat.id, user.id)
    return Event(
        key,
        kind,
        payload,
        display_name=user.first_name,
        language_hint=user.language_code,
        argument=argument,
        media_id=media_id,
        message_ref=f"{chat.id}:{message.message_id}" if message is not None and kind is not EventKind.ACTION else None,
        caption=(message.caption or None) if message is not None and kind is EventKind.MEDIA else None,
    )


def media_of(message: Message | None) -> tuple[str, str | None]:
    """What kind of media a message carries, and the file id of a photo or voice note (the ones a
    helper can be sent)."""
    if message is not None and message.photo:
        return "photo", message.photo[-1].file_id  # the largest size
    if message is not None and message.voice:
        return "voice", message.voice.file_id
    kind = next(
        (
            name
            for name in ("sticker", "video", "document", "audio", "location", "contact")
            if message is not None and getattr(message, name)
        ),
        "other",
    )
    return kind, None


async def run_engine(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    kind: EventKind,
    payload: str,
    argument: str = "",
    media_id: str | None = None,
) -> None:
    try:
        outcome = await runtime_of(context).engine.handle(_event(update, context, kind, payload, argument, media_id))
    except (DBAPIError, OSError, TimeoutError) as error:
        if is_refused_data(error):
            # Not an outage: the same update would fail again. Nothing was written (rolled back); say so
            # plainly, and log it as the bug it is, without the values (they may be a name or a text).
            log.error("the database refused update %s's data (%s)", update.update_id, describe(error))
            await _tell(update, context, t(language_of(update), "data_refused"))
            return
        # The database is down or locked for too long: nothing was written (the transaction rolled back),
        # so the person can simply try again. Say so instead of staying silent.
        log.warning("database unavailable while handling update %s: %s", update.update_id, describe(error))
        await _tell(update, context, t(language_of(update), "db_down"))
        return
    await deliver(update, context, outcome)


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, outcome: Outcome) -> None:
    query = update.callback_query
    if query is not None:
        # A press too old to answer raises BadRequest; the messages below still go out.
        with contextlib.suppress(BadRequest):
            await query.answer(outcome.notice)
    chat = update.effective_chat
    assert chat is not None
    for reply in outcome.replies:
        markup = inline_keyboard(reply)
        if reply.attachment is not None:
            # Drawn now, after the engine's transaction, on a worker thread: the loop keeps serving others.
            content = await asyncio.to_thread(reply.attachment.render)
            upload = InputFile(content, filename=reply.attachment.filename)
            if reply.attachment.kind == "document":
                await context.bot.send_document(chat.id, upload, caption=caption(reply.text), reply_markup=markup)
            else:
                await context.bot.send_photo(chat.id, upload, caption=caption(reply.text), reply_markup=markup)
            continue
        message = query.message if query is not None else None
        if reply.edit and isinstance(message, Message) and not reply.media:
            try:
                await message.edit_text(reply.text, reply_markup=markup)
                continue
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    continue
                # Too old or deleted: fall through and send it as a new message.
        if reply.media:
            await context.bot.send_photo(chat.id, reply.media, caption=caption(reply.text), reply_markup=markup)
        else:
            await context.bot.send_message(chat.id, reply.text, reply_markup=markup)


async def _tell(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:
        log.warning("could not tell update %s about a failure: %s", update.update_id, type(error).__name__)


async def ask_to_wait(application: Application, update: Update) -> None:
    """A kind word to a resident whose updates are being dropped because they sent too many at once
    (bot.channels.telegram.processor): a toast on the button they pressed, else one message."""
    text = t(language_of(update), "flood_wait")
    if update.callback_query is not None:
        with contextlib.suppress(BadRequest):
            await update.callback_query.answer(text)
    elif update.effective_chat is not None:
        await application.bot.send_message(update.effective_chat.id, text)


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text if update.effective_message else ""
    words = (text or "/").split()
    command = words[0][1:].split("@")[0].lower()
    argument = words[1].lower()[:ARGUMENT_MAX] if len(words) > 1 else ""
    await run_engine(update, context, EventKind.COMMAND, command, argument)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text if update.effective_message else ""
    await run_engine(update, context, EventKind.TEXT, (text or "")[:TEXT_PAYLOAD_MAX])


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kind, media_id = media_of(update.effective_message)
    await run_engine(update, context, EventKind.MEDIA, kind, media_id=media_id)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE:
        await query.answer(t(language_of(update), "private_only", link=f"@{context.bot.username}"))
        return
    # Undecodable data still goes to the engine, which answers it as stale and shows where they are.
    await run_engine(update, context, EventKind.ACTION, query.data or "")


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    link = f"https://t.me/{context.bot.username}" if context.bot.username else "@bot"
    await message.reply_text(t(language_of(update), "private_only", link=link))


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A resident who blocks the bot is unreachable until they unblock it: broadcasts skip them."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    values = (
        {"unreachable_at": clock.now(), "unreachable_reason": "blocked"}
        if blocked
        else {
            "unreachable_at": None,
            "unreachable_reason": None,
        }
    )
    async with runtime_of(context).sessions.begin() as session:
        await session.execute(
            sql_update(Resident)
            .where(Resident.channel == CHANNEL, Resident.external_id == change.from_user.id)
            .values(**values)
        )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    # Log what happened and where, never the message text (personal data) nor the token.
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and not isinstance(context.error, Forbidden):
        await _tell(update, context, t(language_of(update), "error"))


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_media))
    # Every other button reaches the engine: forged or foreign data is answered as stale there.
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, on_group_message))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)
