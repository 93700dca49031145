"""Pages for screening: reviewing one hit (the screened party and the list entry side by
side, the score explained part by part, the consignments and holds it touches) and
deciding it: clear, confirm or escalate, with the reason kept for auditors.

Only screening officers (the ``screen`` permission) see these pages, and only for the
hits their hubs see (the rule is the service's: ``screening.hubs_of_hits``); another
hub's hit answers 404, as an unknown one does. The one who submitted the party or the
goods cannot decide on them (four-eyes): the page says so before anyone types, and the
service refuses it anyway.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.access import Scope
from aidhub.domain.errors import AidhubError
from aidhub.domain.screening import Decision, Exemption, FourEyes
from aidhub.services import screening
from aidhub.services.context import Context
from aidhub.web import forms
from aidhub.web.auth import Seen, Who, needs
from aidhub.web.i18n import translate


def _count(text: str | None) -> int | None:
    """The number of holds a decision released, as the redirect after it says."""
    return int(text) if text and text.isdigit() and len(text) < 7 else None


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ), needs(P.SCREEN)], include_in_schema=False)
    render = forms.renderer(templates)

    def hit_page(request: Request, hit_id: str, scope: Scope,
                 values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, status: int = 200,
                 refused: str | None = None):
        review = screening.review(ctx, hit_id, scope)  # a hit at another hub: 404
        me = request.state.principal.username
        return render(request, "hit.html", {
            "r": review, "e": review.evidence, "h": review.evidence.hit,
            "values": values or {}, "errors": errors or {}, "refused": refused,
            "own": review.evidence.hit.submitted_by.strip().lower() == me.strip().lower(),
            "decided": review.evidence.hit.state in ("cleared", "confirmed"),
            "decisions": [d.value for d in Decision],
            "exemptions": [x.value for x in Exemption],
            "released": _count(request.query_params.get("released")),
        }, status)

    @pages.get("/hits/{hit_id}", response_class=HTMLResponse)
    def show(request: Request, hit_id: str, scope: Seen):
        return hit_page(request, hit_id, scope)

    @pages.post("/hits/{hit_id}/decision", response_class=HTMLResponse)
    async def decide(request: Request, hit_id: str, who: Who, scope: Seen):
        data = await forms.posted(request)
        screening.review(ctx, hit_id, scope)  # unknown, or at another hub: 404 first
        try:
            result = screening.decide(who, hit_id, forms.text(data, "decision"),
                                      key=forms.key(data), reason=forms.text(data, "reason"),
                                      exemption=forms.text(data, "exemption") or "none",
                                      licence=forms.text(data, "licence"), scope=scope)
        except FourEyes as exc:
            return hit_page(request, hit_id, scope, forms.kept(data), status=403,
                            refused=translate(request, "Not decided. %(error)s", error=exc))
        except AidhubError as exc:
            return hit_page(request, hit_id, scope, forms.kept(data), forms.errors(request, exc),
                            status=400)
        released = int(result.get("holds_released") or 0)
        return RedirectResponse(f"/hits/{result['hit']}?released={released}", status_code=303)

    return pages
