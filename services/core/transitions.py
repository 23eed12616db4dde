"""Named state changes over explicit transition tables: an action a table does not list is a conflict."""

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Protocol, TypeVar

from services.core.db import Connection, transaction
from services.core.errors import Conflict

State = TypeVar("State", bound=StrEnum)

# A table maps (current state, action) to the next state; StrEnum members hash like their values, so
# the plain status strings read from the database look up directly.
TransitionTable = Mapping[tuple[str, str], State]


class HasStatus(Protocol):
    status: str


Row = TypeVar("Row", bound=HasStatus)


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


async def run_transition(
    *,
    table: TransitionTable[State],
    subject: tuple[str, str],
    action: str,
    lock: Callable[[Connection], Awaitable[Row | None]],
    not_found: Callable[[], Exception],
    save: Callable[[Row, Connection], Awaitable[None]],
    authorise: Callable[[Row], None] | None = None,
    change: Callable[[Row], None] | None = None,
    after: Callable[[Row, Connection], Awaitable[None]] | None = None,
) -> Row:
    """One transaction: lock the row, authorise, check the table, apply the action's fields, save, then `after`."""
    async with transaction() as conn:
        row = await lock(conn)
        if row is None:
            raise not_found()
        if authorise is not None:
            authorise(row)
        status = next_state(table, row.status, action, subject=subject)
        if change is not None:
            change(row)
        row.status = status.value
        await save(row, conn)
        if after is not None:
            await after(row, conn)
    return row
