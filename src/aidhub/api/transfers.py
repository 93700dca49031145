"""JSON API for transfers to another hub and returns from distribution points.

Both need an ``Idempotency-Key`` header; the signed-in user is recorded as the one who
acted.
"""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aidhub.api import PREFIX
from aidhub.api.outbound import Key, Text
from aidhub.domain.access import Permission as P
from aidhub.services import transfers
from aidhub.services.context import Context
from aidhub.web.auth import Who, needs


class TransferLineIn(BaseModel):
    item: Text = Field(description="Catalog item code.")
    quantity: int = Field(gt=0, description="Units to send.")
    lot: str | None = Field(None, description="A lot (batch) to send; default: first expiry "
                            "first out among what can be promised.")


class TransferIn(BaseModel):
    hub: Text = Field(description="The hub that sends.")
    to: Text = Field(description="The hub (or warehouse) that receives.")
    reason: Text = Field(description="Why the goods move.")
    lines: list[TransferLineIn] = Field(min_length=1)


class ReturnLineIn(BaseModel):
    line_no: int = Field(gt=0, description="The waybill line the goods were delivered on.")
    quantity: int = Field(gt=0, description="Units coming back.")


class ReturnIn(BaseModel):
    reason: Text = Field(description="Why the goods come back.")
    hub: str | None = Field(None, description="The hub they go to (default: the one that "
                            "sent them).")
    vehicle: str = Field("", description="The vehicle bringing them.")
    driver: str = Field("", description="Its driver.")
    lines: list[ReturnLineIn] = Field(min_length=1)


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["outbound"], dependencies=[needs(P.READ)])

    @api.post("/transfers", status_code=201, dependencies=[needs(P.RELEASE)])
    def order_transfer(who: Who, body: TransferIn, key: Key) -> dict[str, Any]:
        """Order a transfer to another hub: a release order without a plan, its lots
        chosen first-expiry-first-out and reserved. It is then accepted, picked, loaded and
        dispatched like any release order, and received at the other hub with a GRN."""
        lines = [transfers.TransferLine(x.item, x.quantity, x.lot) for x in body.lines]
        return transfers.order_transfer(who, body.hub, body.to, lines,
                                        key=key, reason=body.reason)

    @api.post("/waybills/{number}/returns", status_code=201, dependencies=[needs(P.DELIVER)])
    def register_return(who: Who, number: str, body: ReturnIn, key: Key) -> dict[str, Any]:
        """Goods delivered on this waybill come back: a consignment on its way to the
        hub, received there like any other. No more than was delivered good comes back."""
        lines = [transfers.ReturnLine(x.line_no, x.quantity) for x in body.lines]
        return transfers.register_return(who, number, lines, key=key,
                                         reason=body.reason, hub=body.hub,
                                         vehicle=body.vehicle, driver=body.driver)

    return api
