"""JSON API for site nodes (under /api/v1/sync, signed in with the node's own token) and
for the people who watch them (node status and sync conflicts, for hub managers)."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from aidhub.api import PREFIX
from aidhub.api.outbound import Key, Text
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.services import sync_central
from aidhub.services.context import Context
from aidhub.web.auth import Seen, Who, needs


class PulledIn(BaseModel):
    pulled: int = Field(ge=0, description="The last change of the central's feed applied.")
    list_version: str = Field("", max_length=100,
                              description="The newest screening list version the node holds.")


class ResolveIn(BaseModel):
    reason: Text = Field(description="How the conflict was resolved.")
    adjust: bool = Field(False, description="For stock taken twice: post the adjustment "
                         "that brings the balance back to zero.")


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["sync"])

    def node(request: Request) -> sync_central.Peer:
        header = request.headers.get("authorization", "")
        try:
            if not header.lower().startswith("bearer "):
                raise NotFound("no site node has this token")
            return sync_central.peer_for_token(ctx, header[7:].strip())
        except NotFound:
            raise HTTPException(401, "this is for site nodes: sign in with the node's "
                                "token", headers={"WWW-Authenticate": "Bearer"}) from None

    Node = Annotated[sync_central.Peer, Depends(node)]

    @api.get("/sync/hello")
    def hello(peer: Node) -> dict[str, Any]:
        """A node's identity, its site, the central server's, and the feed's head."""
        return sync_central.hello(ctx, peer)

    @api.post("/sync/batches")
    def push(peer: Node, batch: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """One batch of a node's changes, chained to the previous one and signed. A batch
        sent again is acknowledged and not applied twice; an altered, missing or
        out-of-order batch is refused (409) with the number of the batch wanted."""
        return sync_central.receive(ctx, peer, batch)

    @api.get("/sync/changes")
    def changes(peer: Node, after: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict[str, Any]:
        """The central server's changes for the node's site after ``after``."""
        return _raw(sync_central.changes(ctx, peer, after, limit))

    @api.get("/sync/snapshot")
    def snapshot(peer: Node, table: Annotated[str, Query(max_length=40)],
                 after: Annotated[str | None, Query(max_length=400)] = None,
                 limit: Annotated[int, Query(ge=1, le=10000)] = 5000) -> dict[str, Any]:
        """One page of a table for the node's initial pull, after the key ``after``
        (JSON, as the previous page's ``next``)."""
        try:
            cursor = json.loads(after) if after else None
        except ValueError:
            raise InvalidInput("after must be the JSON key a page gave", field="after") \
                from None
        if cursor is not None and not isinstance(cursor, dict):
            raise InvalidInput("after must be the JSON key a page gave", field="after")
        try:
            return _raw(sync_central.snapshot(ctx, peer, table, cursor, limit))
        except (KeyError, ValueError):
            raise InvalidInput("after must be the JSON key a page gave", field="after") \
                from None

    @api.post("/sync/pulled")
    def pulled(peer: Node, body: PulledIn) -> dict[str, Any]:
        """The node says how far it pulled and which screening list it holds."""
        sync_central.acknowledge_pull(ctx, peer, body.pulled, body.list_version)
        return {"ok": True}

    @api.get("/nodes", dependencies=[needs(P.SYNC)])
    def nodes(who: Who, seen: Seen) -> list[dict[str, Any]]:
        """Site nodes (of the caller's hubs): last contact, lag, open conflicts, the list
        version each holds."""
        return sync_central.node_status(who, scope=seen)

    @api.get("/conflicts", dependencies=[needs(P.SYNC)])
    def conflicts(who: Who, seen: Seen, state: Annotated[str | None, Query(
            pattern="^(open|resolved)$")] = "open") -> list[dict[str, Any]]:
        """Conflicts found when site nodes synced, in the caller's hubs."""
        return sync_central.list_conflicts(who, state=state, scope=seen)

    @api.post("/conflicts/{conflict_id}/resolve", dependencies=[needs(P.SYNC)])
    def resolve(who: Who, seen: Seen, conflict_id: str, body: ResolveIn,
                key: Key) -> dict[str, Any]:
        """Resolve a conflict with a reason (and, for stock taken twice, an adjustment)."""
        return sync_central.resolve(who, conflict_id, reason=body.reason, key=key,
                                    adjust=body.adjust, scope=seen)

    return api


def _raw(body: dict[str, Any]) -> Response:
    """A page that is JSON already (plain values): sent as it is, without FastAPI's
    walk over every value, which costs more than the page itself."""
    return Response(json.dumps(body, separators=(",", ":"), ensure_ascii=False,
                               default=str), media_type="application/json")
