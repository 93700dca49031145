"""The life cycles of requests, plans and release orders."""

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.release_orders import (
    PLAN_TRANSITIONS,
    RELEASE_TRANSITIONS,
    PlanState,
    ReleaseState,
    plan_transition,
    release_transition,
)
from aidhub.domain.requests import TRANSITIONS, Priority, RequestState, parse_priority, transition


@pytest.mark.parametrize("current", list(RequestState))
@pytest.mark.parametrize("target", list(RequestState))
def test_every_request_transition_is_allowed_or_explained(current, target):
    if target in TRANSITIONS[current]:
        assert transition("REQ-1", current, target, reason="because") is target
    else:
        with pytest.raises(IllegalTransition, match="request REQ-1 cannot go from"):
            transition("REQ-1", current, target, reason="because")


def test_rejecting_and_cancelling_need_a_reason():
    with pytest.raises(IllegalTransition, match="say why request R is rejected"):
        transition("R", RequestState.SUBMITTED, RequestState.REJECTED)
    with pytest.raises(IllegalTransition, match="say why"):
        transition("R", RequestState.DRAFT, RequestState.CANCELLED, reason="  ")


def test_the_message_lists_what_is_allowed():
    with pytest.raises(IllegalTransition, match="it can go to: approved, cancelled, rejected"):
        transition("R", RequestState.SUBMITTED, RequestState.PLANNED)


@pytest.mark.parametrize("current", list(PlanState))
@pytest.mark.parametrize("target", list(PlanState))
def test_plan_transitions(current, target):
    if target in PLAN_TRANSITIONS[current]:
        assert plan_transition("P", current, target, reason="x") is target
    else:
        with pytest.raises(IllegalTransition):
            plan_transition("P", current, target, reason="x")


@pytest.mark.parametrize("current", list(ReleaseState))
@pytest.mark.parametrize("target", list(ReleaseState))
def test_release_order_transitions(current, target):
    if target in RELEASE_TRANSITIONS[current]:
        assert release_transition("RO", current, target, reason="x") is target
    else:
        with pytest.raises(IllegalTransition):
            release_transition("RO", current, target, reason="x")


def test_priorities():
    assert parse_priority(" 1 ") is Priority.LIFE_SAVING and Priority.OTHER.label == "other"
    with pytest.raises(InvalidInput, match="1 \\(life-saving\\)"):
        parse_priority("urgent")
