"""Reading an allocation problem: JSON text → checked :class:`Problem`, or every problem
found at once.

A planner who sends a file with a negative quantity on line 4,000 and a typo in a hub id
on line 9,000 should learn about both in one go, each with the JSON path of the value
(``hubs[2].lots[0].quantity``) so that it can be found in the file or in the program that
wrote it. So nothing stops at the first mistake: the JSON Schema
(``schemas/problem.json``) is checked in full, then the references between parts
(routes to hubs and points, needs and lots to items), and everything is raised as one
:class:`~aidhub.domain.errors.InvalidInput` with one line per problem (the same
all-or-nothing style as file imports, :mod:`aidhub.interop.problems`).

The schema's own messages are written for developers ("-5 is less than the minimum of
0"); they are rewritten here for the people who fix the data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from aidhub.domain.errors import InvalidInput
from aidhub.interop.problems import Problem as FileProblem
from aidhub.interop.problems import rejected
from aidhub.planning.problem import (
    HubSpec,
    ItemSpec,
    LotSpec,
    NeedSpec,
    PointSpec,
    Problem,
    RouteSpec,
)

#: Stop collecting after this many problems (the message shows the first 20 and a count).
MAX_PROBLEMS = 200

_TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text",
               "boolean": "true or false", "array": "a list [...]", "object": "an object {...}",
               "null": "null"}
_PRIORITY = "1 (life-saving), 2 (important) or 3 (other)"


@functools.cache
def schema(name: str) -> dict:
    """A schema shipped with the package: ``problem`` or ``plan``."""
    text = resources.files("aidhub.planning").joinpath("schemas", f"{name}.json").read_text()
    return json.loads(text)


@functools.cache
def _validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name))


def load_problem(data: str | bytes) -> Problem:
    """Parse and check a problem from JSON text (bytes are read as UTF-8)."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("the file is not UTF-8 text (byte %(byte)s cannot be "
                               "read); save it as UTF-8 JSON", byte=exc.start + 1) from None
    try:
        parsed = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InvalidInput("the file is not JSON: %(error)s at line %(line)s, "
                           "column %(column)s", error=exc.msg.lower(), line=exc.lineno,
                           column=exc.colno) from None
    except RecursionError:  # "[[[[..." a hundred thousand deep
        raise InvalidInput("the file nests lists or objects too deeply to be a problem "
                           "file") from None
    return parse_problem(parsed)


def parse_problem(data: Any) -> Problem:
    """Check a problem already read from JSON (dicts and lists) and build it."""
    problems = schema_problems(data, "problem")
    if not problems:
        problems = _reference_problems(data)
    if problems:
        raise _rejection(problems)
    return _build(data)


