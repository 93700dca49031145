"""Roles, permissions, the reach of a grant, and the sign-in lockout rule."""

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.access import (
    EVERYTHING,
    PERMISSIONS,
    Forbidden,
    Grant,
    Lockout,
    Permission,
    Principal,
    Role,
    check_grant,
    check_password,
    scope_of,
)
from aidhub.domain.errors import InvalidInput

WFP, SARC = uuid.uuid4(), uuid.uuid4()
DAM, ALP = uuid.uuid4(), uuid.uuid4()


def who(*grants, scopes=None):
    return Principal(uuid.uuid4(), "amal", "Amal K.", tuple(grants), scopes)


@pytest.mark.parametrize("role,may,may_not", [
    (Role.RECEPTION, Permission.RECEIVE, Permission.SCREEN),
    (Role.SCREENING, Permission.SCREEN, Permission.RECEIVE),
    (Role.WAREHOUSE, Permission.PICK, Permission.DISPATCH),
    (Role.DISPATCHER, Permission.DISPATCH, Permission.APPROVE_PLANS),
    (Role.HUB_MANAGER, Permission.REVIEW_LOSSES, Permission.SCREEN),
    (Role.COORDINATOR, Permission.APPROVE_PLANS, Permission.RECEIVE),
    (Role.PARTNER, Permission.REQUEST, Permission.APPROVE_REQUESTS),
    (Role.DONOR, Permission.REPORT, Permission.REQUEST),
    (Role.ADMIN, Permission.ADMIN, None),
])
def test_each_role_may_do_its_work_and_not_more(role, may, may_not):
    p = who(Grant(role, WFP))
    assert p.can(may)
    if may_not is not None:
        assert not p.can(may_not)
        with pytest.raises(Forbidden, match="may not"):
            p.require(may_not)


def test_screening_is_kept_apart_from_receiving():
    # a screening officer never holds the permissions of the people whose work they check
    assert not PERMISSIONS[Role.SCREENING] & {Permission.RECEIVE, Permission.CONSIGNMENTS}
    assert Permission.SCREEN not in PERMISSIONS[Role.HUB_MANAGER]


def test_hub_roles_reach_their_hub_or_their_organisations_hubs():
    at_dam = who(Grant(Role.RECEPTION, WFP, DAM))
    assert at_dam.can(Permission.RECEIVE, hub_id=DAM, hub_operator=WFP)
    assert not at_dam.can(Permission.RECEIVE, hub_id=ALP, hub_operator=WFP)
    everywhere = who(Grant(Role.RECEPTION, WFP))
    assert everywhere.can(Permission.RECEIVE, hub_id=ALP, hub_operator=WFP)
    assert not everywhere.can(Permission.RECEIVE, hub_id=ALP, hub_operator=SARC)
    assert who(Grant(Role.COORDINATOR, SARC)).can(Permission.READ, hub_id=ALP,
                                                  hub_operator=WFP)


def test_a_token_has_only_its_scopes():
    p = who(Grant(Role.HUB_MANAGER, WFP), scopes=frozenset({Permission.READ}))
    assert p.can(Permission.READ) and not p.can(Permission.RECEIVE)
    assert p.permissions() == {Permission.READ}


def test_only_hub_roles_are_granted_per_hub():
    check_grant(Role.DISPATCHER, DAM)
    with pytest.raises(InvalidInput, match="not granted per hub"):
        check_grant(Role.PARTNER, DAM)


def test_passwords_must_be_long_and_not_the_username():
    check_password("correct horse battery", "amal")
    with pytest.raises(InvalidInput, match="at least 12"):
        check_password("short", "amal")
    with pytest.raises(InvalidInput, match="username"):
        check_password("amal-is-my-password", "amal")
    for guessed in ("password1234", "Humanitarian 123", "aaaaaaaaaaaaaa", "abcdefghijklmno",
                    "987654321098"):
        with pytest.raises(InvalidInput, match="first any attacker tries"):
            check_password(guessed, "amal")


NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def test_five_failures_in_fifteen_minutes_lock_for_fifteen():
    rule = Lockout()
    failures = [NOW - dt.timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert rule.locked_until(failures, NOW) is None
    failures.append(NOW)
    assert rule.locked_until(failures, NOW) == NOW + dt.timedelta(minutes=15)
    assert rule.locked_until(failures, NOW + dt.timedelta(minutes=16)) is None


@given(st.lists(st.integers(0, 120), max_size=20), st.integers(0, 120))
def test_the_lock_never_outlasts_the_last_failure_plus_the_duration(minutes, now_min):
    rule = Lockout()
    failures = [NOW + dt.timedelta(minutes=m) for m in minutes]
    now = NOW + dt.timedelta(minutes=now_min)
    until = rule.locked_until(failures, now)
    if until is not None:
        assert now < until <= max(t for t in failures if t <= now) + rule.duration
        assert sum(1 for t in failures if now - rule.window <= t <= now) >= rule.attempts


def test_a_scope_shows_hub_staff_their_hubs_and_partners_their_organisation():
    operators = {DAM: WFP, ALP: SARC}
    staff = scope_of(who(Grant(Role.WAREHOUSE, WFP)), operators)
    assert staff.allows(DAM, set()) and not staff.allows(ALP, {None})
    one_hub = scope_of(who(Grant(Role.RECEPTION, SARC, DAM)), operators)
    assert one_hub.allows(DAM, set()) and not one_hub.allows(ALP, set())
    partner = scope_of(who(Grant(Role.PARTNER, SARC)), operators)
    assert partner.allows(DAM, {SARC, None}) and not partner.allows(ALP, {WFP})
    assert scope_of(who(Grant(Role.COORDINATOR, SARC)), operators) is EVERYTHING
