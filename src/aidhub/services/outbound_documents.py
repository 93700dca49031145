"""Printed outbound documents built from the records: the waybill (four copies), the pick
list and the loss report. Each PDF is the record as it stands, so a cancelled waybill
prints cancelled and a reviewed loss report prints its decision."""

from decimal import Decimal

from aidhub.documents.loss_report import LossLineDoc, LossReportDocument, render_loss_report
from aidhub.documents.pick_list import PickLineDoc, PickListDocument, render_pick_list
from aidhub.documents.waybill import WaybillDocument, WaybillLineDoc, render_waybill
from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.errors import NotFound
from aidhub.services import picking, waybills
from aidhub.services.context import Context

DEFAULT_URL = "http://127.0.0.1:8000"


def _url(ctx: Context, path: str) -> str:
    with ctx.uow() as uow:
        base = uow.inbound.setting("public.url") or DEFAULT_URL
    return base.rstrip("/") + path


def waybill_document(ctx: Context, number: str, scope: Scope = EVERYTHING
                     ) -> WaybillDocument:
    v = waybills.view(ctx, number, scope)
    with ctx.uow() as uow:
        wb = uow.outbound.waybill(v.number)
        convoy = uow.outbound.convoy_by_id(wb.convoy_id) if wb.convoy_id else None
        driver = uow.screening.party(wb.driver_party_id)
        stage = next((loc for loc in uow.reference.locations(wb.hub_id)
                      if loc.kind.value == "staging"), None)
    return WaybillDocument(
        number=v.number, state=v.state, issued_at=v.issued_at, issued_by=v.issued_by,
        hub_code=v.hub, hub_name=v.hub_name,
        loading_point=f"{stage.name} ({stage.code})" if stage else "",
        destination_code=v.destination, destination_name=v.destination_name,
        destination_pcode=v.destination_pcode, consignee=v.consignee or "",
        transporter=v.transporter, vehicle_plate=v.plate, capacity_kg=v.capacity_kg,
        capacity_m3=v.capacity_m3, driver_name=v.driver, driver_id=driver.id_number,
        seals=tuple(s.strip() for s in v.seals.split(",") if s.strip()),
        convoy_number=v.convoy, convoy_reference=convoy.notification if convoy else None,
        route=convoy.route if convoy else None, url=_url(ctx, f"/waybills/{v.number}"),
        notes=v.reason,
        lines=tuple(WaybillLineDoc(
            line_no=x.line_no, item_code=x.item, name_en=x.item_name, name_ar=x.name_ar,
            unit=x.unit, batch=x.batch, expiry=x.expiry,
            ssccs=(x.sscc,) if x.sscc else (), quantity=x.quantity, weight_kg=x.weight_kg,
            volume_m3=x.volume_m3, release_order=x.release_order) for x in v.lines))


def waybill_pdf(ctx: Context, number: str, scope: Scope = EVERYTHING) -> bytes:
    return render_waybill(waybill_document(ctx, number, scope))


def pick_list_pdf(ctx: Context, number: str) -> bytes:
    v = picking.view(ctx, number)
    with ctx.uow() as uow:
        hub = uow.reference.site(v.hub)
    lines = tuple(PickLineDoc(
        line_no=x.line_no, location=x.location, item_code=x.item, name_en=x.item_name,
        unit=x.unit, batch=x.batch, expiry=x.expiry, quantity=x.quantity,
        ssccs=(x.sscc,) if x.sscc else (), destination=x.point,
        release_line_no=x.release_line) for x in v.lines)
    skipped = tuple(PickLineDoc(
        line_no=n, location=s["location"] or "—", item_code=s.get("item", ""), name_en="",
        unit="",
        batch=s["batch"], quantity=s["quantity"], destination="",
        release_line_no=s["release_line"], skipped=True, reason=s["reason"])
        for n, s in enumerate(v.skipped, start=1))
    return render_pick_list(PickListDocument(
        number=v.number, release_order=v.release_order, hub_code=v.hub, hub_name=hub.name,
        created_at=v.created_at, created_by=v.created_by, lines=lines, skipped=skipped))


def loss_report_pdf(ctx: Context, number: str) -> bytes:
    with ctx.uow() as uow:
        report = uow.outbound.loss_report(number.strip().upper())
        if report is None:
            raise NotFound("no loss report %(report)s", report=number)
        wb = uow.outbound.waybill_by_id(report.waybill_id)
        pod = uow.outbound.pod_of(wb.id)
        counts = {x.line_no: x for x in uow.outbound.pod_lines(pod.id)}
        hub = uow.reference.site_by_id(wb.hub_id)
        dest = uow.reference.site_by_id(wb.destination_id)
        lines = []
        for x in uow.outbound.waybill_lines(wb.id):
            item = uow.reference.item_by_id(x.item_id)
            lot = uow.reference.lot_by_id(x.lot_id)
            c = counts[x.line_no]
            lines.append(LossLineDoc(item_code=item.code, name_en=item.name_en,
                                     unit=item.unit, batch=lot.batch or None,
                                     shipped=x.quantity, received_good=c.good,
                                     damaged=c.damaged, short=c.short, lost=c.lost))
        doc = LossReportDocument(
            number=report.number, waybill_number=wb.number, hub_code=hub.code,
            hub_name=hub.name, destination=f"{dest.code} · {dest.name}",
            transporter=uow.screening.party(wb.transporter_party_id).name,
            vehicle_plate=wb.plate, driver=uow.screening.party(wb.driver_party_id).name,
            opened_at=report.opened_at, threshold_pct=Decimal(report.threshold) * 100,
            loss_pct=Decimal(report.share) * 100, seal_state=pod.seal_state,
            signer=pod.signer, reviewed_by=report.reviewed_by,
            reviewed_at=report.reviewed_at, decision=report.decision or None,
            lines=tuple(lines))
    return render_loss_report(doc)
