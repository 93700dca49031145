"""Screening: loading sanctions lists, screening parties and goods, holds, decisions.

Parties are screened when they are created, when they appear on a pre-advice, at arrival,
when the consignment enters screening, and all at once whenever a list version changes.
A hit at or above the alert threshold holds the party and every consignment it is on;
a goods hit holds the line and its consignment. A different person from the one who
submitted the party (or the consignment) decides each hit.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ids import natural_id, new_id
from aidhub.domain.screening import (
    Decision,
    Exemption,
    GoodsRule,
    HitState,
    Party,
    PartyKind,
    check_decision,
    check_party_name,
    screen_goods,
)
from aidhub.domain.values import parse_date
from aidhub.interop.problems import Problem
from aidhub.screening.model import EntityKind, Query
from aidhub.screening.serial import dumps, entry_from_json, fingerprint
from aidhub.services import reference
from aidhub.services.context import Context
from aidhub.services.idempotency import run_command
from aidhub.store.uow import UnitOfWork

OPEN = (HitState.OPEN.value, HitState.ESCALATED.value)
_MATCHERS: dict[tuple, Any] = {}


def alert_threshold() -> float:
    from aidhub.screening.matcher import ALERT_THRESHOLD

    return ALERT_THRESHOLD


def _matcher(uow: UnitOfWork):
    """The matcher over the newest version of every list (built once per set of
    versions, then kept)."""
    versions = uow.screening.latest_versions()
    if not versions:
        return None
    key = (str(uow.engine.url), tuple(sorted(str(v.id) for v in versions)))
    if key not in _MATCHERS:
        from aidhub.screening.matcher import Matcher

        entries = [entry_from_json(json.loads(r.data)) for v in versions
                   for r in uow.screening.entries(v.id)]
        _MATCHERS.clear()
        _MATCHERS[key] = Matcher(entries)
    return _MATCHERS[key]


# lists --------------------------------------------------------------------------------
def load_list(ctx: Context, data: bytes, *, key: str, format: str | None = None,
              progress=None) -> dict[str, Any]:
    """Load a sanctions list file as a new version of its list, show what changed, and
    screen every party again."""
    from aidhub.screening.lists import diff
    from aidhub.screening.lists import load_list as read_list

    loaded = read_list(data, format, progress=progress)
    request = {"list": loaded.list, "format": loaded.format, "hash": loaded.file_hash}

    def work(uow: UnitOfWork, now: dt.datetime):
        previous = next((v for v in uow.screening.versions(loaded.list)), None)
        if previous is not None and previous.file_hash == loaded.file_hash:
            raise InvalidInput("this file is already the newest version of the %(list)s "
                               "list; nothing to load", field="file", list=loaded.list)
        old = ([entry_from_json(json.loads(r.data)) for r in uow.screening.entries(previous.id)]
               if previous is not None else [])
        changes = diff(old, list(loaded.entries))
        version_id = new_id()
        uow.screening.add_version(
            {"id": version_id, "list": loaded.list, "format": loaded.format,
             "generated": loaded.generated, "file_hash": loaded.file_hash, "loaded_at": now,
             "loaded_by": ctx.actor, "entries": len(loaded.entries),
             "added": len(changes.added), "removed": len(changes.removed),
             "changed": len(changes.changed)},
            [{"version_id": version_id, "entry_id": e.entry_id, "kind": e.kind.value,
              "caption": e.caption[:300], "fingerprint": fingerprint(e), "data": dumps(e)}
             for e in loaded.entries])
        hits = _rescreen_all(uow, now, ctx.actor)
        return f"{loaded.list} {loaded.file_hash[:12]}", {
            "list": loaded.list, "version": str(version_id), "entries": len(loaded.entries),
            "added": len(changes.added), "removed": len(changes.removed),
            "changed": len(changes.changed), "hits": hits,
            "added_ids": [e.entry_id for e in changes.added][:50],
            "removed_ids": [e.entry_id for e in changes.removed][:50],
            "changed_ids": [new.entry_id for _, new in changes.changed][:50]}

    return run_command(ctx, key, "list.load", request, work)


def list_versions(ctx: Context, list_name: str | None = None) -> list[Any]:
    with ctx.uow() as uow:
        return uow.screening.versions(list_name)


def _rescreen_all(uow: UnitOfWork, now: dt.datetime, actor: str) -> int:
    matcher = _matcher(uow)
    if matcher is None:
        return 0
    return sum(_screen_party(uow, p, matcher, now) for p in uow.screening.parties())


# parties ------------------------------------------------------------------------------
def _query(party: Party) -> Query:
    return Query(party.name, EntityKind(party.kind.value), party.original_name,
                 party.birth_date, None, party.nationality, party.id_number)


def _screen_party(uow: UnitOfWork, party: Party, matcher, now: dt.datetime) -> int:
    """Screen one party; record new alerts and hold the party and its consignments."""
    if matcher is None:
        return 0
    threshold = alert_threshold()
    known = {(h.list, h.entry_id, h.entry_fingerprint, h.party_fingerprint)
             for h in uow.screening.hits(party_id=party.id)}
    new = 0
    for match in matcher.screen(_query(party), cutoff=threshold):
        if match.score < threshold:
            continue
        key = (match.entry.list, match.entry.entry_id, fingerprint(match.entry),
               party.fingerprint())
        if key in known:  # already open, or decided for this party and this entry
            continue
        hit_id = uow.screening.add_hit({
            "kind": "party", "party_id": party.id, "list": match.entry.list,
            "entry_id": match.entry.entry_id, "entry_name": match.name[:300],
            "entry_fingerprint": key[2], "party_fingerprint": key[3],
            "score": round(match.score, 4), "explanation": match.explanation,
            "state": HitState.OPEN.value, "submitted_by": party.submitted_by,
            "created_at": now})
        reason = (f"{party.name} may be {match.entry.caption} ({match.entry.list} "
                  f"{match.entry.entry_id}), score {match.score:.2f}")
        uow.screening.add_hold("party", party.id, reason, hit_id, now)
        for consignment_id in uow.screening.consignments_of(party.id):
            uow.screening.add_hold("consignment", consignment_id, reason, hit_id, now)
        new += 1
    return new


def add_party(ctx: Context, *, key: str, kind: str, name: str,
              original_name: str | None = None, birth_date: Any = None,
              nationality: str | None = None, id_number: str | None = None) -> dict[str, Any]:
    """Register a party (a person or organisation) and screen it at once."""
    party_kind = reference.choice(PartyKind, kind, "kind")
    name = check_party_name(name)
    born = parse_date(birth_date, "birth_date") if birth_date not in (None, "") else None
    request = {"kind": party_kind.value, "name": name, "original_name": original_name,
               "birth_date": born.isoformat() if born else None, "nationality": nationality,
               "id_number": id_number}

    def work(uow: UnitOfWork, now: dt.datetime):
        party = Party(new_id(), party_kind, name, original_name or None, born,
                      nationality or None, id_number or None, None, ctx.actor)
        uow.screening.add_party(party, now)
        hits = _screen_party(uow, party, _matcher(uow), now)
        return name, {"id": str(party.id), "name": name, "hits": hits}

    return run_command(ctx, key, "party.add", request, work)


def _party_for_organisation(uow: UnitOfWork, org_id: uuid.UUID, actor: str,
                            now: dt.datetime) -> Party:
    party = uow.screening.party_of_organisation(org_id)
    if party is None:
        org = next(o for o in uow.reference.organisations() if o.id == org_id)
        party = Party(natural_id("party", org.id), PartyKind.ORGANIZATION, org.name,
                      org.name_ar, None,
                      org.country, None, org.id, actor)
        uow.screening.add_party(party, now)
    return party


def _party_for_person(uow: UnitOfWork, name: str, actor: str, now: dt.datetime) -> Party:
    name = check_party_name(name)
    party = uow.screening.party_named(PartyKind.PERSON, name)
    if party is None:
        party = Party(natural_id("person", name), PartyKind.PERSON, name,
                      submitted_by=actor)
        uow.screening.add_party(party, now)
    return party


def holds_on_parties(uow: UnitOfWork, *, people: list[str] = (),
                     organisations: list[uuid.UUID] = (), actor: str,
                     now: dt.datetime) -> tuple[list[Party], list[str]]:
    """Screen the people and organisations a dispatch involves (drivers, transporters,
    receivers) against the lists in force; their parties and the reasons of any hold on
    them. Nothing may be dispatched to, or carried by, a party on hold."""
    matcher = _matcher(uow)
    parties = [_party_for_person(uow, name, actor, now) for name in people]
    parties += [_party_for_organisation(uow, org_id, actor, now) for org_id in organisations]
    for party in parties:
        _screen_party(uow, party, matcher, now)
    held = uow.screening.active_holds("party", [p.id for p in parties])
    names = {p.id: p.name for p in parties}
    return parties, [f"{names[h.subject_id]}: {h.reason}" for h in held]


# consignments --------------------------------------------------------------------------
def screen_consignment(uow: UnitOfWork, c, actor: str, now: dt.datetime) -> int:
    """Screen a consignment's parties and goods; return how many hits are open on it."""
    matcher = _matcher(uow)
    involved: list[tuple[Party, str]] = []
    for org_id, role in ((c.consignor_id, "consignor"), (c.consignee_id, "consignee"),
                         (c.donor_id, "donor")):
        if org_id is not None:
            involved.append((_party_for_organisation(uow, org_id, actor, now), role))
    lines = uow.inbound.lines(c.id)
    for donor in {ln.donor_id for ln in lines if ln.donor_id}:
        involved.append((_party_for_organisation(uow, donor, actor, now), "donor"))
    if c.driver.strip():
        involved.append((_party_for_person(uow, c.driver, actor, now), "driver"))
    for party, role in involved:
        uow.screening.link(party.id, c.id, role)
        _screen_party(uow, party, matcher, now)
        _hold_for_open_party_hits(uow, party, c.id, now)
    _screen_goods(uow, c, lines, actor, now)
    return len(open_hits(uow, c))


