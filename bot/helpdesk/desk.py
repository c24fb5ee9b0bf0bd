"""The help desk's rules, on the caller's (synchronous) session and inside its transaction.

- A resident has at most one open question; what they send while it is open is added to it.
- A new question goes to every helper of the resident's commune; if there is none, to its officers
  (officers limited to other communes excluded); if none, to the admins. That is its `level`.
- Every message to a helper or a resident goes through the outbox (`direct_messages`) with a dedupe
  key, and every resident's or helper's message is stored once under its channel message id: so a
  retried update, a second process or a restart never relays anything twice, and nothing is lost.
- The first claim wins (one conditional UPDATE); a reply to the question message claims it too. Only a
  helper or officer of the question's commune, or an admin, may claim, answer or close it.
- Claims and closes are audited by question number, never with the words of the question.

The resident's flow (bot/learning/flows/helpdesk.py) calls these inside the engine's transaction; the
channels call them through `AsyncSession.run_sync` (see `bot.helpdesk.service`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import clock
from bot.cleaning import clean_name, clean_text
from bot.config import Commune
from bot.content import Catalog
from bot.helpdesk.actions import ClaimQuestion, CloseQuestion, RateHelp
from bot.helpdesk.deadlines import add_daytime_hours
from bot.messages import Button, Reply, reply_to_json
from bot.storage import audit
from bot.storage.models import DirectMessage, HelpMessage, HelpNotice, HelpQuestion, OfficerCommune, Resident
from bot.storage.roles import Actor
from bot.storage.vocabulary import Channel, DeliveryStatus, HelpStatus, Role
from bot.texts import t

log = logging.getLogger(__name__)

TEXT_MAX = 1000  # one question or answer; the rest of a longer message is cut
HELPERS, OFFICERS, ADMINS = 0, 1, 2  # levels: who a question went to
RELAY_KIND = "relay"  # direct_messages.kind for everything the help desk sends


@dataclass(frozen=True)
class HelpPolicy:
    """How long an unclaimed question waits before going one level up, counted in daytime hours."""

    escalate_hours: float = 4.0
    daytime: tuple[time, time] | None = (time(7), time(21))
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    admin_ids: tuple[int, ...] = ()

    def deadline(self, start: datetime) -> datetime:
        return add_daytime_hours(start, self.escalate_hours, self.tz, self.daytime)


@dataclass(frozen=True)
class Desk:
    """What the help desk needs besides the session: the lessons (to say where a resident is), the
    communes (their names) and the policy."""

    catalog: Catalog
    communes: Sequence[Commune]
    policy: HelpPolicy = field(default_factory=HelpPolicy)

    def commune_name(self, commune_id: str | None, language: str) -> str:
        commune = next((c for c in self.communes if c.id == commune_id), None)
        return commune.name(language) if commune is not None else (commune_id or "-")


@dataclass(frozen=True)
class Content:
    """One message to relay: words and/or a photo or voice note, and which channel message it was."""

    text: str | None
    media_kind: str | None  # photo | voice
    media_id: str | None
    source_key: str  # e.g. "telegram:<chat>:<message id>"

    @property
    def relayable(self) -> bool:
        return bool(self.text) or (self.media_kind in ("photo", "voice") and bool(self.media_id))


class Result(StrEnum):
    CLAIMED = "claimed"  # this call took it
    YOURS = "yours"  # taken by this person already
    TAKEN = "taken"  # someone else took it
    RELAYED = "relayed"
    DUPLICATE = "duplicate"  # the same channel message again: nothing relayed twice
    CLOSED_NOW = "closed_now"
    CLOSED = "closed"  # was closed already
    NOT_YOURS = "not_yours"  # another commune's question, or not a helper, officer or admin
    UNKNOWN = "unknown"  # no such question, or not a reply to one


@dataclass(frozen=True)
class Answer:
    result: Result
    question_id: int | None = None
    taken_by: str | None = None  # the first name of who took it


# -- the resident's side (inside the engine's transaction) -------------------------------------------


def open_question(session: Session, resident_id: int) -> HelpQuestion | None:
    return session.scalar(
        select(HelpQuestion)
        .where(HelpQuestion.resident_id == resident_id, HelpQuestion.status == HelpStatus.OPEN)
        .order_by(HelpQuestion.id.desc())
        .limit(1)
    )


def ask(
    session: Session, desk: Desk, resident: Resident, where: dict[str, Any], content: Content
) -> tuple[HelpQuestion, bool]:
    """A new question, or (when one is open) this message added to it; True when new."""
    question = open_question(session, resident.id)
    if question is not None:
        add_from_resident(session, desk, question, resident, content)
        return question, False
    now = clock.now()
    question = HelpQuestion(
        resident_id=resident.id,
        commune_id=resident.commune_id,
        status=HelpStatus.OPEN,
        context=where,
        asked_at=now,
        level=HELPERS,
    )
    session.add(question)
    session.flush()
    if _store_message(session, question.id, resident.id, True, content) is None:
        return question, True  # cannot happen for a new question; kept for a retried update's sake
    level, recipients = _first_level_with_people(session, desk, question, resident.id, HELPERS)
    question.level = level
    question.escalate_at = desk.policy.deadline(now) if level < ADMINS else None
    _tell_about_question(session, desk, question, resident, recipients, escalated=False)
    log.info(
        "help question %s asked (commune %s, level %s, %d told)",
        question.id,
        question.commune_id,
        level,
        len(recipients),
    )
    return question, True


def add_from_resident(
    session: Session, desk: Desk, question: HelpQuestion, resident: Resident, content: Content
) -> bool:
    """A follow-up: to whoever took the question, else to everyone told about it. False for a repeat."""
    message_id = _store_message(session, question.id, resident.id, True, content)
    if message_id is None:
        return False
    if question.claimed_by is not None:
        recipients = _people(session, [question.claimed_by])
    else:
        told = select(HelpNotice.recipient_id).where(HelpNotice.question_id == question.id).distinct()
        recipients = _people(session, list(session.scalars(told)))
    name = resident.display_name or "?"
    for person_id, language in recipients:
        key = "q_followup" if content.text else "q_followup_media"
        reply = Reply(
            t(language, key, name=name, id=question.id, text=content.text or ""),
            media=content.media_id if content.media_kind else None,
            media_kind=content.media_kind or "photo",
        )
        _notify(session, question.id, person_id, f"help:m{message_id}:to{person_id}", reply)
    return True


def rate(session: Session, resident_id: int, question_id: int, verdict: str) -> bool:
    """The resident's 👍/👎 on their own closed question; False for anything else (a forged button)."""
    question = session.get(HelpQuestion, question_id)
    if question is None or question.resident_id != resident_id or question.status != HelpStatus.CLOSED:
        return False
    first = question.rating is None
    question.rating = verdict
    if first and question.claimed_by is not None:
        for person_id, language in _people(session, [question.claimed_by]):
            text = t(language, "q_rated", id=question.id, rating="👍" if verdict == "up" else "👎")
            _enqueue(session, person_id, f"help:q{question.id}:rated", Reply(text))
    return True


