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
from collections.abc import Sequence

from bot.reports.figures import CommuneFigures

K_ANONYMITY = 5
SMALL_ID = "_small"
NO_COMMUNE_ID = "_none"


def enough(count: int, k: int = K_ANONYMITY) -> bool:
    return count >= k


def merge_small_communes(rows: Sequence[CommuneFigures], k: int = K_ANONYMITY) -> list[CommuneFigures]:
    """Rows in their given order, with every 1..k-1 commune folded into one merged row at the end.

    Returns an empty list when even everything merged stays under k: the caller then shows no
    breakdown at all (the scope itself is too small).
    """
    small = [row for row in rows if 0 < row.residents < k]
    if not small:
        return list(rows)
    shown = [row for row in rows if row not in small]
    merged = list(small)
    # Absorb the smallest shown communes until the merged row is big enough on its own.
    while sum(row.residents for row in merged) < k:
        candidates = [row for row in shown if row.residents > 0]
        if not candidates:
            return []
        smallest = min(candidates, key=lambda row: row.residents)
        shown.remove(smallest)
        merged.append(smallest)
    completions: Counter[str] = Counter()
    for row in merged:
        completions.update(row.completions)
    bucket = CommuneFigures(
        id=SMALL_ID,
        name=f"Các xã ít người (gộp {len(merged)} xã)",
        residents=sum(row.residents for row in merged),
        completions=dict(completions),
        merged=tuple(row.id for row in merged),
    )
    return [*shown, bucket]
