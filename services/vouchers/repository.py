"""Queries of voucher programmes, vouchers and redemptions; budget and balance moves are guarded updates."""

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from services.vouchers.models import Redemption, Voucher, VoucherProgramme


async def insert_programme(**values: Any) -> VoucherProgramme:
    return await VoucherProgramme.create(**values)


async def get_programme(programme_id: int) -> VoucherProgramme | None:
    return await VoucherProgramme.get_or_none(id=programme_id)


async def programmes_by_id(programme_ids: list[int]) -> dict[int, VoucherProgramme]:
    return {p.id: p for p in await VoucherProgramme.filter(id__in=programme_ids)} if programme_ids else {}


async def list_programmes() -> list[VoucherProgramme]:
    return await VoucherProgramme.all().order_by("-id").limit(200)


async def insert_voucher(**values: Any) -> Voucher:
    return await Voucher.create(**values)


async def get_voucher(voucher_id: int) -> Voucher | None:
    return await Voucher.get_or_none(id=voucher_id)


async def lock_voucher(voucher_id: int, connection: BaseDBAsyncClient) -> Voucher | None:
    return await Voucher.filter(id=voucher_id).using_db(connection).select_for_update().first()


async def save_voucher(voucher: Voucher, connection: BaseDBAsyncClient | None = None) -> None:
    await voucher.save(using_db=connection)


async def vouchers_of_org(org_id: int) -> list[Voucher]:
    return await Voucher.filter(org_id=org_id).order_by("-id").limit(200)


async def page_vouchers(*, status: str | None, offset: int, limit: int) -> tuple[int, list[Voucher]]:
    query = Voucher.filter(status=status) if status else Voucher.all()
    return await query.count(), await query.order_by("-id").offset(offset).limit(limit)


async def commit_budget(programme_id: int, amount_fen: int, connection: BaseDBAsyncClient) -> bool:
    """Reserve budget only while it lasts: one conditional UPDATE, so concurrent reservations cannot overspend."""
    updated, _ = await connection.execute_query(
        "UPDATE vouchers_programme SET committed_fen = committed_fen + $2, updated_at = now() "
        "WHERE id = $1 AND committed_fen + $2 <= budget_fen",
        [programme_id, amount_fen],
    )
    return updated == 1


async def release_budget(programme_id: int, amount_fen: int, connection: BaseDBAsyncClient) -> None:
    await connection.execute_query(
        "UPDATE vouchers_programme SET committed_fen = committed_fen - $2 WHERE id = $1",
        [programme_id, amount_fen],
    )


async def record_redeemed(programme_id: int, amount_fen: int, connection: BaseDBAsyncClient) -> None:
    await connection.execute_query(
        "UPDATE vouchers_programme SET redeemed_fen = redeemed_fen + $2 WHERE id = $1",
        [programme_id, amount_fen],
    )


async def insert_redemption(connection: BaseDBAsyncClient, **values: Any) -> Redemption:
    return await Redemption.create(using_db=connection, **values)


async def redemption_of_booking(
    booking_id: int, connection: BaseDBAsyncClient | None = None
) -> Redemption | None:
    query = Redemption.filter(booking_id=booking_id)
    if connection is not None:
        query = query.using_db(connection).select_for_update()
    return await query.first()


async def redemptions_of_bills(column: str, bill_ids: list[int]) -> list[Redemption]:
    """The redemptions of these bookings (`booking_id`) or test requests (`test_request_id`), with their vouchers."""
    if not bill_ids:
        return []
    return await Redemption.filter(**{f"{column}__in": bill_ids}).prefetch_related("voucher")


async def save_redemption(redemption: Redemption, connection: BaseDBAsyncClient) -> None:
    await redemption.save(using_db=connection)


async def redemption_of_test_request(
    test_request_id: int, connection: BaseDBAsyncClient | None = None
) -> Redemption | None:
    query = Redemption.filter(test_request_id=test_request_id)
    if connection is not None:
        query = query.using_db(connection).select_for_update()
    return await query.first()


async def has_redemption(connection: BaseDBAsyncClient, **target: int) -> bool:
    """Whether a live (reserved or redeemed) redemption already pays this bill."""
    return await Redemption.filter(**target).exclude(status="released").using_db(connection).exists()


async def redemption_of_service_order(
    service_order_id: int, connection: BaseDBAsyncClient | None = None
) -> Redemption | None:
    query = Redemption.filter(service_order_id=service_order_id)
    if connection is not None:
        query = query.using_db(connection).select_for_update()
    return await query.first()
