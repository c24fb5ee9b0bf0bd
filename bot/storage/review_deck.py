"""A resident's review deck: Leitner boxes with intervals of 2, 7 and 21 days (issue 11).

A question answered wrong in a quiz, and every question an author marked `review: always` (the
scam-safety ones), enters the deck in box 1, due 2 days later. In a review, right moves a card up a box
(due 7, then 21 days later), wrong sends it back to box 1, and right in the last box retires it. Review
answers are stored with the box the card was in (the retention figures) and keyed by the card's round,
so a double tap counts once. Nothing here touches a module's score. Every function works inside the
caller's transaction (the engine's one per update).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.models import ReviewAnswer, ReviewCard
from bot.storage.upsert import upsert_template

INTERVALS = {1: timedelta(days=2), 2: timedelta(days=7), 3: timedelta(days=21)}
LAST_BOX = max(INTERVALS)
SESSION_SIZE = 5  # questions in one review session at most


@dataclass(frozen=True, slots=True)
class Card:
    module_id: str
    question_id: str
    box: int
    round: int


def after_quiz_answer(
    session: Session, resident_id: int, module_id: str, question_id: str, *, correct: bool, always: bool, now: datetime
) -> None:
    """A quiz answer's effect on the deck: wrong puts the question (back) in box 1; a `review: always`
    question enters the deck once, right or wrong; a right answer to any other question changes nothing."""
    card = session.get(ReviewCard, (resident_id, module_id, question_id))
    if correct and not always:
        return
    if card is None:
        session.add(
            ReviewCard(
                resident_id=resident_id,
                module_id=module_id,
                question_id=question_id,
                box=1,
                due_at=now + INTERVALS[1],
                rounds=0,
                added_at=now,
            )
        )
        session.flush()  # a second answer in the same update sees the card
    elif not correct:
        card.box, card.due_at, card.retired_at = 1, now + INTERVALS[1], None


def due_cards(session: Session, resident_id: int, now: datetime, limit: int = SESSION_SIZE) -> list[Card]:
    """The cards due now, longest overdue first."""
    rows = session.execute(
        select(ReviewCard.module_id, ReviewCard.question_id, ReviewCard.box, ReviewCard.rounds)
        .where(ReviewCard.resident_id == resident_id, ReviewCard.due_at <= now)
        .order_by(ReviewCard.due_at, ReviewCard.module_id, ReviewCard.question_id)
        .limit(limit)
    )
    return [Card(module, question, box, rounds) for module, question, box, rounds in rows]


def due_count(session: Session, resident_id: int, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReviewCard)
            .where(ReviewCard.resident_id == resident_id, ReviewCard.due_at <= now)
        )
        or 0
    )


def review_deck_size(session: Session, resident_id: int) -> int:
    """Cards still in the deck (not retired)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReviewCard)
            .where(ReviewCard.resident_id == resident_id, ReviewCard.due_at.is_not(None))
        )
        or 0
    )


def card(session: Session, resident_id: int, module_id: str, question_id: str) -> ReviewCard | None:
    return session.get(ReviewCard, (resident_id, module_id, question_id))


def answer(session: Session, card: ReviewCard, chosen_correctly: bool, now: datetime) -> bool:
    """Record a review answer for the card's current round and move the card; False (and nothing
    changed) when this round was answered already."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    inserted = session.connection().execute(
        upsert_template(dialect, ReviewAnswer, ("resident_id", "module_id", "question_id", "round")),
        {
            "resident_id": card.resident_id,
            "module_id": card.module_id,
            "question_id": card.question_id,
            "round": card.rounds,
            "box": card.box,
            "correct": chosen_correctly,
            "answered_at": now,
        },
    )
    if not inserted.rowcount:  # type: ignore[attr-defined]
        return False
    card.rounds += 1
    if not chosen_correctly:
        card.box, card.due_at = 1, now + INTERVALS[1]
    elif card.box >= LAST_BOX:
        card.due_at, card.retired_at = None, now
    else:
        card.box += 1
        card.due_at = now + INTERVALS[card.box]
    return True
