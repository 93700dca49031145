"""Life cycles of records that move through states (requests, plans, release orders).

Each life cycle is a table of allowed transitions; :func:`check` refuses anything else with
a message that says what is allowed from where the record is now.
"""

import enum
from collections.abc import Mapping

from aidhub.domain.consignments import IllegalTransition


def label(state: enum.Enum) -> str:
    return str(state.value).replace("_", " ")


def check(what: str, current: enum.Enum, target: enum.Enum,
          transitions: Mapping[enum.Enum, frozenset], *, reason: str = "",
          needs_reason: frozenset = frozenset()) -> None:
    """Allow ``current`` → ``target`` for ``what`` (e.g. "request REQ-1"), or say why not."""
    allowed = transitions[current]
    if target not in allowed:
        if allowed:
            options = ", ".join(sorted(label(s) for s in allowed))
            hint = f"from {label(current)} it can go to: {options}"
        else:
            hint = f"{label(current)} is final"
        raise IllegalTransition(f"{what} cannot go from {label(current)} to "
                                f"{label(target)}; {hint}")
    if target in needs_reason and not reason.strip():
        raise IllegalTransition(f"say why {what} is {label(target)}")


__all__ = ["IllegalTransition", "check", "label"]