def questions_of(session: Session, resident_id: int) -> list[HelpQuestion]:
    return list(
        session.scalars(select(HelpQuestion).where(HelpQuestion.resident_id == resident_id).order_by(HelpQuestion.id))
    )


def first_text(session: Session, question_id: int) -> str | None:
    return session.scalar(
        select(HelpMessage.text)
        .where(HelpMessage.question_id == question_id, HelpMessage.from_resident.is_(True))
        .order_by(HelpMessage.id)
        .limit(1)
    )


def forget(session: Session, resident_id: int) -> None:
    """Erase a resident's questions, their conversation and every relayed copy still in the outbox
    (a helper's chat keeps what Telegram already delivered; the bot keeps nothing)."""
    asked = select(HelpQuestion.id).where(HelpQuestion.resident_id == resident_id)
    copies = select(HelpNotice.direct_message_id).where(HelpNotice.question_id.in_(asked))
    copy_ids = list(session.scalars(copies))
    session.execute(delete(HelpNotice).where(HelpNotice.question_id.in_(asked)))
    if copy_ids:
        session.execute(delete(DirectMessage).where(DirectMessage.id.in_(copy_ids)))
    session.execute(delete(HelpMessage).where(HelpMessage.question_id.in_(asked)))
    session.execute(delete(HelpQuestion).where(HelpQuestion.resident_id == resident_id))
    # What helpers sent them, and what they wrote as a helper, loses its words too.
    session.execute(delete(DirectMessage).where(DirectMessage.resident_id == resident_id))
    session.execute(update(HelpMessage).where(HelpMessage.author_id == resident_id).values(text=None, media_id=None))


