"""Rows of the replicated tables as JSON and back, by each column's type."""

import base64
import datetime as dt
import decimal
import json
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Uuid,
)

from aidhub.store.types import UTCDateTime


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row as JSON-ready values."""
    return {k: _encode(v) for k, v in row.items() if k in table.c}


def dumps(table: Table, row: dict[str, Any]) -> str:
    return json.dumps(encode(table, row), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def decode(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (from JSON) with each value of a known column in its Python type."""
    parsers = _parsers(table)
    out = {}
    for name, value in data.items():
        parse = parsers.get(name)
        if parse is None:
            raise ValueError(f"{table.name} has no column {name}")
        out[name] = value if value is None else parse(value)
    return out


def columns(table: Table) -> list[str]:
    return [c.name for c in table.columns]


def encode_rows(table: Table, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows as lists in the order of :func:`columns` (a page names its columns once)."""
    names = columns(table)
    return [[_encode(r.get(n)) for n in names] for r in rows]


def encode_tuples(table: Table, rows) -> list[list[Any]]:
    """Rows read with ``select(table)`` (tuples in column order) as lists of JSON values,
    each column encoded by a function chosen once for its type."""
    coders = [_encoder(c.type) for c in table.columns]
    return [[v if v is None else f(v) for f, v in zip(coders, r, strict=True)]
            for r in rows]


def _encoder(type_: Any):
    if isinstance(type_, Uuid):
        return str
    if isinstance(type_, DateTime | Date | UTCDateTime):
        return _iso
    if isinstance(type_, Boolean | Integer | BigInteger | String):
        return _same
    return _encode


def _iso(value: Any) -> str:
    return value.isoformat()


def decode_rows(table: Table, names: list[str], rows: list[list[Any]]
                ) -> list[dict[str, Any]]:
    parsers = _parsers(table)
    try:
        chosen = [parsers[n] for n in names]
    except KeyError as exc:
        raise ValueError(f"{table.name} has no column {exc}") from None
    return [{n: (v if v is None else parse(v)) for n, parse, v in zip(names, chosen, r,
                                                                    strict=True)}
            for r in rows]


_PARSERS: dict[str, dict[str, Any]] = {}


def _parsers(table: Table) -> dict[str, Any]:
    found = _PARSERS.get(table.name)
    if found is None:
        found = _PARSERS[table.name] = {c.name: _parser(c.type) for c in table.columns}
    return found


def _utc(value: str) -> dt.datetime:
    v = dt.datetime.fromisoformat(value)
    return v if v.tzinfo else v.replace(tzinfo=dt.UTC)


def _parser(type_: Any):
    if isinstance(type_, UTCDateTime):
        return _utc
    if isinstance(type_, Uuid):
        return uuid.UUID
    if isinstance(type_, DateTime):
        return dt.datetime.fromisoformat
    if isinstance(type_, Date):
        return dt.date.fromisoformat
    if isinstance(type_, Boolean):
        return bool
    if isinstance(type_, Integer | BigInteger):
        return int
    if isinstance(type_, Numeric):
        return decimal.Decimal
    if isinstance(type_, LargeBinary):
        return base64.b64decode
    return _same


def _same(value: Any) -> Any:
    return value
