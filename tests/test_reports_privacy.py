"""The small pure pieces of the reports: the k-anonymity merge, medians, Vietnamese number formats."""

from __future__ import annotations

from bot.reports.figures import CommuneFigures
from bot.reports.privacy import SMALL_ID, merge_small_communes
from bot.reports.queries import _median
from bot.reports.text import decimal, duration, number, percent


def commune(commune_id: str, residents: int, done: int = 0) -> CommuneFigures:
    return CommuneFigures(commune_id, commune_id.upper(), residents, {"email": done})


def test_communes_of_five_or_more_are_shown_as_they_are() -> None:
    rows = [commune("a", 5), commune("b", 12), commune("empty", 0)]
    assert merge_small_communes(rows) == rows  # nobody to protect in an empty commune


def test_small_communes_merge_into_one_row_that_adds_up() -> None:
    rows = [commune("a", 20, 4), commune("b", 2, 1), commune("c", 3, 2)]
    merged = merge_small_communes(rows)
    assert [row.id for row in merged] == ["a", SMALL_ID]
    assert (merged[1].residents, merged[1].completions, merged[1].merged) == (5, {"email": 3}, ("b", "c"))


def test_a_merged_row_under_five_absorbs_the_next_smallest_commune() -> None:
    rows = [commune("big", 30, 9), commune("mid", 7, 2), commune("tiny", 1, 1)]
    merged = merge_small_communes(rows)
    assert [row.id for row in merged] == ["big", SMALL_ID]
    assert merged[1].merged == ("tiny", "mid") and merged[1].residents == 8 and merged[1].completions == {"email": 3}
    assert all(row.residents >= 5 for row in merged)
    assert sum(row.residents for row in merged) == 38


def test_everything_under_five_shows_no_breakdown() -> None:
    assert merge_small_communes([commune("a", 2), commune("b", 2)]) == []


def test_median_of_a_histogram() -> None:
    assert _median({}) is None
    assert _median({86.0: 1}) == 86.0
    assert _median({57.0: 1, 86.0: 3, 100.0: 2}) == 86.0  # 57 86 86 | 86 100 100
    assert _median({86.0: 3, 100.0: 3}) == 93.0  # the two middle values differ
    assert _median({1.0: 1, 2.0: 1, 3.0: 1}) == 2.0


def test_vietnamese_number_formats() -> None:
    assert number(50000) == "50.000" and number(None) == "—"
    assert decimal(79.94) == "79,9" and decimal(86.0) == "86"
    assert percent(0.3659) == "36,6%" and percent(0.625) == "62,5%" and percent(1.0) == "100%"
    assert duration(20.8) == "21 phút" and duration(600) == "10 giờ" and duration(2880) == "2 ngày"
