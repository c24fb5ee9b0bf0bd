"""The digital-skills passport: who holds it, with which score, and which competences it covers.

A resident who completed every core module (CORE_MODULES, those present in the catalogue) holds it.
Its score is the mean of their best scores in those modules; its competences are the framework tags
of those modules and their questions, named in the resident's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.content import Catalog, Lesson
from bot.content.framework import FRAMEWORKS, Framework
from bot.storage.models import ModuleProgress
from bot.storage.vocabulary import ModuleStatus

FRAMEWORK_LABELS = {"digcomp": "DigComp", "vn_framework": "KNS"}


def core_modules(catalog: Catalog, configured: Iterable[str]) -> tuple[str, ...]:
    """The configured core modules the catalogue has; a module left out of the catalogue is not asked for."""
    return tuple(module_id for module_id in configured if module_id in catalog)


def holds_passport(progress: Mapping[str, ModuleProgress], core: Sequence[str]) -> bool:
    return bool(core) and all(
        module_id in progress and progress[module_id].status == ModuleStatus.COMPLETED for module_id in core
    )


def passport_score(progress: Mapping[str, ModuleProgress], core: Sequence[str]) -> int:
    scores = [progress[module_id].best_score or 0 for module_id in core]
    return round(sum(scores) / len(scores)) if scores else 0


def competence_codes(lessons: Iterable[Lesson]) -> list[tuple[str, str]]:
    """(framework, code) pairs the lessons train, in framework then code order, each once."""
    found: set[tuple[str, str]] = set()
    for lesson in lessons:
        for tags in (lesson.tags, *(question.tags for question in lesson.quiz.questions)):
            for framework in FRAMEWORKS:
                found.update((framework, code) for code in getattr(tags, framework))
    return sorted(found, key=lambda pair: (FRAMEWORKS.index(pair[0]), numbered(pair[1])))


def numbered(code: str) -> tuple[tuple[int, str], ...]:
    """ "1.10" after "1.2": numbered parts compare as numbers."""
    return tuple((int(part), "") if part.isdigit() else (1 << 30, part) for part in code.split("."))


def competence_label(framework: Framework | None, pair: tuple[str, str], language: str) -> str:
    kind, code = pair
    name = framework.name(kind, code, language) if framework is not None else code
    return f"{FRAMEWORK_LABELS.get(kind, kind)} {code} · {name}"
