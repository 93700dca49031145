"""The web app as an ASGI factory, for a server that starts its own processes:
``aidhub serve --workers N`` runs ``uvicorn --factory aidhub.web.asgi:app`` in each worker.

Each worker opens the database named by ``$AIDHUB_DATABASE_URL`` (the embedded SQLite file
when unset). It does not upgrade the schema: `aidhub serve` has done that once, before
starting the workers, so that they do not race each other to it.
"""

import os

from fastapi import FastAPI

from aidhub.services.context import open_context
from aidhub.web.app import create_app

ACTOR_ENV = "AIDHUB_WEB_ACTOR"


def app() -> FastAPI:
    ctx = open_context(os.environ.get("AIDHUB_DATABASE_URL"),
                       actor=os.environ.get(ACTOR_ENV, "web"), upgrade=False)
    return create_app(ctx)
