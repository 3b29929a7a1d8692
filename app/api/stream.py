"""WS /api/sessions/{id}/stream: frames out, commands in (PRODUCT.md §7).

A connection with the session's control token steers; any other one follows. A bad message gets
an error frame and changes nothing; the connection stays open.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from app.api.commands import COMMAND, Lesson, Outputs, Set, Speed, Step, Sync
from app.live.cluster import Cluster, NothingToTrain
from app.live.frames import store_failure_code
from app.live.hub import CLOSE_SESSION_GONE, CLOSE_TOO_MANY, Hub, Watcher, store_failure
from app.api.limits import validation_detail
from app.neuron.errors import NeuronError
from app.sessions.manager import SessionGone
from app.sessions.session import Session
from app.sessions.store import StoreError
from app.sessions.tokens import token_matches
from app.settings import Settings

router = APIRouter()

FOLLOWER = "this connection follows the session; steering it needs its control token"
PLAIN_NAME = re.compile(r"[a-z_]{1,32}")  # a mistyped command worth naming back; nothing else is


class SocketSink:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        await self.websocket.close(code, reason)


class RateLimit:
    """A token bucket: a burst of `rate` messages, then `rate` a second."""

    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.at = rate, rate, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@router.websocket("/api/sessions/{session_id}/stream")
async def stream(websocket: WebSocket, session_id: str, token: str | None = None) -> None:
    hub: Hub = websocket.app.state.hub
    cluster: Cluster = websocket.app.state.cluster
    await websocket.accept()
    try:
        session = await hub.sessions.get(session_id)
        if session is not None:
            await cluster.refresh(session)
    except SessionGone:
        session = None
    except StoreError:
        await websocket.close(1011, "the session store cannot be read right now")
        return
    if session is None:
        await websocket.close(CLOSE_SESSION_GONE, "session not found")
        return
    watcher = Watcher(SocketSink(websocket), token_matches(token, session.token_hash),
                      handler=asyncio.current_task())  # fmt: skip
    try:
        channel = await hub.watch(session, watcher)
    except OverflowError as exc:
        await websocket.close(CLOSE_TOO_MANY, str(exc))
        return
    sender = asyncio.create_task(watcher.deliver())
    try:
        await _receive(websocket, cluster, session, watcher)
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if not watcher.kicked:
            raise
        asyncio.current_task().uncancel()  # type: ignore[union-attr]  # dropped on purpose
    finally:
        sender.cancel()
        await asyncio.gather(sender, return_exceptions=True)
        await hub.leave(session, watcher)


async def _receive(websocket: WebSocket, cluster: Cluster, session: Session,
                   watcher: Watcher) -> None:  # fmt: skip
    settings = cluster.hub.settings
    limit = RateLimit(settings.max_messages_per_second)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        problem = _refusal(text, limit, settings)
        if problem is not None:
            watcher.offer_error(*problem)
            continue
        try:
            command = COMMAND.validate_json(text)
            if isinstance(command, Sync):
                watcher.resync()
            elif isinstance(command, Outputs):
                answer = await cluster.execute(session, {"kind": "outputs"})
                await watcher.sink.send(answer["outputs"])
            elif not watcher.controller:
                watcher.offer_error(FOLLOWER, "follower")
            else:
                await cluster.execute(session, _as_message(command, settings))
        except ValidationError as exc:
            watcher.offer_error(_describe(exc))
        except NeuronError as exc:
            watcher.offer_error([{**exc.detail(), "loc": [exc.field]}])
        except NothingToTrain as exc:
            watcher.offer_error(str(exc), "nothing_to_train")
        except (StoreError, SessionGone) as exc:
            watcher.offer_error(store_failure(exc), store_failure_code(exc))


def _refusal(text: str, limit: RateLimit, settings: Settings) -> tuple[str, str, dict[str, Any]] | None:
    """A message refused before it is read: the sentence, its code and its numbers."""
    if len(text.encode()) > settings.max_message_bytes:  # a cap on bytes, not characters
        most = settings.max_message_bytes
        return f"message too large: at most {most} bytes", "message_too_large", {"max": most}
    if not limit.allow():
        rate = settings.max_messages_per_second
        return (f"too many messages: at most {rate:g} a second", "too_many_messages",
                {"max": rate})  # fmt: skip
    return None


def _as_message(command: Any, settings: Settings) -> dict[str, Any]:
    """A stream command as the message the cluster runs (here or on the session's worker)."""
    if isinstance(command, Step):
        return {"kind": "step", "epochs": command.epochs, "samples": command.samples}
    if isinstance(command, Set):
        patch = command.config.given() if command.config is not None else None
        return {"kind": "patch", "config": patch, **command.parameters()}
    if isinstance(command, Lesson):
        return {"kind": "lesson", "lesson": command.lesson}
    if isinstance(command, Speed):
        return {"kind": "speed",
                "fps": command.fps and min(command.fps, settings.max_fps),
                "steps_per_frame": command.steps_per_frame
                and min(command.steps_per_frame, settings.max_steps_per_frame)}  # fmt: skip
    return {"kind": command.type}  # play, pause, reset


def _describe(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors, reduced to where and what, safe to send back: no input echoed."""
    errors = exc.errors(include_url=False)
    return [{**item, "msg": _message(e)} for item, e in zip(validation_detail(errors), errors)]


def _message(error: Any) -> str:
    if error["type"] == "union_tag_invalid":  # pydantic's own message quotes any type back
        tag = str(error["ctx"]["tag"])
        named = f"'{tag}'" if PLAIN_NAME.fullmatch(tag) else "given"
        return f"the type {named} is unknown; one of {error['ctx']['expected_tags']}"
    return str(error["msg"])
