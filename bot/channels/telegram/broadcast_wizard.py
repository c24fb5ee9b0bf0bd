"""The /broadcast wizard: content -> audience -> when -> preview with the recipient count -> confirm.

State lives in `context.user_data` (a draft per officer; a restart simply forgets unfinished drafts).
Every button carries the draft's nonce and the step it belongs to, so a button from an older wizard
or an earlier step is answered as stale instead of changing the draft. Typed input (the announcement,
a photo, a time) is caught in handler group -1, before the residents' handlers, and only while the
draft waits for it; otherwise the message goes on to the lessons as usual.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import clock
from bot.actions import Action, register
from bot.broadcast import audience as audiences
from bot.broadcast import service, views
from bot.broadcast.content import CAPTION_MAX, LESSON, PHOTO, TEXT, TEXT_MAX, Content, ContentError, render
from bot.broadcast.schedule import ScheduleError, local_text, parse_local, parse_quiet_hours
from bot.channels.telegram import broadcast_progress as progress
from bot.channels.telegram import callbacks, privileged
from bot.channels.telegram.handlers import language_of, runtime_of
from bot.channels.telegram.keyboards import inline_keyboard
from bot.storage.roles import Actor
from bot.texts import t

DRAFT = "broadcast_draft"
INACTIVE_DAYS = (7, 14, 30, 60)

# Steps, and the button verb each step accepts.
KIND, MODULE, TEXT_INPUT, PHOTO_INPUT = "kind", "module", "text", "photo"
AUDIENCE, AUD_COMMUNE, AUD_LANGUAGE, AUD_NOT_COMPLETED, AUD_INACTIVE = "aud", "aud-c", "aud-l", "aud-n", "aud-i"
WHEN, TIME_INPUT, PREVIEW = "when", "time", "preview"
VERBS = {
    KIND: "k",
    MODULE: "m",
    AUDIENCE: "a",
    AUD_COMMUNE: "ac",
    AUD_LANGUAGE: "al",
    AUD_NOT_COMPLETED: "an",
    AUD_INACTIVE: "ai",
    WHEN: "w",
    PREVIEW: "ok",
}
INPUT_STEPS = (TEXT_INPUT, PHOTO_INPUT, TIME_INPUT)
CANCEL = "x"


@dataclass(frozen=True, slots=True)
class WizardPress(Action, prefix="bw"):
    """A wizard button: the draft it belongs to, the step's verb, the value chosen ("-" for none)."""

    nonce: str
    verb: str
    value: str


register(WizardPress)


@dataclass
class Draft:
    nonce: str
    language: str
    step: str = KIND
    kind: str | None = None
    module_id: str | None = None
    text: str | None = None
    photo: str | None = None
    audience: str | None = None
    at: datetime | None = None

    def content(self) -> Content:
        assert self.kind is not None
        return Content(self.kind, self.module_id, self.text, self.photo)


def _button(draft: Draft, label: str, verb: str, value: str = "-") -> InlineKeyboardButton:
    return callbacks.button(label, WizardPress(draft.nonce, verb, value))


