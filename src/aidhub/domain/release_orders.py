"""Allocation plans and the release orders an approved plan becomes.

    plan: draft → approved | discarded
    release order: verified → accepted → released; cancelled before it is released

A plan is drafted by the solver and checked by a person. Approving it turns it into one
release order per hub (numbered per hub and year) and reserves the planned lots, so the
same stock is never promised twice. The hub manager verifies the release order when it
is issued, the hub accepts it (the warehouse will pick it) and releases it once loaded.
"""

import enum

from aidhub.domain import lifecycle
from aidhub.domain.lifecycle import IllegalTransition


class PlanState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    DISCARDED = "discarded"


PLAN_TRANSITIONS = {
    PlanState.DRAFT: frozenset({PlanState.APPROVED, PlanState.DISCARDED}),
    PlanState.APPROVED: frozenset(),
    PlanState.DISCARDED: frozenset(),
}


PLAN_REFUSALS = lifecycle.Refusals(
    elsewhere=lambda **v: IllegalTransition(
        "plan %(number)s cannot go from %(current)s to %(target)s; "
        "from %(current)s it can go to: %(options)s", **v),
    final=lambda **v: IllegalTransition(
        "plan %(number)s cannot go from %(current)s to %(target)s; %(current)s is final",
        **v),
    reason=lambda **v: IllegalTransition("say why plan %(number)s is %(target)s", **v),
)


def plan_transition(number: str, current: PlanState, target: PlanState,
                    reason: str = "") -> PlanState:
    lifecycle.check(PLAN_REFUSALS, number, current, target, PLAN_TRANSITIONS, reason=reason,
                    needs_reason=frozenset({PlanState.DISCARDED}))
    return target


class ReleaseState(enum.StrEnum):
    VERIFIED = "verified"
    ACCEPTED = "accepted"
    RELEASED = "released"
    CANCELLED = "cancelled"


RELEASE_TRANSITIONS = {
    ReleaseState.VERIFIED: frozenset({ReleaseState.ACCEPTED, ReleaseState.CANCELLED}),
    ReleaseState.ACCEPTED: frozenset({ReleaseState.RELEASED, ReleaseState.CANCELLED}),
    ReleaseState.RELEASED: frozenset(),
    ReleaseState.CANCELLED: frozenset(),
}
# Release orders whose lots stay reserved until they are picked (a released order is being
# loaded: what is not yet picked is still promised to it).
RESERVING = frozenset({ReleaseState.VERIFIED, ReleaseState.ACCEPTED, ReleaseState.RELEASED})


RELEASE_REFUSALS = lifecycle.Refusals(
    elsewhere=lambda **v: IllegalTransition(
        "release order %(number)s cannot go from %(current)s to %(target)s; "
        "from %(current)s it can go to: %(options)s", **v),
    final=lambda **v: IllegalTransition(
        "release order %(number)s cannot go from %(current)s to %(target)s; "
        "%(current)s is final", **v),
    reason=lambda **v: IllegalTransition("say why release order %(number)s is %(target)s",
                                         **v),
)


def release_transition(number: str, current: ReleaseState, target: ReleaseState,
                       reason: str = "") -> ReleaseState:
    lifecycle.check(RELEASE_REFUSALS, number, current, target, RELEASE_TRANSITIONS,
                    reason=reason, needs_reason=frozenset({ReleaseState.CANCELLED}))
    return target
