"""Progress rules: percentages, scores and what counts as completing a module."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Lesson
from bot.storage.models import ModuleProgress
from bot.storage.vocabulary import ModuleStatus


@dataclass(frozen=True, slots=True)
class ModuleStanding:
    """A read-only view of one module for one resident, for menus and /progress."""

    module_id: str
    status: ModuleStatus
    percent: int
    best_score: int | None


def score_percent(correct: int, total: int) -> int:
    return round(100 * correct / total) if total else 0


def passed(lesson: Lesson, score: int) -> bool:
    return score >= lesson.quiz.pass_percent


def percent_done(lesson: Lesson, step_index: int, question_index: int | None) -> int:
    """Share of the module behind the resident: steps read, then questions answered. Never 100 until done."""
    units = len(lesson.steps) + len(lesson.quiz.questions)
    behind = len(lesson.steps) + question_index if question_index is not None else step_index + 1
    return min(99, 100 * behind // units)


def standing(lesson: Lesson, progress: ModuleProgress | None) -> ModuleStanding:
    if progress is None:
        return ModuleStanding(lesson.id, ModuleStatus.NEW, 0, None)
    if progress.status == ModuleStatus.COMPLETED:
        return ModuleStanding(lesson.id, ModuleStatus.COMPLETED, 100, progress.best_score)
    percent = percent_done(lesson, progress.step_index, progress.question_index)
    return ModuleStanding(lesson.id, ModuleStatus.IN_PROGRESS, percent, progress.best_score)
