"""The learner's journey: one event in, an outcome out, in one short database transaction.

Flow of an update: load the resident and their conversation state (one query), hand the event to the
flow that handles it (each flow in `bot/learning/flows/` declares its actions, commands and screens),
let the state machine say whether the move is allowed, write what changed, commit; only then does the
channel send. A button that no longer fits the learner's state changes nothing: the engine answers it
as stale and redraws where they are.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from bot import actions, clock
from bot.cleaning import clean_name
from bot.learning.flows import FLOWS, menu, onboarding
from bot.learning.flows.common import as_edit
from bot.learning.flows.onboarding import NAME_MAX
from bot.learning.place import Place
from bot.learning.router import Router, merge
from bot.learning.states import LEARNING, REGISTERED, Menu, Onboarding
from bot.learning.turn import Journey, StaleAction, Turn
from bot.messages import Event, EventKind, Outcome, Reply
from bot.storage.learners import Learners
from bot.storage.transactions import TransactionRunner
from bot.texts import t

LAST_SEEN_PRECISION = timedelta(minutes=5)


class Engine:
    def __init__(self, journey: Journey, transactions: TransactionRunner, flows: Sequence[Router] = FLOWS) -> None:
        self.journey = journey
        self.transactions = transactions
        self.routes = merge(list(flows))

    async def handle(self, event: Event) -> Outcome:
        return await self.transactions.run(functools.partial(self._handle_in, event=event))

    def close(self) -> None:
        self.transactions.close()

    def _handle_in(self, session: Session, event: Event) -> Outcome:
        """One update, inside one transaction that the runner commits once this returns."""
        turn = self._load(Learners(session), event)
        started_registered = turn.resident is not None
        try:
            outcome = self._dispatch(turn)
        except StaleAction:
            outcome = Outcome(self.current_screen(turn), notice=t(turn.language, "stale"), stale=True)
        if event.kind in (EventKind.ACTION, EventKind.COMMAND):
            turn.place.misses = None  # understood: "two messages in a row not understood" starts again
        if turn.resident is not None:
            now = clock.now()
            # Activity figures count days, so a write per tap would buy nothing; one per few minutes will do.
            if now - turn.resident.last_seen_at > LAST_SEEN_PRECISION:
                turn.resident.last_seen_at = now
            # The name follows the platform profile: a resident who renames themself is greeted (and
            # certified) by the new name. Only a real change is written.
            name = clean_name(event.display_name, NAME_MAX)
            if name is not None and name != turn.resident.display_name:
                turn.resident.display_name = name
            turn.fsm.set_state(turn.key, turn.state)
            turn.fsm.set_data(turn.key, turn.place.to_data())
            turn.fsm.flush()
        elif started_registered:
            turn.fsm.clear(turn.key)
        return outcome

    def _load(self, learners: Learners, event: Event) -> Turn:
        """The resident and their conversation state in one query (no state is kept before consent)."""
        resident, fsm, current = learners.load(event.key, Place.MODULE_KEY)
        state, data = fsm.get_state(event.key), fsm.get_data(event.key)
        unconsented = None
        if resident is not None and resident.consent_at is None:
            # An officer granted a role before ever opening the bot: they still go through consent.
            resident, unconsented = None, resident
        if resident is None:
            # Nothing is stored before consent: the pre-consent steps live in the buttons.
            state, data, current = None, {}, None
        elif state not in REGISTERED:
            state = Menu.MAIN if resident.commune_id else Onboarding.COMMUNE
        place = Place.from_data(data)
        return Turn(
            event, self.journey, learners, fsm, state, place, resident, unconsented, current, self.current_screen
        )

    def _dispatch(self, turn: Turn) -> Outcome:
        event = turn.event
        if event.kind is EventKind.COMMAND:
            command = event.payload.lower()
            if turn.resident is None:
                return onboarding.before_consent_command(turn, command)
            handler = self.routes.commands.get(command)
            if handler is None:
                return Outcome([Reply(t(turn.language, "hint_unknown_command")), *self.current_screen(turn)])
            return handler(turn, command)
        if event.kind is EventKind.ACTION:
            return self._action(turn, actions.decode(event.payload))
        if turn.resident is None:
            return Outcome([Reply(t(self.journey.default_language, "need_start")), onboarding.welcome(self.journey)])
        handler = self.routes.texts.get(turn.state or "")
        if handler is not None and (outcome := handler(turn)) is not None:
            return outcome
        for unhandled in self.routes.unhandled_texts:
            if (outcome := unhandled(turn)) is not None:
                return outcome
        hint = "hint_media" if event.kind is EventKind.MEDIA else "hint_text"
        return Outcome([Reply(t(turn.language, hint)), *self.current_screen(turn)])

    def _action(self, turn: Turn, action: actions.Action | None) -> Outcome:
        if turn.resident is None:
            early = self.routes.actions_before_consent.get(type(action)) if action is not None else None
            return early(turn, action) if early is not None else onboarding.before_consent_other(turn)
        handler = self.routes.actions.get(type(action)) if action is not None else None
        if handler is None:
            raise StaleAction(repr(action))  # another version's button, a forgery, another flow's data
        outcome = handler(turn, action)
        if outcome.replies and not outcome.replies[0].edit:
            outcome.replies[0] = as_edit(outcome.replies[0])  # a button press updates its own message
        return outcome

    def current_screen(self, turn: Turn) -> list[Reply]:
        """Re-draw the screen for the stored state; a place that no longer makes sense (a module since
        removed) goes back to the menu, never to a dead end."""
        if turn.resident is None:
            return [onboarding.welcome(self.journey)]
        screen = self.routes.screens.get(turn.state or "")
        replies = screen(turn) if screen is not None else None
        if replies:
            return replies
        if turn.state in LEARNING:
            turn.state = Menu.MAIN
        return [menu.menu_screen(turn)]
