"""Who may do what, and see what: roles, their permissions, the scope of a grant, and the
sign-in lockout rule.

A user holds one or more **grants**: a role, for an organisation, optionally limited to
one hub. Hub staff (hub manager, reception, screening, warehouse, dispatcher) see the
hubs they are granted; partners and donors see their own organisation's things; a
coordinator sees every hub read-only plus plans and requests; an admin manages users and
reference data. An API token carries a subset of its user's permissions (its scopes).
"""

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from aidhub.domain.common_passwords import is_common
from aidhub.domain.errors import AidhubError, InvalidInput, Several, Term


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    HUB_MANAGER = "hub_manager"
    RECEPTION = "reception"
    SCREENING = "screening"
    WAREHOUSE = "warehouse"
    DISPATCHER = "dispatcher"
    PARTNER = "partner"
    DONOR = "donor"  # donor or auditor: reads its own organisation's things

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Permission(enum.StrEnum):
    READ = "read"  # pages and lists, within the grant's scope
    CONSIGNMENTS = "consignments"  # pre-advice, arrival, state changes
    RECEIVE = "receive"  # GRNs, triage, putaway, labels
    SCREEN = "screen"  # decide screening hits, place and release holds
    STOCK = "stock"  # movements, counts, adjustments, disposals
    REQUEST = "request"  # draft and submit requests
    APPROVE_REQUESTS = "approve_requests"
    PLAN = "plan"  # solve, compare, discard plans
    APPROVE_PLANS = "approve_plans"
    RELEASE = "release"  # accept, release, cancel release orders; transfers
    PICK = "pick"
    DISPATCH = "dispatch"  # loads, waybills, convoys, tracking
    DELIVER = "deliver"  # proofs of delivery, returns
    REVIEW_LOSSES = "review_losses"
    REPORT = "report"  # reports and exports
    ADMIN = "admin"  # users, grants, tokens, organisations, sites, catalog, settings
    SYNC = "sync"  # site nodes' state and the conflicts their offline work brought


P = Permission
HUB_ROLES = frozenset({Role.HUB_MANAGER, Role.RECEPTION, Role.SCREENING, Role.WAREHOUSE,
                       Role.DISPATCHER})
ORGANISATION_ROLES = frozenset({Role.PARTNER, Role.DONOR})
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(P),
    Role.COORDINATOR: frozenset({P.READ, P.REQUEST, P.APPROVE_REQUESTS, P.PLAN,
                                 P.APPROVE_PLANS, P.REPORT}),
    Role.HUB_MANAGER: frozenset({P.READ, P.CONSIGNMENTS, P.RECEIVE, P.STOCK, P.RELEASE,
                                 P.PICK, P.DISPATCH, P.DELIVER, P.REVIEW_LOSSES,
                                 P.APPROVE_PLANS, P.REPORT, P.SYNC}),
    Role.RECEPTION: frozenset({P.READ, P.CONSIGNMENTS, P.RECEIVE}),
    Role.SCREENING: frozenset({P.READ, P.SCREEN}),
    Role.WAREHOUSE: frozenset({P.READ, P.RECEIVE, P.STOCK, P.PICK}),
    Role.DISPATCHER: frozenset({P.READ, P.PICK, P.DISPATCH, P.DELIVER}),
    Role.PARTNER: frozenset({P.READ, P.REQUEST, P.DELIVER, P.REPORT}),
    Role.DONOR: frozenset({P.READ, P.REPORT}),
}


class Forbidden(AidhubError):
    """The signed-in user's roles do not allow this."""


@dataclass(frozen=True)
class Grant:
    """A role held for an organisation, at one hub or (hub None) wherever the role
    reaches: every hub the organisation operates for hub roles."""

    role: Role
    organisation_id: uuid.UUID
    hub_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Principal:
    """Who is acting, as the services see it: a signed-in user or an API token."""

    user_id: uuid.UUID
    username: str
    name: str
    grants: tuple[Grant, ...] = ()
    scopes: frozenset[Permission] | None = None  # an API token's; None for a session
    language: str = "en"
    numerals: str = "western"

    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}

    def permissions(self) -> set[Permission]:
        out: set[Permission] = set()
        for g in self.grants:
            out |= PERMISSIONS[g.role]
        return out if self.scopes is None else out & set(self.scopes)

    def can(self, permission: Permission, *, hub_id: uuid.UUID | None = None,
            hub_operator: uuid.UUID | None = None) -> bool:
        """Whether any grant allows ``permission`` (at ``hub_id`` when given; a hub role
        without a hub reaches the hubs its organisation operates)."""
        if self.scopes is not None and permission not in self.scopes:
            return False
        return any(permission in PERMISSIONS[g.role] and _reaches(g, hub_id, hub_operator)
                   for g in self.grants)

    def require(self, permission: Permission, *, hub_id: uuid.UUID | None = None,
                hub_operator: uuid.UUID | None = None, what: str = "") -> None:
        if not self.can(permission, hub_id=hub_id, hub_operator=hub_operator):
            roles = Several(sorted(Term(r) for r in self.roles()), ", ")
            raise Forbidden("%(user)s (%(roles)s) may not %(what)s; "
                            "ask an admin for the role that does",
                            user=self.username, roles=roles or Term("no role"),
                            what=what or Term(permission))

    @property
    def sees_everything(self) -> bool:
        """Admins and coordinators read across organisations and hubs."""
        return bool(self.roles() & {Role.ADMIN, Role.COORDINATOR})

    def organisation_ids(self) -> set[uuid.UUID]:
        return {g.organisation_id for g in self.grants}

    @property
    def staff(self) -> bool:
        """Hub staff, coordinators and admins: not a partner or donor only (who see their
        own organisation's consignments, requests, stock and documents, and no hub page)."""
        roles = self.roles()
        return not (roles and roles <= ORGANISATION_ROLES)


