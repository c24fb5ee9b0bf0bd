"""The learner's journey: one event in, an outcome out, in one short database transaction.

Flow of an update: load the conversation state and the resident, ask the state machine whether the
move is allowed, apply the learning rules, write what changed, commit; only then does the channel send.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker
from transitions import MachineError

from bot import clock
from bot.config import Commune
from bot.content import Catalog, Lesson
from bot.learning import actions, screens
from bot.learning.events import Attachment, Event, EventKind, Outcome, Reply, UserKey
from bot.learning.progress import passed, score_percent, standing
from bot.learning.states import LEARNING, REGISTERED, Menu, Onboarding, Privacy, Quiz, fire
from bot.learning.states import Lesson as LessonState
from bot.learning.states import Settings as SettingsState
from bot.learning.texts import t
from bot.reports.certificates import Certificate, render_certificate
from bot.storage.fsm_sql import SqlFsmStorage
from bot.storage.models import Answer, FsmState, ModuleProgress, Resident
from bot.storage.upsert import upsert_template

log = logging.getLogger(__name__)
LAST_SEEN_PRECISION = timedelta(minutes=5)
ANSWER_KEY = ("resident_id", "module_id", "question_id", "attempt")  # a double tap inserts nothing

# The resident, their conversation state and the progress row of the module they are in, in one query:
# most taps (next step, an answer) need exactly that row, and the identity map then serves it without
# another query. Built once with bound parameters, so no tap pays for building and cache-keying it.
LOAD_LEARNER = (
    select(Resident, FsmState.state, FsmState.data, ModuleProgress)
    .select_from(Resident)
    .outerjoin(
        FsmState,
        and_(
            FsmState.bot_id == bindparam("bot_id"),
            FsmState.chat_id == bindparam("chat_id"),
            FsmState.user_id == bindparam("user_id"),
        ),
    )
    .outerjoin(
        ModuleProgress,
        and_(ModuleProgress.resident_id == Resident.id, ModuleProgress.module_id == FsmState.data["m"].as_string()),
    )
    .where(Resident.channel == bindparam("channel"), Resident.external_id == bindparam("user_id"))
)


class StaleAction(Exception):
    """A button that no longer matches the learner's state, or never could (forged)."""


@dataclass
class Turn:
    """Everything one update works on; lives for one transaction."""

    event: Event
    session: Session
    fsm: SqlFsmStorage
    state: str | None
    data: dict[str, Any]
    resident: Resident | None  # only someone who consented; everything else treats them as new
    unconsented: Resident | None = None  # a row made by `grant` for someone who never agreed to anything
    current: ModuleProgress | None = None  # the module the learner is in, loaded with them
    _progress: dict[str, ModuleProgress] | None = field(default=None, repr=False)

    @property
    def key(self) -> UserKey:
        return self.event.key

    @property
    def language(self) -> str:
        if self.resident is not None:
            return self.resident.language
        return self.data.get("lang", "vi")

    def move(self, trigger: str) -> None:
        try:
            self.state = fire(self.state, trigger)
        except MachineError as error:
            raise StaleAction(trigger) from error

    def progress(self) -> dict[str, ModuleProgress]:
        if self._progress is None:
            assert self.resident is not None
            rows = self.session.scalars(select(ModuleProgress).where(ModuleProgress.resident_id == self.resident.id))
            self._progress = {row.module_id: row for row in rows}
        return self._progress

    def progress_of(self, module_id: str) -> ModuleProgress | None:
        if self._progress is not None:
            return self._progress.get(module_id)
        if self.current is not None and self.current.module_id == module_id:
            return self.current
        assert self.resident is not None
        return self.session.get(ModuleProgress, (self.resident.id, module_id))


