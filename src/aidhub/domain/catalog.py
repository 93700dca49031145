"""The item catalog and lots."""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.errors import InvalidInput


class SumaCategory(enum.StrEnum):
    """The ten SUMA categories used at points of entry."""

    PHARMACEUTICAL = "pharmaceutical"
    WATER_SANITATION = "water_sanitation"
    HEALTH = "health"
    FOOD_DRINK = "food_drink"
    SHELTER_CONSTRUCTION = "shelter_construction"
    LOGISTICS_ADMINISTRATION = "logistics_administration"
    PERSONAL_NEEDS_EDUCATION = "personal_needs_education"
    HUMAN_RESOURCES = "human_resources"
    AGRICULTURE_LIVESTOCK = "agriculture_livestock"
    UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Item:
    """A kind of goods, counted in its inventory unit (the smallest counted unit).

    ``shelf_life`` items expire: every lot of them carries an expiry date.
    ``cold_chain`` items must be kept at 2-8 °C.
    """

    id: uuid.UUID
    code: str
    name_en: str
    category: SumaCategory
    unit: str
    name_ar: str | None = None
    name_ru: str | None = None
    weight_kg: Decimal = Decimal(0)
    volume_m3: Decimal = Decimal(0)
    shelf_life: bool = False
    cold_chain: bool = False
    hs_code: str | None = None
    gtin: str | None = None

    def name(self, language: str = "en") -> str:
        return {"ar": self.name_ar, "ru": self.name_ru}.get(language) or self.name_en


def check_gtin(value: str | None) -> str | None:
    """A GS1 GTIN-8/12/13/14 with a correct check digit."""
    if value is None:
        return None
    digits = value.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (8, 12, 13, 14):
        raise InvalidInput("'%(value)s' is not a GTIN (8, 12, 13 or 14 digits)", field="gtin",
                           value=value)
    if gs1_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidInput("'%(value)s' has a wrong check digit", field="gtin", value=value)
    return digits


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of a digit string (GTIN, SSCC, GLN)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


NO_BATCH = ""


@dataclass(frozen=True, slots=True)
class Lot:
    """A batch of one item: batch number and expiry. Items that are not tracked by batch
    have one lot each with an empty batch number and no expiry."""

    id: uuid.UUID
    item_id: uuid.UUID
    batch: str = NO_BATCH
    expiry: dt.date | None = None


def check_lot(item: Item, batch: str | None, expiry: dt.date | None) -> tuple[str, dt.date | None]:
    """The (batch, expiry) a stock line of this item may carry."""
    batch = (batch or "").strip()
    if len(batch) > 60:
        raise InvalidInput("a batch number has at most 60 characters", field="lot")
    if item.shelf_life and expiry is None:
        raise InvalidInput(
            "%(item)s has a shelf life: give the lot's expiry date (YYYY-MM-DD)",
            field="expiry", item=item.code,
        )
    if item.shelf_life and not batch:
        raise InvalidInput(
            "%(item)s has a shelf life: give the lot's batch number", field="lot",
            item=item.code,
        )
    return batch, expiry


CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "item code", "#item+code"),
    "name_en": ("name_en", "name", "description", "#item+name+i_en", "#item+name"),
    "name_ar": ("name_ar", "#item+name+i_ar"),
    "name_ru": ("name_ru", "#item+name+i_ru"),
    "category": ("suma_category", "category", "#item+type+suma", "#item+type"),
    "unit": ("unit", "inventory unit", "uom", "#item+unit"),
    "weight_kg": ("weight_kg", "weight", "#item+weight"),
    "volume_m3": ("volume_m3", "volume", "#item+volume"),
    "shelf_life": ("shelf_life", "#item+shelf_life"),
    "cold_chain": ("cold_chain", "#item+cold_chain"),
    "hs_code": ("hs_code", "hs", "#item+code+hs"),
    "gtin": ("gtin", "ean", "barcode", "#item+code+gtin"),
}
CATALOG_REQUIRED = ("code", "name_en", "category", "unit")


def item_from_fields(fields: dict[str, str], row: int | None = None,
                     item_id: uuid.UUID | None = None) -> Item:
    """An item from the text fields of a catalog row (see ``CATALOG_COLUMNS``)."""
    from aidhub.domain.ids import new_id
    from aidhub.domain.values import parse_code, parse_decimal, parse_flag, parse_optional

    def field(name: str) -> str:
        return (fields.get(name) or "").strip()

    try:
        code = parse_code(field("code"))
        name_en = field("name_en")
        if not name_en:
            raise InvalidInput("give the item's English name", field="name_en")
        category_text = field("category").lower().replace("&", "").replace(" ", "_")
        category_text = category_text.replace("__", "_")
        try:
            category = SumaCategory(category_text)
        except ValueError:
            raise InvalidInput(
                "'%(category)s' is not a SUMA category; use one of %(categories)s",
                field="suma_category", category=field("category"),
                categories=", ".join(c.value for c in SumaCategory),
            ) from None
        unit = field("unit").lower()
        if not unit or len(unit) > 30:
            raise InvalidInput("give the inventory unit (piece, box, kit...)", field="unit")
        hs = parse_optional(field("hs_code"))
        if hs is not None and not all(c.isdigit() or c == "." for c in hs):
            raise InvalidInput("'%(hs)s' is not an HS code (digits, like 3004.90)",
                               field="hs_code", hs=hs)
        return Item(
            id=item_id or new_id(),
            code=code,
            name_en=name_en[:200],
            category=category,
            unit=unit,
            name_ar=parse_optional(field("name_ar")),
            name_ru=parse_optional(field("name_ru")),
            weight_kg=parse_decimal(field("weight_kg") or "0", "weight_kg"),
            volume_m3=parse_decimal(field("volume_m3") or "0", "volume_m3"),
            shelf_life=parse_flag(field("shelf_life"), "shelf_life"),
            cold_chain=parse_flag(field("cold_chain"), "cold_chain"),
            hs_code=hs,
            gtin=check_gtin(parse_optional(field("gtin"))),
        )
    except InvalidInput as exc:
        if row is None:
            raise
        raise InvalidInput(exc.template, field=exc.field, row=row, **exc.values) from None


class ExpiryAlert(enum.StrEnum):
    """RITA's expiry alerts: yellow under 9 months, red under 3 months, expired blocked."""

    YELLOW = "yellow"
    RED = "red"
    EXPIRED = "expired"


def expiry_alert(expiry: dt.date | None, today: dt.date) -> ExpiryAlert | None:
    if expiry is None:
        return None
    for alert in (ExpiryAlert.EXPIRED, ExpiryAlert.RED, ExpiryAlert.YELLOW):  # worst first
        if expiry < alert_until(alert, today):
            return alert
    return None


def alert_until(alert: ExpiryAlert, today: dt.date) -> dt.date:
    """The day from which a lot is no longer under ``alert`` or a worse one: a lot that
    expires before it is."""
    months = {ExpiryAlert.EXPIRED: 0, ExpiryAlert.RED: 3, ExpiryAlert.YELLOW: 9}[alert]
    return _add_months(today, months)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
