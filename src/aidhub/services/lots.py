"""Finding or creating the lot a stock line refers to."""

import datetime as dt

from aidhub.domain.catalog import Item, Lot, check_lot
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import lot_id
from aidhub.store.uow import UnitOfWork


def lot_for(uow: UnitOfWork, item: Item, batch: str | None, expiry: dt.date | None,
            *, create: bool, strict: bool = True) -> Lot:
    """The lot of ``item`` with this batch number. With ``create``, a new batch becomes a
    new lot; ``strict`` asks for the batch and expiry that items with a shelf life need
    (goods only announced, not yet counted, may lack them: then ``strict=False``). A batch
    keeps the expiry it was first given."""
    batch = (batch or "").strip()
    lot = uow.reference.lot(item.id, batch)
    if lot is None:
        if not create:
            raise NotFound("%(item)s has no lot '%(batch)s'; check the batch number",
                           item=item.code, batch=batch)
        if strict:
            batch, expiry = check_lot(item, batch, expiry)
        lot = Lot(lot_id(item.id, batch), item.id, batch, expiry)
        uow.reference.add_lots([lot])
    elif expiry is not None and lot.expiry is not None and expiry != lot.expiry:
        raise InvalidInput(
            "lot %(batch)s of %(item)s expires on %(known)s, not %(given)s; "
            "check the batch number and the date",
            field="expiry", batch=batch, item=item.code, known=lot.expiry, given=expiry,
        )
    return lot
