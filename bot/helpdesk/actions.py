"""The help desk's buttons, as typed actions (see `bot.actions`): the residents' (ask, go back, rate)
and the answerers' (take, done). Every press is checked on the server against who pressed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.actions import Action, register


@dataclass(frozen=True, slots=True)
class AskHelper(Action, prefix="ask"):
    """🙋 on the menu, lesson, quiz and result screens, and in the offer after two misunderstandings."""


@dataclass(frozen=True, slots=True)
class CancelAsk(Action, prefix="askno"):
    pass


@dataclass(frozen=True, slots=True)
class RateHelp(Action, prefix="hrate"):
    question: int
    verdict: Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class ClaimQuestion(Action, prefix="hclaim"):
    question: int


@dataclass(frozen=True, slots=True)
class CloseQuestion(Action, prefix="hclose"):
    question: int


ANSWERER_ACTIONS = (ClaimQuestion, CloseQuestion)

register(AskHelper, CancelAsk, RateHelp, ClaimQuestion, CloseQuestion)
