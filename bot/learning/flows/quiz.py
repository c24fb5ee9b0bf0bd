"""The quiz: one question at a time, a verdict and an explanation after every answer, then the result.

An answer is stored keyed by (resident, module, question, attempt), so a double tap or a retried
update counts once; a finished attempt is never reopened (retaking the quiz is a new attempt).
"""

from __future__ import annotations

from bot import clock
from bot.content import Lesson
from bot.learning import screens
from bot.learning.actions import AnswerQuestion, NextQuestion, StartQuiz
from bot.learning.flows import certificates
from bot.learning.flows.common import as_edit
from bot.learning.option_order import option_order
from bot.learning.place import Place
from bot.learning.progress import passed, score_percent
from bot.learning.router import Router
from bot.learning.states import Lesson as LessonState
from bot.learning.states import Quiz
from bot.learning.turn import StaleAction, Turn
from bot.messages import Outcome, Reply
from bot.storage.models import ModuleProgress
from bot.storage.vocabulary import ModuleStatus
from bot.texts import t

router = Router("quiz")


@router.action(StartQuiz)
def start_quiz(turn: Turn, action: StartQuiz) -> Outcome:
    lesson = turn.lesson(action.module)
    here = turn.place.module == lesson.id
    at_last_step = turn.state == LessonState.STEP and here and turn.place.step == len(lesson.steps) - 1
    at_result = turn.state == Quiz.RESULT and here
    if not (at_last_step or at_result):
        raise StaleAction("quiz")
    progress = turn.progress_row(lesson)
    progress.furthest_step = max(progress.furthest_step, len(lesson.steps) - 1)
    if progress.question_index is None:
        if progress.last_score is not None:
            progress.attempt += 1
        progress.question_index = 0
        progress.correct_count = 0
    return ask(turn, lesson, progress)


def order_for(turn: Turn, lesson: Lesson, index: int, attempt: int) -> list[int]:
    """The order this resident sees this question's options in, on this attempt (bot.learning.option_order)."""
    asked = lesson.quiz.questions[index]
    return option_order(turn.me.id, lesson.id, asked.id, attempt, len(asked.options))


def question_screen_for(turn: Turn, lesson: Lesson, index: int, attempt: int) -> Reply:
    return screens.question(turn.language, lesson, index, attempt, order_for(turn, lesson, index, attempt))


def feedback_screen_for(
    turn: Turn, lesson: Lesson, index: int, attempt: int, chosen: int, onward: bool = True
) -> Reply:
    order = order_for(turn, lesson, index, attempt)
    return screens.feedback(turn.language, lesson, index, attempt, chosen, order, onward=onward)


def unseen_answer(turn: Turn, lesson: Lesson) -> Outcome | None:
    """The verdict of the answer the resident gave last in this module, if they never moved on from it.

    `place.chosen` is kept from an answer until "next question": set, it means the feedback may not have
    reached them (its reply lost after the answer was stored) or they left for the menu before reading
    it. Opening the module again shows it rather than skipping to the next question.
    """
    place = turn.place
    if place.module != lesson.id or place.chosen is None or place.question is None or place.attempt is None:
        return None
    if not 0 <= place.question < len(lesson.quiz.questions):
        return None
    if not 0 <= place.chosen < len(lesson.quiz.questions[place.question].options):
        return None
    turn.move("show_answer")
    return Outcome([feedback_screen_for(turn, lesson, place.question, place.attempt, place.chosen)])


def ask(turn: Turn, lesson: Lesson, progress: ModuleProgress) -> Outcome:
    index = progress.question_index or 0
    turn.move("start_quiz")
    turn.place = Place(module=lesson.id, question=index, attempt=progress.attempt)
    return Outcome([question_screen_for(turn, lesson, index, progress.attempt)])


