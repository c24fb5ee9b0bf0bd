"""The order a resident sees a question's options in: shuffled per resident, question and attempt.

Position then teaches nothing (the right answer is not "always C"), while the order stays the same
whenever the question is drawn again — after a restart, on a redraw, in a stale-button answer — so
the buttons already on the screen keep meaning what they say. Buttons and stored answers carry the
option's identity (its index in the lesson file), never its position, so scoring and the statistics'
"most chosen wrong option" do not depend on the order shown.
"""

from __future__ import annotations

import random


def option_order(resident_id: int, module_id: str, question_id: str, attempt: int, count: int) -> list[int]:
    """A permutation of range(count), the same for the same (resident, module, question, attempt).

    random.Random seeded with a str hashes it with SHA-512, the same on every machine and Python run.
    """
    order = list(range(count))
    random.Random(f"{resident_id}|{module_id}|{question_id}|{attempt}").shuffle(order)
    return order
