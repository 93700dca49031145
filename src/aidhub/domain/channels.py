"""Channels: how consignments reach a hub (mode, route, provider type)."""

import enum
import uuid
from dataclasses import dataclass

from aidhub.domain.organisations import OrganisationType


class TransportMode(enum.StrEnum):
    AIR = "air"
    SEA = "sea"
    ROAD = "road"
    RAIL = "rail"


class Route(enum.StrEnum):
    UN_CROSS_BORDER = "un_cross_border"
    CROSS_LINE = "cross_line"
    BILATERAL_GOVERNMENT = "bilateral_government"
    COMMERCIAL = "commercial"
    LOCAL_IN_KIND = "local_in_kind"


class TransportDocument(enum.StrEnum):
    """The document that travels with the goods."""

    AWB = "awb"  # air waybill
    BL = "bl"  # bill of lading (sea)
    CMR = "cmr"  # road consignment note
    CONVOY_MANIFEST = "convoy_manifest"
    RAIL_WAYBILL = "rail_waybill"
    WAYBILL = "waybill"  # an aidhub waybill: a transfer from a hub, or a return


@dataclass(frozen=True, slots=True)
class Channel:
    id: uuid.UUID
    code: str
    name: str
    mode: TransportMode
    route: Route
    provider_type: OrganisationType

    def describe(self) -> str:
        return f"{self.mode.value} · {self.route.value.replace('_', ' ')}"
