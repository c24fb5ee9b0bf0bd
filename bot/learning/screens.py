"""What each screen of the journey looks like: text and button rows, in the resident's language.

Pure functions of plain values, so a screen reads the same in Telegram, the terminal and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Commune
from bot.content import Lesson, Question
from bot.helpdesk.actions import AskHelper
from bot.learning.actions import (
    AnswerQuestion,
    AskCommune,
    AskLanguage,
    ChooseCommune,
    ChooseLanguage,
    ConfirmDelete,
    DeclineConsent,
    GetCertificate,
    GiveConsent,
    NextQuestion,
    NextStep,
    OpenModule,
    PreviousStep,
    ReadAgain,
    SetLanguage,
    ShowHelp,
    ShowMenu,
    ShowProgress,
    StartQuiz,
    StartReview,
)
from bot.learning.consent_notice import notice_version
from bot.learning.progress import ModuleStanding
from bot.messages import Button, Reply
from bot.storage.certificates import PASSPORT
from bot.storage.vocabulary import ModuleStatus
from bot.texts import LANGUAGE_NAMES, t

OPTION_LETTERS = "ABCD"
BUTTON_LABEL_MAX = 60


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_LABEL_MAX else text[: BUTTON_LABEL_MAX - 1].rstrip() + "…"


def language_picker(prompt: str, action: type[ChooseLanguage] | type[SetLanguage]) -> Reply:
    row = tuple(Button(name, action(code)) for code, name in LANGUAGE_NAMES.items())
    return Reply(prompt, (row,))


def consent(language: str) -> Reply:
    return Reply(
        t(language, "consent"),
        (
            (Button(t(language, "consent_yes"), GiveConsent(language, notice_version(language))),),
            (Button(t(language, "consent_no"), DeclineConsent(language)),),
        ),
    )


def commune_picker(language: str, communes: Sequence[Commune], prompt_key: str = "ask_commune") -> Reply:
    rows = tuple((Button(_label(c.name(language)), ChooseCommune(c.id)),) for c in communes)
    return Reply(t(language, prompt_key), rows)


def menu(
    language: str, lessons: Sequence[tuple[Lesson, ModuleStanding]], resume: Lesson | None, review_due: int = 0
) -> Reply:
    rows: list[tuple[Button, ...]] = []
    if resume is not None:
        rows.append((Button(_label(t(language, "btn_resume", title=resume.title)), OpenModule(resume.id)),))
    if review_due > 0:  # spaced review (issue 11): shown only when cards are due
        rows.append((Button(t(language, "btn_review_due", count=review_due), StartReview()),))
    for lesson, standing in lessons:
        if standing.status == ModuleStatus.COMPLETED:
            label = t(language, "module_done", title=lesson.title, score=standing.best_score or 0)
        elif standing.status == ModuleStatus.IN_PROGRESS:
            label = t(language, "module_progress", title=lesson.title, percent=standing.percent)
        else:
            label = t(language, "module_new", title=lesson.title)
        rows.append((Button(_label(label), OpenModule(lesson.id)),))
    rows.append((Button(t(language, "btn_progress"), ShowProgress()), Button(t(language, "btn_help"), ShowHelp())))
    rows.append(ask_row(language))
    return Reply(t(language, "menu_resume" if resume else "menu"), tuple(rows))


def ask_row(language: str) -> tuple[Button, ...]:
    """🙋 Ask a person: on every screen where a resident may get stuck (menu, lesson, quiz, result)."""
    return (Button(t(language, "btn_ask"), AskHelper()),)


def step(language: str, lesson: Lesson, index: int) -> Reply:
    current = lesson.steps[index]
    parts = [t(language, "step_header", title=lesson.title, number=index + 1, total=len(lesson.steps))]
    if index == 0:
        parts.append(f"⏱ ~{lesson.minutes}′ · {lesson.summary}")
    parts.append(f"{current.title}\n{current.text}" if current.title else current.text)
    if current.link:
        parts.append(t(language, "step_link", link=current.link))
    navigation: list[Button] = []
    if index > 0:
        navigation.append(Button(t(language, "btn_back"), PreviousStep(lesson.id, index)))
    if index + 1 < len(lesson.steps):
        navigation.append(Button(t(language, "btn_continue"), NextStep(lesson.id, index)))
    else:
        navigation.append(Button(t(language, "btn_start_quiz"), StartQuiz(lesson.id)))
    return Reply(
        "\n\n".join(parts), (tuple(navigation), ask_row(language), (Button(t(language, "btn_menu"), ShowMenu()),))
    )


def lettered(question: Question, order: Sequence[int]) -> list[tuple[str, int, str]]:
    """(letter shown, option identity, text) in the order this resident sees the options."""
    return [(OPTION_LETTERS[position], identity, question.options[identity]) for position, identity in enumerate(order)]


def letter_of(order: Sequence[int], identity: int) -> str:
    return OPTION_LETTERS[list(order).index(identity)]


def question(language: str, lesson: Lesson, index: int, attempt: int, order: Sequence[int]) -> Reply:
    asked = lesson.quiz.questions[index]
    header = t(language, "question_header", number=index + 1, total=len(lesson.quiz.questions))
    if index == 0:
        count = len(lesson.quiz.questions)
        header = t(language, "quiz_intro", count=count, percent=lesson.quiz.pass_percent) + "\n\n" + header
    options = lettered(asked, order)
    text = f"{header}\n\n{asked.text}\n\n" + "\n".join(f"{letter}. {option}" for letter, _, option in options)
    rows = tuple(
        (Button(_label(f"{letter}. {option}"), AnswerQuestion(lesson.id, index, attempt, identity)),)
        for letter, identity, option in options
    )
    return Reply(text, (*rows, ask_row(language), (Button(t(language, "btn_menu"), ShowMenu()),)))


def verdict(language: str, asked: Question, chosen: int, order: Sequence[int]) -> str:
    """ "You chose B. ..." and right or wrong (naming the right option), with this resident's letters."""
    right = asked.options[asked.answer]
    judged = (
        t(language, "correct")
        if chosen == asked.answer
        else t(language, "wrong", answer=f"{letter_of(order, asked.answer)}. {right}")
    )
    choice = t(language, "your_choice", choice=f"{letter_of(order, chosen)}. {asked.options[chosen]}")
    return f"{choice}\n{judged}"