# -- the answerers' side ---------------------------------------------------------------------------------


def claim(session: Session, actor: Actor, question_id: int, name: str | None) -> Answer:
    question = session.get(HelpQuestion, question_id)
    if question is None:
        return Answer(Result.UNKNOWN)
    refusal = _refusal(actor, question)
    if refusal is not None:
        return refusal
    return _take(session, actor, question, name)


def close(session: Session, actor: Actor, question_id: int) -> Answer:
    question = session.get(HelpQuestion, question_id)
    if question is None:
        return Answer(Result.UNKNOWN)
    if not actor.may_answer(question.commune_id) or actor.resident_id is None:
        return Answer(Result.NOT_YOURS, question.id)
    if question.status == HelpStatus.CLOSED:
        return Answer(Result.CLOSED, question.id)
    if question.claimed_by is not None and question.claimed_by != actor.resident_id and not actor.is_officer:
        return Answer(Result.TAKEN, question.id, question.claimed_by_name)
    question.status = HelpStatus.CLOSED
    question.closed_at = clock.now()
    question.escalate_at = None
    audit.record(session, actor, "help_close", question=question.id, commune=question.commune_id)
    for person_id, language in _people(session, [question.resident_id]):
        rows = ((Button(t(language, "btn_rate_up"), RateHelp(question.id, "up")),),)
        rows += ((Button(t(language, "btn_rate_down"), RateHelp(question.id, "down")),),)
        _enqueue(session, person_id, f"help:q{question.id}:done", Reply(t(language, "help_done_rate"), rows))
    return Answer(Result.CLOSED_NOW, question.id)


def reply(session: Session, actor: Actor, replied_to: int, content: Content, name: str | None) -> Answer:
    """A helper's reply to a message the bot sent them about a question: relayed to the resident."""
    if actor.resident_id is None:
        return Answer(Result.UNKNOWN)
    question_id = session.scalar(
        select(HelpNotice.question_id)
        .join(DirectMessage, DirectMessage.id == HelpNotice.direct_message_id)
        .where(DirectMessage.resident_id == actor.resident_id, DirectMessage.sent_message_id == replied_to)
    )
    question = session.get(HelpQuestion, question_id) if question_id is not None else None
    if question is None:
        return Answer(Result.UNKNOWN)
    refusal = _refusal(actor, question)
    if refusal is not None:
        return refusal
    taken = _take(session, actor, question, name)
    if taken.result is Result.TAKEN:
        return taken
    message_id = _store_message(session, question.id, actor.resident_id, False, content)
    if message_id is None:
        return Answer(Result.DUPLICATE, question.id)
    if question.answered_at is None:
        question.answered_at = clock.now()
    shown = clean_name(name) or None
    for person_id, language in _people(session, [question.resident_id]):
        helper = shown or t(language, "helper_default_name")
        key = "relay_to_resident" if content.text else "relay_media_to_resident"
        text = t(language, key, name=helper, text=content.text or "")
        relay = Reply(
            text, media=content.media_id if content.media_kind else None, media_kind=content.media_kind or "photo"
        )
        _enqueue(session, person_id, f"help:m{message_id}", relay)
    return Answer(Result.RELAYED, question.id)


def waiting_for(session: Session, actor: Actor, limit: int = 20) -> list[HelpQuestion]:
    """The open questions this person may answer, oldest first (/questions)."""
    if not (actor.is_helper or actor.is_officer):
        return []
    statement = select(HelpQuestion).where(HelpQuestion.status == HelpStatus.OPEN)
    if actor.communes is not None:
        statement = statement.where(HelpQuestion.commune_id.in_(actor.communes))
    return list(session.scalars(statement.order_by(HelpQuestion.asked_at, HelpQuestion.id).limit(limit)))