def _keyboard(draft: Draft, rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([*rows, [_button(draft, t(draft.language, "cancel"), CANCEL)]])


# -- entry --------------------------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast: a fresh draft (an unfinished one is dropped)."""
    actor = await privileged.require_officer(update, context)
    chat = update.effective_chat
    if actor is None or chat is None or context.user_data is None:
        return
    draft = Draft(nonce=secrets.token_hex(2), language=language_of(update))
    context.user_data[DRAFT] = draft
    await _show(update, context, draft, actor, edit=False)


# -- screens ------------------------------------------------------------------------------------------------


def _screen(context: ContextTypes.DEFAULT_TYPE, draft: Draft, actor: Actor) -> tuple[str, InlineKeyboardMarkup]:
    runtime = runtime_of(context)
    lang = draft.language
    verb = VERBS.get(draft.step, "")
    if draft.step == KIND:
        kinds = [(LESSON, "kind_lesson"), (TEXT, "kind_text"), (PHOTO, "kind_photo")]
        rows = [[_button(draft, t(lang, label), verb, kind)] for kind, label in kinds]
        return t(lang, "pick_kind"), _keyboard(draft, rows)
    if draft.step in (MODULE, AUD_NOT_COMPLETED):
        rows = [[_button(draft, lesson.title, verb, lesson.id)] for lesson in runtime.catalog.modules(lang)]
        return t(lang, "pick_module" if draft.step == MODULE else "pick_not_completed"), _keyboard(draft, rows)
    if draft.step == TEXT_INPUT:
        return t(lang, "ask_text", max=TEXT_MAX), _keyboard(draft, [])
    if draft.step == PHOTO_INPUT:
        return t(lang, "ask_photo", max=CAPTION_MAX), _keyboard(draft, [])
    if draft.step == AUDIENCE:
        options = [
            (audiences.ALL, "aud_all" if actor.communes is None else "aud_all_scoped"),
            (audiences.COMMUNE, "aud_commune"),
            (audiences.LANGUAGE, "aud_language"),
            (audiences.NOT_COMPLETED, "aud_not_completed"),
            (audiences.INACTIVE, "aud_inactive"),
        ]
        rows = [[_button(draft, t(lang, label), verb, kind)] for kind, label in options]
        return t(lang, "pick_audience"), _keyboard(draft, rows)
    if draft.step == AUD_COMMUNE:
        communes = [c for c in runtime.settings.communes if actor.may_reach(c.id)]
        rows = [[_button(draft, commune.name(lang), verb, commune.id)] for commune in communes]
        return t(lang, "pick_commune"), _keyboard(draft, rows)
    if draft.step == AUD_LANGUAGE:
        rows = [[_button(draft, t(lang, f"lang_{code}"), verb, code)] for code in audiences.LANGUAGES]
        return t(lang, "pick_language"), _keyboard(draft, rows)
    if draft.step == AUD_INACTIVE:
        rows = [[_button(draft, t(lang, "days", days=days), verb, str(days)) for days in INACTIVE_DAYS]]
        return t(lang, "pick_inactive"), _keyboard(draft, rows)
    if draft.step == WHEN:
        rows = [[_button(draft, t(lang, "when_now"), verb, "now"), _button(draft, t(lang, "when_later"), verb, "at")]]
        return t(lang, "pick_when"), _keyboard(draft, rows)
    assert draft.step == TIME_INPUT
    return t(lang, "ask_time"), _keyboard(draft, [])


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, actor: Actor, *, edit: bool) -> None:
    """Draw the draft's current step: edit the pressed message, or send anew after typed input."""
    chat = update.effective_chat
    assert chat is not None
    text, markup = _screen(context, draft, actor)
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        with contextlib.suppress(BadRequest):
            await query.message.edit_text(text, reply_markup=markup)
            return
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, actor: Actor) -> None:
    """A sample of the message as residents get it, then the summary with the count and Send/Cancel."""
    runtime = runtime_of(context)
    settings = runtime.settings
    chat = update.effective_chat
    assert chat is not None and draft.audience is not None
    lang = draft.language
    audience = audiences.parse(
        draft.audience, communes={c.id for c in settings.communes}, modules=runtime.catalog.module_ids()
    )
    quiet = parse_quiet_hours(settings.quiet_hours)
    plan = await service.plan(
        runtime.sessions,
        service.Draft(draft.content(), audience, draft.at),
        actor=actor,
        tz=settings.tz,
        quiet=quiet,
        now=clock.now(),
    )
    if not plan.recipients:
        draft.step = AUDIENCE
        await context.bot.send_message(chat.id, t(lang, "empty"))
        await _show(update, context, draft, actor, edit=False)
        return
    draft.step = PREVIEW
    await context.bot.send_message(chat.id, t(lang, "sample"))
    sample = render(draft.content(), lang, runtime.catalog)
    if sample.media:
        await context.bot.send_photo(chat.id, sample.media, caption=sample.text, reply_markup=inline_keyboard(sample))
    else:
        await context.bot.send_message(chat.id, sample.text, reply_markup=inline_keyboard(sample))
    when = t(lang, "when_now_text") if draft.at is None and not plan.moved else local_text(plan.send_at, settings.tz)
    summary = t(
        lang,
        "preview",
        what=views.describe_content(draft.content(), lang, runtime.catalog),
        audience=views.describe_audience(
            draft.audience, lang, runtime.catalog, settings.communes, scoped=actor.communes is not None
        ),
        count=views.group(plan.recipients),
        when=when,
        moved=t(lang, "moved", quiet=quiet) if plan.moved else "",
    )
    if plan.outside_window:
        summary += t(lang, "preview_outside_window", count=views.group(plan.outside_window))
    rows = [[_button(draft, t(lang, "confirm"), VERBS[PREVIEW])]]
    await context.bot.send_message(chat.id, summary, reply_markup=_keyboard(draft, rows))