def _hold_for_open_party_hits(uow: UnitOfWork, party: Party, consignment_id: uuid.UUID,
                              now: dt.datetime) -> None:
    held = {h.hit_id for h in uow.screening.active_holds("consignment", [consignment_id])}
    for hit in uow.screening.hits(party_id=party.id):
        if hit.state in OPEN and hit.id not in held:
            uow.screening.add_hold("consignment", consignment_id,
                                   f"{party.name}: open screening hit {hit.entry_id}",
                                   hit.id, now)


def goods_rules(uow: UnitOfWork) -> list[GoodsRule]:
    """The hub's controlled-goods list: the one it loaded last, or the starter list."""
    loaded = uow.screening.goods_list()
    text = loaded.content if loaded is not None else (
        resources.files("aidhub.screening") / "data" / "controlled-goods.csv").read_text(
            encoding="utf-8")
    return parse_goods_list(text)


def parse_goods_list(text: str) -> list[GoodsRule]:
    rows = list(csv.DictReader(io.StringIO(text)))
    needed = {"code", "control", "hs_prefixes", "keywords"}
    if not rows or not needed <= set(rows[0]):
        raise InvalidInput("a controlled-goods list needs the columns code, control, "
                           "hs_prefixes, keywords (and optionally note, source)", field="file")
    rules, problems = [], []
    for n, row in enumerate(rows, start=2):
        prefixes = tuple(p for p in (row["hs_prefixes"] or "").split() if p)
        if any(not p.isdigit() for p in prefixes):
            problems.append(Problem(n, "hs_prefixes", "HS prefixes are digits, space separated",
                                    "hs_prefixes"))
        keywords = tuple(k.strip() for k in (row["keywords"] or "").split("|") if k.strip())
        if not (row["code"] or "").strip() or not (prefixes or keywords):
            problems.append(Problem(n, None,
                                    "give a code and at least one HS prefix or keyword"))
        rules.append(GoodsRule(row["code"].strip(), (row["control"] or "").strip(), prefixes,
                               keywords, (row.get("note") or "").strip(),
                               (row.get("source") or "").strip()))
    if problems:
        from aidhub.interop.problems import rejected

        raise rejected(problems, "loaded")
    return rules


