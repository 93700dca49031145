"""Waybill life cycle, tracking events, proof of delivery and the loss threshold."""

from decimal import Decimal as D

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.waybills import (
    TRANSITIONS,
    PodLine,
    TrackingEvent,
    WaybillState,
    check_event,
    check_pod,
    loss_share,
    needs_loss_report,
    transition,
)

W = WaybillState


@pytest.mark.parametrize("current", list(W))
@pytest.mark.parametrize("target", list(W))
def test_every_transition_is_allowed_or_explained(current, target):
    if target in TRANSITIONS[current]:
        assert transition("WB-1", current, target, reason="x") is target
    else:
        with pytest.raises(IllegalTransition, match="waybill WB-1 cannot go"):
            transition("WB-1", current, target, reason="x")


def test_cancelling_needs_a_reason_and_only_before_dispatch():
    with pytest.raises(IllegalTransition, match="say why"):
        transition("WB-1", W.ISSUED, W.CANCELLED)
    with pytest.raises(IllegalTransition, match="from dispatched"):
        transition("WB-1", W.DISPATCHED, W.CANCELLED, reason="x")


def test_tracking_events():
    assert check_event("WB-1", W.DISPATCHED, TrackingEvent.AT_CHECKPOINT, "Saraqeb") is None
    assert check_event("WB-1", W.DISPATCHED, TrackingEvent.ARRIVED, "") is W.ARRIVED
    assert check_event("WB-1", W.ARRIVED, TrackingEvent.ARRIVED, "") is None
    with pytest.raises(InvalidInput, match="name the checkpoint"):
        check_event("WB-1", W.DISPATCHED, TrackingEvent.AT_CHECKPOINT, " ")
    with pytest.raises(InvalidInput, match="dispatch it first"):
        check_event("WB-1", W.ISSUED, TrackingEvent.DEPARTED, "")
    with pytest.raises(InvalidInput, match="delivered"):
        check_event("WB-1", W.DELIVERED, TrackingEvent.DELAYED, "")


def test_pod_counts_the_uncounted_as_short():
    lines = check_pod("WB-1", {1: 100, 2: 50}, [PodLine(1, good=95, damaged=3)])
    assert lines == [PodLine(1, 95, 3, 2, 0), PodLine(2, 0, 0, 50, 0)]


def test_pod_refuses_more_than_shipped_and_unknown_lines():
    with pytest.raises(InvalidInput, match=r"101 counted .* only 100 were shipped"):
        check_pod("WB-1", {1: 100}, [PodLine(1, good=99, lost=2)])
    with pytest.raises(InvalidInput, match="no line 3"):
        check_pod("WB-1", {1: 100}, [PodLine(3, good=1)])
    with pytest.raises(InvalidInput, match="negative"):
        check_pod("WB-1", {1: 100}, [PodLine(1, good=101, short=-1)])
    with pytest.raises(InvalidInput, match="twice"):
        check_pod("WB-1", {1: 100}, [PodLine(1, good=1), PodLine(1, good=1)])


def test_loss_is_weighed_and_compared_with_the_threshold():
    lines = check_pod("WB-1", {1: 100, 2: 10}, [PodLine(1, good=100), PodLine(2, good=8)])
    share = loss_share(lines, {1: D("1"), 2: D("50")})  # 100 kg of 600 did not arrive good
    assert share == D(100) / D(600)
    assert needs_loss_report(share) and not needs_loss_report(D("0.01"))