@router.action(AnswerQuestion)
def answer(turn: Turn, action: AnswerQuestion) -> Outcome:
    lesson = turn.lesson(action.module)
    place = turn.place
    same_question = (place.module, place.question, place.attempt) == (lesson.id, action.question, action.attempt)
    if turn.state == Quiz.FEEDBACK and same_question:
        # A double tap, or a tap again because the verdict never arrived (the reply was lost after the
        # answer was stored): the stored answer's verdict and explanation again, counted once.
        feedback = feedback_screen_for(turn, lesson, action.question, action.attempt, place.chosen or 0)
        return Outcome([feedback], notice=t(turn.language, "already_answered"))
    if turn.state != Quiz.QUESTION or not same_question or action.question >= len(lesson.quiz.questions):
        raise StaleAction("answer")
    asked = lesson.quiz.questions[action.question]
    if action.option >= len(asked.options):
        raise StaleAction("answer option")
    progress = turn.progress_row(lesson)
    correct = action.option == asked.answer
    inserted = turn.learners.record_answer(turn.me.id, lesson.id, asked.id, action.attempt, action.option, correct)
    if inserted and progress.question_index == action.question:
        progress.correct_count += int(correct)
        progress.question_index = action.question + 1
        if action.question + 1 == len(lesson.quiz.questions) and _finish_attempt(lesson, progress):
            certificates.record_pass(turn, progress)
    turn.move("answer")
    turn.place = Place(module=lesson.id, question=action.question, attempt=action.attempt, chosen=action.option)
    return Outcome(
        [feedback_screen_for(turn, lesson, action.question, action.attempt, action.option)],
        notice=t(turn.language, "correct") if correct else None,
    )


def _finish_attempt(lesson: Lesson, progress: ModuleProgress) -> bool:
    """Score the attempt; True when it completed the module (a first pass)."""
    score = score_percent(progress.correct_count, len(lesson.quiz.questions))
    progress.last_score = score
    progress.best_score = max(score, progress.best_score or 0)
    progress.question_index = None
    if passed(lesson, score) and progress.status != ModuleStatus.COMPLETED:
        progress.status = ModuleStatus.COMPLETED
        progress.completed_at = clock.now()
        return True
    return False


@router.action(NextQuestion)
def next_question(turn: Turn, action: NextQuestion) -> Outcome:
    lesson = turn.lesson(action.module)
    place = turn.place
    if turn.state != Quiz.FEEDBACK or (place.module, place.question, place.attempt) != (
        lesson.id,
        action.question,
        action.attempt,
    ):
        raise StaleAction("next question")
    progress = turn.progress_row(lesson)
    chosen = place.chosen or 0
    settled = as_edit(feedback_screen_for(turn, lesson, action.question, action.attempt, chosen, onward=False))
    if action.question + 1 < len(lesson.quiz.questions):
        turn.move("next_question")
        turn.place = Place(module=lesson.id, question=action.question + 1, attempt=action.attempt)
        return Outcome([settled, question_screen_for(turn, lesson, action.question + 1, progress.attempt)])
    turn.move("finish_quiz")
    turn.place = Place(module=lesson.id)
    return Outcome([settled, result_screen(turn, lesson, progress)])


def result_screen(turn: Turn, lesson: Lesson, progress: ModuleProgress) -> Reply:
    score = progress.last_score or 0
    mine = turn.progress()
    following = [
        other
        for other in turn.journey.catalog.modules(turn.language)
        if other.id != lesson.id and getattr(mine.get(other.id), "status", None) != ModuleStatus.COMPLETED
    ]
    return screens.result(
        turn.language,
        lesson,
        progress.correct_count,
        score,
        passed(lesson, score),
        following[0] if following else None,
        passport=certificates.passport_held(turn),
    )


@router.screen(Quiz.QUESTION)
def question_screen(turn: Turn) -> list[Reply] | None:
    lesson, index = _asked(turn)
    if lesson is None or index is None:
        return None
    return [question_screen_for(turn, lesson, index, turn.place.attempt or 1)]


@router.screen(Quiz.FEEDBACK)
def feedback_screen(turn: Turn) -> list[Reply] | None:
    lesson, index = _asked(turn)
    chosen = turn.place.chosen or 0
    if lesson is None or index is None or not 0 <= chosen < len(lesson.quiz.questions[index].options):
        return None
    return [feedback_screen_for(turn, lesson, index, turn.place.attempt or 1, chosen)]


@router.screen(Quiz.RESULT)
def result_redraw(turn: Turn) -> list[Reply] | None:
    lesson = turn.journey.catalog.get(turn.place.module or "", turn.language)
    progress = turn.progress_of(lesson.id) if lesson is not None else None
    if lesson is None or progress is None:
        return None
    return [result_screen(turn, lesson, progress)]


def _asked(turn: Turn) -> tuple[Lesson | None, int | None]:
    lesson = turn.journey.catalog.get(turn.place.module or "", turn.language)
    index = turn.place.question
    if lesson is None or index is None or not 0 <= index < len(lesson.quiz.questions):
        return None, None
    return lesson, index
