"""Life cycles of records that move through states (requests, plans, release orders).

Each life cycle is a table of allowed transitions; :func:`check` refuses anything else with
a message that says what is allowed from where the record is now.

The messages are whole sentences that name the record (a request, a plan...), so that a
translator sees each one as it is read: every module gives :func:`check` its own
:class:`Refusals`.
"""

import enum
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import Several, Term

Refusal = Callable[..., IllegalTransition]


class Refusals(NamedTuple):
    """How one kind of record refuses a change, each given the values ``number``,
    ``current`` and ``target`` (the states, as Terms):

    - ``elsewhere``: the target is not allowed; also given ``options``, the states it can
      go to;
    - ``final``: the record can go to no other state;
    - ``reason``: the target needs a reason and none was given."""

    elsewhere: Refusal
    final: Refusal
    reason: Refusal


def check(refusals: Refusals, number: str, current: enum.Enum, target: enum.Enum,
          transitions: Mapping[enum.Enum, frozenset], *, reason: str = "",
          needs_reason: frozenset = frozenset()) -> None:
    """Allow ``current`` → ``target`` for the record ``number``, or say why not."""
    allowed = transitions[current]
    values: dict[str, Any] = {"number": number, "current": Term(current),
                              "target": Term(target)}
    if target not in allowed:
        if allowed:
            raise refusals.elsewhere(options=Several(sorted(Term(s) for s in allowed), ", "),
                                     **values)
        raise refusals.final(**values)
    if target in needs_reason and not reason.strip():
        raise refusals.reason(**values)


__all__ = ["IllegalTransition", "Refusals", "check"]
