"""The shipped lessons, and the validator that guards them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.content import load_catalog
from bot.content.assessment import longest_share
from tests.support.settings import LESSONS

CORE = {"internet", "email", "e-payment", "public-services", "data-safety"}
NEW_IN_2026 = {"after-a-scam", "vneid", "zalo-safety"}
SHIPPED = sorted(CORE | NEW_IN_2026 | {"selling-online"})


def test_shipped_catalogue_is_valid_and_complete() -> None:
    catalog, faults = load_catalog(LESSONS)
    assert faults == []
    for language in ("vi", "en"):
        assert set(catalog.lessons[language]) >= CORE | NEW_IN_2026, language
    assert set(catalog.lessons["vi"]) == set(catalog.lessons["en"])


@pytest.mark.parametrize("module_id", SHIPPED)
def test_each_module_follows_the_content_rules(module_id: str) -> None:
    catalog, _ = load_catalog(LESSONS)
    vi, en = catalog.lessons["vi"][module_id], catalog.lessons["en"][module_id]
    assert 6 <= len(vi.steps) <= 10
    assert 5 <= len(vi.quiz.questions) <= 8
    assert vi.sources and vi.tags.digcomp
    assert [s.id for s in vi.steps] == [s.id for s in en.steps]
    assert [(q.id, q.answer, len(q.options)) for q in vi.quiz.questions] == [
        (q.id, q.answer, len(q.options)) for q in en.quiz.questions
    ]
    for question in vi.quiz.questions + en.quiz.questions:
        assert 3 <= len(question.options) <= 4
        assert 0 <= question.answer < len(question.options)
        assert question.explanation.strip()
    # The right answer is not always in the same place.
    assert len({q.answer for q in vi.quiz.questions}) >= 3
    for question in vi.quiz.questions:
        assert question.tags.digcomp, question.id


def test_the_right_option_gives_itself_away_in_at_most_a_third_of_the_questions() -> None:
    catalog, _ = load_catalog(LESSONS)
    for language in ("vi", "en"):
        questions = [q for lesson in catalog.lessons[language].values() for q in lesson.quiz.questions]
        assert len(questions) >= 60
        assert longest_share(questions) <= 1 / 3, language


def test_the_lessons_teach_the_law_and_the_offices_as_they_are_now() -> None:
    for language in ("vi", "en"):
        data_safety = (LESSONS / language / "data-safety.yaml").read_text(encoding="utf-8")
        steps_and_quiz = data_safety[data_safety.index("steps:") :]
        assert "91/2025" in steps_and_quiz
        assert "13/2023" not in steps_and_quiz  # named only among the sources, as the decree replaced
    assert "Trung tâm Phục vụ hành chính công" in (LESSONS / "vi" / "public-services.yaml").read_text(encoding="utf-8")
    public_services = (LESSONS / "vi" / "public-services.yaml").read_text(encoding="utf-8")
    assert "thẻ căn cước" in public_services  # cards issued since 1/7/2024; older CCCD cards named as such


def test_nothing_unverified_is_taught() -> None:
    unverified = ["18008108", "TCTM", "canhbao.khonggianmang.vn", "069.2348560", "2348560"]
    for path in LESSONS.glob("*/*.yaml"):
        text = path.read_text(encoding="utf-8")
        for marker in unverified:
            assert marker not in text, f"{path.name} teaches unverified {marker}"


GOOD_VI = """\
id: demo
language: vi
title: Bài mẫu
summary: Một bài mẫu.
sources: ["S0 · example"]
tags: {digcomp: ["1.1"]}
steps:
  - id: one
    text: Bước một.
quiz:
  pass_percent: 80
  questions:
    - id: q1
      text: Câu hỏi?
      options: [a, b, c]
      answer: 1
      explanation: Vì thế.
      tags: {digcomp: ["1.2"], vn_framework: ["1.2"]}
