"""The database schema: one typed class per table (SQLAlchemy 2 declarative).

Durable learning facts (progress, answers) live in their own tables; the conversation state is a small
row per (bot, chat, user) in `fsm_states`, shaped like aiogram's FSM storage.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot import clock
from bot.storage.cleantext import CleanString, CleanText
from bot.storage.vocabulary import BroadcastStatus, Channel, DeliveryStatus, HelpStatus, ModuleStatus, Role


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC so string comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Resident(Base):
    """A person who agreed to have their progress stored. Nothing is kept before consent."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_residents_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.TELEGRAM)
    external_id: Mapped[int] = mapped_column(BigInteger)  # the user id on that channel
    chat_id: Mapped[int] = mapped_column(BigInteger)  # where to send; changes on ChatMigrated
    display_name: Mapped[str | None] = mapped_column(CleanString(64, one_line=True))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    commune_id: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.RESIDENT)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which privacy notice they agreed to: "<language>:<digest of its text>" (bot.learning.consent_notice).
    consent_notice: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unreachable_reason: Mapped[str | None] = mapped_column(CleanString(120, one_line=True))
    weekly_report: Mapped[bool] = mapped_column(Boolean, default=True)
    # /reminders on|off: a resident may be nudged back to an unfinished module (issue 11).
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class OfficerCommune(Base):
    """An officer limited to some communes reaches residents there only; none means every commune."""

    __tablename__ = "officer_communes"

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    commune_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class FsmState(Base):
    """aiogram-shaped conversation state: a state name and a small JSON blob per (bot, chat, user)."""

    __tablename__ = "fsm_states"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class ModuleProgress(Base):
    """Where a resident is in one module, and how their last and best quiz attempts went."""

    __tablename__ = "module_progress"
    __table_args__ = (
        Index("ix_module_progress_module_status", "module_id", "status"),
        Index("ix_module_progress_completed_at", "completed_at"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=ModuleStatus.IN_PROGRESS)  # never NEW
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    furthest_step: Mapped[int] = mapped_column(Integer, default=0)
    question_index: Mapped[int | None] = mapped_column(Integer)  # None while reading steps
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    last_score: Mapped[int | None] = mapped_column(Integer)  # percent
    best_score: Mapped[int | None] = mapped_column(Integer)  # percent
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class Answer(Base):
    """One answer to one quiz question in one attempt; the key makes a double tap count once."""

    __tablename__ = "answers"
    __table_args__ = (
        # Covers the statistics' one pass over all answers (bot/reports/queries.answer_counts): read in
        # index order, never touching the table. 1.4 s -> 0.2 s at 750,000 answers on SQLite.
        Index("ix_answers_question_choice", "module_id", "question_id", "chosen", "correct", "attempt", "resident_id"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempt: Mapped[int] = mapped_column(Integer, primary_key=True)
    chosen: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Broadcast(Base):
    """A lesson invitation or announcement sent to an audience, now or at a scheduled time."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_scheduled", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # lesson | text | photo
    module_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(CleanText())
    photo: Mapped[str | None] = mapped_column(String(255))  # Telegram file_id
    audience: Mapped[str] = mapped_column(String(120), default="all")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.SCHEDULED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    report_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """The outbox: one row per (broadcast, resident); its status survives a crash of the sender."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_broadcast_status", "broadcast_id", "status"),
        # The reminder scan's "when did this resident last get a broadcast" (bot/reminders/scan.py).
        Index("ix_deliveries_resident_sent", "resident_id", "sent_at"),
        # ... and "who got a broadcast in the last 23 hours", once per scan.
        Index("ix_deliveries_sent_at", "sent_at"),
    )

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanString(255, one_line=True))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DirectMessage(Base):
    """The outbox for messages to one resident outside a reply: reminders, a helper's answers.

    The same paced sender delivers them as broadcasts (before them, between batches). `dedupe_key`
    makes creating one idempotent ("the reminder of this slot", "this relayed message"), so a retried
    job or a restart never queues it twice; `payload` is the message as it will be shown.
    """

    __tablename__ = "direct_messages"
    __table_args__ = (
        Index("ix_direct_messages_status_due", "status", "due_at", "id"),
        # A helper's Telegram reply names the message it answers: find it by (recipient, message id).
        Index("ix_direct_messages_resident_sent", "resident_id", "sent_message_id"),
        # The reminder scan's "who was sent a direct message in the last 23 hours" (bot/reminders/scan.py).
        Index("ix_direct_messages_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | relay | ...
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanString(255, one_line=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the channel's id of the message, once sent


class AuditLog(Base):
    """Who did what with privileges: grants, broadcasts, exports."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "telegram:123" or "cli"
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class JobRun(Base):
    """A periodic job that ran for a period (the weekly report for a week): at most once per period,
    however many bot processes there are or however often the bot restarts."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # e.g. the week's Monday, 2026-03-09
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


# -- Zalo channel (issue 13) --------------------------------------------------------------------------


class ZaloEvent(Base):
    """A webhook event Zalo delivered, by its key (the message's msg_id): Zalo retries an event it thinks
    went unanswered, and this row makes the retry change nothing, also after a restart. `payload` is kept
    only until the event is handled (an event received just before a crash is handled at the next start),
    then cleared: it holds what the resident typed."""

    __tablename__ = "zalo_events"

    event_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ZaloToken(Base):
    """The Official Account's token pair. A refresh token works once and each refresh returns a new pair,
    so the pair is written here (and committed) before the new access token is used: a crash never loses
    the only valid refresh token. ZALO_REFRESH_TOKEN from the settings only fills an empty table."""

    __tablename__ = "zalo_tokens"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token: Mapped[str] = mapped_column(Text)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


# -- reminders and spaced review (issue 11) ----------------------------------------------------------------


class Reminder(Base):
    """The reminders ledger: one row per reminder queued. `slot_key` names the slot ("the 2nd reminder
    since this resident's activity of that minute"), so two scans, two processes or a restart never queue
    the same slot twice; the message itself is the `direct_messages` row with the same dedupe key."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_resident_created", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    slot_key: Mapped[str] = mapped_column(String(120), unique=True)
    reason: Mapped[str] = mapped_column(String(16))  # bot.storage.vocabulary.ReminderReason
    module_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class ReviewCard(Base):
    """A question in a resident's review deck (Leitner boxes 1-3). `due_at` is None once retired;
    `rounds` counts review answers so far and keys the next one, so a double tap counts once."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_resident_due", "resident_id", "due_at"),)

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    box: Mapped[int] = mapped_column(Integer, default=1)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewAnswer(Base):
    """One answer in a review session, with the box the card was in: the retention figures."""

    __tablename__ = "review_answers"
    __table_args__ = (Index("ix_review_answers_module_box", "module_id", "box", "correct"),)

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True)
    box: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


