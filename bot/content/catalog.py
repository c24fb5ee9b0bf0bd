"""Load lesson YAML files, report every fault with its file and line, and check translation parity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content import assessment
from bot.content.framework import DEFAULT_FRAMEWORK_FILE, Framework, FrameworkError, load_framework
from bot.content.schema import LANGUAGES, Lesson

# libyaml's loader is many times faster; fall back to the pure-Python one where it is not built.
SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Fault:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Catalog:
    """Valid lessons by language and id. A module with faults is left out, never half-loaded."""

    default_language: str = "vi"
    lessons: dict[str, dict[str, Lesson]] = field(default_factory=dict)
    framework: Framework | None = None  # the competences the lessons are tagged with

    def get(self, module_id: str, language: str) -> Lesson | None:
        found = self.lessons.get(language, {}).get(module_id)
        return found or self.lessons.get(self.default_language, {}).get(module_id)

    def modules(self, language: str) -> list[Lesson]:
        """Every module in menu order, in the language asked for where it exists."""
        ids = {module_id for by_id in self.lessons.values() for module_id in by_id}
        found = [lesson for module_id in ids if (lesson := self.get(module_id, language))]
        return sorted(found, key=lambda lesson: (lesson.order, lesson.id))

    def module_ids(self) -> list[str]:
        return [lesson.id for lesson in self.modules(self.default_language)]

    def __contains__(self, module_id: object) -> bool:
        return any(module_id in by_id for by_id in self.lessons.values())


def load_catalog(
    directory: Path, default_language: str = "vi", framework_file: Path = DEFAULT_FRAMEWORK_FILE
) -> tuple[Catalog, list[Fault]]:
    faults: list[Fault] = []
    catalog = Catalog(default_language=default_language)
    nodes: dict[tuple[str, str], tuple[Path, yaml.Node]] = {}
    if not directory.is_dir():
        return catalog, [Fault(str(directory), 0, "lessons folder not found")]
    try:
        framework: Framework | None = load_framework(framework_file)
    except FrameworkError as error:
        framework = None  # tags cannot be checked; every other check still runs
        faults.append(Fault(str(framework_file), 0, str(error).removeprefix(f"{framework_file}: ")))
    catalog.framework = framework
    for path in sorted(directory.glob("*/*.yaml")) + sorted(directory.glob("*/*.yml")):
        language = path.parent.name
        lesson, node, file_faults = _load_file(path, language, framework)
        faults.extend(file_faults)
        if lesson is None or node is None:
            continue
        if lesson.id in catalog.lessons.get(language, {}):
            faults.append(Fault(str(path), 1, f"duplicate module id '{lesson.id}' in {language}/"))
            continue
        catalog.lessons.setdefault(language, {})[lesson.id] = lesson
        nodes[(language, lesson.id)] = (path, node)
    parity_faults = list(_parity_faults(catalog, nodes))
    faults.extend(parity_faults)
    faults.extend(_catalogue_faults(catalog, directory))
    # A translation that does not mirror its original would send a resident to a different question:
    # drop the translation, keep the original.
    for fault in parity_faults:
        for (language, module_id), (path, _node) in nodes.items():
            if str(path) == fault.path and language != default_language:
                catalog.lessons.get(language, {}).pop(module_id, None)
    return catalog, sorted(set(faults))


def _catalogue_faults(catalog: Catalog, directory: Path) -> Iterable[Fault]:
    for language, by_id in sorted(catalog.lessons.items()):
        questions = [question for lesson in by_id.values() for question in lesson.quiz.questions]
        share = assessment.longest_share(questions)
        if share > assessment.CATALOGUE_LONGEST_SHARE:
            yield Fault(
                str(directory / language),
                0,
                f"the right option is the longest in {share:.0%} of all {len(questions)} questions "
                f"(at most {assessment.CATALOGUE_LONGEST_SHARE:.0%})",
            )


def _load_file(
    path: Path, language: str, framework: Framework | None
) -> tuple[Lesson | None, yaml.Node | None, list[Fault]]:
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=SafeLoader)
        data = yaml.load(text, Loader=SafeLoader)
    except UnicodeDecodeError as error:
        return None, None, [Fault(where, 1, f"not UTF-8 text: {error.reason}")]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return None, None, [Fault(where, line, f"YAML syntax: {error.problem or error}")]
    if not isinstance(data, dict) or node is None:
        return (
            None,
            None,
            [Fault(where, 1, "a lesson file must be a mapping of keys (id, title, steps, ...)")],
        )
    faults: list[Fault] = []
    if language not in LANGUAGES:
        faults.append(Fault(where, 1, f"folder '{language}' is not a known language {LANGUAGES}"))
    try:
        lesson = Lesson.model_validate(data)
    except ValidationError as error:
        for issue in error.errors():
            faults.append(Fault(where, _line_of(node, issue["loc"]), _describe(issue)))
        return None, None, faults
    if lesson.language != language:
        faults.append(
            Fault(where, _line_of(node, ("language",)), f"language '{lesson.language}' in folder {language}/")
        )
    if path.stem != lesson.id:
        faults.append(Fault(where, _line_of(node, ("id",)), f"id '{lesson.id}' does not match file name '{path.stem}'"))
    faults.extend(
        assessment.lesson_faults(lesson, framework, lambda loc, text: Fault(where, _line_of(node, loc), text))
    )
    return (None if faults else lesson), node, faults


def _describe(issue: dict[str, Any]) -> str:
    location = ".".join(str(part) for part in issue["loc"]) or "file"
    if issue["type"] == "extra_forbidden":
        return f"unknown key '{issue['loc'][-1]}'"
    if issue["type"] == "missing":
        return f"missing key '{location}'"
    message = issue["msg"].removeprefix("Value error, ")
    return f"{location}: {message}"


def _line_of(node: yaml.Node, loc: Iterable[Any]) -> int:
    """Walk the composed YAML tree along a pydantic error location to the nearest known line."""
    current = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            found = next((value for key, value in current.value if key.value == part), None)
            if found is None:
                break
            current = found
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            current = current.value[part]
        else:
            break
    return current.start_mark.line + 1


def _parity_faults(catalog: Catalog, nodes: dict[tuple[str, str], tuple[Path, yaml.Node]]) -> Iterable[Fault]:
    original_language = catalog.default_language
    originals = catalog.lessons.get(original_language, {})
    every_id = {module_id for by_id in catalog.lessons.values() for module_id in by_id}
    for language in LANGUAGES:
        by_id = catalog.lessons.get(language, {})
        for module_id in sorted(every_id - set(by_id)):
            some_language = next(lang for lang in LANGUAGES if module_id in catalog.lessons.get(lang, {}))
            path, _ = nodes[(some_language, module_id)]
            yield Fault(str(path), 1, f"module '{module_id}' has no {language} translation")
    for language in LANGUAGES:
        if language == original_language:
            continue
        for module_id, translation in catalog.lessons.get(language, {}).items():
            original = originals.get(module_id)
            if original is None:
                continue
            path, node = nodes[(language, module_id)]
            yield from _compare(original, translation, str(path), node, original_language)


def _compare(
    original: Lesson, translation: Lesson, path: str, node: yaml.Node, original_language: str
) -> Iterable[Fault]:
    def fault(loc: tuple[Any, ...], message: str) -> Fault:
        return Fault(path, _line_of(node, loc), f"{message} (must mirror {original_language}/{original.id}.yaml)")

    if translation.order != original.order:
        yield fault(("order",), f"order {translation.order} differs from {original.order}")
    if [s.id for s in translation.steps] != [s.id for s in original.steps]:
        yield fault(("steps",), f"steps {_ids(translation.steps)} differ from {_ids(original.steps)}")
    if translation.quiz.pass_percent != original.quiz.pass_percent:
        yield fault(("quiz", "pass_percent"), "pass_percent differs")
    theirs = [q.id for q in translation.quiz.questions]
    ours = [q.id for q in original.quiz.questions]
    if theirs != ours:
        yield fault(("quiz", "questions"), f"question ids {theirs} differ from {ours}")
        return
    for index, (mine, source) in enumerate(zip(translation.quiz.questions, original.quiz.questions, strict=True)):
        if len(mine.options) != len(source.options):
            yield fault(
                ("quiz", "questions", index, "options"),
                f"question '{mine.id}' has {len(mine.options)} options, not {len(source.options)}",
            )
        if mine.answer != source.answer:
            yield fault(
                ("quiz", "questions", index, "answer"),
                f"question '{mine.id}' answer {mine.answer} differs from {source.answer}",
            )
        if mine.tags != source.tags or mine.review != source.review:
            yield fault(("quiz", "questions", index), f"question '{mine.id}' tags or review differ")
    if translation.tags != original.tags:
        yield fault(("tags",), "tags differ")


def _ids(steps: Iterable[Any]) -> str:
    ids = [step.id for step in steps]
    return f"{len(ids)} {ids}"