def feedback(
    language: str, lesson: Lesson, index: int, attempt: int, chosen: int, order: Sequence[int], *, onward: bool = True
) -> Reply:
    """The answer's verdict and explanation. Once the resident moves on it stays in the chat without its
    button (`onward=False`), so they can scroll back through what they learned."""
    asked = lesson.quiz.questions[index]
    header = t(language, "question_header", number=index + 1, total=len(lesson.quiz.questions))
    text = f"{header}\n{asked.text}\n\n{verdict(language, asked, chosen, order)}\n\n💡 {asked.explanation}"
    if not onward:
        return Reply(text)
    last = index + 1 >= len(lesson.quiz.questions)
    button = Button(
        t(language, "btn_see_result" if last else "btn_next_question"), NextQuestion(lesson.id, index, attempt)
    )
    return Reply(text, ((button,),))


def result(
    language: str,
    lesson: Lesson,
    correct: int,
    score: int,
    did_pass: bool,
    next_lesson: Lesson | None,
    passport: bool = False,
) -> Reply:
    total = len(lesson.quiz.questions)
    if did_pass:
        text = t(language, "result_pass", correct=correct, total=total, score=score, title=lesson.title)
        if next_lesson is None:
            text += "\n\n" + t(language, "result_all_done")
    else:
        text = t(
            language,
            "result_fail",
            correct=correct,
            total=total,
            score=score,
            percent=lesson.quiz.pass_percent,
        )
    rows: list[tuple[Button, ...]] = []
    if did_pass:
        rows.append((Button(t(language, "btn_certificate"), GetCertificate(lesson.id)),))
    if did_pass and passport:
        rows.append((Button(t(language, "btn_passport"), GetCertificate(PASSPORT)),))
    if did_pass and next_lesson is not None:
        rows.append(
            (
                Button(
                    _label(t(language, "btn_next_module", title=next_lesson.title)),
                    OpenModule(next_lesson.id),
                ),
            )
        )
    rows.append((Button(t(language, "btn_retry"), StartQuiz(lesson.id)),))
    rows.append((Button(t(language, "btn_review"), ReadAgain(lesson.id)),))
    rows.append(ask_row(language))
    rows.append((Button(t(language, "btn_menu"), ShowMenu()),))
    return Reply(text, tuple(rows))


def progress_report(language: str, lessons: Sequence[tuple[Lesson, ModuleStanding]], passport: bool = False) -> Reply:
    lines = [t(language, "progress_header"), ""]
    for lesson, standing in lessons:
        if standing.status == ModuleStatus.COMPLETED:
            lines.append(t(language, "progress_line_done", title=lesson.title, score=standing.best_score or 0))
        elif standing.status == ModuleStatus.IN_PROGRESS:
            lines.append(t(language, "progress_line_progress", title=lesson.title, percent=standing.percent))
        else:
            lines.append(t(language, "progress_line_new", title=lesson.title))
    done = sum(1 for _, standing in lessons if standing.status == ModuleStatus.COMPLETED)
    lines += ["", t(language, "progress_summary", done=done, total=len(lessons))]
    rows: list[tuple[Button, ...]] = [
        (Button(_label(t(language, "btn_certificate_of", title=lesson.title)), GetCertificate(lesson.id)),)
        for lesson, standing in lessons
        if standing.status == ModuleStatus.COMPLETED
    ]
    if passport:
        rows.insert(0, (Button(t(language, "btn_passport"), GetCertificate(PASSPORT)),))
    rows.append((Button(t(language, "btn_menu"), ShowMenu()),))
    return Reply("\n".join(lines), tuple(rows))


def help_screen(language: str) -> Reply:
    return Reply(
        t(language, "help"),
        (
            (
                Button(t(language, "btn_menu"), ShowMenu()),
                Button(t(language, "btn_progress"), ShowProgress()),
            ),
            (
                Button(t(language, "btn_language"), AskLanguage()),
                Button(t(language, "btn_commune"), AskCommune()),
            ),
        ),
    )


def delete_confirm(language: str) -> Reply:
    return Reply(
        t(language, "delete_confirm"),
        (
            (Button(t(language, "btn_delete_yes"), ConfirmDelete("yes")),),
            (Button(t(language, "btn_delete_no"), ConfirmDelete("no")),),
        ),
    )


def notice_with_menu_button(language: str, key: str) -> Reply:
    return Reply(t(language, key), ((Button(t(language, "btn_menu"), ShowMenu()),),))
