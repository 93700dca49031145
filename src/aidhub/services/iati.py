"""The IATI 2.03 export of a hub: what it received from donors and delivered to partners in
a period, as one IATI activity, checked against the IATI schema and rulesets before it is
given out.

Received goods are GRN lines, grouped per GRN, owner (the donor) and currency; delivered
goods are proof of delivery lines counted good, grouped per waybill, owner and currency.
Values are the declared values of the consignment lines (pro rata to the units received);
delivered goods are valued at their lot's declared unit value. Goods with no declared value
are reported with value 0 and say so.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pycountry

from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.organisations import Organisation, OrganisationType
from aidhub.domain.sites import Site, SiteKind
from aidhub.domain.values import parse_date
from aidhub.interop import iati
from aidhub.services import reference
from aidhub.services.context import Context, utcnow
from aidhub.store.repositories.iati import IatiRepository
from aidhub.store.uow import UnitOfWork

REPORTING_ORG_SETTING = "iati.reporting_org"


@dataclass(frozen=True)
class Export:
    xml: bytes
    identifier: str
    received: int  # incoming (type 1) transactions
    delivered: int  # disbursement (type 3) transactions
    unvalued: int  # transactions with no declared value (written as 0)
    currency: str


def export_activity(ctx: Context, *, hub: str, start: Any, end: Any,
                    reporting_org: str | None = None, organisation: str | None = None,
                    org_refs: Mapping[str, str] | None = None, currency: str | None = None,
                    country: str | None = None, now: dt.datetime | None = None) -> Export:
    """The hub's IATI activity for the days ``start`` to ``end`` (both included, UTC).

    ``reporting_org`` is the IATI identifier of the organisation that publishes (default:
    the ``iati.reporting_org`` setting, else the hub operator's IATI identifier);
    ``organisation`` keeps only the goods that organisation owns (a donor's own view);
    ``org_refs`` gives organisations' IATI identifiers by code; ``currency`` the default
    currency; ``country`` the country of sites whose P-code or UN/LOCODE does not say it.
    """
    first, last = parse_date(start, "from"), parse_date(end, "to")
    if last < first:
        raise InvalidInput("the period ends (%(end)s) before it starts (%(start)s); "
                           "give --from the first day and --to the last", field="to",
                           end=last, start=first)
    refs = {code.strip().upper(): _check_ref(ref, f"org ref {code}")
            for code, ref in (org_refs or {}).items()}
    now = now or utcnow()
    with ctx.uow() as uow:
        site = reference.site(uow, hub)
        if site.kind not in (SiteKind.HUB, SiteKind.WAREHOUSE):
            if site.kind is SiteKind.POINT_OF_ENTRY:
                raise InvalidInput("%(site)s is a point of entry; give a hub or warehouse",
                                   field="hub", site=site.code)
            raise InvalidInput("%(site)s is a distribution point; give a hub or warehouse",
                               field="hub", site=site.code)
        owner = reference.organisation(uow, organisation) if organisation else None
        repo = IatiRepository(uow.conn)
        since = dt.datetime.combine(first, dt.time(), dt.UTC)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC)
        owner_id = owner.id if owner else None
        receipts = repo.receipts(site.id, since, until, owner_id)
        deliveries = repo.deliveries(site.id, since, until, owner_id)
        if not receipts and not deliveries:
            if owner:
                raise NotFound("%(site)s has no goods owned by %(owner)s received (GRN) or "
                               "delivered (proof of delivery) from %(start)s to %(end)s; "
                               "choose another period with --from and --to",
                               site=site.code, owner=owner.code, start=first, end=last)
            raise NotFound("%(site)s has no goods received (GRN) or delivered (proof of "
                           "delivery) from %(start)s to %(end)s; choose another period with "
                           "--from and --to", site=site.code, start=first, end=last)
        build = _Builder(uow, refs, country)
        home = build.place(site)
        operator = uow.reference.organisation_by_id(site.operator_id) if site.operator_id \
            else None
        reporter = build.reporting_org(reporting_org or uow.inbound.setting(
            REPORTING_ORG_SETTING), operator, home.country)
        if operator:  # the publisher's identifier wherever it appears
            refs.setdefault(operator.code, reporter.ref)
        transactions = (build.receipts(receipts, reporter, home)
                        + build.deliveries(deliveries, repo, reporter, home.country))
        valued = Counter(t.currency for t in transactions if t.value is not None)
        default = _currency(currency or (valued.most_common(1)[0][0] if valued else "USD"))
        transactions = sorted((t if t.currency else replace(t, currency=default)
                               for t in transactions), key=lambda t: (t.day, t.type, t.ref))
        scope = f" Only goods owned by {owner.name} ({owner.code})." if owner else ""
        activity = iati.Activity(
            identifier=f"{reporter.ref}-{site.code}", internal_ref=site.code,
            reporting_org=reporter,
            title=f"In-kind humanitarian aid through {site.name} ({site.code})",
            description=(f"Goods received from donors and delivered to partners' distribution "
                         f"points by {site.name} ({site.code}), {first} to {last}.{scope}"),
            start=repo.first_day(site.id) or first, currency=default,
            places=(home, *build.places.values()), transactions=tuple(transactions),
            generated=now)
    xml = iati.activity_xml(activity)
    problems = iati.validate(xml, now)
    if problems:
        raise InvalidInput("the IATI export does not validate:\n%(problems)s", field="iati",
                           problems="\n".join(problems[:20]))
    return Export(xml, activity.identifier,
                  sum(t.type == iati.INCOMING_FUNDS for t in transactions),
                  sum(t.type == iati.DISBURSEMENT for t in transactions),
                  sum(t.value is None for t in transactions), default)


def _check_ref(ref: str, field: str) -> str:
    ref = (ref or "").strip()
    if not ref or set(ref) & set("/&|? \t"):
        raise InvalidInput("'%(ref)s' is not an IATI organisation identifier (like "
                           "XM-DAC-41140: no spaces, '/', '&', '|' or '?')", field=field,
                           ref=ref)
    return ref


def _currency(code: str) -> str:
    code = code.strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput("'%(code)s' is not an ISO 4217 currency code (USD, EUR...)",
                           field="currency", code=code)
    return code


class _Builder:
    """Turns rows into IATI transactions, remembering the places and organisations seen."""

    def __init__(self, uow: UnitOfWork, refs: dict[str, str], country: str | None):
        self.uow, self.refs, self.country = uow, refs, country
        self.places: dict[str, iati.Place] = {}

    def place(self, site: Site, beneficiaries: bool = False) -> iati.Place:
        code = (site.pcode or "")[:2] if (site.pcode or "")[:2].isalpha() else \
            (site.locode or "")[:2] or self.country
        if not code or pycountry.countries.get(alpha_2=code.upper()) is None:
            raise InvalidInput("site %(site)s has no P-code or UN/LOCODE that tells its "
                               "country; give the country, e.g. --country SY", field="country",
                               site=site.code)
        return iati.Place(site.code, site.name, code.upper(), site.pcode, site.lat, site.lon,
                          beneficiaries)

    def org(self, org: Organisation, country: str) -> iati.Org:
        ref = self.refs.get(org.code) or (org.code if iati.ORG_ID.fullmatch(org.code)
                                          else None)
        national = org.type is OrganisationType.NGO and org.country == country
        return iati.Org(org.name, ref, iati.NATIONAL_NGO if national
                        else iati.ORG_TYPES[org.type.value], org.name_ar)

    def reporting_org(self, ref: str | None, operator: Organisation | None,
                      country: str) -> iati.Org:
        known = self.org(operator, country) if operator else None
        ref = ref or (known.ref if known else None)
        if not ref:
            raise InvalidInput("give the IATI identifier of the organisation that publishes "
                               "this file, e.g. --reporting-org XM-DAC-41140 (WFP)",
                               field="reporting_org")
        ref = _check_ref(ref, "reporting_org")
        return iati.Org(known.name, ref, known.type, known.name_ar) if known \
            else iati.Org(ref, ref)

    def goods(self, rows: list[tuple[Any, int]]) -> tuple[iati.Goods, ...]:
        totals: dict[Any, int] = {}
        for item_id, quantity in rows:
            totals[item_id] = totals.get(item_id, 0) + quantity
        out = []
        for item_id, quantity in totals.items():
            item = self.uow.reference.item_by_id(item_id)
            out.append(iati.Goods(item.code, item.unit, quantity,
                                  iati.sector_of(item.category.value), item.weight_kg))
        return tuple(out)

    def receipts(self, rows, reporter: iati.Org, home: iati.Place) -> list[iati.Transaction]:
        def value(r) -> tuple[str, Decimal | None]:
            if r.value is None or not r.announced:
                return "", None
            return r.currency or "", r.value * (r.good + r.damaged) / r.announced

        return self._group(
            rows, lambda r: (r.grn, r.owner_id), value, lambda r: r.good + r.damaged,
            lambda r, org: iati.Transaction(
                iati.INCOMING_FUNDS, "", r.issued_at.date(), None, "",
                self.org(org, home.country), reporter, (), home.code,
                f"Received on GRN {r.grn} (consignment {r.consignment})."))

    def deliveries(self, rows, repo: IatiRepository, reporter: iati.Org,
                   country: str) -> list[iati.Transaction]:
        unit_values = _unit_values(repo.valued_receipts(r.lot_id for r in rows))

        def make(r, org: Organisation) -> iati.Transaction:
            site = self.uow.reference.site_by_id(r.destination_id)
            place = self.places.setdefault(site.code, self.place(site, beneficiaries=True))
            partner = self.uow.reference.organisation_by_id(r.consignee_id or site.operator_id) \
                if (r.consignee_id or site.operator_id) else None
            receiver = self.org(partner, place.country) if partner else iati.Org(site.name)
            return iati.Transaction(
                iati.DISBURSEMENT, "", r.received_at.date(), None, "", reporter, receiver,
                (), site.code, f"Delivered on waybill {r.waybill} to {site.name} ({site.code}), "
                f"proof of delivery; goods owned by {org.name}.")

        def value(r) -> tuple[str, Decimal | None]:
            currency, unit = unit_values.get(r.lot_id, ("", None))
            return (currency, unit * r.good) if unit is not None else ("", None)

        return self._group([r for r in rows if r.good], lambda r: (r.waybill, r.owner_id),
                           value, lambda r: r.good, make)

    def _group(self, rows, key: Callable, value: Callable, quantity: Callable,
               make: Callable) -> list[iati.Transaction]:
        """One transaction per key and currency (goods with no value apart), in order."""
        groups: dict[tuple, list] = {}
        for r in rows:
            currency, amount = value(r)
            groups.setdefault((*key(r), currency), []).append((r, amount))
        out = []
        for (ref, owner_id, currency), members in groups.items():
            org = self.uow.reference.organisation_by_id(owner_id)
            base = make(members[0][0], org)
            amounts = [a for _, a in members if a is not None]
            total = sum(amounts, Decimal(0)).quantize(Decimal("0.01")) if amounts else None
            tag = f"{ref}:{org.code}" + (f":{currency}" if currency else "")
            out.append(iati.Transaction(
                base.type, tag, base.day, total, currency, base.provider, base.receiver,
                self.goods([(r.item_id, quantity(r)) for r, _ in members]), base.place,
                base.note))
        return out


def _unit_values(rows) -> dict[Any, tuple[str, Decimal]]:
    """Each lot's declared value per unit, in the currency most of its units came in."""
    sums: dict[Any, dict[str, list[Decimal]]] = {}
    for r in rows:
        units = r.good + r.damaged
        if not units or not r.announced:
            continue
        per = sums.setdefault(r.lot_id, {}).setdefault(r.currency or "", [Decimal(0),
                                                                           Decimal(0)])
        per[0] += r.value * units / r.announced
        per[1] += units
    out = {}
    for lot_id, by_currency in sums.items():
        currency, (value, units) = max(by_currency.items(), key=lambda kv: kv[1][1])
        out[lot_id] = (currency, value / units)
    return out
