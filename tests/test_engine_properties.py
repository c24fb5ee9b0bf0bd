"""Property-based: random taps, stale and forged buttons, texts and commands never crash the engine and
never corrupt progress."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import actions
from bot.messages import Event, EventKind, UserKey
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Answer, HelpQuestion, ModuleProgress, Resident
from bot.storage.vocabulary import HelpStatus
from tests.support.settings import make_settings

KEY = UserKey("telegram", 1, 42, 42)
COMMANDS = ["start", "menu", "progress", "help", "ask", "language", "reminders", "mydata", "deleteme", "nonsense"]
FORGED = [
    "1|ans:email:0:1:3",
    "1|next:email:5",
    "1|quiz:internet",
    "1|nq:email:9:1",
    "1|open:nope",
    "1|del:yes",
    "1|com:x",
    "?",
    "1|menu:extra",
    "9|menu",
]

# One move: press the n-th visible button, replay an old button, send a forged action, a command or text.
moves = st.one_of(
    st.tuples(st.just("press"), st.integers(0, 20)),
    st.tuples(st.just("replay"), st.integers(0, 200)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("text"), st.text(max_size=30)),
    st.tuples(st.just("media"), st.sampled_from(["sticker", "photo", "voice"])),
)


async def check_invariants(runtime: Runtime) -> None:
    catalog = runtime.catalog
    async with runtime.sessions() as session:
        assert int(await session.scalar(select(func.count()).select_from(Resident)) or 0) <= 1
        # One open question to a helper at a time: a second message adds to it.
        still_open = select(func.count()).select_from(HelpQuestion).where(HelpQuestion.status == HelpStatus.OPEN)
        assert int(await session.scalar(still_open) or 0) <= 1
        for progress in (await session.scalars(select(ModuleProgress))).all():
            lesson = catalog.get(progress.module_id, "vi")
            assert lesson is not None
            questions = len(lesson.quiz.questions)
            assert 0 <= progress.step_index < len(lesson.steps)
            assert progress.furthest_step < len(lesson.steps)
            assert progress.question_index is None or 0 <= progress.question_index < questions
            assert 0 <= progress.correct_count <= questions
            if progress.status == "completed":
                assert progress.best_score is not None and progress.best_score >= lesson.quiz.pass_percent
                assert progress.completed_at is not None
            answered = await session.scalar(
                select(func.count())
                .select_from(Answer)
                .where(Answer.module_id == progress.module_id, Answer.attempt == progress.attempt)
            )
            assert int(answered or 0) <= questions
            right = await session.scalar(
                select(func.count())
                .select_from(Answer)
                .where(
                    Answer.module_id == progress.module_id,
                    Answer.attempt == progress.attempt,
                    Answer.correct.is_(True),
                )
            )
            # The running count of right answers is exactly what the answers table says.
            assert progress.correct_count == int(right or 0)


TEMPLATE = Path(tempfile.mkdtemp()) / "migrated.sqlite3"


async def play(sequence: list[tuple[str, object]]) -> None:
    if not TEMPLATE.exists():  # migrate once, then every example starts from a copy of the empty schema
        # Closing checkpoints the WAL into the file, so a plain copy carries the whole schema.
        await (await open_runtime(make_settings(f"sqlite+aiosqlite:///{TEMPLATE}"))).close()
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(TEMPLATE, Path(folder) / "p.sqlite3")
        url = f"sqlite+aiosqlite:///{Path(folder) / 'p.sqlite3'}"
        runtime = await open_runtime(make_settings(url), migrate=False)
        try:
            seen: list[str] = []
            visible: list[str] = []
            outcome = await runtime.engine.handle(Event(KEY, EventKind.COMMAND, "start"))
            for kind, value in sequence:
                if outcome.replies and outcome.replies[-1].buttons:
                    visible = [actions.encode(b.action) for row in outcome.replies[-1].buttons for b in row]
                    seen.extend(visible)
                if kind == "press" and visible:
                    event = Event(KEY, EventKind.ACTION, visible[int(value) % len(visible)])  # type: ignore[call-overload]
                elif kind == "replay" and seen:
                    event = Event(KEY, EventKind.ACTION, seen[int(value) % len(seen)])  # type: ignore[call-overload]
                elif kind == "forged":
                    event = Event(KEY, EventKind.ACTION, str(value))
                elif kind == "command":
                    event = Event(KEY, EventKind.COMMAND, str(value))
                elif kind == "media":
                    event = Event(KEY, EventKind.MEDIA, str(value))
                else:
                    event = Event(KEY, EventKind.TEXT, str(value))
                outcome = await runtime.engine.handle(event)
                # Never a dead end: every answer either says something or answers the button press.
                assert outcome.replies or outcome.notice
                assert all(
                    len(actions.encode(b.action).encode()) <= 64
                    for r in outcome.replies
                    for row in r.buttons
                    for b in row
                )
            await check_invariants(runtime)
        finally:
            await runtime.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(moves, min_size=1, max_size=60))
def test_random_sequences_never_crash_or_corrupt_progress(sequence: list[tuple[str, object]]) -> None:
    asyncio.run(play(sequence))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 20), min_size=40, max_size=150))
def test_random_taps_on_visible_buttons_only(presses: list[int]) -> None:
    """A resident who only ever taps what is on screen reaches quizzes and completions; same invariants."""
    asyncio.run(play([("press", n) for n in presses]))
