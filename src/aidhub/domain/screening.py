"""Screening decisions: parties, hits, holds and the four-eyes rule.

A **party** is any organisation or person in the chain (donor, consignor, consignee,
transporter, driver, partner). Screening it against the loaded lists produces **hits**;
a hit at or above the alert threshold puts a **hold** on the party and on what it
touches. A person other than the one who submitted the party decides each hit: clear
(a false positive, remembered for that party and entry until either changes), confirm (a
true match) or escalate (to the hub manager). Goods hits (controlled goods) are decided
the same way and are never cleared automatically.
"""

import datetime as dt
import enum
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass

from aidhub.domain.errors import AidhubError, InvalidInput, Term


class PartyKind(enum.StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


class PartyRole(enum.StrEnum):
    DONOR = "donor"
    CONSIGNOR = "consignor"
    CONSIGNEE = "consignee"
    TRANSPORTER = "transporter"
    DRIVER = "driver"
    PARTNER = "partner"
    ORGANISATION = "organisation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Party:
    id: uuid.UUID
    kind: PartyKind
    name: str
    original_name: str | None = None
    birth_date: dt.date | None = None
    nationality: str | None = None
    id_number: str | None = None
    organisation_id: uuid.UUID | None = None
    submitted_by: str = ""

    def fingerprint(self) -> str:
        """What a clearing decision was made about: if any of this changes, the party is
        screened afresh and old clearances no longer apply."""
        text = "|".join(str(v or "") for v in (self.kind.value, self.name, self.original_name,
                                                 self.birth_date, self.nationality,
                                                 self.id_number))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# Invisible characters a name is stored without: bidi embeddings, overrides and isolates
# (which can show a name reversed), LRM/RLM/ALM marks, zero-width space, word joiner,
# BOM, soft hyphen. ZWNJ and ZWJ stay: Persian and Arabic names need them (screening
# drops them when it compares).
_NAME_INVISIBLE = dict.fromkeys([0x00AD, 0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF,
                                 *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def check_party_name(name: str) -> str:
    """A party's name as stored: NFC, invisible formatting characters removed, spaces
    squashed; control characters (NUL...) are refused."""
    text = unicodedata.normalize("NFC", name or "").translate(_NAME_INVISIBLE)
    if any(unicodedata.category(c) == "Cc" and not c.isspace() for c in text):
        raise InvalidInput("the name holds control characters; type it again",
                           field="name")
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("give the party's name", field="name")
    if len(text) > 300:
        raise InvalidInput("a name has at most 300 characters", field="name")
    return text


class HitState(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLEARED = "cleared"
    CONFIRMED = "confirmed"


class Decision(enum.StrEnum):
    CLEAR = "clear"
    CONFIRM = "confirm"
    ESCALATE = "escalate"


class Exemption(enum.StrEnum):
    """What a decision relies on when goods reach a listed party lawfully anyway."""

    NONE = "none"
    UNSC_2664 = "unsc_2664"  # the humanitarian carve-out of UNSC resolution 2664 (2022)
    LICENCE = "licence"  # a national licence (OFAC general or specific licence, ...)


DECIDED = {Decision.CLEAR: HitState.CLEARED, Decision.CONFIRM: HitState.CONFIRMED,
           Decision.ESCALATE: HitState.ESCALATED}


class FourEyes(AidhubError):
    """The person who submitted something cannot decide on its screening hits."""


def check_decision(*, state: HitState, submitted_by: str, decided_by: str,
                   decision: Decision, reason: str, exemption: Exemption,
                   licence: str = "", automatic: bool = False, goods: bool = False) -> HitState:
    """The state a hit goes to, or why this decision is not allowed."""
    if automatic and goods and decision is Decision.CLEAR:
        raise InvalidInput("goods hits are never cleared automatically: a person classifies "
                           "the goods", field="decision")
    if state in (HitState.CLEARED, HitState.CONFIRMED):
        raise InvalidInput("this hit was already %(state)s", field="decision",
                           state=Term(state))
    if decided_by.strip().lower() == submitted_by.strip().lower():
        raise FourEyes("%(user)s submitted this and cannot decide on it: another "
                       "screening officer must (four-eyes rule)", user=decided_by)
    if not reason.strip():
        raise InvalidInput("give the reason for the decision: it is kept and shown to "
                           "auditors", field="reason")
    if exemption is Exemption.LICENCE and not licence.strip():
        raise InvalidInput("give the licence reference relied upon", field="licence")
    return DECIDED[decision]


class HoldState(enum.StrEnum):
    ACTIVE = "active"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class GoodsRule:
    """One line of the controlled-goods list: HS code prefixes and keywords (English,
    Arabic, Russian) that make goods need classification, with the control it maps to."""

    code: str
    control: str  # e.g. "EU dual-use 1C350" or "arms embargo"
    hs_prefixes: tuple[str, ...]
    keywords: tuple[str, ...]
    note: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class GoodsHit:
    rule: GoodsRule
    reason: str


def screen_goods(rules: list[GoodsRule], *, hs_code: str | None,
                 texts: list[str]) -> list[GoodsHit]:
    """The rules that goods with this HS code and these descriptions (any language) meet."""
    hs = (hs_code or "").replace(".", "").replace(" ", "")
    words = " ".join(t.casefold() for t in texts if t)
    hits = []
    for rule in rules:
        prefix = next((p for p in rule.hs_prefixes if hs and hs.startswith(p)), None)
        keyword = next((k for k in rule.keywords if re.search(
            rf"(?<!\w){re.escape(k.casefold())}", words)), None)
        if prefix:
            hits.append(GoodsHit(rule, f"HS code {hs_code} falls under {prefix} "
                                       f"({rule.control})"))
        elif keyword:
            hits.append(GoodsHit(rule, f"the description mentions '{keyword}' "
                                       f"({rule.control})"))
    return hits