# -- certificates anyone can check (issue 14) ------------------------------------------------------------


class IssuedCertificate(Base):
    """A certificate a stranger can check: its code, whose pass it records, and whether it was revoked.

    One per (resident, module): passing a module gives one certificate, however often the resident asks
    for the picture. The digital-skills passport is a row whose `module_id` is `passport`. `/deleteme`
    deletes the rows, so their codes then read "not found".
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("resident_id", "module_id", name="uq_certificates_resident_module"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # Crockford base32, without the dash
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)  # percent; the passport's is the mean of its modules'
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    revoked_by: Mapped[str | None] = mapped_column(String(64))  # "telegram:123" or "cli", as in the audit log


# -- Help from a person (issue 12): residents' questions to their commune's helpers -----------------------


class HelpQuestion(Base):
    """A resident's question to a person. At most one open per resident: a second message adds to it.

    `level` is who it went to (0 the commune's helpers, 1 its officers, 2 the admins); a question nobody
    claimed by `escalate_at` goes one level up. Times feed the figures (time to first answer)."""

    __tablename__ = "help_questions"
    __table_args__ = (
        Index("ix_help_questions_status_escalate", "status", "escalate_at"),
        Index("ix_help_questions_commune_asked", "commune_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=HelpStatus.OPEN)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # where in which lesson they asked
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    level: Mapped[int] = mapped_column(Integer, default=0)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    claimed_by_name: Mapped[str | None] = mapped_column(CleanString(64, one_line=True))  # the name others see
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first answer relayed
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[str | None] = mapped_column(String(8))  # up | down


class HelpMessage(Base):
    """One message of a question's conversation, either way. `source_key` names the channel message it
    came from, so a retried update stores and relays it once."""

    __tablename__ = "help_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("help_questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    from_resident: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str | None] = mapped_column(CleanText())
    media_kind: Mapped[str | None] = mapped_column(String(16))  # photo | voice
    media_id: Mapped[str | None] = mapped_column(String(255))
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HelpNotice(Base):
    """A message about a question sent to one helper (the question, a follow-up, an escalation): a
    Telegram reply to it finds the question, and the people told about a question are these rows."""

    __tablename__ = "help_notices"

    direct_message_id: Mapped[int] = mapped_column(
        ForeignKey("direct_messages.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("help_questions.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