def load_goods_list(ctx: Context, data: bytes, *, key: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the list is not UTF-8 text; save it as CSV UTF-8",
                           field="file") from None
    rules = parse_goods_list(text)
    digest = hashlib.sha256(data).hexdigest()

    def work(uow: UnitOfWork, now: dt.datetime):
        uow.screening.add_goods_list(digest, text, ctx.actor, now)
        return f"goods list {digest[:12]}", {"rules": len(rules), "hash": digest}

    return run_command(ctx, key, "goods_list.load", {"hash": digest}, work)


def _screen_goods(uow: UnitOfWork, c, lines, actor: str, now: dt.datetime) -> None:
    rules = goods_rules(uow)
    known = {(h.consignment_line_id, h.entry_id)
             for h in uow.screening.hits(line_ids=[ln.id for ln in lines])}
    for line in lines:
        item = uow.reference.item_by_id(line.item_id) if line.item_id else None
        texts = [line.description] + ([item.name_en, item.name_ar or "", item.name_ru or ""]
                                      if item else [])
        for hit in screen_goods(rules, hs_code=item.hs_code if item else None, texts=texts):
            if (line.id, hit.rule.code) in known:
                continue
            hit_id = uow.screening.add_hit({
                "kind": "goods", "consignment_line_id": line.id, "list": "goods",
                "entry_id": hit.rule.code, "entry_name": hit.rule.control[:300],
                "entry_fingerprint": "", "party_fingerprint": "", "score": 1,
                "explanation": f"line {line.line_no}: {hit.reason}. {hit.rule.note}".strip(),
                "state": HitState.OPEN.value, "submitted_by": actor, "created_at": now})
            reason = f"line {line.line_no} needs classification: {hit.reason}"
            uow.screening.add_hold("line", line.id, reason, hit_id, now)
            uow.screening.add_hold("consignment", c.id, reason, hit_id, now)