"""


def write(root: Path, language: str, text: str, name: str = "demo") -> Path:
    (root / language).mkdir(parents=True, exist_ok=True)
    path = root / language / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def faults_for(tmp_path: Path, vi: str, en: str | None = None) -> list[str]:
    write(tmp_path, "vi", vi)
    write(tmp_path, "en", en if en is not None else vi.replace("language: vi", "language: en"))
    _, faults = load_catalog(tmp_path)
    return [str(fault) for fault in faults]


def test_a_good_pair_has_no_faults(tmp_path: Path) -> None:
    assert faults_for(tmp_path, GOOD_VI) == []


def test_bad_answer_index_is_reported_with_its_line(tmp_path: Path) -> None:
    faults = faults_for(tmp_path, GOOD_VI.replace("answer: 1", "answer: 5"))
    assert any(
        f.endswith("vi/demo.yaml:16: quiz.questions.0.answer: answer 5 is not an option index (0 to 2)") for f in faults
    )


def test_question_without_options(tmp_path: Path) -> None:
    faults = faults_for(tmp_path, GOOD_VI.replace("      options: [a, b, c]\n", ""))
    assert any("vi/demo.yaml:" in f and "missing key 'quiz.questions.0.options'" in f for f in faults)


def test_unknown_key_and_duplicate_ids(tmp_path: Path) -> None:
    text = GOOD_VI.replace("summary: Một bài mẫu.", "summary: Một bài mẫu.\ncolour: blue").replace(
        "steps:\n  - id: one\n    text: Bước một.", "steps:\n  - id: one\n    text: A.\n  - id: one\n    text: B."
    )
    faults = faults_for(tmp_path, text)
    assert any(":5: unknown key 'colour'" in f for f in faults)
    assert any("duplicate step id 'one'" in f for f in faults)


def test_missing_translation_and_mismatched_answers(tmp_path: Path) -> None:
    write(tmp_path, "vi", GOOD_VI)
    _, faults = load_catalog(tmp_path)
    assert any("has no en translation" in str(f) for f in faults)
    en = GOOD_VI.replace("language: vi", "language: en").replace("answer: 1", "answer: 2")
    faults_text = faults_for(tmp_path, GOOD_VI, en)
    assert any("en/demo.yaml:16:" in f and "answer 2 differs from 1" in f for f in faults_text)


def _questions(answers: list[tuple[str, ...]]) -> str:
    """A quiz whose questions have these options, the first one always right."""
    return "".join(
        f"""    - id: q{index}
      text: Câu hỏi {index}?
      options: [{", ".join(options)}]
      answer: 0
      explanation: Vì thế.
      tags: {{digcomp: ["1.2"]}}
"""
        for index, options in enumerate(answers)
    )


def test_a_quiz_where_the_longest_option_is_right_is_refused(tmp_path: Path) -> None:
    give_away = [("Gọi lại số in trên thẻ ngân hàng", "Làm theo lời họ", "Chờ xem sao")] * 4
    fair = [("Tắt máy", "Đọc mã OTP cho họ", "Gọi lại số họ cho")]
    quiz = GOOD_VI[: GOOD_VI.index("    - id: q1")] + _questions(give_away + fair)
    faults = faults_for(tmp_path, quiz)
    assert any("vi/demo.yaml:" in f and "the right option is the longest in 4 of 5 questions" in f for f in faults)
    balanced = GOOD_VI[: GOOD_VI.index("    - id: q1")] + _questions(give_away[:1] + fair * 4)
    assert faults_for(tmp_path, balanced) == []
    # Each module within its 40%, the catalogue over its third: refused too.
    at_the_limit = GOOD_VI[: GOOD_VI.index("    - id: q1")] + _questions(give_away[:2] + fair * 3)
    for name in ("demo", "other"):
        text = at_the_limit.replace("id: demo", f"id: {name}")
        write(tmp_path, "vi", text, name)
        write(tmp_path, "en", text.replace("language: vi", "language: en"), name)
    _, faults_ = load_catalog(tmp_path)
    assert any("the right option is the longest in 40% of all 10 questions" in str(f) for f in faults_)


def test_one_option_much_longer_than_the_others_is_refused(tmp_path: Path) -> None:
    lopsided = GOOD_VI.replace("options: [a, b, c]", f"options: [a, b, {'c' * 50}]")
    faults = faults_for(tmp_path, lopsided)
    assert any(":15:" in f and "options of 1 to 50 characters" in f for f in faults)


def test_tags_must_come_from_the_framework_file(tmp_path: Path) -> None:
    faults = faults_for(tmp_path, GOOD_VI.replace('vn_framework: ["1.2"]', 'vn_framework: ["9.9"]'))
    assert any("unknown vn_framework competence '9.9'" in f for f in faults)
    untagged = GOOD_VI.replace('      tags: {digcomp: ["1.2"], vn_framework: ["1.2"]}\n', "")
    assert any("question 'q1' has no tags.digcomp" in f for f in faults_for(tmp_path, untagged))
    (tmp_path / "framework.yaml").write_text("digcomp: {}\n", encoding="utf-8")  # no vn_framework
    _, faults_ = load_catalog(tmp_path, framework_file=tmp_path / "framework.yaml")
    assert any("framework.yaml" in str(f) and "vn_framework" in str(f) for f in faults_)


def test_yaml_syntax_error_is_a_fault_not_a_crash(tmp_path: Path) -> None:
    faults = faults_for(tmp_path, GOOD_VI.replace("title: Bài mẫu", "title: [unclosed"))
    assert any("vi/demo.yaml:" in f and "YAML syntax" in f for f in faults)


def test_a_broken_module_is_left_out_and_the_rest_still_loads(tmp_path: Path) -> None:
    shutil.copytree(LESSONS, tmp_path / "lessons")
    (tmp_path / "lessons" / "vi" / "email.yaml").write_text("id: email\nsteps: [", encoding="utf-8")
    catalog, faults = load_catalog(tmp_path / "lessons")
    assert faults
    assert "email" not in catalog.lessons["vi"]
    assert "internet" in catalog.lessons["vi"]


def test_validate_command_prints_faults_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "vi", GOOD_VI.replace("answer: 1", "answer: 7"))
    assert main(["lessons", "validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(":" in line for line in out)
    assert main(["lessons", "validate", str(LESSONS)]) == 0