# ----------------------------------------------------------------------------- schema
def path_text(path: Iterable[Any]) -> str:
    """``["hubs", 2, "lots", 0, "quantity"]`` → ``hubs[2].lots[0].quantity``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def schema_problems(data: Any, name: str) -> list[FileProblem]:
    """Every schema error of ``data`` against the schema ``name``, in document order,
    each with its JSON path and a message for a person."""
    errors = list(_validator(name).iter_errors(data))
    errors.sort(key=lambda e: tuple((0, p, "") if isinstance(p, int) else (1, 0, p)
                                    for p in e.absolute_path))
    out: list[FileProblem] = []
    for error in errors:
        out.extend(_explain(error))
        if len(out) >= MAX_PROBLEMS:
            break
    return out


def _explain(error) -> list[FileProblem]:
    path = list(error.absolute_path)
    where = path_text(path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        return [_problem(path_text([*path, k]), "is missing (it is required)") for k in missing]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed and not k.startswith("x-"))
        return [_problem(path_text([*path, k]),
                         f"unknown key '{k}' (allowed here: {', '.join(sorted(allowed))})")
                for k in extra]
    last = path[-1] if path else None
    if last == "priority" and kind in {"minimum", "maximum", "type"}:
        return [_problem(where, f"priority must be {_PRIORITY}, not {_show(value)}")]
    if kind == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        if where == "":
            return [_problem("(top level)", f"the problem must be a JSON object {{...}}, "
                             f"not {_kind_of(value)}")]
        return [_problem(where, f"must be {words}, not {_show(value)}")]
    if kind == "minimum":
        if error.validator_value == 0 and isinstance(value, int | float):
            return [_problem(where, f"must not be negative (it is {_show(value)})")]
        return [_problem(where, f"must be at least {error.validator_value}, "
                         f"not {_show(value)}")]
    if kind == "exclusiveMinimum":
        return [_problem(where, f"must be more than {error.validator_value}, "
                         f"not {_show(value)}")]
    if kind == "maximum":
        return [_problem(where, f"must be at most {error.validator_value}, not {_show(value)}")]
    if kind == "pattern":
        return [_problem(where, f"must be a date written YYYY-MM-DD, not {_show(value)}")]
    if kind == "minLength":
        return [_problem(where, "must not be empty")]
    if kind == "maxLength":
        return [_problem(where, f"is too long (at most {error.validator_value} characters)")]
    if kind == "enum":
        return [_problem(where, "must be one of " + ", ".join(
            json.dumps(v) for v in error.validator_value) + f", not {_show(value)}")]
    if kind == "anyOf":
        refs = json.dumps(error.validator_value)
        if "#/$defs/date" in refs:
            return [_problem(where, f"must be a date written YYYY-MM-DD, or null; "
                             f"not {_show(value)}")]
        if "#/$defs/kg" in refs:
            return [_problem(where, f"must be a weight in kg (0 or more), or null for no "
                             f"limit; not {_show(value)}")]
    return [_problem(where or "(top level)", error.message)]


def _problem(field: str, message: str) -> FileProblem:
    return FileProblem(None, None, f"{field}: {message}", field=field)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind_of(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number",
            bool: "true/false", type(None): "null"}.get(type(value), type(value).__name__)


def _rejection(problems: list[FileProblem]) -> InvalidInput:
    """One problem: a plain InvalidInput naming its field. Several: one message, a line
    each (``field`` is then the first one's, ``problems`` has them all)."""
    if len(problems) == 1:
        only = problems[0]
        error = InvalidInput(only.message.split(": ", 1)[1], field=only.field)
        error.problems = (only,)
        return error
    error = rejected(problems, done="planned")
    error.field = problems[0].field
    return error


# ------------------------------------------------------------------------- references
def _date(value: Any, field: str, problems: list[FileProblem]) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(_problem(field, f"{_show(value)} is not a real date (YYYY-MM-DD)"))
        return None


def _datetime(value: Any, field: str, problems: list[FileProblem]) -> dt.datetime | None:
    if value is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.append(_problem(field, f"{_show(value)} is not a date and time "
                                 "(YYYY-MM-DDTHH:MM, optionally with a time zone)"))
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


def _reference_problems(data: dict) -> list[FileProblem]:
    """What the schema cannot say: real dates, unique ids, references that resolve,
    expiry dates where the item needs them, a need at every point, an open route."""
    problems: list[FileProblem] = []
    add = problems.append
    _date(data["plan_date"], "plan_date", problems)

    items: dict[str, int] = {}
    for i, item in enumerate(data["items"]):
        code = item["code"]
        if code in items:
            add(_problem(f"items[{i}].code", f"item {code} is listed twice "
                         f"(also items[{items[code]}])"))
        else:
            items[code] = i
    shelf = {item["code"]: item.get("shelf_life", False) for item in data["items"]}

    hubs: dict[str, int] = {}
    for h, hub in enumerate(data["hubs"]):
        hid = hub["id"]
        if hid in hubs:
            add(_problem(f"hubs[{h}].id", f"hub {hid} is listed twice (also hubs[{hubs[hid]}])"))
        else:
            hubs[hid] = h
        seen: dict[tuple[str, str], int] = {}
        for k, lot in enumerate(hub["lots"]):
            where = f"hubs[{h}].lots[{k}]"
            code = lot["item"]
            if code not in items:
                add(_problem(f"{where}.item", f"no item {code} in items: add it there or "
                             "correct the code"))
            key = (code, lot["lot"])
            if key in seen:
                add(_problem(f"{where}.lot", f"lot {lot['lot'] or '(no batch)'} of {code} is "
                             f"listed twice at hub {hid} (also hubs[{h}].lots[{seen[key]}]); "
                             "put the quantities together"))
            else:
                seen[key] = k
            _date(lot.get("expiry"), f"{where}.expiry", problems)
            if lot.get("expiry") is None and shelf.get(code):
                add(_problem(f"{where}.expiry", f"{code} has a shelf life: give the expiry "
                             f"date of lot {lot['lot'] or '(no batch)'}"))
            _date(lot.get("received"), f"{where}.received", problems)
            if len(problems) >= MAX_PROBLEMS:
                return problems

    points: dict[str, int] = {}
    for p, point in enumerate(data["points"]):
        pid = point["id"]
        if pid in points:
            add(_problem(f"points[{p}].id", f"point {pid} is listed twice "
                         f"(also points[{points[pid]}])"))
        else:
            points[pid] = p
        seen_need: dict[tuple[str, int], int] = {}
        for k, need in enumerate(point["needs"]):
            where = f"points[{p}].needs[{k}]"
            code = need["item"]
            if code not in items:
                add(_problem(f"{where}.item", f"no item {code} in items: add it there or "
                             "correct the code"))
            key = (code, need["priority"])
            if key in seen_need:
                add(_problem(where, f"point {pid} asks for {code} at priority "
                             f"{need['priority']} twice (also needs[{seen_need[key]}]); "
                             "add the quantities together"))
            else:
                seen_need[key] = k
            _datetime(need.get("submitted"), f"{where}.submitted", problems)
        if not any(need["quantity"] > 0 for need in point["needs"]):
            add(_problem(f"points[{p}].needs", f"point {pid} needs nothing (no need with a "
                         "quantity above 0): remove the point or give its needs"))
        if len(problems) >= MAX_PROBLEMS:
            return problems
    if not data["points"]:
        add(_problem("points", "there are no points: nothing to plan"))

    pairs: dict[tuple[str, str], int] = {}
    for r, route in enumerate(data["routes"]):
        where = f"routes[{r}]"
        if route["hub"] not in hubs:
            add(_problem(f"{where}.hub", f"no hub {route['hub']} in hubs"))
        if route["point"] not in points:
            add(_problem(f"{where}.point", f"no point {route['point']} in points"))
        key = (route["hub"], route["point"])
        if key in pairs:
            add(_problem(where, f"route {key[0]} → {key[1]} is listed twice "
                         f"(also routes[{pairs[key]}]); keep one"))
        else:
            pairs[key] = r
        if len(problems) >= MAX_PROBLEMS:
            return problems
    if not data["routes"]:
        add(_problem("routes", "there are no routes: nothing can reach any point"))
    elif not any(route.get("open", True) for route in data["routes"]):
        add(_problem("routes", "every route is closed: nothing can be delivered; open at "
                     "least one route"))
    return problems


def _build(data: dict) -> Problem:
    ignore: list[FileProblem] = []
    return Problem(
        plan_date=dt.date.fromisoformat(data["plan_date"]),
        min_shelf_life_days=data.get("min_shelf_life_days", 0),
        items=tuple(ItemSpec(i["code"], float(i["unit_weight_kg"]),
                             bool(i.get("shelf_life", False)),
                             _float_or_none(i.get("unit_volume_m3")), i.get("name"))
                    for i in data["items"]),
        hubs=tuple(HubSpec(h["id"], _float_or_none(h.get("dispatch_capacity_kg")),
                           tuple(LotSpec(lot["item"], lot["lot"],
                                         _date(lot.get("expiry"), "", ignore),
                                         lot["quantity"],
                                         _date(lot.get("received"), "", ignore))
                                 for lot in h["lots"]), h.get("name"))
                   for h in data["hubs"]),
        points=tuple(PointSpec(p["id"], tuple(
            NeedSpec(n["item"], n["quantity"], n["priority"],
                     _datetime(n.get("submitted"), "", ignore), n.get("request"))
            for n in p["needs"]), p.get("name")) for p in data["points"]),
        routes=tuple(RouteSpec(r["hub"], r["point"], float(r["cost_per_kg"]),
                               r["lead_days"], bool(r.get("open", True)),
                               _float_or_none(r.get("capacity_kg")))
                     for r in data["routes"]),
    )


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