def open_hits(uow: UnitOfWork, c) -> list[Any]:
    """The undecided hits on a consignment's parties and lines."""
    party_ids = [p.id for p, _ in uow.screening.parties_of(c.id)]
    line_ids = [ln.id for ln in uow.inbound.lines(c.id)]
    found = [h for pid in party_ids for h in uow.screening.hits(party_id=pid)]
    found += uow.screening.hits(line_ids=line_ids)
    return [h for h in found if h.state in OPEN]


def active_holds(uow: UnitOfWork, c) -> list[Any]:
    line_ids = [ln.id for ln in uow.inbound.lines(c.id)]
    return (uow.screening.active_holds("consignment", [c.id])
            + uow.screening.active_holds("line", line_ids))


# decisions ----------------------------------------------------------------------------
def decide(ctx: Context, hit_id: str, decision: str, *, key: str, reason: str,
           exemption: str = "none", licence: str = "",
           scope: Scope = EVERYTHING) -> dict[str, Any]:
    """Clear, confirm or escalate a hit. The decider must not be who submitted it. A clear
    releases the holds it caused; a confirm rejects the consignments still in screening.
    A hit outside ``scope`` (see :func:`hubs_of_hits`) is not found, and is not decided."""
    what = reference.choice(Decision, decision, "decision")
    relied = reference.choice(Exemption, exemption, "exemption")
    request = {"hit": hit_id, "decision": what.value, "reason": reason,
               "exemption": relied.value, "licence": licence}
    if not scope.everything:  # before a retried key could answer with its stored result
        with ctx.uow() as uow:
            _hit(uow, hit_id, scope=scope)

    def work(uow: UnitOfWork, now: dt.datetime):
        hit = _hit(uow, hit_id, lock=True, scope=scope)
        state = check_decision(state=HitState(hit.state), submitted_by=hit.submitted_by,
                               decided_by=ctx.actor, decision=what, reason=reason,
                               exemption=relied, licence=licence, goods=hit.kind == "goods")
        uow.screening.update_hit(hit.id, state=state.value, decided_by=ctx.actor,
                                 decided_at=now, reason=reason.strip(),
                                 exemption=relied.value, licence=licence.strip())
        released = 0
        if state is HitState.CLEARED:
            released = uow.screening.release_holds_of_hit(hit.id, ctx.actor, now)
        rejected = []
        if state is HitState.CONFIRMED:
            rejected = _reject_consignments(uow, hit, reason, now, ctx.actor, key)
        return f"hit {hit.id}", {"hit": str(hit.id), "state": state.value,
                                 "holds_released": released, "rejected": rejected}

    return run_command(ctx, key, "hit.decide", request, work)


def _hit(uow: UnitOfWork, hit_id: str, *, lock: bool = False, scope: Scope = EVERYTHING):
    """The hit, or NotFound when there is none or ``scope`` does not see it (the same
    answer: whether a hit exists at another hub does not leak)."""
    try:
        found = uow.screening.hit(uuid.UUID(str(hit_id).strip()), lock=lock)
    except ValueError:
        found = None
    if found is None or not (scope.everything or
                             _sees(scope, hubs_of_hits(uow, [found])[found.id])):
        raise NotFound("no screening hit %(hit)s; see `aidhub hits list`", hit=hit_id)
    return found


