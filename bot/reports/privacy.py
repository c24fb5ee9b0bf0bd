"""Aggregates only, and never small enough to describe a person.

The rule (k-anonymity, k = 5), the same for officers and admins, on screen and in exports:
- a commune with 1 to k-1 residents is not shown on its own: such communes are merged into one
  "small communes" row, which absorbs the next smallest communes until it holds at least k people,
  so every row shown stands for k or more residents and the rows still add up to the total;
- a scope (an officer's communes, a drilled-into commune) with fewer than k residents shows only its
  size: no activity, no module figures;
- an average or median of fewer than k values is not shown, and a question is ranked only once it
  has k answers.
Counts of people stay exact so that the figures add up; what a small group learned is what is hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.reports.figures import CommuneFigures

K_ANONYMITY = 5
SMALL_ID = "_small"
NO_COMMUNE_ID = "_none"
Row = TypeVar("Row")


def enough(count: int, k: int = K_ANONYMITY) -> bool:
    return count >= k


def fold_small(
    rows: Sequence[Row], size: Callable[[Row], int], combine: Callable[[list[Row]], Row], k: int = K_ANONYMITY
) -> list[Row]:
    """Rows in their given order, with every row of 1..k-1 people folded into one `combine`d row at the
    end, which absorbs the next smallest rows until it holds at least k.

    Returns an empty list when even everything merged stays under k: the caller then shows no
    breakdown at all (the scope itself is too small).
    """
    small = [row for row in rows if 0 < size(row) < k]
    if not small:
        return list(rows)
    shown = [row for row in rows if row not in small]
    merged = list(small)
    # Absorb the smallest shown rows until the merged row is big enough on its own.
    while sum(size(row) for row in merged) < k:
        candidates = [row for row in shown if size(row) > 0]
        if not candidates:
            return []
        smallest = min(candidates, key=size)
        shown.remove(smallest)
        merged.append(smallest)
    return [*shown, combine(merged)]


def merge_small_communes(rows: Sequence[CommuneFigures], k: int = K_ANONYMITY) -> list[CommuneFigures]:
    """Statistics rows by commune, with the communes of 1..k-1 residents merged (see `fold_small`)."""

    def bucket(merged: list[CommuneFigures]) -> CommuneFigures:
        completions: Counter[str] = Counter()
        for row in merged:
            completions.update(row.completions)
        return CommuneFigures(
            id=SMALL_ID,
            name=f"Các xã ít người (gộp {len(merged)} xã)",
            residents=sum(row.residents for row in merged),
            completions=dict(completions),
            merged=tuple(row.id for row in merged),
        )

    return fold_small(rows, lambda row: row.residents, bucket, k)
