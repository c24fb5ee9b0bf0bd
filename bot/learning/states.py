"""State names, aiogram-style ("Group:state"), and the transitions allowed between them.

One `transitions.Machine` is built once; every update attaches a lightweight model restored to the
stored state (`initial=`), fires one trigger and detaches it. A trigger that is not allowed from the
current state raises `MachineError`, which the engine answers as an old or forged button.
"""

from __future__ import annotations

import threading
from typing import Any

from transitions import Machine


class Onboarding:
    LANGUAGE = "Onboarding:language"
    CONSENT = "Onboarding:consent"
    COMMUNE = "Onboarding:commune"


class Menu:
    MAIN = "Menu:main"


class Lesson:
    STEP = "Lesson:step"


class Quiz:
    QUESTION = "Quiz:question"
    FEEDBACK = "Quiz:feedback"
    RESULT = "Quiz:result"


class Settings:
    LANGUAGE = "Settings:language"
    COMMUNE = "Settings:commune"


class Privacy:
    DELETE_CONFIRM = "Privacy:delete_confirm"


class Ask:
    TYPING = "Ask:typing"  # typing a question to a helper; the state to return to is in the place


PRE_CONSENT = [Onboarding.LANGUAGE, Onboarding.CONSENT]
REGISTERED = [
    Onboarding.COMMUNE,
    Menu.MAIN,
    Lesson.STEP,
    Quiz.QUESTION,
    Quiz.FEEDBACK,
    Quiz.RESULT,
    Settings.LANGUAGE,
    Settings.COMMUNE,
    Privacy.DELETE_CONFIRM,
    Ask.TYPING,
]
ALL_STATES = PRE_CONSENT + REGISTERED
# Once onboarding is over, these are the states from which the menu and the lessons are reachable.
LEARNING = [s for s in REGISTERED if s != Onboarding.COMMUNE]


def return_trigger(state: str) -> str:
    """The move from typing a question back to `state`."""
    return f"back_to_{state}"


TRANSITIONS: list[dict[str, Any]] = [
    # Before consent nothing is stored, so these steps carry their choice in the buttons themselves.
    {"trigger": "choose_language", "source": PRE_CONSENT, "dest": Onboarding.CONSENT},
    {"trigger": "give_consent", "source": PRE_CONSENT, "dest": Onboarding.COMMUNE},
    {"trigger": "restart_onboarding", "source": PRE_CONSENT, "dest": Onboarding.LANGUAGE},
    {"trigger": "choose_commune", "source": Onboarding.COMMUNE, "dest": Menu.MAIN},
    {"trigger": "open_menu", "source": LEARNING, "dest": Menu.MAIN},
    {"trigger": "open_step", "source": LEARNING, "dest": Lesson.STEP},
    {"trigger": "turn_step", "source": Lesson.STEP, "dest": Lesson.STEP},
    {"trigger": "start_quiz", "source": [Lesson.STEP, Quiz.RESULT, *LEARNING], "dest": Quiz.QUESTION},
    {"trigger": "answer", "source": Quiz.QUESTION, "dest": Quiz.FEEDBACK},
    {"trigger": "next_question", "source": Quiz.FEEDBACK, "dest": Quiz.QUESTION},
    # Back to an answer's verdict the resident may never have seen (its reply lost after it was stored).
    {"trigger": "show_answer", "source": [Quiz.FEEDBACK, *LEARNING], "dest": Quiz.FEEDBACK},
    {"trigger": "finish_quiz", "source": Quiz.FEEDBACK, "dest": Quiz.RESULT},
    {"trigger": "ask_language", "source": LEARNING, "dest": Settings.LANGUAGE},
    {"trigger": "set_language", "source": Settings.LANGUAGE, "dest": Menu.MAIN},
    {"trigger": "ask_commune", "source": LEARNING, "dest": Settings.COMMUNE},
    {"trigger": "set_commune", "source": Settings.COMMUNE, "dest": Menu.MAIN},
    {"trigger": "ask_delete", "source": REGISTERED, "dest": Privacy.DELETE_CONFIRM},
    {"trigger": "confirm_delete", "source": Privacy.DELETE_CONFIRM, "dest": Onboarding.LANGUAGE},
    {"trigger": "ask_helper", "source": LEARNING, "dest": Ask.TYPING},
    # After the question is sent (or not), back to where they asked from: one named move per place.
    *(
        {"trigger": return_trigger(state), "source": Ask.TYPING, "dest": state}
        for state in LEARNING
        if state != Ask.TYPING
    ),
]


class LearnerModel:
    """The per-update model the machine moves; `state` is set by transitions."""

    state: str

    def __init__(self) -> None:
        self.state = Onboarding.LANGUAGE


def build_machine() -> Machine:
    return Machine(
        model=None,
        states=ALL_STATES,
        transitions=TRANSITIONS,
        initial=Onboarding.LANGUAGE,
        auto_transitions=False,  # no to_<state>(): every move must be one of the named triggers
        ignore_invalid_triggers=False,
        send_event=False,
    )


MACHINE = build_machine()
# Adding and removing models changes the machine's model list; engines on different threads (one per
# SQLite database) must not do it at the same moment.
_MACHINE_LOCK = threading.Lock()


def fire(state: str | None, trigger: str) -> str:
    """Move from `state` by `trigger` and return the new state; raises MachineError when not allowed."""
    model = LearnerModel()
    with _MACHINE_LOCK:
        MACHINE.add_model(model, initial=state if state in ALL_STATES else Onboarding.LANGUAGE)
        try:
            model.trigger(trigger)  # type: ignore[attr-defined]
            return model.state
        finally:
            MACHINE.remove_model(model)