# -- buttons ------------------------------------------------------------------------------------------------


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor, press: WizardPress) -> None:
    query = update.callback_query
    assert query is not None and context.user_data is not None
    verb, value = press.verb, press.value
    draft: Draft | None = context.user_data.get(DRAFT)
    if draft is None or draft.nonce != press.nonce:
        await query.answer(t(language_of(update), "broadcast_stale"))
        return
    if verb == CANCEL:
        context.user_data.pop(DRAFT, None)
        await query.answer()
        await _replace(query.message, t(draft.language, "wizard_cancelled"))
        return
    if VERBS.get(draft.step) != verb:
        await query.answer(t(draft.language, "broadcast_stale"))
        return
    runtime = runtime_of(context)
    if draft.step == PREVIEW:
        await _confirm(update, context, draft, actor)
        return
    if not _choose(draft, value, actor, runtime.catalog.module_ids(), [c.id for c in runtime.settings.communes]):
        await query.answer(t(draft.language, "broadcast_stale"))  # a value that was never offered: forged
        return
    await query.answer()
    if draft.step == PREVIEW:
        await _replace(query.message, None)
        await _preview(update, context, draft, actor)
        return
    await _show(update, context, draft, actor, edit=True)


def _choose(draft: Draft, value: str, actor: Actor, modules: list[str], communes: list[str]) -> bool:
    """Apply one button's value to the draft and move to the next step; False if the value is invalid."""
    step = draft.step
    if step == KIND and value in (LESSON, TEXT, PHOTO):
        draft.kind = value
        draft.step = {LESSON: MODULE, TEXT: TEXT_INPUT, PHOTO: PHOTO_INPUT}[value]
    elif step == MODULE and value in modules:
        draft.module_id, draft.step = value, AUDIENCE
    elif step == AUDIENCE and value in audiences.KINDS:
        if value == audiences.ALL:
            draft.audience, draft.step = audiences.ALL, WHEN
        else:
            draft.step = {
                audiences.COMMUNE: AUD_COMMUNE,
                audiences.LANGUAGE: AUD_LANGUAGE,
                audiences.NOT_COMPLETED: AUD_NOT_COMPLETED,
                audiences.INACTIVE: AUD_INACTIVE,
            }[value]
    elif step == AUD_COMMUNE and value in communes and actor.may_reach(value):
        draft.audience, draft.step = f"{audiences.COMMUNE}:{value}", WHEN
    elif step == AUD_LANGUAGE and value in audiences.LANGUAGES:
        draft.audience, draft.step = f"{audiences.LANGUAGE}:{value}", WHEN
    elif step == AUD_NOT_COMPLETED and value in modules:
        draft.audience, draft.step = f"{audiences.NOT_COMPLETED}:{value}", WHEN
    elif step == AUD_INACTIVE and value.isdigit() and int(value) in INACTIVE_DAYS:
        draft.audience, draft.step = f"{audiences.INACTIVE}:{value}", WHEN
    elif step == WHEN and value in ("now", "at"):
        draft.at = None
        draft.step = PREVIEW if value == "now" else TIME_INPUT
    else:
        return False
    return True


