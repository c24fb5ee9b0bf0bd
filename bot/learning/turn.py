"""One update's view of the learner, and the services every flow may use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from transitions import MachineError

from bot.config import Commune
from bot.content import Catalog, Lesson
from bot.helpdesk.desk import HelpPolicy
from bot.learning.place import Place
from bot.learning.states import fire
from bot.messages import Attachment, Event, Reply, UserKey
from bot.storage.fsm import FsmStorage
from bot.storage.learners import Learners
from bot.storage.models import ModuleProgress, Resident


class StaleAction(Exception):
    """A button that no longer matches the learner's state, or never could (forged)."""


class CertificateMaker(Protocol):
    """Draws a completion certificate; the journey asks for one without knowing how it is drawn."""

    def __call__(
        self, *, language: str, name: str | None, module_title: str, score: int, day: str, code: str | None = None
    ) -> Attachment: ...


class PassportMaker(Protocol):
    """Draws the digital-skills passport: the core modules with their scores, the competences covered."""

    def __call__(
        self,
        *,
        language: str,
        name: str | None,
        modules: Sequence[tuple[str, int]],
        competences: Sequence[str],
        score: int,
        day: str,
        code: str | None = None,
    ) -> Attachment: ...


@dataclass(frozen=True)
class Journey:
    """What the flows need that does not change from update to update."""

    catalog: Catalog
    communes: Sequence[Commune]
    default_language: str = "vi"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    certificate: CertificateMaker | None = None
    reminders: bool = True  # REMINDERS: whether this deployment sends reminders at all
    passport: PassportMaker | None = None
    core_modules: tuple[str, ...] = ()  # the passport's modules, those the catalogue has
    issuer: str | None = None  # CERT_ISSUER, named when a certificate is checked
    help_policy: HelpPolicy = field(default_factory=HelpPolicy)  # when unclaimed questions go up a level

    def commune(self, commune_id: str | None) -> Commune | None:
        return next((c for c in self.communes if c.id == commune_id), None)


@dataclass
class Turn:
    """Everything one update works on; lives for one transaction."""

    event: Event
    journey: Journey
    learners: Learners
    fsm: FsmStorage
    state: str | None
    place: Place
    resident: Resident | None  # only someone who consented; everything else treats them as new
    unconsented: Resident | None = None  # a row made by `grant` for someone who never agreed to anything
    current: ModuleProgress | None = None  # the progress of place.module, loaded with the learner
    redraw: Callable[[Turn], list[Reply]] | None = None  # the engine's "where am I" (every flow's screens)

    @property
    def key(self) -> UserKey:
        return self.event.key

    @property
    def language(self) -> str:
        return self.resident.language if self.resident is not None else self.journey.default_language

    @property
    def me(self) -> Resident:
        """The resident, in flows that only ever run for someone registered."""
        assert self.resident is not None
        return self.resident

    def move(self, trigger: str) -> None:
        try:
            self.state = fire(self.state, trigger)
        except MachineError as error:
            raise StaleAction(trigger) from error

    def current_screen(self) -> list[Reply]:
        """The screen for the stored state: the answer to a hint, a stale button or a resume."""
        assert self.redraw is not None
        return self.redraw(self)

    def lesson(self, module_id: str) -> Lesson:
        """The module a button names, in the learner's language; a removed or made-up one is stale."""
        lesson = self.journey.catalog.get(module_id, self.language)
        if lesson is None:
            raise StaleAction(f"module {module_id}")
        return lesson

    def progress(self) -> dict[str, ModuleProgress]:
        return self.learners.progress(self.me.id)

    def progress_of(self, module_id: str) -> ModuleProgress | None:
        if self.current is not None and self.current.module_id == module_id:
            return self.current
        return self.learners.progress_of(self.me.id, module_id)

    def progress_row(self, lesson: Lesson) -> ModuleProgress:
        """This module's progress, started now if the learner never opened it."""
        return self.progress_of(lesson.id) or self.learners.start_module(self.me.id, lesson.id)
