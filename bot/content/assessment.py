"""Checks that a quiz measures learning rather than test-taking: the right option must not give itself
away by being the longest, options of one question stay within a sensible range of lengths, and every
module and question says which competences it trains (codes the framework file knows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.content.framework import FRAMEWORKS, Framework
from bot.content.schema import Lesson, Question

# The right option may be the strictly longest in at most this share of a module's questions...
MODULE_LONGEST_SHARE = 0.40
# ...and of the catalogue's in each language (by chance it would be about 1/4 with 4 options).
CATALOGUE_LONGEST_SHARE = 1 / 3
# The longest option of a question at most this many times the shortest (in characters), so no
# option stands out by its size alone; short options get a little slack ("Có" / "Không bao giờ").
OPTION_LENGTH_RATIO = 3.0
OPTION_LENGTH_SLACK = 12

FaultAt = Callable[[tuple[Any, ...], str], Any]


def right_is_longest(question: Question) -> bool:
    """The right option is strictly longer than every other option."""
    right = len(question.options[question.answer])
    return all(right > len(option) for index, option in enumerate(question.options) if index != question.answer)


def longest_share(questions: Sequence[Question]) -> float:
    return sum(map(right_is_longest, questions)) / len(questions) if questions else 0.0


def lesson_faults(lesson: Lesson, framework: Framework | None, fault: FaultAt) -> Iterable[Any]:
    questions = lesson.quiz.questions
    share = longest_share(questions)
    if share > MODULE_LONGEST_SHARE:
        longest = sum(map(right_is_longest, questions))
        yield fault(
            ("quiz", "questions"),
            f"the right option is the longest in {longest} of {len(questions)} questions "
            f"(at most {MODULE_LONGEST_SHARE:.0%}): a resident could pass by always tapping the longest",
        )
    for index, question in enumerate(questions):
        lengths = [len(option) for option in question.options]
        if max(lengths) > OPTION_LENGTH_RATIO * min(lengths) + OPTION_LENGTH_SLACK:
            yield fault(
                ("quiz", "questions", index, "options"),
                f"question '{question.id}': options of {min(lengths)} to {max(lengths)} characters; "
                "make them closer in length so none stands out",
            )
    if not lesson.tags.digcomp:
        yield fault(("tags",), "no DigComp competence in tags.digcomp")
    for index, question in enumerate(questions):
        if not question.tags.digcomp:
            yield fault(("quiz", "questions", index), f"question '{question.id}' has no tags.digcomp")
    if framework is None:
        return
    tagged = [(("tags",), lesson.tags)] + [
        (("quiz", "questions", index, "tags"), question.tags) for index, question in enumerate(questions)
    ]
    for where, tags in tagged:
        for name in FRAMEWORKS:
            for code in getattr(tags, name):
                if not framework.knows(name, code):
                    yield fault((*where, name), f"unknown {name} competence '{code}' (see the framework file)")
