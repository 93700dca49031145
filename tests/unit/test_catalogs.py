"""The message catalogs: complete, in step with the code, and usable.

Every string of the template (messages.pot) has an Arabic and a Russian translation with
the same placeholders and as many plural forms as the language has; the template holds
exactly what extraction finds in the pages and the web modules (so a new string cannot be
forgotten); and every state or event a page shows from data has its word.
"""

import contextlib
import importlib
import io
import pkgutil
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import aidhub
from aidhub.domain import (
    access,
    consignments,
    ledger,
    release_orders,
    requests,
    screening,
    sites,
    waybills,
)
from aidhub.domain.errors import AidhubError, InvalidInput, Several
from aidhub.interop.problems import Problem, RejectedFile
from aidhub.services import consignments as consignment_service
from aidhub.services import delivery, picking
from aidhub.web import i18n
from aidhub.web.locale import catalog

LOCALE = i18n.LOCALE_DIR
PLURALS = {"ar": 6, "ru": 3}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")


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
    found = catalog.extract()
    hint = "run python -m aidhub.web.locale.catalog (docs/operator-guide.md)"
    assert found - set(IDS) == set(), hint
    assert set(IDS) - found == set(), "the catalog template holds strings no longer used"


def test_no_error_message_is_typed_so_that_it_cannot_be_translated():
    """An error's message written as an f-string (or built before the raise) reaches a
    reader in English whatever the language: extraction says where."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        catalog.extract()
    assert said.getvalue().splitlines() == []


def test_every_error_class_is_an_extraction_keyword():
    for module in pkgutil.walk_packages(aidhub.__path__, "aidhub."):
        if not module.name.endswith("__main__"):  # that one runs the CLI
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = {c.__name__ for c in subclasses(AidhubError) if c.__module__.startswith("aidhub.")
             and not c.__name__.startswith("_")}
    # RejectedFile is made from problems, each with its own message (Problem: a keyword)
    assert found - {"RejectedFile"} | {"AidhubError"} == set(catalog.ERRORS)


def test_an_error_speaks_the_readers_language():
    """Where the error happened, what is wrong and the values in it, in Arabic; the
    English text unchanged for the CLI, the API and the logs."""
    missing = ("the quantity is missing; give the number of units shipped (a whole "
               "number)")  # a message of packing_list, and so of the catalog
    error = RejectedFile([Problem(4, "Qty", missing, "quantity"), "line 2: no item XYZ"])
    assert str(error) == ("nothing was imported; fix these 2 problem(s) and try again:\n"
                          f"row 4, column 'Qty': {missing}\nline 2: no item XYZ")
    arabic = error.translated(i18n.Choice("ar").gettext)
    assert arabic.count("\n") == 2 and "Qty" in arabic and "XYZ" in arabic
    assert not re.search(r"nothing|fix these|row 4|column|quantity is", arabic)
    assert error.translated(i18n.Choice("en").gettext) == str(error)


def test_problems_on_a_records_lines_speak_the_readers_language():
    """A problem found on a line of a record (a transfer, a return, a GRN's counts) says
    which line in the reader's language, and so do several problems given in one
    message; the English stays as the CLI and the API show it."""
    missing = ("the quantity is missing; give the number of units shipped (a whole "
               "number)")
    on_line = Problem.around(InvalidInput(missing, field="quantity"), line=3)
    no_line = Problem(None, None, "waybill %(waybill)s has no line %(waybill_line)s",
                      values={"waybill": "WB-7", "waybill_line": 9}, line=4)
    error = InvalidInput("the return was not registered: %(problems)s", field="lines",
                         problems=Several([on_line, no_line]))
    assert str(error) == (f"field 'lines': the return was not registered: line 3: field "
                          f"'quantity': {missing}; line 4: waybill WB-7 has no line 9")
    russian = error.translated(i18n.Choice("ru").gettext)
    assert "строка 3" in russian and "строка 4" in russian and "WB-7" in russian
    assert not re.search(r"\bline\b|waybill|quantity is|return was", russian)
    arabic = Problem.around(AidhubError("lot %(lot)s is on hold (%(reason)s)", lot="B1",
                                        reason="recall"), count=2)
    assert str(arabic) == "count 2: lot B1 is on hold (recall)"
    assert not re.search(r"count|lot|hold", arabic.translated(i18n.Choice("ar").gettext))


def test_states_and_roles_in_a_message_speak_the_readers_language():
    """A state, role or kind named in a message is a Term: in words for the CLI, in the
    reader's language on a page, as the pages name them."""
    from aidhub.domain.consignments import State, transition

    with pytest.raises(AidhubError) as caught:
        transition("CN-1", State.IN_TRANSIT, State.CLOSED)
    assert str(caught.value) == (
        "consignment CN-1 cannot go from in transit to closed; from in transit it can go "
        "to: arrived, cancelled, lost")
    russian = caught.value.translated(i18n.Choice("ru").gettext)
    assert not re.search(r"in transit|closed|arrived|cancelled|lost", russian)
    principal = access.Principal(None, "sam", "Sam", (access.Grant(access.Role.DONOR,
                                                                   None),), None)
    with pytest.raises(AidhubError) as refused:
        principal.require(access.Permission.APPROVE_REQUESTS)
    assert "sam (donor) may not approve requests" in str(refused.value)
    arabic = refused.value.translated(i18n.Choice("ar").gettext)
    assert "sam" in arabic and not re.search(r"donor|approve requests", arabic)


def test_every_state_and_event_a_page_shows_has_its_word():
    enums = (consignments.State, consignments.ClearanceState, consignments.SealCheck,
             ledger.MovementKind, requests.RequestState, release_orders.PlanState,
             release_orders.ReleaseState, screening.HitState, waybills.WaybillState,
             waybills.TrackingEvent, waybills.SealState,
             # roles, scopes and kinds of site that messages name (as a Term)
             access.Role, access.Permission, sites.SiteKind)
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
