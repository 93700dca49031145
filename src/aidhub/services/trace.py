"""Tracing a lot or a pallet: where it came from and where it went.

From which donor, channel and consignment, through which GRN, every movement through the
bins, to which waybill and proof of delivery at which distribution point. This is the
question every donor audit asks, answered from the records themselves.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from aidhub.documents.gs1 import parse_scan
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.services.context import Context
from aidhub.services.planning import NO_BATCH_LABEL, lot_label
from aidhub.services.reference import item as find_item


@dataclass(frozen=True)
class Trace:
    item: str
    item_name: str
    batch: str
    expiry: dt.date | None
    sscc: str | None
    receipts: list[dict[str, Any]] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    waybills: list[dict[str, Any]] = field(default_factory=list)


def trace(ctx: Context, *, sscc: str | None = None, item: str | None = None,
          batch: str | None = None) -> Trace:
    """The path of a lot (item and batch), or of the lot of a pallet (its SSCC)."""
    with ctx.uow() as uow:
        code = None
        if sscc:
            code = parse_scan(sscc).sscc
            found = uow.inbound.unit_with_line(code) if code else None
            if found is None:
                raise NotFound("no pallet with SSCC %(sscc)s", sscc=sscc)
            lot = uow.reference.lot_by_id(found[2].lot_id)
        else:
            if not item:
                raise InvalidInput("give an SSCC, or an item and its batch", field="item")
            it = find_item(uow, item)
            label = (batch or "").strip()
            lot = uow.reference.lot(it.id, "" if label in ("", NO_BATCH_LABEL) else label)
            if lot is None:
                raise NotFound("%(item)s has no lot %(batch)s", item=it.code, batch=batch)
        it = uow.reference.item_by_id(lot.item_id)
        orgs = {o.id: o.code for o in uow.reference.organisations()}
        receipts = []
        for r in uow.outbound.lot_receipts(lot.id):
            chan = uow.inbound.channel(channel_id=r.channel_id) if r.channel_id else None
            receipts.append({
                "grn": r.grn, "received_at": r.issued_at, "consignment": r.number,
                "hub": uow.reference.site_by_id(r.hub_id).code,
                "donor": orgs.get(r.donor_id), "consignor": orgs.get(r.consignor_id),
                "owner": orgs.get(r.owner_id), "channel": chan.code if chan else None,
                "good": r.good, "damaged": r.damaged})
        moves = [{"seq": r.seq, "at": r.at, "kind": r.kind, "reference": r.reference,
                  "place": f"{r.site}/{r.location}", "quantity": r.quantity, "owner": r.owner}
                 for r in uow.outbound.lot_movements(lot.id)]
        bills = [{"waybill": r.number, "state": r.state, "line": r.line_no,
                  "destination": uow.reference.site_by_id(r.destination_id).code,
                  "dispatched_at": r.dispatched_at, "quantity": r.quantity, "sscc": r.sscc,
                  "pod": None if r.signer is None else {
                      "signer": r.signer, "received_at": r.received_at, "good": r.good,
                      "damaged": r.damaged, "short": r.short, "lost": r.lost}}
                 for r in uow.outbound.lot_waybills(lot.id)
                 if code is None or r.sscc in ("", code)]
        return Trace(it.code, it.name_en, lot_label(lot.batch), lot.expiry, code, receipts,
                     moves, bills)
