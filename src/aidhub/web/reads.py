"""One database connection per request (see :class:`aidhub.store.uow.SharedConnection`)."""

from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aidhub.store.uow import shared_connection


class OneConnection:
    """Let the units of work of a request share one connection. The connection goes back
    to the pool as soon as the answer starts, not once a slow link has taken all of it;
    a streamed body reads with units of work of its own."""

    def __init__(self, app: ASGIApp, engine: Engine):
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with shared_connection(self.engine) as shared:

            async def release_then_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    shared.close()
                await send(message)

            await self.app(scope, receive, release_then_send)
