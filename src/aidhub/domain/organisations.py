"""Organisations: who gives, owns, operates and receives aid."""

import enum
import uuid
from dataclasses import dataclass


class OrganisationType(enum.StrEnum):
    UN_AGENCY = "un_agency"
    GOVERNMENT = "government"
    NGO = "ngo"
    PRIVATE = "private"
    COMMUNITY = "community"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A UN agency, government, NGO, company or community group.

    ``code`` is the short name people use (WFP, SARC); ``country`` an ISO 3166-1 alpha-2
    code where the organisation belongs to one country (a donor government, a national NGO).
    """

    id: uuid.UUID
    code: str
    name: str
    type: OrganisationType
    name_ar: str | None = None
    country: str | None = None
