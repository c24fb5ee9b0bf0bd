"""Spaced review: up to 5 questions whose time has come (bot/storage/review_deck.py), asked as in the
quiz (the same verdict and explanation, options in the resident's own shuffled order) but never
touching a module's score. The menu button leaves at any time; what was answered stays answered.

Where the session is lives in the place: `module`/`question` name the question on screen, `attempt`
the card's review round (so an old button or a double tap is recognised), `step` how many questions
this session has asked.
"""

from __future__ import annotations

from bot import clock
from bot.content import Lesson
from bot.learning import screens
from bot.learning.actions import AnswerReview, NextReview, ShowMenu, StartReview
from bot.learning.option_order import option_order
from bot.learning.place import Place
from bot.learning.router import Router
from bot.learning.states import Review
from bot.learning.turn import StaleAction, Turn
from bot.messages import Button, Outcome, Reply
from bot.storage import review_deck
from bot.texts import t

router = Router("review")


def due_count(turn: Turn) -> int:
    """Cards due now, for the menu's "🔁 Ôn tập (n)"."""
    return review_deck.due_count(turn.learners.session, turn.me.id, clock.now())


def _order(turn: Turn, lesson: Lesson, index: int, round_: int) -> list[int]:
    asked = lesson.quiz.questions[index]
    # Negative "attempts" keep review orders apart from the quiz's (attempts 1, 2, ...) and new each round.
    return option_order(turn.me.id, lesson.id, asked.id, -(round_ + 1), len(asked.options))


def _next_card(turn: Turn) -> tuple[Lesson, int, int] | None:
    """The longest-overdue card whose question still exists: (lesson, question index, round)."""
    for card in review_deck.due_cards(turn.learners.session, turn.me.id, clock.now(), limit=review_deck.SESSION_SIZE):
        lesson = turn.journey.catalog.get(card.module_id, turn.language)
        index = _index_of(lesson, card.question_id)
        if lesson is not None and index is not None:
            return lesson, index, card.round
    return None


def _index_of(lesson: Lesson | None, question_id: str) -> int | None:
    if lesson is None:
        return None
    return next((i for i, q in enumerate(lesson.quiz.questions) if q.id == question_id), None)


def _header(turn: Turn, number: int) -> str:
    total = min(review_deck.SESSION_SIZE, number - 1 + due_count(turn))
    return t(turn.language, "review_header", number=number, total=max(total, number))


def question_screen_for(turn: Turn, lesson: Lesson, index: int, round_: int, number: int) -> Reply:
    asked = lesson.quiz.questions[index]
    options = screens.lettered(asked, _order(turn, lesson, index, round_))
    intro = f"{t(turn.language, 'review_intro')}\n\n" if number == 1 else ""
    text = f"{intro}{_header(turn, number)} · {lesson.title}\n\n{asked.text}\n\n" + "\n".join(
        f"{letter}. {option}" for letter, _, option in options
    )
    rows = tuple(
        (Button(f"{letter}. {option}"[:60], AnswerReview(lesson.id, index, round_, identity)),)
        for letter, identity, option in options
    )
    return Reply(text, (*rows, (Button(t(turn.language, "btn_menu"), ShowMenu()),)))


def feedback_screen_for(turn: Turn, lesson: Lesson, index: int, round_: int, chosen: int, number: int) -> Reply:
    asked = lesson.quiz.questions[index]
    verdict = screens.verdict(turn.language, asked, chosen, _order(turn, lesson, index, round_))
    text = f"{t(turn.language, 'review_header', number=number, total=number)} · {lesson.title}\n{asked.text}\n\n"
    text += f"{verdict}\n\n💡 {asked.explanation}"
    more = number < review_deck.SESSION_SIZE and due_count(turn) > 0
    onward = Button(
        t(turn.language, "btn_review_next" if more else "btn_review_finish"), NextReview(lesson.id, index, round_)
    )
    return Reply(text, ((onward,), (Button(t(turn.language, "btn_menu"), ShowMenu()),)))


def _ask(turn: Turn, number: int, trigger: str) -> Outcome:
    found = _next_card(turn) if number <= review_deck.SESSION_SIZE else None
    if found is None:
        turn.move("open_menu")
        key = "review_done" if number > 1 else "review_none"
        return Outcome([screens.notice_with_menu_button(turn.language, key)])
    lesson, index, round_ = found
    turn.move(trigger)
    turn.place = Place(module=lesson.id, question=index, attempt=round_, step=number)
    return Outcome([question_screen_for(turn, lesson, index, round_, number)])


@router.action(StartReview)
def start_review(turn: Turn, action: StartReview) -> Outcome:
    return _ask(turn, 1, "start_review")


@router.command("review")
def on_review_command(turn: Turn, command: str) -> Outcome:
    return start_review(turn, StartReview())


@router.action(AnswerReview)
def answer(turn: Turn, action: AnswerReview) -> Outcome:
    lesson = turn.lesson(action.module)
    place = turn.place
    asked_here = (place.module, place.question, place.attempt) == (lesson.id, action.question, action.round)
    if turn.state == Review.FEEDBACK and asked_here:
        return Outcome(notice=t(turn.language, "already_answered"))  # the double tap
    if turn.state != Review.QUESTION or not asked_here or action.question >= len(lesson.quiz.questions):
        raise StaleAction("review answer")
    asked = lesson.quiz.questions[action.question]
    if action.option >= len(asked.options):
        raise StaleAction("review option")
    card = review_deck.card(turn.learners.session, turn.me.id, lesson.id, asked.id)
    if card is None or card.rounds != action.round:
        raise StaleAction("review round")
    correct = action.option == asked.answer
    review_deck.answer(turn.learners.session, card, correct, clock.now())
    turn.move("answer_review")
    number = place.step or 1
    turn.place = Place(
        module=lesson.id, question=action.question, attempt=action.round, chosen=action.option, step=number
    )
    return Outcome(
        [feedback_screen_for(turn, lesson, action.question, action.round, action.option, number)],
        notice=t(turn.language, "correct") if correct else None,
    )


@router.action(NextReview)
def next_review(turn: Turn, action: NextReview) -> Outcome:
    place = turn.place
    if turn.state != Review.FEEDBACK or (place.module, place.question, place.attempt) != (
        action.module,
        action.question,
        action.round,
    ):
        raise StaleAction("next review")
    return _ask(turn, (place.step or 1) + 1, "next_review")


@router.screen(Review.QUESTION)
def question_redraw(turn: Turn) -> list[Reply] | None:
    lesson = turn.journey.catalog.get(turn.place.module or "", turn.language)
    index, round_ = turn.place.question, turn.place.attempt
    if lesson is None or index is None or round_ is None or not 0 <= index < len(lesson.quiz.questions):
        return None
    return [question_screen_for(turn, lesson, index, round_, turn.place.step or 1)]


@router.screen(Review.FEEDBACK)
def feedback_redraw(turn: Turn) -> list[Reply] | None:
    lesson = turn.journey.catalog.get(turn.place.module or "", turn.language)
    index, round_, chosen = turn.place.question, turn.place.attempt, turn.place.chosen
    if lesson is None or index is None or round_ is None or chosen is None:
        return None
    if not 0 <= index < len(lesson.quiz.questions) or not 0 <= chosen < len(lesson.quiz.questions[index].options):
        return None
    return [feedback_screen_for(turn, lesson, index, round_, chosen, turn.place.step or 1)]
