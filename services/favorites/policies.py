"""What a user may save: published listings, and a match card only of their own organisation's demand."""

from services.accounts.policies import Actor
from services.core.errors import Invalid, NotFound


def require_own_match(actor: Actor, match_id: int, found: tuple[int, int] | None, listing_id: int) -> None:
    """A favourite names a match of a demand of the caller's organisation, proposing this very listing; another
    organisation's match does not exist for the caller."""
    if found is None or actor.org_id is None or found[1] != actor.org_id:
        raise NotFound("match_not_found", f"匹配 {match_id} 不存在", "match not found")
    if found[0] != listing_id:
        raise Invalid.field(
            ["body", "match_id"],
            "该匹配推荐的不是这个资源",
            "the match proposes another listing",
            code="match_listing_mismatch",
        )
