"""Supply → demand in the portal: a listing's organisation sees the open demands its listing was matched to,
with the reasons, expresses interest (the match lands in the broker's queue), and reads the anonymised
feedback on its lost and dismissed matches."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.accounts.policies import Actor
from services.catalog import service as catalog_service
from services.core.errors import DomainError
from services.demand import service as demand_service
from services.reference.vocabulary import CLOSE_REASON_LABELS
from web.deps import CurrentUser
from web.pages.csrf import CheckedForm
from web.pages.demand import match_row
from web.pages.shell import redirect, render

router = APIRouter(include_in_schema=False)


async def _demand_cards(actor: Actor, listing_id: int, owner: int | None) -> list[dict[str, Any]]:
    """The listing's matches (the service refuses anyone but its organisation), each with its demand as this
    reader may see it: a hidden enterprise stays hidden, a confidential demand shows its title only."""
    found = await demand_service.demands_for_listing(actor=actor, listing_id=listing_id, owner_org_id=owner)
    cards = []
    for match in found.items:
        try:
            demand = await demand_service.get_demand(actor=actor, demand_id=match.demand_id)
        except DomainError:
            continue  # closed since it was matched
        cards.append({**match_row(match), "demand": demand, "interest_at": match.interest_at})
    return cards


@router.get("/me/listings/{listing_id}/demands", response_class=HTMLResponse)
async def listing_demands(request: Request, listing_id: int, user: CurrentUser) -> Response:
    owner = await catalog_service.owner_org_of(listing_id)
    cards = await _demand_cards(user, listing_id, owner)
    feedback = await demand_service.listing_feedback(actor=user, owner_org_id=owner, listing_id=listing_id)
    listing = (await catalog_service.published_snapshots_by_id(ids=[listing_id])).get(listing_id)
    title = (listing or {}).get("name") or (listing or {}).get("title") or f"资源 {listing_id}"
    context = {
        "listing_id": listing_id,
        "listing": listing,
        "listing_title": title,
        "cards": cards,
        "feedback": [(CLOSE_REASON_LABELS[code], n) for code, n in feedback.items() if n],
        "feedback_total": sum(feedback.values()),
    }
    return await render(request, "listing_demands.html", context, actor=user)


@router.post("/me/listings/{listing_id}/matches/{match_id}/interest")
async def express_interest(listing_id: int, match_id: int, user: CurrentUser, form: CheckedForm) -> Response:
    owner = await catalog_service.owner_org_of(listing_id)
    await demand_service.express_interest(
        actor=user, listing_id=listing_id, match_id=match_id, owner_org_id=owner
    )
    return redirect(f"/me/listings/{listing_id}/demands", notice="interest_sent")
