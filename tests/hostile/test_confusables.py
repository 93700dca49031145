"""Names written to slip past screening (issue #9): Cyrillic and Greek letters that look
Latin, zero-width characters and bidi controls. Screening folds them (see
aidhub.screening.normalise.clean) so a disguised listed name scores as the plain one."""

import pytest

from aidhub.domain.errors import InvalidInput
from aidhub.domain.screening import check_party_name
from aidhub.screening.normalise import clean
from aidhub.services import consignments, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from tests.integration.test_screening import UN

LISTED = "Abu Mohamad al-Golani"
DISGUISED = {
    "cyrillic": "Аbu Моhаmаd аl-Gоlаni",  # А, о, а, М: Cyrillic
    "greek": "Αbu Μοhαmαd αl-Gοlαni",  # Α, Μ, ο, α: Greek
    "mixed": "Abυ Mоhamаd al-Golanі",  # Greek υ, Cyrillic о, а, і
    "zero-width": "Abu Mo\u200bha\u200dmad al-\u2060Golani\ufeff",
    "bidi": "\u202aAbu Mohamad\u202c \u2067al-Golani\u2069",
    "soft hyphen": "Abu Moham\u00adad al-Go\u00adlani",
    "fullwidth": "Ａｂｕ Ｍｏｈａｍａｄ ａｌ-Ｇｏｌａｎｉ",
}


@pytest.fixture
def listed(hub):
    screening.load_list(hub, UN, key="un")
    return hub


def _best(ctx, name: str) -> tuple[str, float]:
    data = ("name\n" + name.replace('"', '""') + "\n").encode()
    (result,) = screening.screen_names(ctx, data, cutoff=0.3)
    best = result["matches"][0]
    return best["entry_id"], best["score"]


@pytest.mark.parametrize("how", sorted(DISGUISED))
def test_a_disguised_listed_name_is_cleaned_to_the_plain_one(how):
    assert clean(DISGUISED[how]) == clean(LISTED)


def test_a_disguised_listed_name_scores_as_the_plain_one(listed):
    plain = _best(listed, LISTED)
    assert plain[1] >= screening.alert_threshold()
    for how, name in DISGUISED.items():
        assert _best(listed, name) == plain, how


def test_a_driver_with_a_disguised_name_still_holds_the_consignment(listed):
    number = consignments.register_preadvice(listed, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
        driver=DISGUISED["cyrillic"]), key="pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(listed, number, state, key=f"s{n}")
    hits = [h for h in screening.list_hits(listed, state="open") if h.kind == "party"]
    assert hits, "the disguised driver's name was not matched"


@pytest.mark.parametrize("raw,stored", [
    ("\u202eينالوجلا\u202c", "ينالوجلا"), ("Abu\u200b Mohamad", "Abu Mohamad"),
    ("\u2067Golani\u2069", "Golani"), ("\ufeffAmal", "Amal"),
    ("Mohammad\u200cReza", "Mohammad\u200cReza"),  # ZWNJ: part of Persian spelling
])
def test_a_party_name_is_stored_without_bidi_and_zero_width_controls(raw, stored):
    assert check_party_name(raw) == stored


@pytest.mark.parametrize("raw", ["Amal\x00", "\x1b[31mAmal", "Am\x07al"])
def test_a_party_name_with_control_characters_is_refused(raw):
    with pytest.raises(InvalidInput, match="control characters"):
        check_party_name(raw)
