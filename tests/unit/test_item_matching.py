"""Matching a consignor's line (code, description in en/ar/ru) to the catalog."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidhub.domain.catalog import Item, SumaCategory
from aidhub.matching import AUTO_ACCEPT, SUGGEST, Reason, accepted, match_item, normalise


def item(code: str, en: str, ar: str | None = None, ru: str | None = None,
         gtin: str | None = None) -> Item:
    return Item(uuid.uuid4(), code, en, SumaCategory.FOOD_DRINK, "piece", ar, ru, gtin=gtin)


CATALOG = [
    item("FOOD-WFLOUR-50KG", "Wheat flour, 50 kg bag", "دقيق القمح، كيس 50 كغ",
         "Мука пшеничная, мешок 50 кг"),
    item("FOOD-RICE-25KG", "Rice, white, milled, 25 kg bag", "أرز أبيض، كيس 25 كغ",
         "Рис белый шлифованный, мешок 25 кг", gtin="09506000134352"),
    item("FOOD-LENTIL-RED-25KG", "Red lentils, split, 25 kg bag", "عدس أحمر مجروش، كيس 25 كغ",
         "Чечевица красная колотая, мешок 25 кг"),
    item("FOOD-SUNOIL-4L", "Sunflower oil, refined, fortified, 4 L tin",
         "زيت دوار الشمس مكرر ومدعّم، علبة معدنية 4 لترات",
         "Масло подсолнечное рафинированное обогащённое, жестяная банка 4 л"),
    item("NFI-BLANKET-HT", "Blanket, high thermal, 150 × 200 cm",
         "بطانية عالية العزل الحراري، 150 × 200 سم",
         "Одеяло с высокой теплоизоляцией, 150 × 200 см"),
    item("WASH-JERRY-20L", "Jerrycan, rigid plastic, 20 L",
         "جالون مياه بلاستيكي صلب، سعة 20 لتراً", "Канистра пластиковая жёсткая, 20 л"),
    item("SHEL-TENT-FAM-16M2", "Family tent, 16 m², winterised",
         "خيمة عائلية مجهّزة للشتاء، مساحة 16 م²", "Палатка семейная утеплённая, 16 м²"),
    item("MED-PARA-500-TAB1000", "Paracetamol 500 mg, tablets, box of 1,000",
         "باراسيتامول 500 ملغ، أقراص، علبة من 1000 قرص",
         "Парацетамол 500 мг, таблетки, упаковка 1000 шт."),
    item("HOSP-BED", "Hospital bed", "سرير مستشفى", "Больничная койка"),
]


def codes(candidates) -> list[str]:
    return [c.item.code for c in candidates]


def test_the_exact_code_wins_whatever_the_description():
    found = match_item("FOOD-RICE-25KG", "Wheat flour 50kg", CATALOG)
    assert codes(found) == ["FOOD-RICE-25KG", "FOOD-WFLOUR-50KG"]
    assert (found[0].score, found[0].reason) == (100, Reason.EXACT_CODE)
    assert accepted(found) is found[0]


def test_a_code_and_a_whole_name_that_disagree_are_left_to_the_user():
    found = match_item("FOOD-RICE-25KG", "Wheat flour, 50 kg bag", CATALOG)
    assert codes(found) == ["FOOD-RICE-25KG", "FOOD-WFLOUR-50KG"]
    assert accepted(found) is None


def test_a_code_in_other_case_and_punctuation_is_safe_to_take():
    found = match_item(" food rice 25kg ", None, CATALOG)
    assert codes(found) == ["FOOD-RICE-25KG"] and found[0].score >= AUTO_ACCEPT
    assert accepted(found) is found[0]


def test_a_barcode_finds_its_item():
    found = match_item("9506000134352", None, CATALOG)
    assert (found[0].item.code, found[0].reason) == ("FOOD-RICE-25KG", Reason.GTIN)


def test_a_code_with_other_numbers_is_another_item():
    assert match_item("FOOD-RICE-50KG", None, CATALOG) == []


@pytest.mark.parametrize(("description", "code", "reason"), [
    ("Wheet flor 50kg bags", "FOOD-WFLOUR-50KG", Reason.NAME_EN),
    ("RICE WHITE 25KG", "FOOD-RICE-25KG", Reason.NAME_EN),
    ("red lentills 25 kg", "FOOD-LENTIL-RED-25KG", Reason.NAME_EN),
    ("Jerry can 20L", "WASH-JERRY-20L", Reason.NAME_EN),
    ("Paracetamol 500mg tabs", "MED-PARA-500-TAB1000", Reason.NAME_EN),
    ("Sunflower oil 4 ltr", "FOOD-SUNOIL-4L", Reason.NAME_EN),
    ("Blanket", "NFI-BLANKET-HT", Reason.NAME_EN),
    ("ارز ابيض - كيس ٢٥ كغ", "FOOD-RICE-25KG", Reason.NAME_AR),
    ("بطانيه عاليه العزل الحراري", "NFI-BLANKET-HT", Reason.NAME_AR),
    ("دقيق قمح 50 كيلو", "FOOD-WFLOUR-50KG", Reason.NAME_AR),
    ("سرير مستشفي", "HOSP-BED", Reason.NAME_AR),
    ("Мука пшеничная 50кг", "FOOD-WFLOUR-50KG", Reason.NAME_RU),
    ("Чечевица красная, 25 кг", "FOOD-LENTIL-RED-25KG", Reason.NAME_RU),
    ("палатка семейная", "SHEL-TENT-FAM-16M2", Reason.NAME_RU),
])
def test_names_in_english_arabic_and_russian_find_the_item(description, code, reason):
    found = match_item(None, description, CATALOG)
    assert found, f"nothing found for {description!r}"
    assert (found[0].item.code, found[0].reason) == (code, reason)
    assert found[0].score >= SUGGEST
    assert all(c.score < found[0].score for c in found[1:])


def test_arabic_letter_forms_and_marks_do_not_matter():
    found = match_item(None, "أَرُزّ أبْيَـض، كيس ٢٥ كغ", CATALOG)
    assert (found[0].item.code, found[0].score) == ("FOOD-RICE-25KG", AUTO_ACCEPT)
    assert normalise("إآأٱا") == "اااا" + "ا"
    assert normalise("بطانيّة") == normalise("بطانيه") == normalise("بـطـانـيـة")
    assert normalise("مستشفى") == normalise("مستشفي")


def test_latin_text_is_normalised():
    assert normalise("Rice, WHITE, 25kg") == normalise("rice white 25 kg") == "rice white 25 kg"
    assert normalise("Crème 1,5 L") == "creme 1.5 l"
    assert normalise("box of 1,000") == "box 1000"


def test_a_whole_name_equal_but_for_case_and_punctuation_is_safe_to_take():
    found = match_item(None, "WHEAT FLOUR - 50KG BAG", CATALOG)
    assert found[0].item.code == "FOOD-WFLOUR-50KG" and accepted(found) is found[0]


def test_a_similar_name_is_only_suggested():
    found = match_item(None, "Wheet flor 50kg bags", CATALOG)
    assert SUGGEST <= found[0].score < AUTO_ACCEPT
    assert accepted(found) is None


@pytest.mark.parametrize("description", [
    "Laptop computer 15 inch", "Office chair", "Diesel fuel 200 L", "Mosquito net",
    "25 kg bag", "Rice 50 kg", "حاسوب محمول", "Ноутбук",
])
def test_an_unrelated_name_gets_no_candidate(description):
    assert match_item(None, description, CATALOG) == []
    assert match_item("XYZ-0001", description, CATALOG) == []


def test_nothing_to_match_gives_nothing():
    assert match_item(None, None, CATALOG) == []
    assert match_item("", "  ", CATALOG) == []
    assert match_item("FOOD-RICE-25KG", "rice", []) == []


def test_candidates_are_best_first_and_limited():
    found = match_item(None, "25 kg bag of rice or lentils", CATALOG, limit=1)
    assert len(found) == 1
    everything = match_item(None, "25 kg bag of rice or lentils", CATALOG)
    assert [c.score for c in everything] == sorted((c.score for c in everything), reverse=True)


@given(st.sampled_from(CATALOG), st.randoms())
def test_an_item_name_however_typed_finds_its_item(wanted, random):
    name = wanted.name_en
    typed = "".join(c.upper() if random.random() < 0.5 else c.lower() for c in name)
    typed = typed.replace(", ", random.choice([", ", " ", " - ", "; ", " / "]))
    typed = typed.replace(" kg", random.choice([" kg", "kg", " KG"]))
    found = match_item(None, typed, CATALOG)
    assert found[0].item == wanted and found[0].score >= AUTO_ACCEPT