async def _confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, actor: Actor) -> None:
    """Create the broadcast; the summary message becomes its live progress message."""
    query = update.callback_query
    assert query is not None and context.user_data is not None and draft.audience is not None
    context.user_data.pop(DRAFT, None)  # a second tap on Send finds no draft: one broadcast, not two
    runtime = runtime_of(context)
    settings = runtime.settings
    message = query.message if isinstance(query.message, Message) else None
    audience = audiences.parse(
        draft.audience, communes={c.id for c in settings.communes}, modules=runtime.catalog.module_ids()
    )
    try:
        created = await service.create(
            runtime.sessions,
            service.Draft(draft.content(), audience, draft.at),
            actor=actor,
            catalog=runtime.catalog,
            tz=settings.tz,
            quiet=parse_quiet_hours(settings.quiet_hours),
            report_chat_id=message.chat.id if message else None,
            report_message_id=message.message_id if message else None,
        )
    except service.NotAllowed:
        await query.answer(t(draft.language, "outside_scope"), show_alert=True)
        return
    except (service.BroadcastError, ContentError) as error:
        await query.answer(t(draft.language, "cannot", reason=str(error)), show_alert=True)
        return
    await query.answer()
    progress.tell_sender(context.application)
    await progress.refresh_progress(context.application, created.id, draft.language)
    if created.send_at > clock.now():
        when = local_text(created.send_at, settings.tz)
        count = views.group(created.recipients)
        chat = update.effective_chat
        assert chat is not None
        text = t(draft.language, "created_later", id=created.id, when=when, count=count)
        await context.bot.send_message(chat.id, text)


async def _replace(message: object, text: str | None) -> None:
    """Turn a finished wizard step into plain text (or just drop its buttons) so it cannot be pressed."""
    if not isinstance(message, Message):
        return
    with contextlib.suppress(BadRequest):
        if text is None:
            await message.edit_reply_markup(reply_markup=None)
        else:
            await message.edit_text(text, reply_markup=None)


# -- typed input ----------------------------------------------------------------------------------------------


async def on_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: take the announcement, the photo or the time while the draft waits for one."""
    message = update.effective_message
    draft: Draft | None = context.user_data.get(DRAFT) if context.user_data is not None else None
    if draft is None or message is None:
        return
    if message.text and message.text.startswith("/"):
        command = message.text.split()[0][1:].split("@")[0].lower()
        if command != "broadcast":
            context.user_data.pop(DRAFT, None)  # the officer went elsewhere: the draft is abandoned
        return
    if draft.step not in INPUT_STEPS:
        return  # not waiting for typing: the lessons handle this message
    actor = await privileged.require_officer(update, context)
    if actor is None:
        context.user_data.pop(DRAFT, None)
        raise ApplicationHandlerStop
    await _take_input(update, context, draft, actor, message)
    raise ApplicationHandlerStop  # the residents' handlers must not also answer this message


async def _take_input(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, actor: Actor, message: Message
) -> None:
    lang = draft.language
    chat_id = message.chat.id
    if draft.step == TEXT_INPUT:
        text = (message.text or "").strip()
        if not text:
            await context.bot.send_message(chat_id, t(lang, "need_text"))
            return
        if len(text) > TEXT_MAX:
            await context.bot.send_message(chat_id, t(lang, "too_long", length=len(text), max=TEXT_MAX))
            return
        draft.text, draft.step = text, AUDIENCE
    elif draft.step == PHOTO_INPUT:
        if not message.photo:
            await context.bot.send_message(chat_id, t(lang, "need_photo"))
            return
        caption = (message.caption or "").strip()
        if len(caption) > CAPTION_MAX:
            await context.bot.send_message(chat_id, t(lang, "too_long", length=len(caption), max=CAPTION_MAX))
            return
        draft.photo, draft.text, draft.step = message.photo[-1].file_id, caption or None, AUDIENCE
    else:
        settings = runtime_of(context).settings
        try:
            draft.at = parse_local(message.text or "", clock.now(), settings.tz)
        except ScheduleError as error:
            await context.bot.send_message(chat_id, t(lang, "bad_time", error=str(error)))
            return
        draft.step = PREVIEW
        await _preview(update, context, draft, actor)
        return
    await _show(update, context, draft, actor, edit=False)