class Engine:
    def __init__(
        self,
        catalog: Catalog,
        sessions: async_sessionmaker[AsyncSession],
        communes: Sequence[Commune],
        *,
        default_language: str = "vi",
        timezone: ZoneInfo | None = None,
        sqlite_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self.catalog = catalog
        self.sessions = sessions
        self.communes = list(communes)
        self.default_language = default_language
        self.timezone = timezone or ZoneInfo("Asia/Ho_Chi_Minh")
        # On SQLite the whole transaction of an update runs in one call on a thread of its own: SQLite is
        # an in-process library, and going through the async driver costs a thread hand-off for every
        # cursor, execute, fetch and close (14 per tap), which cost more than the SQL itself.
        self._sqlite_sessions = sqlite_sessions
        self._sqlite_thread = ThreadPoolExecutor(1, thread_name_prefix="engine-sqlite") if sqlite_sessions else None

    # -- the one entry point -------------------------------------------------------------------------

    async def handle(self, event: Event) -> Outcome:
        if self._sqlite_thread is not None:
            return await asyncio.get_running_loop().run_in_executor(self._sqlite_thread, self._handle_sqlite, event)
        async with self.sessions.begin() as session:
            return await session.run_sync(self._handle_in, event)

    def close(self) -> None:
        if self._sqlite_thread is not None:
            self._sqlite_thread.shutdown(wait=True)

    def _handle_sqlite(self, event: Event) -> Outcome:
        assert self._sqlite_sessions is not None
        with self._sqlite_sessions.begin() as session:
            return self._handle_in(session, event)

    def _handle_in(self, session: Session, event: Event) -> Outcome:
        """One update, inside one transaction that the caller commits once this returns."""
        turn = self._load(session, event)
        started_registered = turn.resident is not None
        try:
            outcome = self._dispatch(turn)
        except StaleAction:
            outcome = Outcome(stale=True, notice=t(turn.language, "stale"))
            outcome.replies = self._current_screen(turn)
        if turn.resident is not None:
            now = clock.now()
            # Activity figures count days, so a write per tap would buy nothing; one per few minutes will do.
            if now - turn.resident.last_seen_at > LAST_SEEN_PRECISION:
                turn.resident.last_seen_at = now
            turn.fsm.save(turn.key, turn.state, turn.data)
        elif started_registered:
            turn.fsm.clear(turn.key)
        return outcome

    def _load(self, session: Session, event: Event) -> Turn:
        """The resident and their conversation state in one query (no state is kept before consent)."""
        key = event.key
        fsm = SqlFsmStorage(session)
        row = (
            session.execute(
                LOAD_LEARNER,
                {
                    "channel": key.channel,
                    "user_id": key.user_id,
                    "bot_id": key.bot_id,
                    "chat_id": key.chat_id,
                },
            )
        ).first()
        resident, state, data = (row[0], row[1], dict(row[2] or {})) if row else (None, None, {})
        fsm.prime(key, state, data)
        unconsented = None
        if resident is not None and resident.consent_at is None:
            # An officer granted a role before ever opening the bot: they still go through consent.
            resident, unconsented = None, resident
        if resident is None:
            # Nothing is stored before consent: the pre-consent steps live in the buttons.
            state, data = None, {}
        elif state not in REGISTERED:
            state = Menu.MAIN if resident.commune_id else Onboarding.COMMUNE
        return Turn(event, session, fsm, state, data, resident, unconsented, row[3] if row and resident else None)

    # -- dispatch --------------------------------------------------------------------------------------

    def _dispatch(self, turn: Turn) -> Outcome:
        event = turn.event
        if event.kind is EventKind.COMMAND:
            return self._command(turn, event.payload.lower())
        if event.kind is EventKind.ACTION:
            return self._action(turn, event.payload)
        hint = "hint_media" if event.kind is EventKind.MEDIA else "hint_text"
        if turn.resident is None:
            return Outcome([Reply(t(self.default_language, "need_start")), self._welcome()])
        return Outcome([Reply(t(turn.language, hint)), *self._current_screen(turn)])

    def _command(self, turn: Turn, command: str) -> Outcome:
        if turn.resident is None:
            if command == "deleteme":
                return Outcome([Reply(t(self.default_language, "declined"))])
            if command == "help":
                return Outcome([Reply(t(self.default_language, "help")), self._welcome()])
            if command != "start":
                return Outcome([Reply(t(self.default_language, "need_consent")), self._welcome()])
            return Outcome([self._welcome()])
        language = turn.language
        if turn.state == Onboarding.COMMUNE and command in ("start", "menu", "progress", "language"):
            return Outcome(self._current_screen(turn))  # onboarding ends with a commune first
        match command:
            case "start" | "menu":
                turn.move("open_menu")
                return Outcome([self._menu(turn)])
            case "progress":
                return Outcome([self._progress_report(turn)])
            case "help":
                return Outcome([screens.help_screen(language)])
            case "language":
                turn.move("ask_language")
                return Outcome([screens.language_picker(t(language, "ask_language"), "setlang")])
            case "mydata":
                return Outcome([self._my_data(turn)])
            case "deleteme":
                turn.move("ask_delete")
                return Outcome([screens.delete_confirm(language)])
        return Outcome([Reply(t(language, "hint_unknown_command")), *self._current_screen(turn)])

    def _action(self, turn: Turn, action: str) -> Outcome:
        parsed = actions.parse(action)
        if turn.resident is None:
            return self._pre_consent_action(turn, parsed)
        first = parsed.args[0] if parsed.args else ""
        handler = _ACTION_HANDLERS_BY_ARG.get((parsed.verb, first)) or _ACTION_HANDLERS.get(parsed.verb)
        if handler is None:
            raise StaleAction(action)
        outcome: Outcome = handler(self, turn, parsed)
        if outcome.replies and not outcome.replies[0].edit:
            outcome.replies[0] = _as_edit(outcome.replies[0])
        return outcome

    # -- onboarding ------------------------------------------------------------------------------------

    def _welcome(self) -> Reply:
        return screens.language_picker(t(self.default_language, "welcome"), "lang")

    def _pre_consent_action(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        language = parsed.args[0] if parsed.args and parsed.args[0] in ("vi", "en") else None
        if parsed.verb == "lang" and language:
            turn.move("choose_language")
            return Outcome([_as_edit(screens.consent(language))])
        if parsed.verb == "ok" and language:
            turn.move("give_consent")
            turn.resident = self._register(turn, language)
            turn.session.add(turn.resident)
            turn.data = {}
            return Outcome([_as_edit(screens.commune_picker(language, self.communes))])
        if parsed.verb == "no" and language:
            return Outcome([_as_edit(Reply(t(language, "declined")))])
        # Anything else (an old lesson button after /deleteme, a forgery) starts over politely.
        return Outcome([Reply(t(self.default_language, "need_start")), self._welcome()], stale=True)

    def _register(self, turn: Turn, language: str) -> Resident:
        name = (turn.event.display_name or "").strip()[:64] or None
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

    def _on_commune(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        commune = next((c for c in self.communes if parsed.args and c.id == parsed.args[0]), None)
        if commune is None or turn.state not in (Onboarding.COMMUNE, SettingsState.COMMUNE):
            raise StaleAction("commune")
        assert turn.resident is not None
        first_time = turn.state == Onboarding.COMMUNE
        turn.move("choose_commune" if first_time else "set_commune")
        turn.resident.commune_id = commune.id
        greeting = Reply(t(turn.language, "registered" if first_time else "commune_set"))
        return Outcome([_as_edit(greeting), self._menu(turn)])

    def _on_set_language(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        if not parsed.args or parsed.args[0] not in ("vi", "en"):
            raise StaleAction("language")
        turn.move("set_language")
        assert turn.resident is not None
        turn.resident.language = parsed.args[0]
        return Outcome([_as_edit(Reply(t(turn.language, "language_set"))), self._menu(turn)])

    def _on_ask_language(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        turn.move("ask_language")
        return Outcome([screens.language_picker(t(turn.language, "ask_language"), "setlang")])

    def _on_ask_commune(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        turn.move("ask_commune")
        return Outcome([screens.commune_picker(turn.language, self.communes)])

    def _on_onboarding_again(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        # A consent or language button pressed again after registering: nothing to do twice.
        raise StaleAction("onboarding")

    # -- menu and information --------------------------------------------------------------------------

    def _menu(self, turn: Turn) -> Reply:
        lessons = self.catalog.modules(turn.language)
        progress = turn.progress()
        rows = [(lesson, standing(lesson, progress.get(lesson.id))) for lesson in lessons]
        last = turn.data.get("m")
        resume = next((lesson for lesson, mine in rows if lesson.id == last and mine.status == "in_progress"), None)
        return screens.menu(turn.language, rows, resume)

    def _progress_report(self, turn: Turn) -> Reply:
        progress = turn.progress()
        lessons = self.catalog.modules(turn.language)
        return screens.progress_report(turn.language, [(x, standing(x, progress.get(x.id))) for x in lessons])

    def _my_data(self, turn: Turn) -> Reply:
        resident = turn.resident
        assert resident is not None
        language = turn.language
        progress = turn.progress()
        answers = turn.session.scalar(select(func.count()).select_from(Answer).where(Answer.resident_id == resident.id))
        commune = next((c.name(language) for c in self.communes if c.id == resident.commune_id), None)
        text = t(
            language,
            "mydata",
            name=resident.display_name or t(language, "none"),
            lang_name="Tiếng Việt" if resident.language == "vi" else "English",
            commune=commune or t(language, "none"),
            consent=self._local(resident.consent_at),
            last_seen=self._local(resident.last_seen_at),
            role=t(language, f"role_{resident.role}"),
            started=len(progress),
            completed=sum(1 for p in progress.values() if p.status == "completed"),
            answers=answers or 0,
        )
        buttons = (
            (screens.Button(t(language, "btn_delete_data"), actions.DELETE_ASK),),
            (screens.Button(t(language, "btn_menu"), actions.MENU),),
        )
        return Reply(text, buttons)

    def _local(self, moment: Any) -> str:
        return moment.astimezone(self.timezone).strftime("%d/%m/%Y %H:%M") if moment else "-"

    def _on_menu(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        turn.move("open_menu")
        return Outcome([self._menu(turn)])

    def _on_progress(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        return Outcome([self._progress_report(turn)])

    def _on_help(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        return Outcome([screens.help_screen(turn.language)])

    def _on_resume(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        return Outcome(self._current_screen(turn))

    # -- lessons ---------------------------------------------------------------------------------------

    def _lesson(self, turn: Turn, module_id: str | None) -> Lesson:
        lesson = self.catalog.get(module_id or "", turn.language) if module_id else None
        if lesson is None:
            raise StaleAction(f"module {module_id}")
        return lesson

    def _on_open(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        progress = self._progress_row(turn, lesson)
        if progress.status != "completed" and progress.question_index is not None:
            return self._ask(turn, lesson, progress)
        index = 0 if progress.status == "completed" else min(progress.step_index, len(lesson.steps) - 1)
        return self._show_step(turn, lesson, progress, index, trigger="open_step")

    def _on_review(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        progress = self._progress_row(turn, lesson)
        return self._show_step(turn, lesson, progress, 0, trigger="open_step")

    def _on_turn_step(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        current = parsed.number(1)
        if turn.state != LessonState.STEP or turn.data.get("m") != lesson.id or turn.data.get("s") != current:
            raise StaleAction("step")
        assert current is not None
        target = current + 1 if parsed.verb == "next" else current - 1
        if not 0 <= target < len(lesson.steps):
            raise StaleAction("step range")
        progress = self._progress_row(turn, lesson)
        return self._show_step(turn, lesson, progress, target, trigger="turn_step")

    def _show_step(self, turn: Turn, lesson: Lesson, progress: ModuleProgress, index: int, trigger: str) -> Outcome:
        turn.move(trigger)
        turn.data = {"m": lesson.id, "s": index}
        if progress.status != "completed" and progress.question_index is None:
            progress.step_index = index
        progress.furthest_step = max(progress.furthest_step, index)
        return Outcome([screens.step(turn.language, lesson, index)])

    def _progress_row(self, turn: Turn, lesson: Lesson) -> ModuleProgress:
        progress = turn.progress_of(lesson.id)
        if progress is None:
            assert turn.resident is not None
            now = clock.now()
            progress = ModuleProgress(
                resident_id=turn.resident.id,
                module_id=lesson.id,
                status="in_progress",
                step_index=0,
                furthest_step=0,
                attempt=1,
                correct_count=0,
                started_at=now,
                updated_at=now,
            )
            turn.session.add(progress)
            if turn._progress is not None:
                turn._progress[lesson.id] = progress
        return progress

    # -- quiz ------------------------------------------------------------------------------------------

    def _on_start_quiz(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        at_last_step = (
            turn.state == LessonState.STEP
            and turn.data.get("m") == lesson.id
            and turn.data.get("s") == len(lesson.steps) - 1
        )
        at_result = turn.state == Quiz.RESULT and turn.data.get("m") == lesson.id
        if not (at_last_step or at_result):
            raise StaleAction("quiz")
        progress = self._progress_row(turn, lesson)
        progress.furthest_step = max(progress.furthest_step, len(lesson.steps) - 1)
        if progress.question_index is None:
            # A finished attempt is never reopened: retaking the quiz is a new attempt.
            if progress.last_score is not None:
                progress.attempt += 1
            progress.question_index = 0
            progress.correct_count = 0
        return self._ask(turn, lesson, progress)

    def _ask(self, turn: Turn, lesson: Lesson, progress: ModuleProgress) -> Outcome:
        index = progress.question_index or 0
        turn.move("start_quiz")
        turn.data = {"m": lesson.id, "q": index, "a": progress.attempt}
        return Outcome([screens.question(turn.language, lesson, index, progress.attempt)])

    def _on_answer(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        index, attempt, chosen = parsed.number(1), parsed.number(2), parsed.number(3)
        if index is None or attempt is None or chosen is None:
            raise StaleAction("answer")
        same_question = (
            turn.data.get("m") == lesson.id and turn.data.get("q") == index and turn.data.get("a") == attempt
        )
        if turn.state == Quiz.FEEDBACK and same_question:
            return Outcome(notice=t(turn.language, "already_answered"))  # the double tap
        if turn.state != Quiz.QUESTION or not same_question or index >= len(lesson.quiz.questions):
            raise StaleAction("answer")
        asked = lesson.quiz.questions[index]
        if chosen >= len(asked.options):
            raise StaleAction("answer option")
        progress = self._progress_row(turn, lesson)
        correct = chosen == asked.answer
        assert turn.resident is not None
        dialect = turn.session.bind.dialect.name if turn.session.bind is not None else "sqlite"
        connection = turn.session.connection()  # Core execution: the result carries rowcount
        inserted = connection.execute(
            upsert_template(dialect, Answer, ANSWER_KEY),
            {
                "resident_id": turn.resident.id,
                "module_id": lesson.id,
                "question_id": asked.id,
                "attempt": attempt,
                "chosen": chosen,
                "correct": correct,
                "answered_at": clock.now(),
            },
        )
        if inserted.rowcount and progress.question_index == index:  # type: ignore[attr-defined]
            progress.correct_count += int(correct)
            progress.question_index = index + 1
            if index + 1 == len(lesson.quiz.questions):
                self._finish_attempt(lesson, progress)
        turn.move("answer")
        turn.data = {"m": lesson.id, "q": index, "a": attempt, "c": chosen}
        return Outcome(
            [screens.feedback(turn.language, lesson, index, attempt, chosen)],
            notice=t(turn.language, "correct") if correct else None,
        )

    def _finish_attempt(self, lesson: Lesson, progress: ModuleProgress) -> None:
        score = score_percent(progress.correct_count, len(lesson.quiz.questions))
        progress.last_score = score
        progress.best_score = max(score, progress.best_score or 0)
        progress.question_index = None
        if passed(lesson, score) and progress.status != "completed":
            progress.status = "completed"
            progress.completed_at = clock.now()

    def _on_next_question(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        index, attempt = parsed.number(1), parsed.number(2)
        if (
            turn.state != Quiz.FEEDBACK
            or turn.data.get("m") != lesson.id
            or turn.data.get("q") != index
            or turn.data.get("a") != attempt
            or index is None
        ):
            raise StaleAction("next question")
        progress = self._progress_row(turn, lesson)
        chosen = turn.data.get("c", 0)
        settled = _as_edit(screens.feedback(turn.language, lesson, index, attempt, chosen, onward=False))
        if index + 1 < len(lesson.quiz.questions):
            turn.move("next_question")
            turn.data = {"m": lesson.id, "q": index + 1, "a": attempt}
            return Outcome([settled, screens.question(turn.language, lesson, index + 1, progress.attempt)])
        turn.move("finish_quiz")
        turn.data = {"m": lesson.id}
        return Outcome([settled, self._result(turn, lesson, progress)])

    def _result(self, turn: Turn, lesson: Lesson, progress: ModuleProgress) -> Reply:
        score = progress.last_score or 0
        all_progress = turn.progress()
        following = [
            other
            for other in self.catalog.modules(turn.language)
            if other.id != lesson.id and getattr(all_progress.get(other.id), "status", None) != "completed"
        ]
        return screens.result(
            turn.language,
            lesson,
            progress.correct_count,
            score,
            passed(lesson, score),
            following[0] if following else None,
        )

    def _on_certificate(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        """The certificate of a module this resident completed (any other is refused as stale). It changes
        no state: the screen the button was on stays, and the picture comes as a message of its own."""
        lesson = self._lesson(turn, parsed.args[0] if parsed.args else None)
        progress = turn.progress_of(lesson.id)
        if progress is None or progress.status != "completed" or progress.completed_at is None:
            raise StaleAction("certificate")
        assert turn.resident is not None
        certificate = Certificate(
            language=turn.language,
            name=turn.resident.display_name,
            module_title=lesson.title,
            score=progress.best_score or 0,
            day=progress.completed_at.astimezone(self.timezone).strftime("%d/%m/%Y"),
        )
        picture = Attachment(certificate.filename, functools.partial(render_certificate, certificate))
        caption = t(turn.language, "certificate_caption", title=lesson.title)
        menu = ((screens.Button(t(turn.language, "btn_menu"), actions.MENU),),)
        return Outcome([Reply(caption, menu, attachment=picture)])

    # -- privacy ---------------------------------------------------------------------------------------

    def _on_delete_ask(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        turn.move("ask_delete")
        return Outcome([screens.delete_confirm(turn.language)])

    def _on_delete_yes(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        if turn.state != Privacy.DELETE_CONFIRM:
            raise StaleAction("delete")
        assert turn.resident is not None
        language = turn.language
        turn.move("confirm_delete")
        self.forget(turn.session, turn.resident.id)
        turn.resident = None
        return Outcome([_as_edit(Reply(t(language, "deleted")))])

    def _on_delete_no(self, turn: Turn, parsed: actions.Parsed) -> Outcome:
        if turn.state != Privacy.DELETE_CONFIRM:
            raise StaleAction("delete")
        turn.move("open_menu")
        return Outcome([_as_edit(Reply(t(turn.language, "delete_cancelled"))), self._menu(turn)])

    @staticmethod
    def forget(session: Session, resident_id: int) -> None:
        """Delete everything about one resident. Explicit deletes, not only FK cascades, so it holds
        even on a SQLite connection opened without foreign_keys=ON."""
        for table in (Answer, ModuleProgress):
            session.execute(delete(table).where(table.resident_id == resident_id))
        session.execute(delete(Resident).where(Resident.id == resident_id))

    # -- where am I ------------------------------------------------------------------------------------

    def _current_screen(self, turn: Turn) -> list[Reply]:
        """Re-draw the screen for the stored state: the answer to a hint, a stale button or a resume."""
        if turn.resident is None:
            return [self._welcome()]
        language = turn.language
        state, data = turn.state, turn.data
        lesson = self.catalog.get(data.get("m", ""), language) if data.get("m") else None
        if state == Onboarding.COMMUNE:
            return [screens.commune_picker(language, self.communes)]
        if state == SettingsState.COMMUNE:
            return [screens.commune_picker(language, self.communes)]
        if state == SettingsState.LANGUAGE:
            return [screens.language_picker(t(language, "ask_language"), "setlang")]
        if state == Privacy.DELETE_CONFIRM:
            return [screens.delete_confirm(language)]
        if lesson is not None:
            if state == LessonState.STEP and 0 <= data.get("s", -1) < len(lesson.steps):
                return [screens.step(language, lesson, data["s"])]
            if state == Quiz.QUESTION and 0 <= data.get("q", -1) < len(lesson.quiz.questions):
                return [screens.question(language, lesson, data["q"], data.get("a", 1))]
            if state == Quiz.FEEDBACK and 0 <= data.get("q", -1) < len(lesson.quiz.questions):
                chosen = data.get("c", 0)
                if 0 <= chosen < len(lesson.quiz.questions[data["q"]].options):
                    return [screens.feedback(language, lesson, data["q"], data.get("a", 1), chosen)]
            if state == Quiz.RESULT:
                progress = turn.progress_of(lesson.id)
                if progress is not None:
                    return [self._result(turn, lesson, progress)]
        # Anything else, or a module that has since been removed: back to the menu, never a dead end.
        if turn.state in LEARNING:
            turn.state = Menu.MAIN
        return [self._menu(turn)]


def _as_edit(reply: Reply) -> Reply:
    if reply.attachment is not None:
        return reply  # an uploaded picture is always a message of its own
    return Reply(reply.text, reply.buttons, reply.media, edit=True)


_ACTION_HANDLERS = {
    "menu": Engine._on_menu,
    "progress": Engine._on_progress,
    "help": Engine._on_help,
    "resume": Engine._on_resume,
    "asklang": Engine._on_ask_language,
    "askcom": Engine._on_ask_commune,
    "setlang": Engine._on_set_language,
    "com": Engine._on_commune,
    "lang": Engine._on_onboarding_again,
    "ok": Engine._on_onboarding_again,
    "no": Engine._on_onboarding_again,
    "open": Engine._on_open,
    "review": Engine._on_review,
    "next": Engine._on_turn_step,
    "prev": Engine._on_turn_step,
    "quiz": Engine._on_start_quiz,
    "ans": Engine._on_answer,
    "nq": Engine._on_next_question,
    "del": Engine._on_delete_ask,
    "cert": Engine._on_certificate,
}
_ACTION_HANDLERS_BY_ARG = {("del", "yes"): Engine._on_delete_yes, ("del", "no"): Engine._on_delete_no}
