"""JSON API for screening: hits and their evidence, decisions, screening names."""

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.interop.jsonable import jsonable
from aidhub.services import screening
from aidhub.services.context import Context
from aidhub.web.auth import Seen, Who, needs

Key = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


class DecisionIn(BaseModel):
    decision: str = Field(description="clear, confirm or escalate")
    reason: str
    exemption: str = "none"
    licence: str = ""


class NameIn(BaseModel):
    name: str
    kind: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    id_number: str | None = None


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["screening"], dependencies=[needs(P.READ)])

    @api.get("/hits", dependencies=[needs(P.SCREEN)])
    def hits(page: Page, scope: Seen, state: str | None = None) -> list[dict[str, Any]]:
        """The hits the caller's hubs see (and those at no hub yet)."""
        return jsonable(page(screening.list_hits(ctx, state=state, scope=scope)))

    @api.get("/hits/{hit_id}", dependencies=[needs(P.SCREEN)])
    def hit(hit_id: str, scope: Seen) -> dict[str, Any]:
        return jsonable(screening.evidence(ctx, hit_id, scope))

    @api.post("/hits/{hit_id}/decision", dependencies=[needs(P.SCREEN)])
    def decide(who: Who, scope: Seen, hit_id: str, body: DecisionIn,
               key: Key) -> dict[str, Any]:
        return screening.decide(who, hit_id, body.decision,
                                key=key, reason=body.reason, exemption=body.exemption,
                                licence=body.licence, scope=scope)

    @api.post("/screen", dependencies=[needs(P.SCREEN)])
    def screen(who: Who, names: list[NameIn], cutoff: float = 0.5,
               threshold: float | None = None) -> list[dict[str, Any]]:
        import csv
        import io

        out = io.StringIO()
        writer = csv.DictWriter(out, ["name", "kind", "birth_date", "nationality",
                                      "id_number"])
        writer.writeheader()
        for n in names:
            writer.writerow(n.model_dump())
        return screening.screen_names(who, out.getvalue().encode(), cutoff=cutoff,
                                      threshold=threshold)

    return api
