"""The consignment life cycle: every allowed step, and every other one refused."""

import datetime as dt
import itertools

import pytest

from aidhub.domain.catalog import ExpiryAlert, SumaCategory, expiry_alert
from aidhub.domain.consignments import (
    NEEDS_REASON,
    TRANSITIONS,
    ClearanceState,
    IllegalTransition,
    State,
    check_clearance_step,
    transition,
)
from aidhub.domain.errors import InvalidInput
from aidhub.domain.receiving import (
    Disposition,
    LineCount,
    LineOutcome,
    Priority,
    Triage,
    assess,
    check_triage,
)

ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
REFUSED = [(a, b) for a, b in itertools.product(State, State) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize("current,target", ALLOWED)
def test_every_allowed_transition(current, target):
    assert transition("C-1", current, target, reason="because") is target


@pytest.mark.parametrize("current,target", REFUSED)
def test_every_other_transition_is_refused_with_the_options(current, target):
    with pytest.raises(IllegalTransition, match=f"cannot go from {current.label} to "
                                                f"{target.label}"):
        transition("C-1", current, target, reason="because")


def test_the_full_happy_path_is_allowed():
    path = [State.PLEDGED, State.PRE_ADVISED, State.IN_TRANSIT, State.ARRIVED,
            State.SCREENING, State.HELD, State.UNDER_REVIEW, State.CLEARED,
            State.PARTIALLY_RECEIVED, State.RECEIVED, State.CLOSED]
    for a, b in itertools.pairwise(path):
        transition("C-1", a, b, reason="x")


@pytest.mark.parametrize("target", sorted(NEEDS_REASON))
def test_holds_rejections_and_losses_need_a_reason(target):
    source = next(a for a, targets in TRANSITIONS.items() if target in targets)
    with pytest.raises(IllegalTransition, match="say why"):
        transition("C-1", source, target)


def test_receiving_a_held_consignment_says_why_not():
    with pytest.raises(IllegalTransition, match="nothing can be received until a reviewer"):
        transition("C-9", State.HELD, State.RECEIVED)


def test_final_states_say_they_are_final():
    with pytest.raises(IllegalTransition, match="closed is final"):
        transition("C-1", State.CLOSED, State.RECEIVED)


def test_clearance_only_moves_forward():
    check_clearance_step(None, ClearanceState.ARRIVED)
    check_clearance_step(ClearanceState.DOCUMENTS_RECEIVED, ClearanceState.CLEARED)
    with pytest.raises(IllegalTransition, match="cannot go back"):
        check_clearance_step(ClearanceState.CLEARED, ClearanceState.ARRIVED)


def test_a_partial_receipt_leaves_the_rest_expected():
    assert assess(100, 0, [LineCount(60, 5)], "line 1") == LineOutcome(60, 5, 0, 0)
    assert assess(100, 65, [LineCount(30), LineCount(5)], "line 1") == LineOutcome(35, 0, 0, 0)


def test_closing_a_line_declares_the_short():
    outcome = assess(100, 60, [LineCount(30, close_line=True)], "line 1")
    assert (outcome.good, outcome.short) == (30, 10)


def test_more_than_announced_must_be_declared_over():
    with pytest.raises(InvalidInput, match="declare it as over"):
        assess(100, 90, [LineCount(20)], "line 2")
    assert assess(100, 90, [LineCount(20, over_declared=True)], "line 2").over == 10
    assert assess(0, 0, [LineCount(7, over_declared=True)], "extra").over == 7


def test_triage_rules():
    today = dt.date(2026, 11, 30)
    check_triage(Triage(Priority.URGENT, SumaCategory.FOOD_DRINK), dt.date(2027, 5, 1), today)
    with pytest.raises(InvalidInput, match="need a disposition"):
        check_triage(Triage(Priority.NON_PRIORITY, SumaCategory.UNCLASSIFIED), None, today)
    with pytest.raises(InvalidInput, match="expired on 2026-11-01"):
        check_triage(Triage(Priority.NON_URGENT, SumaCategory.PHARMACEUTICAL),
                     dt.date(2026, 11, 1), today)
    check_triage(Triage(Priority.NON_PRIORITY, SumaCategory.PHARMACEUTICAL,
                        Disposition.DISPOSE, "expired"), dt.date(2026, 11, 1), today)


@pytest.mark.parametrize("expiry,alert", [
    (dt.date(2026, 11, 29), ExpiryAlert.EXPIRED),
    (dt.date(2027, 2, 27), ExpiryAlert.RED),
    (dt.date(2027, 3, 1), ExpiryAlert.YELLOW),
    (dt.date(2027, 8, 29), ExpiryAlert.YELLOW),
    (dt.date(2027, 8, 30), None),
    (None, None),
])
def test_expiry_alerts_follow_rita(expiry, alert):
    assert expiry_alert(expiry, dt.date(2026, 11, 30)) is alert
