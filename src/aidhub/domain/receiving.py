"""Counting goods in: what a GRN line may say, and SUMA triage.

A consignment line may be received in several parts (partial receipts) and split into
several lot/expiry combinations; goods not on the pre-advice may arrive too. The rules:

- good + damaged is what was physically counted; damaged goods go to quarantine;
- receiving more than was announced must be declared as *over*;
- *short* is what the pre-advice announced and will not come, declared when the line is
  closed; until then the rest stays expected.
"""

import datetime as dt
import enum
from dataclasses import dataclass

from aidhub.domain.catalog import SumaCategory
from aidhub.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class LineCount:
    """What was counted for one consignment line (or unannounced goods) in one GRN."""

    good: int
    damaged: int = 0
    over_declared: bool = False
    close_line: bool = False


@dataclass(frozen=True, slots=True)
class LineOutcome:
    good: int
    damaged: int
    over: int
    short: int


def assess(expected: int, already: int, counts: list[LineCount], line_ref: str) -> LineOutcome:
    """Check the counts of one announced line in one GRN against what was expected and
    already received; return the totals with over and short worked out."""
    good = sum(c.good for c in counts)
    damaged = sum(c.damaged for c in counts)
    for c in counts:
        if c.good < 0 or c.damaged < 0:
            raise InvalidInput(f"{line_ref}: counts cannot be negative", field="good")
    if good + damaged <= 0:
        raise InvalidInput(f"{line_ref}: nothing counted; give the good and damaged "
                           "quantities", field="good")
    after = already + good + damaged
    over = max(0, after - expected) - max(0, already - expected)
    if over and not any(c.over_declared for c in counts):
        raise InvalidInput(
            f"{line_ref}: {after} counted in all against {expected} announced; if "
            f"{over} more really arrived, declare it as over",
            field="over",
        )
    short = max(0, expected - after) if any(c.close_line for c in counts) else 0
    return LineOutcome(good, damaged, over, short)


class Priority(enum.IntEnum):
    """SUMA priority at the point of entry."""

    URGENT = 1  # immediate distribution
    NON_URGENT = 2  # non-urgent distribution
    NON_PRIORITY = 3  # unneeded, inappropriate, unidentifiable or expired


class Disposition(enum.StrEnum):
    """What happens to priority-3 goods: they never become usable stock."""

    RETURN = "return"
    REROUTE = "reroute"
    DONATE_ON = "donate_on"
    DISPOSE = "dispose"


@dataclass(frozen=True, slots=True)
class Triage:
    priority: Priority
    category: SumaCategory
    disposition: Disposition | None = None
    reason: str = ""


def check_triage(triage: Triage, expiry: dt.date | None, today: dt.date) -> None:
    """Priority 3 needs a disposition and a reason; expired goods are priority 3."""
    if triage.priority is Priority.NON_PRIORITY:
        if triage.disposition is None:
            raise InvalidInput("priority 3 goods need a disposition: return, reroute, "
                               "donate_on or dispose", field="disposition")
        if not triage.reason.strip():
            raise InvalidInput("say why the goods are priority 3 (unneeded, inappropriate, "
                               "unidentifiable, expired)", field="reason")
    elif triage.disposition is not None:
        raise InvalidInput("only priority 3 goods get a disposition", field="disposition")
    if expiry is not None and expiry < today and triage.priority is not Priority.NON_PRIORITY:
        raise InvalidInput(f"the goods expired on {expiry}: they are blocked and can only be "
                           "priority 3", field="priority")
