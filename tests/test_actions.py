"""The one action codec: typed buttons packed and unpacked, and nothing forged getting through."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot import actions
from bot.actions import Action, ActionTooLong
from bot.learning.actions import AnswerQuestion, AskDelete, ChooseLanguage, ConfirmDelete, NextStep, ShowMenu


def test_actions_round_trip_in_the_forms_residents_phones_already_hold() -> None:
    for action, packed in [
        (ShowMenu(), "1|menu"),
        (NextStep("email", 3), "1|next:email:3"),
        (AnswerQuestion("e-payment", 2, 1, 0), "1|ans:e-payment:2:1:0"),
        (AskDelete(), "1|del"),
        (ConfirmDelete("yes"), "1|del:yes"),
        (ChooseLanguage("en"), "1|lang:en"),
    ]:
        assert actions.encode(action) == packed
        assert actions.decode(packed) == action


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "menu",  # no envelope
        "2|menu",  # another version
        "1|",
        "1|nonsense",
        "1|next:email",  # too few fields
        "1|next:email:3:4",  # too many
        "1|next:email:-1",  # not a small non-negative number
        "1|next:email:1e3",
        "1|next:email:9999999999",
        "1|next:em ail:1",  # not a token
        "1|next:" + "x" * 60 + ":1",
        "1|lang:fr",  # not one of the literal's values
        "1|del:maybe",
        "1|menu|x",
    ],
)
def test_forged_or_foreign_data_decodes_to_nothing(forged: str | None) -> None:
    assert actions.decode(forged) is None


def test_a_channel_limit_is_checked_when_packing_and_unpacking() -> None:
    long = NextStep("m" * 48, 1)
    with pytest.raises(ActionTooLong):
        actions.encode(long, limit=40)
    assert actions.decode(actions.encode(long), limit=40) is None
    assert actions.decode(actions.encode(long), limit=64) == long


def test_two_actions_cannot_claim_the_same_form() -> None:
    @dataclass(frozen=True, slots=True)
    class Impostor(Action, prefix="next"):
        module: str
        step: int

    with pytest.raises(TypeError):
        actions.register(Impostor)


def test_values_that_cannot_be_packed_are_refused_when_the_button_is_made() -> None:
    with pytest.raises(ValueError):
        NextStep("has:colon", 1).pack()
    with pytest.raises(ValueError):
        NextStep("email", -1).pack()


def test_button_payloads_are_told_apart_from_typed_text() -> None:
    assert actions.looks_like_action(actions.encode(ShowMenu()))
    assert actions.looks_like_action("1|forged:thing")  # still a press: answered as stale, not as text
    assert not actions.looks_like_action("menu")
    assert not actions.looks_like_action("1 | 2 bánh")