# who sees a hit ------------------------------------------------------------------------
def hubs_of_hits(uow: UnitOfWork, hits: list[Any]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """The hubs each hit concerns: those of the consignments its party is on (as
    consignor, consignee, donor or driver), of the consignment its goods line is in, of
    the consignments it holds, and of the waybills its party drives, carries or receives
    (the dispatching hub and the destination). An empty set: a hit on a party that is at
    no hub yet, such as one screened on registration."""
    hub_of: dict[uuid.UUID, uuid.UUID] = {}

    def consignment_hub(consignment_id: uuid.UUID) -> uuid.UUID:
        if consignment_id not in hub_of:
            hub_of[consignment_id] = uow.inbound.consignment_by_id(consignment_id).hub_id
        return hub_of[consignment_id]

    held: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    wanted = {h.id for h in hits}
    for hold in uow.screening.active_holds("consignment"):
        if hold.hit_id in wanted:
            held[hold.hit_id].add(hold.subject_id)
    by_party: dict[uuid.UUID, set[uuid.UUID]] | None = None
    by_organisation: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    out: dict[uuid.UUID, set[uuid.UUID]] = {}
    for hit in hits:
        consignment_ids = set(held[hit.id])
        hubs: set[uuid.UUID] = set()
        if hit.party_id is not None:
            consignment_ids |= set(uow.screening.consignments_of(hit.party_id))
            if by_party is None:  # the waybills, read once for every party hit
                by_party = defaultdict(set)
                for wb in uow.outbound.waybills():
                    ends = {wb.hub_id, wb.destination_id}
                    by_party[wb.driver_party_id] |= ends
                    by_party[wb.transporter_party_id] |= ends
                    if wb.consignee_id is not None:
                        by_organisation[wb.consignee_id] |= ends
            hubs |= by_party.get(hit.party_id, set())
            party = uow.screening.party(hit.party_id)
            if party is not None and party.organisation_id is not None:
                hubs |= by_organisation.get(party.organisation_id, set())
        if hit.consignment_line_id is not None:
            line = uow.inbound.line(hit.consignment_line_id)
            if line is not None:
                consignment_ids.add(line.consignment_id)
        out[hit.id] = hubs | {consignment_hub(cid) for cid in consignment_ids}
    return out


def _sees(scope: Scope, hubs: set[uuid.UUID]) -> bool:
    """Whether ``scope`` sees a hit concerning ``hubs``: everyone with the screen
    permission sees a hit at no hub yet (someone must decide it); a screener limited to
    some hubs sees those at one of them; admins see every hit."""
    return scope.everything or not hubs or bool(hubs & set(scope.hub_ids or ()))


def _reject_consignments(uow: UnitOfWork, hit, reason: str, now: dt.datetime, actor: str,
                         key: str) -> list[str]:
    from aidhub.domain.consignments import State
    from aidhub.services.consignments import apply_state

    ids = set(uow.screening.consignments_of(hit.party_id)) if hit.party_id else set()
    if hit.consignment_line_id:
        ids |= {h.subject_id for h in uow.screening.active_holds("consignment")
                if h.hit_id == hit.id}
    rejected = []
    for consignment_id in ids:
        c = uow.inbound.consignment_by_id(consignment_id)
        if c.state in (State.SCREENING, State.HELD, State.UNDER_REVIEW):
            target = State.UNDER_REVIEW if c.state is State.HELD else c.state
            if target is not c.state:
                apply_state(uow, c, target, f"hit {hit.entry_id} confirmed", now, actor, key)
                c = uow.inbound.consignment_by_id(consignment_id)
            apply_state(uow, c, State.REJECTED, f"screening hit confirmed: {hit.entry_id}. "
                   f"{reason}", now, actor, f"{key}:{consignment_id}")
            rejected.append(c.number)
    return rejected


@dataclass(frozen=True)
class HitView:
    id: str
    kind: str
    subject: str
    list: str
    entry_id: str
    entry_name: str
    score: float
    explanation: str
    state: str
    submitted_by: str
    decided_by: str | None
    reason: str


def _hit_view(h: Any, party_name: str) -> HitView:
    subject = party_name if h.kind == "party" else "consignment line"
    return HitView(str(h.id), h.kind, subject, h.list, h.entry_id, h.entry_name,
                   float(h.score), h.explanation, h.state, h.submitted_by, h.decided_by,
                   h.reason)


def count_active_holds(ctx: Context, scope: Scope = EVERYTHING) -> int:
    """Holds in force, on anything (consignments, parties, lines), placed by the hits that
    ``scope`` sees."""
    with ctx.uow() as uow:
        holds = uow.screening.active_holds()
        if scope.everything:
            return len(holds)
        hits = [uow.screening.hit(i) for i in {h.hit_id for h in holds if h.hit_id}]
        hubs = hubs_of_hits(uow, [h for h in hits if h is not None])
        return sum(1 for h in holds if h.hit_id in hubs and _sees(scope, hubs[h.hit_id]))


def list_hits(ctx: Context, *, state: str | None = None,
              scope: Scope = EVERYTHING) -> list[HitView]:
    """The hits (oldest first) that ``scope`` sees."""
    with ctx.uow() as uow:
        names = {p.id: p.name for p in uow.screening.parties()}
        found = uow.screening.hits(state=state)
        if not scope.everything:
            hubs = hubs_of_hits(uow, found)
            found = [h for h in found if _sees(scope, hubs[h.id])]
        return [_hit_view(h, names.get(h.party_id, "")) for h in found]


# batch screening of names --------------------------------------------------------------
def screen_names(ctx: Context, data: bytes, *, cutoff: float = 0.5,
                 threshold: float | None = None) -> list[dict[str, Any]]:
    """Screen a CSV of names (columns name, and optional kind, birth_date, nationality,
    id_number) without creating parties: one result per data row, best match first."""
    from aidhub.interop.tables import read_csv

    table = read_csv(data, {"name": ("name",), "kind": ("kind",),
                            "birth_date": ("birth_date",), "nationality": ("nationality",),
                            "id_number": ("id_number",)}, ("name",))
    limit = alert_threshold() if threshold is None else threshold
    queries, problems = [], []
    for number, fields in table:
        try:
            name = check_party_name(fields.get("name", ""))
            kind = (reference.choice(EntityKind, fields["kind"], "kind")
                    if fields.get("kind") else None)
            born = (parse_date(fields["birth_date"], "birth_date")
                    if fields.get("birth_date") else None)
        except InvalidInput as exc:
            problems.append(Problem.around(exc, row=number))
            continue
        queries.append(Query(name, kind, None, born, None, fields.get("nationality") or None,
                             fields.get("id_number") or None))
    if problems:
        from aidhub.interop.problems import rejected

        raise rejected(problems, "screened")
    with ctx.uow() as uow:
        matcher = _matcher(uow)
    if matcher is None:
        raise InvalidInput("no sanctions list is loaded; load one with `aidhub lists load`",
                           field="lists")
    results = []
    for row, query in enumerate(queries, start=1):
        matches = matcher.screen(query, cutoff=cutoff)
        results.append({"row": row, "matches": [
            {"list": m.entry.list, "entry_id": m.entry.entry_id, "name": m.name,
             "score": round(m.score, 4), "alert": m.score >= limit,
             "explanation": m.explanation} for m in matches]})
    return results


@dataclass(frozen=True)
class Evidence:
    """A hit with the two sides side by side: what we know of the party (or the goods)
    and what the list says."""

    hit: HitView
    ours: dict[str, str]
    theirs: dict[str, str]


def evidence(ctx: Context, hit_id: str, scope: Scope = EVERYTHING) -> Evidence:
    with ctx.uow() as uow:
        hit = _hit(uow, hit_id, scope=scope)
        p = uow.screening.party(hit.party_id) if hit.party_id else None
        view = _hit_view(hit, p.name if p else "")
        if p is not None:
            ours = {"name": p.name, "name in own script": p.original_name or "",
                    "kind": p.kind.value, "born": str(p.birth_date or ""),
                    "nationality": p.nationality or "", "document": p.id_number or "",
                    "submitted by": p.submitted_by}
        else:
            line = uow.inbound.line(hit.consignment_line_id)
            item = uow.reference.item_by_id(line.item_id) if line.item_id else None
            ours = {"line": str(line.line_no), "description": line.description,
                    "item": item.code if item else "", "HS code": (item.hs_code or "")
                    if item else "", "quantity": f"{line.quantity} {line.unit}"}
        theirs = {"list": hit.list, "entry": hit.entry_id, "name": hit.entry_name}
        for version in uow.screening.latest_versions():
            if version.list != hit.list:
                continue
            for row in uow.screening.entries(version.id):
                if row.entry_id == hit.entry_id:
                    e = entry_from_json(json.loads(row.data))
                    theirs.update({
                        "all names": "; ".join(f"{n.full} ({n.quality.value})"
                                               for n in e.names),
                        "born": "; ".join(str(b.start) if b.start == b.end else
                                          f"{b.start.year}-{b.end.year}"
                                          for b in e.birth_dates),
                        "nationality": ", ".join(e.nationalities),
                        "documents": ", ".join(e.documents), "programme": e.programme,
                        "listed on": str(e.listed_on or "")})
        return Evidence(view, ours, theirs)


# reviewing a hit -----------------------------------------------------------------------
@dataclass(frozen=True)
class Compared:
    """One line of the side-by-side comparison: what we hold and what the list holds
    about one thing (``key``: name, other_names, kind, born, nationality, document,
    programme, listed_on, remarks...), and whether they agree (True, False, or None when
    they cannot be compared)."""

    key: str
    ours: str
    theirs: str
    agrees: bool | None = None


@dataclass(frozen=True)
class NamePart:
    """One line of the score's explanation: a part of the list's name and the part of
    the screened name aligned with it. ``how`` is same, spelling (a transliteration),
    same name, other script, typo, initial or glued when they were paired; missing (a
    list part the screened name lacks), extra (a screened part the list lacks) or
    contradicts (the two names fill that place differently)."""

    listed: str
    role: str
    screened: str
    similarity: float | None
    how: str
    weight: float


@dataclass(frozen=True)
class Affected:
    """A consignment the hit touches, and whether the hit holds it now."""

    number: str
    hub: str
    state: str
    role: str
    held: bool


@dataclass(frozen=True)
class HoldInForce:
    subject: str  # party, consignment or line
    what: str  # the party's name, the consignment number, "CONSIGNMENT line N"
    reason: str
    since: dt.datetime


@dataclass(frozen=True)
class Review:
    """Everything a screening officer needs to decide a hit."""

    evidence: Evidence
    created_at: dt.datetime
    decided_at: dt.datetime | None
    exemption: str
    licence: str
    threshold: float
    compared: list[Compared]
    parts: list[NamePart]
    name_score: float | None  # the names alone, before birth date, nationality...
    screened_name: str  # which of our names was compared (its own script or Latin)
    listed_name: str
    listed_quality: str
    qualifiers: list[str]  # what moved the score after the names
    on_newest_list: bool
    consignments: list[Affected]
    holds: list[HoldInForce]


def _listed_entry(uow: UnitOfWork, list_name: str, entry_id: str):
    for version in uow.screening.latest_versions():
        if version.list != list_name:
            continue
        for row in uow.screening.entries(version.id):
            if row.entry_id == entry_id:
                return entry_from_json(json.loads(row.data))
    return None


def _doc_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _compare_party(p: Party, entry, hit) -> list[Compared]:
    rows = [Compared("name", p.name, hit.entry_name)]
    if entry is None:
        return [*rows, Compared("submitted_by", p.submitted_by, "")]
    others = [f"{n.full} ({n.quality.value})" for n in entry.names if n.full != hit.entry_name]
    rows.append(Compared("other_names", p.original_name or "", "; ".join(others)))
    rows.append(Compared("kind", p.kind.value, entry.kind.value,
                         None if entry.kind.value == "other" else
                         p.kind.value == entry.kind.value))
    born = "; ".join(str(b.start) if b.start == b.end else
                     str(b.start.year) if b.start.year == b.end.year else
                     f"{b.start.year}-{b.end.year}" for b in entry.birth_dates)
    rows.append(Compared("born", str(p.birth_date or ""), born,
                         any(b.agrees(p.birth_date) for b in entry.birth_dates)
                         if p.birth_date and entry.birth_dates else None))
    ours_nat = (p.nationality or "").strip().upper()
    rows.append(Compared("nationality", ours_nat, ", ".join(entry.nationalities),
                         ours_nat in {n.strip().upper() for n in entry.nationalities}
                         if ours_nat and entry.nationalities else None))
    rows.append(Compared("document", p.id_number or "", ", ".join(entry.documents),
                         any(_doc_key(d) == _doc_key(p.id_number) for d in entry.documents)
                         if p.id_number and entry.documents else None))
    rows += [Compared("programme", "", entry.programme),
             Compared("listed_on", "", str(entry.listed_on or "")),
             Compared("remarks", "", entry.remarks),
             Compared("submitted_by", p.submitted_by, "")]
    return [r for r in rows if r.ours or r.theirs]


def _explain_names(p: Party, entry, hit) -> tuple[list[NamePart], float | None, str, str,
                                                   str, list[str]]:
    """The alignment of the party's name (or its name in its own script, whichever
    agrees better) with the list name that matched, part by part, and what else moved
    the score."""
    from aidhub.screening.matcher import _commonness
    from aidhub.screening.model import NameQuality
    from aidhub.screening.normalise import normalise_name
    from aidhub.screening.scoring import CONTRADICTED, EXTRA, MISSING, WEIGHT, compare, qualify

    kind = EntityKind(p.kind.value)
    listed_name = next((n for n in entry.names if n.full == hit.entry_name), None) or next(
        (n for n in entry.names if n.full.startswith(hit.entry_name)), None)
    if listed_name is None:
        return [], None, p.name, hit.entry_name, "", []
    try:
        listed = normalise_name(listed_name.full, entry.kind)
    except InvalidInput:
        return [], None, p.name, listed_name.full, listed_name.quality.value, []
    best = None
    for ours in (p.name, p.original_name):
        if not ours:
            continue
        try:
            alignment = compare(normalise_name(ours, kind), listed, detail=True)
        except InvalidInput:
            continue
        if best is None or alignment.score > best[0].score:
            best = (alignment, ours)
    if best is None:
        return [], None, p.name, listed_name.full, listed_name.quality.value, []
    alignment, screened = best

    def show(parts) -> str:
        return " ".join(x.display for x in parts).upper()

    rows = [NamePart(show(rs), rs[0].role.value, show(qs), round(s, 3), why or "same",
                     WEIGHT[rs[0].role])
            for qs, rs, s, why in sorted(alignment.pairs, key=lambda a: -WEIGHT[a[1][0].role])]
    rows += [NamePart(show([r]), r.role.value, show([q]), None, "contradicts",
                      CONTRADICTED[r.role] * WEIGHT[r.role]) for q, r in alignment.contradicted]
    rows += [NamePart(show([r]), r.role.value, "", None, "missing",
                      MISSING[r.role] * WEIGHT[r.role]) for r in alignment.missing]
    rows += [NamePart("", q.role.value, show([q]), None, "extra", EXTRA[q.role] * WEIGHT[q.role])
             for q in alignment.extra]
    query = Query(p.name, kind, p.original_name, p.birth_date, None, p.nationality,
                  p.id_number)
    qualified = qualify(alignment.score, query, entry, common=_commonness(alignment),
                        quality=listed_name.quality or NameQuality.PRIMARY)
    notes = list(qualified.notes)
    if alignment.nasab_swapped:
        notes.insert(0, "the order of the nasab (bin/ibn) differs")
    elif alignment.reordered:
        notes.insert(0, "the parts are in another order")
    return (rows, round(alignment.score, 4), screened, listed_name.full,
            listed_name.quality.value, notes)


def review(ctx: Context, hit_id: str, scope: Scope = EVERYTHING) -> Review:
    """A hit with everything its reviewer weighs: both sides compared line by line, the
    score explained part by part, the consignments it touches and the holds it keeps.
    NotFound when ``scope`` does not see it."""
    with ctx.uow() as uow:
        hit = _hit(uow, hit_id, scope=scope)
        p = uow.screening.party(hit.party_id) if hit.party_id else None
        entry = _listed_entry(uow, hit.list, hit.entry_id) if p is not None else None
        parts: list[NamePart] = []
        name_score = None
        screened, listed, quality, notes = (p.name if p else ""), hit.entry_name, "", []
        if p is not None:
            compared = _compare_party(p, entry, hit)
            if entry is not None:
                parts, name_score, screened, listed, quality, notes = _explain_names(
                    p, entry, hit)
        else:
            line = uow.inbound.line(hit.consignment_line_id)
            item = uow.reference.item_by_id(line.item_id) if line.item_id else None
            compared = [Compared("description", line.description, hit.entry_name),
                        Compared("item", f"{item.code} · {item.name_en}" if item else "", ""),
                        Compared("hs_code", (item.hs_code or "") if item else "", ""),
                        Compared("quantity", f"{line.quantity} {line.unit}", ""),
                        Compared("rule", "", hit.entry_id)]
            compared = [c for c in compared if c.ours or c.theirs]
        holding = [h for h in uow.screening.active_holds() if h.hit_id == hit.id]
        held_ids = {h.subject_id for h in holding if h.subject == "consignment"}
        affected: list[Affected] = []
        links: list[tuple[uuid.UUID, str]] = []
        if p is not None:
            for cid in uow.screening.consignments_of(p.id):
                roles = sorted({role for q, role in uow.screening.parties_of(cid)
                                if q.id == p.id})
                links.append((cid, ", ".join(roles)))
        else:
            links.append((line.consignment_id, f"line {line.line_no}"))
        numbers: dict[uuid.UUID, str] = {}
        for cid, role in links:
            c = uow.inbound.consignment_by_id(cid)
            numbers[cid] = c.number
            hub = uow.reference.site_by_id(c.hub_id)
            affected.append(Affected(c.number, hub.code if hub else "", c.state.value, role,
                                     cid in held_ids))
        holds = []
        for h in holding:
            if h.subject == "party":
                what = p.name if p is not None else ""
            elif h.subject == "consignment":
                what = numbers.get(h.subject_id) or uow.inbound.consignment_by_id(
                    h.subject_id).number
            else:
                held_line = uow.inbound.line(h.subject_id)
                what = (f"{numbers.get(held_line.consignment_id, '')} line "
                        f"{held_line.line_no}").strip()
            holds.append(HoldInForce(h.subject, what, h.reason, h.created_at))
    ev = evidence(ctx, hit_id)
    return Review(ev, hit.created_at, hit.decided_at, hit.exemption or "none",
                  hit.licence or "", alert_threshold(), compared, parts, name_score,
                  screened, listed, quality, notes, entry is not None or p is None,
                  sorted(affected, key=lambda a: a.number), holds)


def rescreen_parties(uow: UnitOfWork, party_ids: list[uuid.UUID], now: dt.datetime
                     ) -> dict[uuid.UUID, tuple[str, int]]:
    """Screen these parties again against the newest lists (a site node cleared them
    offline, perhaps against older ones): {party id: (name, new alerts)}."""
    matcher = _matcher(uow)
    out = {}
    for party_id in party_ids:
        party = uow.screening.party(party_id)
        if party is not None:
            out[party_id] = (party.name, _screen_party(uow, party, matcher, now))
    return out