@dataclass(frozen=True)
class Scope:
    """What a principal may see. ``None`` means no limit on that side; otherwise a thing
    is visible when it is at one of ``hub_ids`` or concerns one of ``organisation_ids``
    (as owner, donor, consignor, consignee or requester)."""

    hub_ids: frozenset[uuid.UUID] | None = None
    organisation_ids: frozenset[uuid.UUID] | None = None

    @property
    def everything(self) -> bool:
        return self.hub_ids is None and self.organisation_ids is None

    def allows(self, hub_id: uuid.UUID | None, organisations: set[uuid.UUID | None]
               ) -> bool:
        if self.everything:
            return True
        return (hub_id is not None and hub_id in (self.hub_ids or ())) or bool(
            organisations & set(self.organisation_ids or ()))


EVERYTHING = Scope()


def sees_organisation_things(scope: Scope, organisations: set[uuid.UUID | None]) -> bool:
    """Requests and waybills: hub staff (any hub in scope), coordinators and admins see
    them all; partners and donors those of their own organisation."""
    return scope.everything or bool(scope.hub_ids) or bool(
        organisations & set(scope.organisation_ids or ()))


def scope_of(principal: Principal, operators: dict[uuid.UUID, uuid.UUID | None]) -> Scope:
    """The scope of ``principal`` given each hub's operating organisation: admins and
    coordinators see everything; hub roles see their hubs (the one granted, or every hub
    their organisation operates); partners and donors see their organisation's things."""
    if principal.sees_everything:
        return EVERYTHING
    hubs: set[uuid.UUID] = set()
    orgs: set[uuid.UUID] = set()
    for g in principal.grants:
        if g.role in HUB_ROLES:
            hubs |= ({g.hub_id} if g.hub_id else
                     {h for h, op in operators.items() if op == g.organisation_id})
        else:
            orgs.add(g.organisation_id)
    return Scope(frozenset(hubs), frozenset(orgs))


def _reaches(grant: Grant, hub_id: uuid.UUID | None, hub_operator: uuid.UUID | None) -> bool:
    if hub_id is None or grant.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    if grant.role in HUB_ROLES:
        if grant.hub_id is not None:
            return grant.hub_id == hub_id
        return hub_operator is not None and hub_operator == grant.organisation_id
    return True  # partners and donors: scoped by organisation, not by hub


def check_grant(role: Role, hub_id: uuid.UUID | None) -> None:
    """Only hub roles are limited to a hub."""
    if hub_id is not None and role not in HUB_ROLES:
        raise InvalidInput("a %(role)s is not granted per hub; leave the hub out",
                           field="hub", role=Term(role))


# signing in ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Lockout:
    """After ``attempts`` failed sign-ins within ``window``, the username is locked for
    ``duration``. Failures are counted per username, whatever the address, so that an
    attacker spreading guesses over many addresses is slowed down just the same."""

    attempts: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    duration: dt.timedelta = dt.timedelta(minutes=15)

    def locked_until(self, failures: list[dt.datetime], now: dt.datetime
                     ) -> dt.datetime | None:
        """When the lock ends, if the recent failures lock the username now."""
        recent = sorted(t for t in failures if t <= now and now - t <= self.window)
        if len(recent) < self.attempts:
            return None
        until = recent[-1] + self.duration
        return until if until > now else None


MIN_PASSWORD = 12


def check_password(password: str, username: str) -> None:
    """A password long enough to resist guessing, and not the username."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("a password needs at least %(length)s characters; a few "
                           "words together are easy to remember and hard to guess",
                           field="password", length=MIN_PASSWORD)
    if username.lower() in password.lower():
        raise InvalidInput("the password must not contain the username", field="password")
    if is_common(password):
        raise InvalidInput("this password is among the first any attacker tries; choose a "
                           "few unrelated words instead", field="password")
