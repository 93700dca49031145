"""Domain values as JSON-ready data (the same form the CLI prints with --json)."""

import dataclasses
import datetime as dt
import enum
import uuid
from decimal import Decimal
from functools import cache
from typing import Any


def jsonable(value: Any) -> Any:
    names = _field_names(type(value))
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass (read once per class), else None."""
    if dataclasses.is_dataclass(kind):
        return tuple(f.name for f in dataclasses.fields(kind))
    return None
