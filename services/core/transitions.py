"""Named state changes over explicit transition tables: an action a table does not list is a conflict."""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from services.core.errors import Conflict

State = TypeVar("State", bound=StrEnum)

# A table maps (current state, action) to the next state; StrEnum members hash like their values, so
# the plain status strings read from the database look up directly.
TransitionTable = Mapping[tuple[str, str], State]


def next_state(
    table: TransitionTable[State], current: str, action: str, *, subject: tuple[str, str]
) -> State:
    """The state `action` leads to from `current`, or a 409 naming both; `subject` is (中文, English)."""
    target = table.get((current, action))
    if target is None:
        raise Conflict(
            "invalid_transition",
            f"{subject[0]}状态为 {current}，不能执行 {action}",
            f"a {subject[1]} in status {current} cannot {action}",
        )
    return target


def allows(table: TransitionTable[State], current: str, action: str) -> bool:
    """Whether the table lists `action` from `current`."""
    return (current, action) in table
