"""One id grammar for buttons on every platform (Discord custom_id, Slack action_id).

An action id is `kind:arg:arg…`, at most 100 characters (Discord's custom_id limit;
Slack allows 255). Buttons carry all the state they need to be served after a restart:
the rest lives in the store under the ids they carry.

  quiz:<session>:<question_no>:<choice_no>   answer a quiz question
  page:<view>:<arg>:<page>                   show page <page> of a paged view
  nav:<document>:<section_id>                show a section (prev / next / parent buttons)
  home:<what>                                App-Home style shortcuts (quiz, excerpt)
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ACTION_ID = 100
SEPARATOR = ":"


class ActionIdError(ValueError):
    pass


@dataclass(frozen=True)
class Action:
    kind: str
    args: tuple[str, ...]

    def encode(self) -> str:
        for part in (self.kind, *self.args):
            if SEPARATOR in part:
                raise ActionIdError(f"action part contains '{SEPARATOR}': {part!r}")
        text = SEPARATOR.join((self.kind, *self.args))
        if len(text) > MAX_ACTION_ID:
            raise ActionIdError(f"action id longer than {MAX_ACTION_ID}: {text!r}")
        return text


def make_action(kind: str, *args: object) -> str:
    return Action(kind, tuple(str(a) for a in args)).encode()


def parse_action(text: str) -> Action:
    if not text or len(text) > MAX_ACTION_ID:
        raise ActionIdError(f"not an action id: {text[:120]!r}")
    kind, *args = text.split(SEPARATOR)
    if not kind:
        raise ActionIdError(f"not an action id: {text!r}")
    return Action(kind, tuple(args))
