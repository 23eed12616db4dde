"""Route builders for the handlers every resource repeats: a named action on one item, a report export."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from fastapi.responses import Response

from services.accounts.policies import Actor
from web.deps import admin_actor, current_actor

JsonBody = Annotated[dict[str, Any], Body()]
Action = Callable[..., Awaitable[Any]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_actions(
    router: APIRouter,
    path: str,
    actions: Mapping[str, Action],
    *,
    item: str,
    read: type[Any],
    admin: bool = False,
    with_body: frozenset[str] = frozenset(),
) -> None:
    """POST `{path}/{segment}` per action: parse the item id (and the JSON body), call one service function.

    `path` holds `{item}`; the service function is called as `fn(actor=user, <item>=id[, body=body])`.
    """
    who = admin_actor if admin else current_actor
    for segment, action in actions.items():
        router.add_api_route(
            f"{path}/{segment}" if segment else path,
            _action_handler(action, item=item, who=who, with_body=segment in with_body),
            methods=["POST"],
            response_model=read,
            name=action.__name__,
        )


def _action_handler(action: Action, *, item: str, who: Callable[..., Any], with_body: bool) -> Action:
    if with_body:

        async def handler_with_body(
            item_id: Annotated[int, Path(alias=item)], body: JsonBody, user: Annotated[Actor, Depends(who)]
        ) -> Any:
            return await action(actor=user, body=body, **{item: item_id})

        return handler_with_body

    async def handler(item_id: Annotated[int, Path(alias=item)], user: Annotated[Actor, Depends(who)]) -> Any:
        return await action(actor=user, **{item: item_id})

    return handler


def export(
    report: dict[str, Any],
    *,
    format: str,
    filename: str,
    to_csv: Callable[[Any], Any],
    to_xlsx: Callable[[Any], Any],
) -> dict[str, Any] | Response:
    """A report as JSON, or as a CSV or Excel download named `filename`.<format>."""
    if format == "csv":
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format == "xlsx":
        return Response(
            to_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return report
