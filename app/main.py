"""create_app(): assembles the routers, the static files, the templates and the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.api import datasets, join, landscape, lessons, pages, sessions, stats, stream, train
from app.api.limits import validation_detail
from app.api.middleware import BodyLimit, SecurityHeaders
from app.api.deps import NOT_FOUND
from app.live.bus import open_bus
from app.live.cluster import Cluster
from app.live.hub import Hub, store_failure
from app.neuron.errors import NeuronError
from app.process import settle_heap, thaw_heap, tune_process
from app.sessions.manager import SessionGone, SessionManager
from app.sessions.backend import open_join_codes, open_store, open_uploads
from app.sessions.store import StaleWrite, StoreError
from app.sessions.uploads import UploadStore
from app.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
EXPIRY_INTERVAL_SECONDS = 60.0
# A worker was seen waiting for ever at shutdown after its sessions were stored (three stops of
# a two-worker server in a few hundred; which close never returned was not caught): past this
# it exits.
CLOSE_SECONDS = 5.0
log = logging.getLogger("neuron.app")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    tune_process()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings)
        manager = SessionManager(store, settings.max_sessions, settings.session_ttl_seconds,
                                 settings.memory_sessions)  # fmt: skip
        uploads = open_uploads(settings)
        hub = Hub(manager, settings, bus=open_bus(settings.redis_url, settings.redis_prefix))
        cluster = Cluster(hub)
        await cluster.start()
        app.state.sessions, app.state.hub, app.state.cluster = manager, hub, cluster
        app.state.uploads = uploads
        app.state.join_codes = open_join_codes(settings)
        expiry = asyncio.create_task(_expire_forever(manager, uploads))
        settle_heap()
        try:
            yield
        finally:
            thaw_heap()
            expiry.cancel()
            for channel in list(hub.channels.values()):
                session = await manager.get(channel.session_id)
                if session is not None:
                    with contextlib.suppress(StoreError, SessionGone):
                        await hub.stop(channel, session)
            try:  # every session is stored by now: what is left must not hold the exit open
                async with asyncio.timeout(CLOSE_SECONDS):
                    await hub.ticker.close()
                    await cluster.close()
                    hub.work.close()
                    await uploads.close()
                    await store.close()
                    await app.state.join_codes.close()
            except TimeoutError:
                log.warning("closing the store and bus connections took over %g s; "
                            "exiting without them", CLOSE_SECONDS)  # fmt: skip

    app = FastAPI(
        title="Neuron Playground",
        version=__version__,
        description="Watch a single artificial neuron learn: REST API v1 and a live stream.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets, so /docs works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=ROOT / "templates")
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.add_exception_handler(NeuronError, _neuron_error)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(SessionGone, _session_gone)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.state.join_limit = join.AttemptLimit()
    for module in (pages, datasets, lessons, sessions, landscape, join, train, stream, stats):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="Neuron Playground API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no call to an outside validator
        )  # fmt: skip

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _neuron_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NeuronError)
    return JSONResponse({"detail": [exc.detail()]}, status_code=422)


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    """The change was not stored, so it was not applied: the client may safely try again.
    A stale write (another writer got there first) is a conflict, not an outage."""
    if isinstance(exc, StaleWrite):
        return JSONResponse({"detail": "the session changed elsewhere meanwhile; nothing was "
                             "applied: read it again and retry"}, status_code=409)  # fmt: skip
    return JSONResponse({"detail": store_failure(exc)}, status_code=503,
                        headers={"Retry-After": "2"})  # fmt: skip


async def _session_gone(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": NOT_FOUND}, status_code=404)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 without echoing the input back (it may be NaN, which JSON cannot carry)."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_detail(exc.errors())}, status_code=422)


async def _expire_forever(manager: SessionManager, uploads: UploadStore) -> None:
    while True:
        await asyncio.sleep(EXPIRY_INTERVAL_SECONDS)
        with contextlib.suppress(StoreError):  # tried again next time
            await manager.expire()
        with contextlib.suppress(StoreError):
            await uploads.expire_idle()
