"""Printed documents built from the records: the GRN and the pallet labels."""

from aidhub.documents.grn import GrnDocument, GrnLineDoc, render_grn
from aidhub.documents.labels import LabelData, render_labels
from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.errors import NotFound
from aidhub.services import consignments
from aidhub.services.context import Context
from aidhub.store.uow import UnitOfWork


def _grn(uow: UnitOfWork, number: str):
    g = uow.inbound.grn(number.strip().upper())
    if g is None:
        raise NotFound("no GRN %(grn)s", grn=number)
    return g


def grn_document(ctx: Context, number: str, scope: Scope = EVERYTHING) -> GrnDocument:
    """What the GRN prints, read from the records (if the caller may see its
    consignment; otherwise as if it did not exist)."""
    with ctx.uow() as uow:
        g = _grn(uow, number)
        c = uow.inbound.consignment_by_id(g.consignment_id)
        if not consignments.visible(uow, c, scope):
            raise NotFound("no GRN %(grn)s", grn=number)
        hub = uow.reference.site_by_id(c.hub_id)
        orgs = {o.id: o.code for o in uow.reference.organisations()}
        chan = uow.inbound.channel(channel_id=c.channel_id) if c.channel_id else None
        entry = uow.reference.site_by_id(c.point_of_entry_id) if c.point_of_entry_id else None
        lines_by_id = {ln.id: ln for ln in uow.inbound.lines(c.id)}
        rows = uow.inbound.grn_lines(g.id)
        doc_lines = []
        for row in rows:
            item = uow.reference.item_by_id(row.item_id)
            lot = uow.reference.lot_by_id(row.lot_id)
            line = lines_by_id.get(row.consignment_line_id)
            doc_lines.append(GrnLineDoc(
                line_no=row.line_no, item_code=item.code, name_en=item.name_en,
                name_ar=item.name_ar, unit=item.unit, batch=lot.batch or None,
                expiry=lot.expiry, expected=line.quantity if line else 0, good=row.good,
                damaged=row.damaged, short=row.short, over=row.over,
                put_to="QUARANTINE" if row.quarantined else "RECV", priority=row.priority))
        donors = sorted({orgs[r.owner_id] for r in rows})
        return GrnDocument(
            number=g.number, issued_at=g.issued_at, hub_code=hub.code, hub_name=hub.name,
            consignment_number=c.number, consignor=orgs[c.consignor_id],
            consignee=orgs[c.consignee_id], donors=tuple(donors),
            channel=f"{chan.describe()} ({chan.code})" if chan else "",
            point_of_entry=f"{entry.code} {entry.name}" if entry else None,
            transport_doc_type=c.document_type, transport_doc_number=c.document_number,
            vehicle=c.vehicle, driver=g.delivered_by or c.driver or None,
            seal_numbers=tuple(s.strip() for s in c.seals.split(",") if s.strip()),
            seal_check=c.seal_check, received_by=g.received_by, notes=g.notes,
            lines=tuple(doc_lines))


def grn_pdf(ctx: Context, number: str, scope: Scope = EVERYTHING) -> bytes:
    return render_grn(grn_document(ctx, number, scope))


def labels_pdf(ctx: Context, number: str) -> bytes:
    """One label per pallet (handling unit) of the GRN."""
    with ctx.uow() as uow:
        g = _grn(uow, number)
        c = uow.inbound.consignment_by_id(g.consignment_id)
        hub = uow.reference.site_by_id(c.hub_id)
        prefix = uow.inbound.setting("gs1.company_prefix") or ""
        orgs = {o.id: o.code for o in uow.reference.organisations()}
        rows = {r.id: r for r in uow.inbound.grn_lines(g.id)}
        labels = []
        for u in uow.inbound.units_of_grn(g.id):
            row = rows[u.grn_line_id]
            item = uow.reference.item_by_id(row.item_id)
            lot = uow.reference.lot_by_id(row.lot_id)
            labels.append(LabelData(
                sscc=u.sscc, gtin=item.gtin, batch=lot.batch or None, expiry=lot.expiry,
                item_code=item.code, item_name_en=item.name_en, item_name_ar=item.name_ar,
                quantity=u.quantity, unit=item.unit, owner=orgs[row.owner_id],
                hub=f"{hub.code} · {hub.name}", reference=g.number,
                received_on=g.issued_at.date(), sscc_prefix_length=len(prefix) or 7))
    if not labels:
        raise NotFound("%(grn)s has no pallets to label (nothing good went to the "
                       "receiving area)", grn=g.number)
    return render_labels(labels)
