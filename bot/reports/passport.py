"""Figures officers report upward ("phổ cập kỹ năng số"): how many residents of each commune hold the
digital-skills passport, and for each competence of the framework, the share of residents who
mastered it.

- A passport holder is a consented resident who completed every core module (CORE_MODULES, those the
  catalogue has), unless their passport certificate was revoked. Counted from the progress rows, so a
  resident who finished before certificates existed counts too.
- A resident mastered a competence when they answered right, in some attempt, every quiz question
  tagged with it (bot/content/framework.py; the tags are the same in every language).
- Privacy as for every figure (bot/reports/privacy.py): communes under k residents are merged, and a
  share is shown only for k residents or more. Counts of people stay exact.

Two queries, both aggregates: residents and holders per commune; and one pass over the right answers
grouped by resident, with one conditional distinct count per competence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, intersect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.certificates.passport import FRAMEWORK_LABELS, numbered
from bot.content import Catalog
from bot.content.framework import FRAMEWORKS
from bot.reports.privacy import K_ANONYMITY, NO_COMMUNE_ID, SMALL_ID, enough, fold_small
from bot.storage.certificates import PASSPORT
from bot.storage.models import Answer, IssuedCertificate, ModuleProgress, Resident
from bot.storage.vocabulary import ModuleStatus

residents = Resident.__table__
progress = ModuleProgress.__table__
answers = Answer.__table__
certificates = IssuedCertificate.__table__


@dataclass(frozen=True, slots=True)
class CommunePassport:
    id: str
    name: str
    residents: int
    holders: int
    share: float | None  # holders / residents, 0..1; None when the row stands for fewer than k people
    merged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CompetenceMastery:
    framework: str  # digcomp | vn_framework
    code: str
    name: str
    questions: int  # quiz questions tagged with it
    mastered: int  # residents who answered every one of them right
    share: float | None  # of all residents in the scope

    @property
    def label(self) -> str:
        return f"{FRAMEWORK_LABELS.get(self.framework, self.framework)} {self.code}"


@dataclass(frozen=True, slots=True)
class PassportFigures:
    core_modules: tuple[str, ...]
    residents: int
    holders: int
    share: float | None
    target: float | None  # BASIC_SKILLS_TARGET, percent
    communes: tuple[CommunePassport, ...] = ()
    competences: tuple[CompetenceMastery, ...] = field(default_factory=tuple)

    @property
    def target_reached(self) -> bool | None:
        if self.target is None or self.share is None:
            return None
        return self.share * 100 >= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "core_modules": list(self.core_modules),
            "residents": self.residents,
            "holders": self.holders,
            "share": self.share,
            "target_percent": self.target,
            "target_reached": self.target_reached,
            "communes": [
                {
                    "id": c.id,
                    "name": c.name,
                    "residents": c.residents,
                    "holders": c.holders,
                    "share": c.share,
                    **({"merged": list(c.merged)} if c.merged else {}),
                }
                for c in self.communes
            ],
            "competences": [
                {
                    "framework": m.framework,
                    "code": m.code,
                    "name": m.name,
                    "questions": m.questions,
                    "mastered": m.mastered,
                    "share": m.share,
                }
                for m in self.competences
            ],
        }


def _share(part: int, whole: int, k: int) -> float | None:
    return round(part / whole, 4) if whole and enough(whole, k) else None


def _consented(scope: frozenset[str] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [residents.c.consent_at.is_not(None)]
    if scope is not None:
        where.append(residents.c.commune_id.in_(sorted(scope)))
    return where


def in_population(column: Any, scope: frozenset[str] | None) -> ColumnElement[bool]:
    return column.in_(select(residents.c.id).where(*_consented(scope)))


def holders_query(core: Sequence[str]) -> Any:
    """Ids of residents who completed every core module and whose passport was not revoked."""
    completed_all = (
        select(progress.c.resident_id)
        .where(progress.c.module_id.in_(list(core)), progress.c.status == ModuleStatus.COMPLETED)
        .group_by(progress.c.resident_id)
        .having(func.count() == len(core))
    )
    revoked = select(certificates.c.resident_id).where(
        certificates.c.module_id == PASSPORT, certificates.c.revoked_at.is_not(None)
    )
    return and_(residents.c.id.in_(completed_all), residents.c.id.not_in(revoked))


async def commune_holders(
    connection: AsyncConnection, core: Sequence[str], scope: frozenset[str] | None
) -> dict[str | None, tuple[int, int]]:
    """commune id -> (residents, passport holders)."""
    holder = holders_query(core)
    rows = await connection.execute(
        select(residents.c.commune_id, func.count(), func.coalesce(func.sum(case((holder, 1), else_=0)), 0))
        .where(*_consented(scope))
        .group_by(residents.c.commune_id)
    )
    return {commune_id: (int(people), int(held)) for commune_id, people, held in rows}


def tagged_questions(catalog: Catalog, language: str) -> dict[tuple[str, str], set[str]]:
    """(framework, code) -> the "module:question" keys of the questions tagged with it."""
    tagged: dict[tuple[str, str], set[str]] = {}
    for lesson in catalog.modules(language):
        for question in lesson.quiz.questions:
            for framework in FRAMEWORKS:
                for code in getattr(question.tags, framework):
                    tagged.setdefault((framework, code), set()).add(f"{lesson.id}:{question.id}")
    return tagged


async def mastered_counts(
    connection: AsyncConnection,
    tagged: dict[tuple[str, str], set[str]],
    counted: Callable[[Any], ColumnElement[bool]],
) -> dict[tuple[str, str], int]:
    """Residents who answered right every question of each competence, in one statement: per
    competence, the residents who answered each of its questions right, intersected, and counted.

    Each question's residents are one range of the covering index `ix_answers_question_choice` (no
    table access, no expression per row). At 870,000 answers on SQLite: 0.5 s, against 2.0 s for one
    pass grouping every right answer by resident and 4.3 s with a concatenated key per row.
    `counted(column)` keeps the population (consented residents in the scope); it is applied to the
    intersection, never inside it: in each part it made the statement 25 times slower.
    """
    if not tagged:
        return {}
    order = list(tagged)

    def knew(key: str) -> Any:
        module_id, question_id = key.split(":", 1)
        return select(answers.c.resident_id).where(
            answers.c.module_id == module_id,
            answers.c.question_id == question_id,
            answers.c.correct.is_(True),
        )

    def residents_knowing_all(keys: set[str]) -> Any:
        parts = [knew(key) for key in sorted(keys)]
        every = (intersect(*parts) if len(parts) > 1 else parts[0].distinct()).subquery()
        return select(func.count()).select_from(every).where(counted(every.c.resident_id)).scalar_subquery()

    row = (await connection.execute(select(*(residents_knowing_all(tagged[pair]) for pair in order)))).one()
    return {pair: int(value or 0) for pair, value in zip(order, row, strict=True)}


async def passport_figures(
    connection: AsyncConnection,
    *,
    catalog: Catalog,
    commune_ids: Sequence[str],
    commune_name: Any,
    core: Sequence[str],
    target: float | None,
    language: str,
    scope: frozenset[str] | None = None,
    k: int = K_ANONYMITY,
    competences: bool = True,
    counted: Callable[[Any], ColumnElement[bool]] | None = None,  # whose rows count (Population.rows_of)
) -> PassportFigures:
    counts = await commune_holders(connection, core, scope)
    total = sum(people for people, _ in counts.values())
    held = sum(holders for _, holders in counts.values())
    ids = [c for c in commune_ids if scope is None or c in scope]
    ids += sorted(str(c) for c in counts if c is not None and c not in ids)
    rows = [CommunePassport(c, commune_name(c), *counts.get(c, (0, 0)), None) for c in ids]
    if None in counts:
        rows.append(CommunePassport(NO_COMMUNE_ID, commune_name(NO_COMMUNE_ID), *counts[None], None))

    def merged(group: list[CommunePassport]) -> CommunePassport:
        return CommunePassport(
            SMALL_ID,
            f"Các xã ít người (gộp {len(group)} xã)" if language == "vi" else f"Small communes ({len(group)} merged)",
            sum(r.residents for r in group),
            sum(r.holders for r in group),
            None,
            tuple(r.id for r in group),
        )

    shown = fold_small(rows, lambda row: row.residents, merged, k) if enough(total, k) else []
    communes = tuple(
        CommunePassport(r.id, r.name, r.residents, r.holders, _share(r.holders, r.residents, k), r.merged)
        for r in shown
    )

    mastery: tuple[CompetenceMastery, ...] = ()
    if competences and enough(total, k):
        tagged = tagged_questions(catalog, language)
        mastered = await mastered_counts(connection, tagged, counted or (lambda column: in_population(column, scope)))
        framework = catalog.framework
        mastery = tuple(
            CompetenceMastery(
                kind,
                code,
                framework.name(kind, code, language) if framework is not None else code,
                len(tagged[(kind, code)]),
                mastered.get((kind, code), 0),
                _share(mastered.get((kind, code), 0), total, k),
            )
            for kind, code in sorted(tagged, key=lambda pair: (FRAMEWORKS.index(pair[0]), numbered(pair[1])))
        )
    return PassportFigures(tuple(core), total, held, _share(held, total, k), target, communes, mastery)
