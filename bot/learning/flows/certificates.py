"""🎓 A completion certificate for a module the resident passed, as a picture they can keep.

It changes no state: the screen the button was on stays, and the picture comes as a message of its own.
The journey only asks for it (`Journey.certificate`); how it is drawn lives with the reports.
"""

from __future__ import annotations

from bot.learning.actions import GetCertificate, ShowMenu
from bot.learning.router import Router
from bot.learning.turn import StaleAction, Turn
from bot.messages import Button, Outcome, Reply
from bot.storage.vocabulary import ModuleStatus
from bot.texts import t

router = Router("certificates")


@router.action(GetCertificate)
def certificate(turn: Turn, action: GetCertificate) -> Outcome:
    lesson = turn.lesson(action.module)
    progress = turn.progress_of(lesson.id)
    draw = turn.journey.certificate
    if progress is None or progress.status != ModuleStatus.COMPLETED or progress.completed_at is None or draw is None:
        raise StaleAction("certificate")  # forged, or for a module not passed
    picture = draw(
        language=turn.language,
        name=turn.me.display_name,
        module_title=lesson.title,
        score=progress.best_score or 0,
        day=progress.completed_at.astimezone(turn.journey.timezone).strftime("%d/%m/%Y"),
    )
    caption = t(turn.language, "certificate_caption", title=lesson.title)
    menu = ((Button(t(turn.language, "btn_menu"), ShowMenu()),),)
    return Outcome([Reply(caption, menu, attachment=picture)])
