"""Pre-advices from packing lists (CSV or XLSX, plain headers or HXL).

Two steps, so that a person confirms what the machine guessed: :func:`preview` reads the
file, shows which column each field was read from and which catalog item each line seems
to be; :func:`import_file` registers the consignment once that is confirmed. The same file
(same content) is refused the second time unless forced.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aidhub.domain.catalog import Item, SumaCategory
from aidhub.domain.errors import InvalidInput
from aidhub.domain.ids import new_id
from aidhub.interop.packing_list import (
    PACKING_LIST_COLUMNS,
    PackingLine,
    check_units,
    parse_packing_list,
)
from aidhub.interop.problems import rejected
from aidhub.interop.tables import guess_mapping
from aidhub.matching.items import accepted, match_item
from aidhub.services.consignments import AdviceLine, PreAdvice, register_preadvice
from aidhub.services.context import Context


@dataclass(frozen=True)
class ColumnView:
    field: str
    column: str
    how: str


@dataclass(frozen=True)
class LineView:
    row: int
    written: str
    quantity: int
    unit: str
    item: str | None
    score: float | None
    reason: str
    sure: bool


@dataclass(frozen=True)
class Preview:
    columns: list[ColumnView]
    lines: list[LineView]
    content_hash: str
    imported_as: str | None

    @property
    def needs_confirmation(self) -> bool:
        guessed = any(c.how == "guessed" for c in self.columns)
        return guessed or any(not ln.sure for ln in self.lines)


def _resolve(line: PackingLine, catalog: list[Item], by_code: dict[str, Item]
             ) -> tuple[Item | None, float | None, str, bool]:
    """The catalog item a line means: (item, score, reason, sure)."""
    if line.item_code and line.item_code in by_code:
        return by_code[line.item_code], 100.0, "exact code", True
    candidates = match_item(line.item_code, line.description, catalog)
    sure = accepted(candidates)
    if sure is not None:
        return sure.item, sure.score, sure.reason.value, True
    if candidates:
        best = candidates[0]
        return best.item, best.score, f"{best.reason.value}: confirm", False
    return None, None, "no match: stays unidentified", False


Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def preview(ctx: Context, data: bytes, *, mapping: dict[str, Any] | None = None,
            progress: Progress = _quiet) -> Preview:
    """What an import of this file would register, for a person to check."""
    progress("reading", 0, 1)
    guess = guess_mapping(data, PACKING_LIST_COLUMNS)
    parsed = parse_packing_list(data, mapping)
    progress("reading", 1, 1)
    columns = [ColumnView(f, (parsed.mapping[f].label if f in parsed.mapping else "—"),
                          parsed.mapping[f].how if f in parsed.mapping else "not found")
               for f in guess.fields]
    with ctx.uow() as uow:
        catalog = uow.reference.items()
        previous = uow.inbound.by_source_hash(parsed.content_hash)
    by_code = {i.code: i for i in catalog}
    lines = []
    for n, line in enumerate(parsed.lines, start=1):
        item, score, reason, sure = _resolve(line, catalog, by_code)
        if n % 500 == 0 or n == len(parsed.lines):
            progress("matching items", n, len(parsed.lines))
        lines.append(LineView(line.row, line.item_code or line.description, line.quantity,
                              line.unit, item.code if item else None, score, reason, sure))
    return Preview(columns, lines, parsed.content_hash,
                   previous.number if previous else None)


def import_file(ctx: Context, data: bytes, header: PreAdvice, *, key: str,
                mapping: dict[str, Any] | None = None, create_missing: bool = False,
                force: bool = False, progress: Progress = _quiet) -> dict[str, Any]:
    """Register the consignment a packing list describes, all or nothing. Items are taken
    as matched (the caller has shown the matches and had them confirmed); goods that match
    nothing stay unidentified, or become new catalog items with ``create_missing``."""
    progress("reading", 0, 1)
    parsed = parse_packing_list(data, mapping)
    progress("reading", 1, 1)
    with ctx.uow() as uow:
        catalog = uow.reference.items()
        previous = uow.inbound.by_source_hash(parsed.content_hash)
        done = uow.commands.find([key]).get(key) if key else None
    if previous is not None and not force:
        if done is not None and done.name == "consignment.register" and (
                done.result or {}).get("number") == previous.number:
            return done.result  # a retry of the import that made it: its first answer
        raise InvalidInput("this file was already imported as consignment %(number)s "
                           "(same content); import it again only on purpose (--force)",
                           field="file", number=previous.number)
    by_code = {i.code: i for i in catalog}
    resolved = []
    for n, line in enumerate(parsed.lines, start=1):
        resolved.append((line, _resolve(line, catalog, by_code)[0]))
        if n % 500 == 0 or n == len(parsed.lines):
            progress("matching items", n, len(parsed.lines))
    units = {item.code: item.unit for _, item in resolved if item is not None}
    matched = [dataclasses.replace(line, item_code=item.code)
               for line, item in resolved if item is not None]
    problems = check_units(matched, units)
    if problems:
        raise rejected(problems)
    if create_missing:
        resolved = _create_missing(ctx, resolved, key)
    lines = [AdviceLine(line.quantity, item=item.code if item else None,
                        description=line.description or line.item_code, unit=line.unit,
                        batch=line.batch or None, expiry=line.expiry,
                        weight_kg=line.weight_kg, volume_m3=line.volume_m3, value=line.value,
                        currency=line.currency, donor=line.donor or None,
                        earmark=line.earmark, sscc=line.sscc)
             for line, item in resolved]
    advice = dataclasses.replace(header, lines=lines)
    progress("registering", 0, 1)
    result = register_preadvice(ctx, advice, key=key, source_hash=parsed.content_hash)
    progress("registering", 1, 1)
    return result


def _create_missing(ctx: Context, resolved: list[tuple[PackingLine, Item | None]],
                    key: str) -> list[tuple[PackingLine, Item | None]]:
    """New catalog items (SUMA category unclassified) for the goods that match nothing."""
    from aidhub.services.reference import import_catalog

    rows = ["code,name_en,suma_category,unit"]
    made: dict[str, str] = {}
    for line, item in resolved:
        if item is not None:
            continue
        name = (line.description or line.item_code).strip()
        code = line.item_code or f"NEW-{new_id().hex[-8:].upper()}"
        made.setdefault(name, code)
        safe = name.replace('"', "'")
        rows.append(f'{made[name]},"{safe}",{SumaCategory.UNCLASSIFIED.value},{line.unit}')
    if len(rows) == 1:
        return resolved
    import_catalog(ctx, "\n".join(rows).encode(), key=f"{key}:new-items")
    with ctx.uow() as uow:
        by_code = {i.code: i for i in uow.reference.items()}
    return [(line, item or by_code[made[(line.description or line.item_code).strip()]])
            for line, item in resolved]
