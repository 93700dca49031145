"""The message catalogs: complete, in step with the code, and usable.

Every string of the template (messages.pot) has an Arabic and a Russian translation with
the same placeholders and as many plural forms as the language has; the template holds
exactly what extraction finds in the pages and the web modules (so a new string cannot be
forgotten); and every state or event a page shows from data has its word.
"""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from aidhub.domain import consignments, ledger, release_orders, requests, screening, waybills
from aidhub.services import consignments as consignment_service
from aidhub.services import delivery, picking
from aidhub.web import i18n

LOCALE = i18n.LOCALE_DIR
WEB = LOCALE.parent
PLURALS = {"ar": 6, "ru": 3}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _read(path: Path, lang: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=lang)


POT = _read(LOCALE / "messages.pot")
CATALOGS = {lang: _read(LOCALE / lang / "LC_MESSAGES" / "messages.po", lang)
            for lang in PLURALS}
IDS = [m.id for m in POT if m.id]


def _names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def test_the_template_has_the_pages_strings():
    assert len(IDS) > 200
    assert "Stock on hand at %(site)s" in IDS and "at checkpoint" in IDS


@pytest.mark.parametrize("lang", sorted(PLURALS))
def test_every_string_is_translated_with_the_same_placeholders(lang):
    catalog = CATALOGS[lang]
    assert catalog.num_plurals == PLURALS[lang]
    problems = []
    for msgid in IDS:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"untranslated: {_key(msgid)!r}")
            continue
        if isinstance(msgid, tuple):
            forms = message.string
            wanted = _names(msgid[0]) | _names(msgid[1])
            if len(forms) != PLURALS[lang] or not all(forms):
                problems.append(f"needs {PLURALS[lang]} plural forms: {msgid[0]!r}")
            elif any(not _names(f) <= wanted for f in forms) or _names(forms[-1]) != wanted:
                problems.append(f"placeholders differ: {msgid[0]!r}")
        elif _names(message.string) != _names(msgid):
            problems.append(f"placeholders differ: {msgid!r} -> {message.string!r}")
    assert problems == []


@pytest.mark.parametrize("lang", sorted(PLURALS))
def test_the_catalogs_hold_nothing_stale(lang):
    assert {m.id for m in CATALOGS[lang] if m.id} == set(IDS)


def test_the_template_is_what_extraction_finds():
    with (LOCALE / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "translate": (2,)}
    found = {msgid for _, _, msgid, _, _ in extract_from_dir(
        WEB, method_map, options_map, keywords=keywords) if msgid}
    assert found - set(IDS) == set(), "run pybabel extract and update (docs/operator-guide.md)"
    assert set(IDS) - found == set(), "the catalog template holds strings no longer used"


def test_every_state_and_event_a_page_shows_has_its_word():
    enums = (consignments.State, consignments.ClearanceState, consignments.SealCheck,
             ledger.MovementKind, requests.RequestState, release_orders.PlanState,
             release_orders.ReleaseState, screening.HitState, waybills.WaybillState,
             waybills.TrackingEvent, waybills.SealState)
    values = {str(v.value) for e in enums for v in e}
    values |= set(delivery.LOSS_STATES) | set(consignment_service.STAGES)
    values |= {picking.PICK_OPEN, picking.PICK_DONE, "optimal", "time_limit", "heuristic"}
    missing = {v for v in values if v.replace("_", " ") not in IDS}
    assert missing == set()


@pytest.mark.parametrize("lang", sorted(PLURALS))
def test_the_compiled_catalog_translates_and_formats(lang):
    choice = i18n.Choice(lang)
    for msgid in IDS:
        if isinstance(msgid, tuple):
            for n in (0, 1, 2, 3, 5, 11, 21, 101):
                text = choice.ngettext(msgid[0], msgid[1], n)
                assert text != msgid[1] or lang == "en"
                text % dict.fromkeys(_names(msgid[1]), "7")
        else:
            text = choice.gettext(msgid)
            text % dict.fromkeys(_names(msgid), "7")
    assert choice.gettext("Proof of delivery") != "Proof of delivery"
