"""The web app as an ASGI factory, for a server that starts its own processes:
``aidhub serve --workers N`` runs ``uvicorn --factory aidhub.web.asgi:app`` in each worker.

Each worker opens the database named by ``$AIDHUB_DATABASE_URL`` (the embedded SQLite file
when unset). It does not upgrade the schema: `aidhub serve` has done that once, before
starting the workers, so that they do not race each other to it.
"""

import gc
import os

from fastapi import FastAPI

from aidhub.services.context import open_context
from aidhub.web.app import create_app

ACTOR_ENV = "AIDHUB_WEB_ACTOR"


def app() -> FastAPI:
    ctx = open_context(os.environ.get("AIDHUB_DATABASE_URL"),
                       actor=os.environ.get(ACTOR_ENV, "web"), upgrade=False, web=True)
    return settled(create_app(ctx))


def settled(web: FastAPI) -> FastAPI:
    """The app, with everything made so far (modules, routes, templates, the SQLAlchemy
    and Pydantic machinery: a few hundred thousand objects) moved out of the garbage
    collector's sight. Otherwise each full collection walks them all again, a pause of
    tens of milliseconds that lands on whichever requests are in flight (the p99)."""
    gc.collect()
    gc.freeze()
    return web
