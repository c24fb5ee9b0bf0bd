"""The learner's buttons, as typed actions (see `bot.actions`).

Each action names where it was made ("next from step 3 of email"), so a button from an old message no
longer matches the learner's state and is refused instead of moving them somewhere unexpected. The
packed forms ("open:email", "ans:email:2:1:0", ...) are the ones residents' phones already hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.actions import Action, register

LanguageCode = Literal["vi", "en"]


@dataclass(frozen=True, slots=True)
class ShowMenu(Action, prefix="menu"):
    pass


@dataclass(frozen=True, slots=True)
class ShowProgress(Action, prefix="progress"):
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp(Action, prefix="help"):
    pass


@dataclass(frozen=True, slots=True)
class Resume(Action, prefix="resume"):
    """Redraw where the learner is (from a notice that has no place of its own)."""


@dataclass(frozen=True, slots=True)
class ChooseLanguage(Action, prefix="lang"):
    """Onboarding, before consent: nothing is stored yet, so the choice travels in the button."""

    language: LanguageCode


@dataclass(frozen=True, slots=True)
class GiveConsent(Action, prefix="ok"):
    """ "I agree", carrying the version of the notice it was shown under (bot.learning.consent_notice):
    consent is recorded to that notice, and a button from an older notice shows the current one again."""

    language: LanguageCode
    notice: str


@dataclass(frozen=True, slots=True)
class DeclineConsent(Action, prefix="no"):
    language: LanguageCode


@dataclass(frozen=True, slots=True)
class ChooseCommune(Action, prefix="com"):
    commune: str


@dataclass(frozen=True, slots=True)
class AskLanguage(Action, prefix="asklang"):
    pass


@dataclass(frozen=True, slots=True)
class SetLanguage(Action, prefix="setlang"):
    language: LanguageCode


@dataclass(frozen=True, slots=True)
class AskCommune(Action, prefix="askcom"):
    pass


@dataclass(frozen=True, slots=True)
class OpenModule(Action, prefix="open"):
    """Open a module where the learner left it (or at the start)."""

    module: str


@dataclass(frozen=True, slots=True)
class ReadAgain(Action, prefix="review"):
    """Read a module again from its first step."""

    module: str


@dataclass(frozen=True, slots=True)
class NextStep(Action, prefix="next"):
    module: str
    step: int  # the step the button was on


@dataclass(frozen=True, slots=True)
class PreviousStep(Action, prefix="prev"):
    module: str
    step: int


@dataclass(frozen=True, slots=True)
class StartQuiz(Action, prefix="quiz"):
    module: str


@dataclass(frozen=True, slots=True)
class AnswerQuestion(Action, prefix="ans"):
    module: str
    question: int
    attempt: int
    option: int  # the option's identity in the lesson file, whatever order it was shown in


@dataclass(frozen=True, slots=True)
class NextQuestion(Action, prefix="nq"):
    module: str
    question: int  # the question the feedback was about
    attempt: int


@dataclass(frozen=True, slots=True)
class GetCertificate(Action, prefix="cert"):
    module: str


@dataclass(frozen=True, slots=True)
class AskDelete(Action, prefix="del"):
    pass


@dataclass(frozen=True, slots=True)
class ConfirmDelete(Action, prefix="del"):
    answer: Literal["yes", "no"]


@dataclass(frozen=True, slots=True)
class SetReminders(Action, prefix="rem"):
    """/reminders on|off as a button (under a reminder, or under the setting's screen)."""

    setting: Literal["on", "off"]


@dataclass(frozen=True, slots=True)
class StartReview(Action, prefix="rv"):
    """Open a review session of the cards due now."""


@dataclass(frozen=True, slots=True)
class AnswerReview(Action, prefix="ra"):
    module: str
    question: int  # the question's index in the module's quiz
    round: int  # the card's review round the question was asked in: a double tap counts once
    option: int  # the option's identity in the lesson file


@dataclass(frozen=True, slots=True)
class NextReview(Action, prefix="rn"):
    module: str
    question: int
    round: int


@dataclass(frozen=True, slots=True)
class CopyMyData(Action, prefix="mycopy"):
    """/mydata's "complete copy" button: everything stored, as a JSON file."""


register(
    CopyMyData,
    ShowMenu,
    ShowProgress,
    ShowHelp,
    Resume,
    ChooseLanguage,
    GiveConsent,
    DeclineConsent,
    ChooseCommune,
    AskLanguage,
    SetLanguage,
    AskCommune,
    OpenModule,
    ReadAgain,
    NextStep,
    PreviousStep,
    StartQuiz,
    AnswerQuestion,
    NextQuestion,
    GetCertificate,
    AskDelete,
    ConfirmDelete,
    SetReminders,
    StartReview,
    AnswerReview,
    NextReview,
)
