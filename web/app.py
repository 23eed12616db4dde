"""The FastAPI application factory."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from search import client as engine
from search import service as search_service
from services.core.db import close_database, open_database
from services.core.logging import configure_logging, get_logger
from services.core.redis import close_redis
from services.core.settings import get_settings
from services.deals.payments.stripe_gateway import gateway_from_settings
from web.api import (
    accounts,
    bookings,
    catalog,
    deals,
    demand,
    enquiries,
    favorites,
    health,
    imports,
    indicators,
    ops,
    reference,
    service_orders,
    testing,
    vouchers,
)
from web.api import admin as admin_api
from web.api import brokers as brokers_api
from web.api import ledger as ledger_api
from web.api import notifications as notifications_api
from web.api import search as search_api
from web.errors import install_error_handlers, problem, unexpected_error
from web.middleware import GuardMiddleware
from web.pages import (
    account,
    admin,
    booking,
    broker,
    contracts,
    dashboard,
    devmail,
    enquiry,
    instrument_admin,
    listing_import,
    listings,
    match_record,
    portal,
    register,
    sharing,
    supply,
)
from web.pages import brokers as broker_profile_pages
from web.pages import demand as demand_pages
from web.pages import expert as expert_pages
from web.pages import favorites as favorite_pages
from web.pages import orders as order_pages
from web.pages import testing as testing_pages
from web.pages import vouchers as voucher_pages
from web.webhooks import stripe as stripe_webhooks

log = get_logger("web.app")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    configure_logging(settings.log_level)
    search_service.register_outbox_documents()
    # Not awaited: the server answers while the dictionaries load; a search arriving first waits for them.
    warming = asyncio.create_task(search_service.warm_analysis())
    await open_database()
    app.state.payments = gateway_from_settings()
    try:
        await search_service.ensure_indices()
    except engine.EngineUnavailable:
        log.warning("search.indices_not_ensured", reason="engine unavailable at start-up")
    yield
    await warming
    await engine.close_engine()
    await close_redis()
    await close_database()


def create_app() -> FastAPI:
    """Build the application: API routers, portal pages, error mapping."""
    app = FastAPI(
        title="TechMarket 科技服务超市 API",
        version="1.0.0",
        description="西部（重庆）科学城科技服务超市 — achievements, instruments, experts, agencies, demand, deals.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, problem=problem, unexpected=unexpected_error)
    app.include_router(health.router)
    app.include_router(ops.router)
    app.include_router(accounts.router)
    app.include_router(admin_api.router)
    app.include_router(reference.router)
    app.include_router(search_api.router)
    app.include_router(demand.router)
    app.include_router(notifications_api.router)
    app.include_router(bookings.router)
    app.include_router(vouchers.router)
    app.include_router(testing.router)
    app.include_router(testing.methods_router)
    app.include_router(service_orders.router)
    app.include_router(deals.router)
    app.include_router(indicators.router)
    app.include_router(stripe_webhooks.router)
    app.include_router(brokers_api.router)
    app.include_router(ledger_api.router)
    app.include_router(enquiries.router)
    app.include_router(favorites.router)
    app.include_router(imports.router)
    app.include_router(catalog.router)
    app.include_router(portal.router)
    app.include_router(account.router)
    app.include_router(booking.router)
    app.include_router(listing_import.router)
    app.include_router(listings.router)
    app.include_router(supply.router)
    app.include_router(enquiry.router)
    app.include_router(demand_pages.router)
    app.include_router(broker.router)
    app.include_router(admin.router)
    app.include_router(dashboard.router)
    app.include_router(register.router)
    app.include_router(contracts.router)
    app.include_router(sharing.router)
    app.include_router(expert_pages.router)
    app.include_router(broker_profile_pages.router)
    app.include_router(instrument_admin.router)
    app.include_router(testing_pages.router)
    app.include_router(order_pages.router)
    app.include_router(match_record.router)
    app.include_router(voucher_pages.router)
    app.include_router(favorite_pages.router)
    if get_settings().environment != "production":
        app.include_router(devmail.router)  # the development mail viewer
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
