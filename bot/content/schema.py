"""The lesson format as pydantic models: the single source of what a valid lesson is.

The limits are about the phone screen: a step fits one screen, an option fits a button.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

LANGUAGES = ("vi", "en")
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tags(Strict):
    digcomp: list[str] = Field(default_factory=list)
    vn_framework: list[str] = Field(default_factory=list)


class Step(Strict):
    id: Identifier
    title: ShortText | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    link: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


class Question(Strict):
    id: Identifier
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    # The competences this question checks (codes from the framework file, config/competences.yaml).
    tags: Tags = Field(default_factory=Tags)
    # "always": the question enters every resident's review deck, right or wrong (the scam-safety ones).
    review: Literal["always"] | None = None
    options: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]],
        Field(min_length=2, max_length=4),
    ]
    answer: int
    explanation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, answer: int, info: ValidationInfo) -> int:
        options = info.data.get("options")
        if options is not None and not 0 <= answer < len(options):
            raise ValueError(f"answer {answer} is not an option index (0 to {len(options) - 1})")
        return answer


class Quiz(Strict):
    pass_percent: Annotated[int, Field(ge=1, le=100)] = 80
    questions: Annotated[list[Question], Field(min_length=1, max_length=12)]

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: list[Question]) -> list[Question]:
        _ensure_unique([q.id for q in questions], "question")
        return questions


class Lesson(Strict):
    id: Identifier
    language: Literal["vi", "en"]
    order: Annotated[int, Field(ge=1)] = 99
    title: ShortText
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    minutes: Annotated[int, Field(ge=1, le=60)] = 10
    tags: Tags = Field(default_factory=Tags)
    sources: Annotated[list[Annotated[str, StringConstraints(min_length=1)]], Field(min_length=1)]
    steps: Annotated[list[Step], Field(min_length=1, max_length=15)]
    quiz: Quiz

    # Field validators (not model validators) so these faults are reported alongside any others.
    @field_validator("steps")
    @classmethod
    def _unique_step_ids(cls, steps: list[Step]) -> list[Step]:
        _ensure_unique([s.id for s in steps], "step")
        return steps

    def question_index(self, question_id: str) -> int | None:
        for index, question in enumerate(self.quiz.questions):
            if question.id == question_id:
                return index
        return None


def _ensure_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} id '{item}'")
        seen.add(item)
