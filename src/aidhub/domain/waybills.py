"""Waybills, tracking and proof of delivery.

    waybill: issued → dispatched → arrived → delivered; cancelled before dispatch

A waybill is issued per vehicle when it is loaded, and its number is kept even when it is
cancelled. Dispatch is when the goods leave the hub's books for the road. Tracking
events (departed, at checkpoint, delayed, arrived) record where a vehicle is; arriving
moves the waybill on. The receiver's proof of delivery says, per line, what came good,
damaged, short or lost, and the seal state; a POD is final, and a second one for the same
waybill is refused. A loss above the threshold opens a loss report for the hub manager.
"""

import enum
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain import lifecycle
from aidhub.domain.errors import InvalidInput, Term
from aidhub.domain.lifecycle import IllegalTransition

# a vehicle without news for more than this many hours is highlighted on the tracking
# board and counted on the dashboard
STALE_HOURS = 24


class WaybillState(enum.StrEnum):
    ISSUED = "issued"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


W = WaybillState
TRANSITIONS = {
    W.ISSUED: frozenset({W.DISPATCHED, W.CANCELLED}),
    W.DISPATCHED: frozenset({W.ARRIVED, W.DELIVERED}),
    W.ARRIVED: frozenset({W.DELIVERED}),
    W.DELIVERED: frozenset(),
    W.CANCELLED: frozenset(),
}
# Waybills whose goods are on the road: their lines must match the in-transit balances.
ON_THE_ROAD = frozenset({W.DISPATCHED, W.ARRIVED})
REFUSALS = lifecycle.Refusals(
    elsewhere=lambda **v: IllegalTransition(
        "waybill %(number)s cannot go from %(current)s to %(target)s; "
        "from %(current)s it can go to: %(options)s", **v),
    final=lambda **v: IllegalTransition(
        "waybill %(number)s cannot go from %(current)s to %(target)s; %(current)s is final",
        **v),
    reason=lambda **v: IllegalTransition("say why waybill %(number)s is %(target)s", **v),
)


def transition(number: str, current: WaybillState, target: WaybillState,
               reason: str = "") -> WaybillState:
    lifecycle.check(REFUSALS, number, current, target, TRANSITIONS, reason=reason,
                    needs_reason=frozenset({W.CANCELLED}))
    return target


class TrackingEvent(enum.StrEnum):
    DEPARTED = "departed"
    AT_CHECKPOINT = "at_checkpoint"
    DELAYED = "delayed"
    ARRIVED = "arrived"


def check_event(number: str, state: WaybillState, event: TrackingEvent, place: str) -> \
        WaybillState | None:
    """The state an event moves the waybill to (None: it stays), or why it cannot be."""
    if state not in ON_THE_ROAD and not (state is W.ISSUED and event is
                                         TrackingEvent.DEPARTED):
        raise InvalidInput("waybill %(number)s is %(state)s: tracking events "
                           "are for vehicles on the road", field="event",
                           number=number, state=Term(state))
    if event is TrackingEvent.AT_CHECKPOINT and not place.strip():
        raise InvalidInput("name the checkpoint", field="place")
    if event is TrackingEvent.ARRIVED:
        return transition(number, state, W.ARRIVED) if state is not W.ARRIVED else None
    if event is TrackingEvent.DEPARTED and state is W.ISSUED:
        raise InvalidInput("waybill %(number)s has not been dispatched: dispatch it first "
                           "(the goods leave the hub's stock then)", field="event",
                           number=number)
    return None


class SealState(enum.StrEnum):
    INTACT = "intact"
    BROKEN = "broken"
    NUMBER_MISMATCH = "number_mismatch"
    NONE = "none"  # the vehicle was not sealed


@dataclass(frozen=True, slots=True)
class PodLine:
    line_no: int
    good: int
    damaged: int = 0
    short: int = 0
    lost: int = 0

    @property
    def counted(self) -> int:
        return self.good + self.damaged + self.short + self.lost


def check_pod(number: str, shipped: dict[int, int], lines: list[PodLine]) -> list[PodLine]:
    """Every shipped line accounted for: what the receiver did not count is short. A
    quantity above what was shipped, or a line not on the waybill, is refused."""
    seen: dict[int, PodLine] = {}
    for ln in lines:
        if ln.line_no not in shipped:
            raise InvalidInput("waybill %(number)s has no line %(line)s", field="lines",
                               number=number, line=ln.line_no)
        if ln.line_no in seen:
            raise InvalidInput("line %(line)s is given twice", field="lines",
                               line=ln.line_no)
        where = f"lines[{ln.line_no}]"
        for name in ("good", "damaged", "short", "lost"):
            if getattr(ln, name) < 0:
                at = f"{where}.{name}"
                raise InvalidInput("line %(line)s: %(name)s cannot be negative", field=at,
                                   line=ln.line_no, name=name)
        if ln.counted > shipped[ln.line_no]:
            raise InvalidInput(
                "line %(line)s: %(counted)s counted (good %(good)s, damaged %(damaged)s, "
                "short %(short)s, lost %(lost)s) but only %(shipped)s were shipped",
                field=where, line=ln.line_no, counted=format(ln.counted, ","),
                good=format(ln.good, ","), damaged=format(ln.damaged, ","),
                short=format(ln.short, ","), lost=format(ln.lost, ","),
                shipped=format(shipped[ln.line_no], ","))
        seen[ln.line_no] = ln
    out = []
    for line_no, quantity in sorted(shipped.items()):
        ln = seen.get(line_no, PodLine(line_no, 0))
        missing = quantity - ln.counted
        out.append(PodLine(line_no, ln.good, ln.damaged, ln.short + missing, ln.lost))
    return out


DEFAULT_LOSS_THRESHOLD = Decimal("0.02")  # 2 % of the weight shipped


def loss_share(lines: list[PodLine], unit_kg: dict[int, Decimal]) -> Decimal:
    """What did not arrive good, as a share of the weight shipped (0 when nothing had
    weight)."""
    shipped = sum((unit_kg[ln.line_no] * (ln.counted) for ln in lines), Decimal(0))
    lost = sum((unit_kg[ln.line_no] * (ln.damaged + ln.short + ln.lost) for ln in lines),
               Decimal(0))
    return (lost / shipped) if shipped else Decimal(0)


def needs_loss_report(share: Decimal, threshold: Decimal = DEFAULT_LOSS_THRESHOLD) -> bool:
    return share > threshold