def escalate_due(session: Session, desk: Desk, now: datetime) -> int:
    """Questions nobody took by their deadline go one level up (officers, then admins); how many went."""
    due = list(
        session.scalars(
            select(HelpQuestion)
            .where(
                HelpQuestion.status == HelpStatus.OPEN,
                HelpQuestion.claimed_by.is_(None),
                HelpQuestion.escalate_at.is_not(None),
                HelpQuestion.escalate_at <= now,
            )
            .order_by(HelpQuestion.id)
            .with_for_update(skip_locked=True)
        )
    )
    moved = 0
    for question in due:
        resident = session.get(Resident, question.resident_id)
        if resident is None or question.level >= ADMINS:
            question.escalate_at = None
            continue
        level, recipients = _first_level_with_people(session, desk, question, resident.id, question.level + 1)
        question.level = level
        question.escalate_at = desk.policy.deadline(now) if level < ADMINS else None
        if recipients:
            _tell_about_question(session, desk, question, resident, recipients, escalated=True)
            moved += 1
        log.info("help question %s escalated to level %s (%d told)", question.id, level, len(recipients))
    return moved


# -- pieces ------------------------------------------------------------------------------------------


def _refusal(actor: Actor, question: HelpQuestion) -> Answer | None:
    if not actor.may_answer(question.commune_id) or actor.resident_id is None:
        return Answer(Result.NOT_YOURS, question.id)
    if question.status == HelpStatus.CLOSED:
        return Answer(Result.CLOSED, question.id)
    return None


