"""Sites (hubs, warehouses, points of entry, distribution points) and their locations."""

import enum
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.errors import InvalidInput


class SiteKind(enum.StrEnum):
    HUB = "hub"
    WAREHOUSE = "warehouse"
    POINT_OF_ENTRY = "point_of_entry"
    DISTRIBUTION_POINT = "distribution_point"


class LocationKind(enum.StrEnum):
    """Where stock can be. Physical kinds hold real goods and never go below zero;
    virtual kinds balance the books (their balance is the sum of what passed through)."""

    ZONE = "zone"
    BIN = "bin"
    QUARANTINE = "quarantine"
    STAGING = "staging"  # picked goods waiting to be loaded: never offered to plans
    VEHICLE = "vehicle"
    EXTERNAL = "external"
    IN_TRANSIT = "in_transit"
    DISTRIBUTED = "distributed"
    LOST = "lost"
    DISPOSED = "disposed"

    @property
    def physical(self) -> bool:
        return self in _PHYSICAL


_PHYSICAL = frozenset(
    {LocationKind.ZONE, LocationKind.BIN, LocationKind.QUARANTINE, LocationKind.STAGING,
     LocationKind.VEHICLE}
)

# Every site gets one location of each virtual kind, and a quarantine area, when it is
# created; their codes are fixed so that commands can name them without a lookup.
STANDARD_LOCATIONS: tuple[tuple[str, LocationKind, str], ...] = (
    ("EXTERNAL", LocationKind.EXTERNAL, "Outside the system (donors, suppliers)"),
    ("IN-TRANSIT", LocationKind.IN_TRANSIT, "Inbound in transit"),
    ("DISTRIBUTED", LocationKind.DISTRIBUTED, "Distributed"),
    ("LOST", LocationKind.LOST, "Lost, damaged or found in counts"),
    ("DISPOSED", LocationKind.DISPOSED, "Disposed"),
    ("QUARANTINE", LocationKind.QUARANTINE, "Quarantine"),
)

_PCODE = re.compile(r"^[A-Z]{2}\d{2}(\d{2}){0,3}$|^C\d{4,6}$")
_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def check_pcode(value: str | None) -> str | None:
    """An OCHA P-code: country letters then 2, 4, 6 or 8 digits (SY02, SY0200), or a
    community code (C1234)."""
    if value is None:
        return None
    code = value.strip().upper()
    if not _PCODE.match(code):
        raise InvalidInput(
            "'%(value)s' is not a P-code; write it like SY02 (admin1) or SY0200 (admin2)",
            field="pcode", value=value,
        )
    return code


def check_locode(value: str | None) -> str | None:
    """A UN/LOCODE: two-letter country and three-character place, e.g. SYLTK."""
    if value is None:
        return None
    code = value.strip().upper().replace(" ", "")
    if not _LOCODE.match(code):
        raise InvalidInput(
            "'%(value)s' is not a UN/LOCODE; write it like SYLTK (country + 3 letters)",
            field="locode", value=value,
        )
    return code


def check_coordinates(lat: Decimal | None, lon: Decimal | None) -> None:
    if (lat is None) != (lon is None):
        raise InvalidInput("give both latitude and longitude, or neither", field="lat")
    if lat is not None and not Decimal(-90) <= lat <= Decimal(90):
        raise InvalidInput("latitude %(lat)s is outside -90..90", field="lat", lat=lat)
    if lon is not None and not Decimal(-180) <= lon <= Decimal(180):
        raise InvalidInput("longitude %(lon)s is outside -180..180", field="lon", lon=lon)


@dataclass(frozen=True, slots=True)
class Site:
    id: uuid.UUID
    code: str
    name: str
    kind: SiteKind
    pcode: str | None = None
    locode: str | None = None
    lat: Decimal | None = None
    lon: Decimal | None = None
    operator_id: uuid.UUID | None = None
    population: int | None = None


@dataclass(frozen=True, slots=True)
class Location:
    id: uuid.UUID
    site_id: uuid.UUID
    code: str
    name: str
    kind: LocationKind

    @property
    def physical(self) -> bool:
        return self.kind.physical
