"""Reading a module: its steps one screen at a time, Back and Continue, resuming where one stopped."""

from __future__ import annotations

from bot.content import Lesson
from bot.learning import screens
from bot.learning.actions import NextStep, OpenModule, PreviousStep, ReadAgain
from bot.learning.flows import quiz
from bot.learning.place import Place
from bot.learning.router import Router
from bot.learning.states import Lesson as LessonState
from bot.learning.turn import StaleAction, Turn
from bot.messages import Outcome, Reply
from bot.storage.models import ModuleProgress
from bot.storage.vocabulary import ModuleStatus

router = Router("lesson")


@router.action(OpenModule)
def open_module(turn: Turn, action: OpenModule) -> Outcome:
    """Where the learner left it: an answer's verdict they did not move on from, the question they were
    on, else the step; a completed module from the start."""
    lesson = turn.lesson(action.module)
    if (missed := quiz.unseen_answer(turn, lesson)) is not None:
        return missed
    progress = turn.progress_row(lesson)
    completed = progress.status == ModuleStatus.COMPLETED
    if not completed and progress.question_index is not None:
        return quiz.ask(turn, lesson, progress)
    index = 0 if completed else min(progress.step_index, len(lesson.steps) - 1)
    return show_step(turn, lesson, progress, index, trigger="open_step")


@router.action(ReadAgain)
def read_again(turn: Turn, action: ReadAgain) -> Outcome:
    lesson = turn.lesson(action.module)
    return show_step(turn, lesson, turn.progress_row(lesson), 0, trigger="open_step")


@router.action(NextStep, PreviousStep)
def turn_step(turn: Turn, action: NextStep | PreviousStep) -> Outcome:
    lesson = turn.lesson(action.module)
    if turn.state != LessonState.STEP or turn.place.module != lesson.id or turn.place.step != action.step:
        raise StaleAction("step")
    target = action.step + 1 if isinstance(action, NextStep) else action.step - 1
    if not 0 <= target < len(lesson.steps):
        raise StaleAction("step range")
    return show_step(turn, lesson, turn.progress_row(lesson), target, trigger="turn_step")


def show_step(turn: Turn, lesson: Lesson, progress: ModuleProgress, index: int, trigger: str) -> Outcome:
    turn.move(trigger)
    turn.place = Place(module=lesson.id, step=index)
    if progress.status != ModuleStatus.COMPLETED and progress.question_index is None:
        progress.step_index = index
    progress.furthest_step = max(progress.furthest_step, index)
    return Outcome([screens.step(turn.language, lesson, index)])


@router.screen(LessonState.STEP)
def step_screen(turn: Turn) -> list[Reply] | None:
    lesson = turn.journey.catalog.get(turn.place.module or "", turn.language)
    step = turn.place.step
    if lesson is None or step is None or not 0 <= step < len(lesson.steps):
        return None
    return [screens.step(turn.language, lesson, step)]