def _take(session: Session, actor: Actor, question: HelpQuestion, name: str | None) -> Answer:
    """First claim wins: one conditional UPDATE, so two helpers pressing at once cannot both win."""
    if question.claimed_by is not None:
        if question.claimed_by == actor.resident_id:
            return Answer(Result.YOURS, question.id, question.claimed_by_name)
        return Answer(Result.TAKEN, question.id, question.claimed_by_name)
    shown = clean_name(name)
    won = session.execute(
        update(HelpQuestion)
        .where(HelpQuestion.id == question.id, HelpQuestion.claimed_by.is_(None))
        .values(claimed_by=actor.resident_id, claimed_by_name=shown, claimed_at=clock.now(), escalate_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(question)
    if not won:
        return Answer(Result.TAKEN, question.id, question.claimed_by_name)
    audit.record(session, actor, "help_claim", question=question.id, commune=question.commune_id)
    told = select(HelpNotice.recipient_id).where(HelpNotice.question_id == question.id).distinct()
    others = [person for person in session.scalars(told) if person != actor.resident_id]
    for person_id, language in _people(session, others):
        text = t(language, "q_taken", id=question.id, name=shown or t(language, "q_someone"))
        _enqueue(session, person_id, f"help:q{question.id}:taken:{person_id}", Reply(text))
    return Answer(Result.CLAIMED, question.id, shown)


def _store_message(
    session: Session, question_id: int, author_id: int, from_resident: bool, content: Content
) -> int | None:
    """Store one message of the conversation once; None when this channel message was stored before."""
    values = {
        "question_id": question_id,
        "author_id": author_id,
        "from_resident": from_resident,
        "text": clean_text(content.text, TEXT_MAX) or None,
        "media_kind": content.media_kind if content.media_id else None,
        "media_id": content.media_id,
        "source_key": content.source_key[:120],
        "created_at": clock.now(),
    }
    statement = _insert(session, HelpMessage).values(**values).on_conflict_do_nothing(index_elements=["source_key"])
    return session.execute(statement.returning(HelpMessage.id)).scalar()


def _first_level_with_people(
    session: Session, desk: Desk, question: HelpQuestion, asker_id: int, start: int
) -> tuple[int, list[tuple[int, str]]]:
    for level in range(start, ADMINS + 1):
        people = _answerers(session, desk, question.commune_id, level, asker_id)
        if people:
            return level, people
    return ADMINS, []


def _answerers(
    session: Session, desk: Desk, commune_id: str | None, level: int, asker_id: int
) -> list[tuple[int, str]]:
    """(resident id, language) of who answers at `level` for `commune_id`: never the asker themself."""
    scoped = exists().where(OfficerCommune.resident_id == Resident.id, OfficerCommune.commune_id == commune_id)
    if level == HELPERS:
        condition = (Resident.role == Role.HELPER) & scoped
    elif level == OFFICERS:
        unlimited = ~exists().where(OfficerCommune.resident_id == Resident.id)
        condition = (Resident.role == Role.OFFICER) & (scoped | unlimited)
    else:
        condition = or_(Resident.role == Role.ADMIN, Resident.external_id.in_(desk.policy.admin_ids))
    rows = session.execute(
        select(Resident.id, Resident.language)
        .where(Resident.channel == Channel.TELEGRAM, Resident.id != asker_id, Resident.unreachable_at.is_(None))
        .where(condition)
        .order_by(Resident.id)
    )
    return [(person_id, language or "vi") for person_id, language in rows]


def _people(session: Session, ids: Sequence[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    rows = session.execute(select(Resident.id, Resident.language).where(Resident.id.in_(ids)).order_by(Resident.id))
    return [(person_id, language or "vi") for person_id, language in rows]


def _tell_about_question(
    session: Session,
    desk: Desk,
    question: HelpQuestion,
    resident: Resident,
    recipients: Sequence[tuple[int, str]],
    *,
    escalated: bool,
) -> None:
    first = session.scalars(
        select(HelpMessage).where(HelpMessage.question_id == question.id).order_by(HelpMessage.id).limit(1)
    ).first()
    for person_id, language in recipients:
        text = t(
            language,
            "q_notice",
            id=question.id,
            name=resident.display_name or "?",
            commune=desk.commune_name(question.commune_id, language),
            where=where_text(desk.catalog, question.context, language),
            text=(first.text if first is not None and first.text else t(language, "q_media_only")),
        )
        if escalated:
            text = t(language, "q_notice_escalated", hours=f"{desk.policy.escalate_hours:g}") + text
        buttons = (
            (
                Button(t(language, "btn_claim"), ClaimQuestion(question.id)),
                Button(t(language, "btn_close"), CloseQuestion(question.id)),
            ),
        )
        media = first.media_id if first is not None and first.media_kind else None
        kind = first.media_kind if first is not None and first.media_kind else "photo"
        notice = Reply(text, buttons, media=media, media_kind=kind)
        _notify(session, question.id, person_id, f"help:q{question.id}:l{question.level}:to{person_id}", notice)


def where_text(catalog: Catalog, context: dict[str, Any], language: str) -> str:
    """Where in which lesson the resident asked, in the reader's language."""
    state, module = context.get("state"), context.get("module")
    lesson = catalog.get(module, language) if isinstance(module, str) else None
    if lesson is not None and state == "Lesson:step" and isinstance(context.get("step"), int):
        return t(language, "where_step", title=lesson.title, step=context["step"] + 1, steps=len(lesson.steps))
    if lesson is not None and state in ("Quiz:question", "Quiz:feedback") and isinstance(context.get("question"), int):
        count = len(lesson.quiz.questions)
        return t(language, "where_quiz", title=lesson.title, question=context["question"] + 1, questions=count)
    if lesson is not None and state == "Quiz:result":
        return t(language, "where_result", title=lesson.title)
    return t(language, "where_menu")


def _notify(session: Session, question_id: int, person_id: int, key: str, reply: Reply) -> None:
    """A message about a question to one answerer, remembered so that their reply to it finds it."""
    direct_id = _enqueue(session, person_id, key, reply)
    if direct_id is not None:
        session.add(HelpNotice(direct_message_id=direct_id, question_id=question_id, recipient_id=person_id))


def _enqueue(session: Session, person_id: int, key: str, reply: Reply) -> int | None:
    """Into the outbox once per `key` (the sender delivers it within a second); None if queued before."""
    now = clock.now()
    statement = (
        _insert(session, DirectMessage)
        .values(
            resident_id=person_id,
            kind=RELAY_KIND,
            dedupe_key=key[:120],
            payload=reply_to_json(reply),
            status=DeliveryStatus.PENDING,
            attempts=0,
            created_at=now,
            due_at=now,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(DirectMessage.id)
    )
    return session.execute(statement).scalar()


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def count_open(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(HelpQuestion.status == HelpStatus.OPEN)) or 0)
