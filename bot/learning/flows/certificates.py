"""🎓 Certificates: one record per pass, with a code anyone can check, and the picture to keep.

Passing a module issues its certificate (`record_pass`, in the update's transaction); completing the
last core module issues the digital-skills passport too. Asking for the picture changes no state: the
screen the button was on stays, and the picture comes as a message of its own. A module passed before
certificates had codes gets its record when the picture is first asked for. The journey only asks for
a picture (`Journey.certificate`, `Journey.passport`); how it is drawn lives with the reports.
"""

from __future__ import annotations

from datetime import datetime

from bot import clock
from bot.certificates.passport import competence_codes, competence_label, holds_passport, passport_score
from bot.certificates.verification import check, verdict_text
from bot.learning.actions import GetCertificate, ShowMenu
from bot.learning.router import Router
from bot.learning.turn import StaleAction, Turn
from bot.messages import Attachment, Button, Outcome, Reply
from bot.storage import certificates as records
from bot.storage.certificates import PASSPORT
from bot.storage.models import IssuedCertificate, ModuleProgress
from bot.storage.vocabulary import ModuleStatus
from bot.texts import t

router = Router("certificates")


def record_pass(turn: Turn, progress: ModuleProgress) -> None:
    """A module was just passed: its certificate, and the passport when that completed the core set."""
    session = turn.learners.session
    passed_at = progress.completed_at or clock.now()
    records.issue(session, turn.me.id, progress.module_id, progress.best_score or 0, passed_at)
    core = turn.journey.core_modules
    if progress.module_id in core and holds_passport(turn.progress(), core):
        records.issue(session, turn.me.id, PASSPORT, passport_score(turn.progress(), core), clock.now())


@router.command("verify")
def on_verify(turn: Turn, command: str) -> Outcome:
    return verify(turn, turn.language)


def verify(turn: Turn, language: str) -> Outcome:
    """`/verify CODE` from anyone, resident or not: what the code says (the same words as the command
    line's and the public page's). In Telegram a handler of its own answers first, in groups too; this
    serves the other channels (Zalo, the terminal)."""
    typed = turn.event.argument.strip()
    if not typed:
        return Outcome([Reply(t(language, "verify_usage"))])
    verdict = check(turn.learners.session, typed[:40], turn.journey.catalog, turn.journey.timezone, language)
    return Outcome([Reply(verdict_text(language, verdict, turn.journey.issuer))])


def passport_held(turn: Turn) -> bool:
    return turn.journey.passport is not None and holds_passport(turn.progress(), turn.journey.core_modules)


@router.action(GetCertificate)
def certificate(turn: Turn, action: GetCertificate) -> Outcome:
    if action.module == PASSPORT:
        return passport(turn)
    lesson = turn.lesson(action.module)
    progress = turn.progress_of(lesson.id)
    draw = turn.journey.certificate
    if progress is None or progress.status != ModuleStatus.COMPLETED or progress.completed_at is None or draw is None:
        raise StaleAction("certificate")  # forged, or for a module not passed
    record = _record(turn, lesson.id, progress.best_score or 0, progress.completed_at)
    code = records.shown(record.code)
    picture = draw(
        language=turn.language,
        name=turn.me.display_name,
        module_title=lesson.title,
        score=record.score,
        day=_day(turn, record.issued_at),
        code=code,
    )
    caption = t(turn.language, "certificate_caption", title=lesson.title) + "\n" + _code_line(turn, code)
    return _picture(turn, caption, picture)


def passport(turn: Turn) -> Outcome:
    draw, core = turn.journey.passport, turn.journey.core_modules
    mine = turn.progress()
    if draw is None or not holds_passport(mine, core):
        raise StaleAction("passport")
    record = _record(turn, PASSPORT, passport_score(mine, core), clock.now())
    lessons = [lesson for module_id in core if (lesson := turn.journey.catalog.get(module_id, turn.language))]
    framework = turn.journey.catalog.framework
    picture = draw(
        language=turn.language,
        name=turn.me.display_name,
        modules=[(lesson.title, mine[lesson.id].best_score or 0) for lesson in lessons],
        competences=[competence_label(framework, pair, turn.language) for pair in competence_codes(lessons)],
        score=record.score,
        day=_day(turn, record.issued_at),
        code=records.shown(record.code),
    )
    caption = t(turn.language, "passport_caption") + "\n" + _code_line(turn, records.shown(record.code))
    return _picture(turn, caption, picture)


def _record(turn: Turn, module_id: str, score: int, issued_at: datetime) -> IssuedCertificate:
    found = records.of_resident(turn.learners.session, turn.me.id, module_id)
    return found or records.issue(turn.learners.session, turn.me.id, module_id, score, issued_at)


def _day(turn: Turn, moment: datetime) -> str:
    return moment.astimezone(turn.journey.timezone).strftime("%d/%m/%Y")


def _code_line(turn: Turn, code: str) -> str:
    return t(turn.language, "cert_caption_code", code=code)


def _picture(turn: Turn, caption: str, picture: Attachment) -> Outcome:
    menu = ((Button(t(turn.language, "btn_menu"), ShowMenu()),),)
    return Outcome([Reply(caption, menu, attachment=picture)])
