"""What a report holds: plain typed values, computed by `queries`, shown by text, charts and exports.

Counts of people are exact; anything that could describe a handful of people is hidden (see `privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # bot.reports.passport uses the privacy rule, which uses these figures
    from bot.reports.passport import PassportFigures


@dataclass(frozen=True, slots=True)
class Headline:
    """Who is here. `None` means hidden: the whole scope is too small to show more than its size."""

    residents: int  # consented: nothing is stored about anyone before consent
    onboarded: int | None  # picked a commune
    new_7d: int | None
    active_7d: int | None
    active_30d: int | None
    unreachable: int | None


@dataclass(frozen=True, slots=True)
class ModuleFigures:
    id: str
    title: str
    steps: int
    questions: int
    started: int
    completed: int
    scored: int  # finished at least one quiz attempt
    avg_score: float | None  # of best scores, percent; None when too few people to show
    median_score: float | None
    median_minutes_to_complete: float | None  # completed_at - started_at

    @property
    def completion_rate(self) -> float:
        return round(self.completed / self.started, 4) if self.started else 0.0


@dataclass(frozen=True, slots=True)
class CommuneFigures:
    id: str
    name: str
    residents: int
    completions: dict[str, int]  # module id -> residents who completed it
    merged: tuple[str, ...] = ()  # the communes a "small communes" row stands for


@dataclass(frozen=True, slots=True)
class Funnel:
    """How far people got inside one module: where they drop off."""

    module_id: str
    title: str
    started: int
    steps: tuple[int, ...]  # steps[i]: reached step i + 1
    questions: tuple[int, ...]  # questions[i]: answered question i + 1 at least once
    completed: int


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    module_id: str
    module_title: str
    question_id: str
    number: int  # 1-based place in the quiz
    text: str
    answers: int  # every attempt counts
    residents: int
    right: int
    wrong_option: int | None  # the most chosen wrong option (0-based), None if nobody chose wrong
    wrong_option_text: str | None
    wrong_count: int

    @property
    def share_right(self) -> float:
        return round(self.right / self.answers, 4) if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class WeekFigures:
    start: date  # Monday, local time
    completions: int

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class HelpFigures:
    id: str
    name: str
    askers: int  # residents who asked: the size the privacy rule looks at
    asked: int
    answered: int  # got a first answer from a person
    within_day: int | None  # answered within 24 hours of asking; None when too few people to show
    median_minutes_to_answer: float | None
    merged: tuple[str, ...] = ()

    @property
    def share_within_day(self) -> float | None:
        if self.within_day is None or not self.asked:
            return None
        return round(self.within_day / self.asked, 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "asked": self.asked,
            "answered": self.answered,
            "median_minutes_to_first_answer": self.median_minutes_to_answer,
            "share_answered_within_day": self.share_within_day,
            **({"merged": list(self.merged)} if self.merged else {}),
        }


@dataclass(frozen=True, slots=True)
class Report:
    generated_at: datetime
    scope: frozenset[str] | None  # None: the whole district
    scope_name: str
    k: int  # the anonymity threshold applied
    suppressed: bool  # the scope has fewer than k residents: only its size is shown
    headline: Headline
    modules: tuple[ModuleFigures, ...]
    communes: tuple[CommuneFigures, ...]
    funnels: tuple[Funnel, ...]
    questions: tuple[QuestionFigures, ...]  # questions with at least k answers, in catalogue order
    weeks: tuple[WeekFigures, ...]  # every week from the first completion to now, zeros included
    passport: PassportFigures | None = None  # None: no core modules configured, or the scope is too small
    help: tuple[HelpFigures, ...] = ()  # questions to a person, per commune (bot/reports/help.py)

    def hardest(self, count: int = 5, module_id: str | None = None) -> list[QuestionFigures]:
        """Lowest share of right answers first; more answers first among equals."""
        pool = [q for q in self.questions if module_id is None or q.module_id == module_id]
        return sorted(pool, key=lambda q: (q.share_right, -q.answers, q.module_id, q.number))[:count]

    def module(self, module_id: str) -> ModuleFigures | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def funnel(self, module_id: str) -> Funnel | None:
        return next((f for f in self.funnels if f.module_id == module_id), None)

    def to_json(self) -> dict[str, Any]:
        """The `stats --json` object: stable English keys, numbers as numbers."""
        head = self.headline
        return {
            "generated_at": self.generated_at.isoformat(),
            "scope": sorted(self.scope) if self.scope is not None else None,
            "k_anonymity": self.k,
            "suppressed": self.suppressed,
            "residents": head.residents,
            "onboarded": head.onboarded,
            "new_7d": head.new_7d,
            "active_7d": head.active_7d,
            "active_30d": head.active_30d,
            "unreachable": head.unreachable,
            "modules": [
                {
                    "id": m.id,
                    "title": m.title,
                    "steps": m.steps,
                    "questions": m.questions,
                    "started": m.started,
                    "completed": m.completed,
                    "completion_rate": m.completion_rate,
                    "scored": m.scored,
                    "avg_score": m.avg_score,
                    "median_score": m.median_score,
                    "median_minutes_to_complete": m.median_minutes_to_complete,
                }
                for m in self.modules
            ],
            "communes": [
                {
                    "id": c.id,
                    "name": c.name,
                    "residents": c.residents,
                    "completions": c.completions,
                    **({"merged": list(c.merged)} if c.merged else {}),
                }
                for c in self.communes
            ],
            "funnels": [
                {
                    "module_id": f.module_id,
                    "started": f.started,
                    "steps": list(f.steps),
                    "questions": list(f.questions),
                    "completed": f.completed,
                }
                for f in self.funnels
            ],
            "hardest_questions": [
                {
                    "module_id": q.module_id,
                    "question_id": q.question_id,
                    "number": q.number,
                    "text": q.text,
                    "answers": q.answers,
                    "residents": q.residents,
                    "share_right": q.share_right,
                    "wrong_option": q.wrong_option,
                    "wrong_option_text": q.wrong_option_text,
                    "wrong_count": q.wrong_count,
                }
                for q in self.hardest()
            ],
            "weeks": [
                {"week": w.label, "start": w.start.isoformat(), "completions": w.completions} for w in self.weeks
            ],
            "passport": self.passport.to_json() if self.passport is not None else None,
            "help": [row.to_json() for row in self.help],
        }
