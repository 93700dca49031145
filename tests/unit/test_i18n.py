"""The pages' languages: numbers and dates in the reader's digits, the choice of language,
and the templates' gettext reading each render's own language."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates
from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, select_autoescape

from aidhub.web import i18n
from aidhub.web.i18n import Choice

EN, RU = Choice("en"), Choice("ru")
AR, AR_EAST = Choice("ar", "western"), Choice("ar", "eastern")


@pytest.mark.parametrize("choice, value, decimals, shown", [
    (EN, 1234567, None, "1,234,567"),
    (EN, 1234.5, 1, "1,234.5"),
    (EN, Decimal("12550.4"), 0, "12,550"),
    (EN, 29.95, 1, "30.0"),
    (EN, 7, 2, "7.00"),
    (RU, 1234567, None, "1\xa0234\xa0567"),
    (RU, 1234.5, 1, "1\xa0234,5"),
    (AR, 1234567, None, "1,234,567"),
    (AR_EAST, 1234567, None, "١٬٢٣٤٬٥٦٧"),
    (AR_EAST, Decimal("17.5"), 1, "١٧٫٥"),
    (AR_EAST, 0, None, "٠"),
    (Choice("ru", "eastern"), 1234, None, "1\xa0234"),  # Eastern digits are for Arabic only
])
def test_numbers_are_grouped_the_languages_way(choice, value, decimals, shown):
    assert choice.number(value, decimals) == shown


def test_what_is_not_a_number_is_shown_as_it_is():
    assert EN.number(None) == "" and EN.number("") == ""
    assert EN.number("about 40") == "about 40"
    assert AR_EAST.number("B-12") == "B-١٢"
    assert AR_EAST.number(-5) == "\u2066-٥\u2069"  # isolated: the minus stays in front


def test_percentages_and_dates():
    assert EN.percent(0.805) == "80.5%" and EN.percent(1, 0) == "100%"
    assert RU.percent(0.805) == "80,5%"
    assert AR_EAST.percent(0.25) == "٢٥٫٠٪"
    assert EN.percent(None) == "—"
    moment = dt.datetime(2026, 11, 30, 16, 4, tzinfo=dt.UTC)
    assert EN.when(moment) == "2026-11-30 16:04"
    assert EN.when(moment, time=False) == "2026-11-30"
    assert RU.when(dt.date(2027, 3, 31)) == "2027-03-31"
    # ISO order, kept left to right inside a right-to-left page
    assert AR.when(dt.date(2027, 3, 31)) == "\u20662027-03-31\u2069"
    assert AR_EAST.when(moment) == "\u2066٢٠٢٦-١١-٣٠ ١٦:٠٤\u2069"
    assert AR_EAST.when("2027-03-31") == "\u2066٢٠٢٧-٠٣-٣١\u2069"
    assert EN.when(None) == ""


@pytest.mark.parametrize("user, cookie, header, lang", [
    ("ar", "ru", "ru-RU,ru;q=0.9", "ar"),  # the signed-in user's setting first
    ("en", "ar", "ar", "en"),
    (None, "ru", "ar-SY,ar;q=0.9", "ru"),  # then the cookie
    (None, None, "ar-SY,ar;q=0.9,en;q=0.8", "ar"),  # then the browser
    (None, None, "de-DE,de;q=0.9,ru;q=0.5,en;q=0.7", "en"),
    (None, None, "fr-FR, ru;q=0.4", "ru"),
    (None, None, "ru;q=0, ar;q=0.1", "ar"),
    (None, "xx", "fr, *;q=0.5", "en"),  # then English
    (None, None, None, "en"),
    (None, None, "", "en"),
])
def test_choosing_the_language(user, cookie, header, lang):
    assert i18n.choose(user, cookie, header) == lang


def test_the_directions():
    assert AR.dir == "rtl" and EN.dir == "ltr" and RU.dir == "ltr"


def test_plural_forms_follow_the_language():
    one, many = "%(n)s unit", "%(n)s units"
    assert [RU.ngettext(one, many, n) for n in (1, 3, 5, 11, 21, 22)] == [
        "%(n)s единица", "%(n)s единицы", "%(n)s единиц", "%(n)s единиц", "%(n)s единица",
        "%(n)s единицы"]
    assert [AR.ngettext(one, many, n) for n in (0, 1, 2, 3, 11, 100)] == [
        "لا وحدات", "وحدة واحدة", "وحدتان", "%(n)s وحدات", "%(n)s وحدة", "%(n)s وحدة"]
    assert EN.ngettext(one, many, 1) == one and EN.ngettext(one, many, 2) == many


PAGE = """<p>{{ _("Stock") }}|{% trans site=site %}Stock on hand at {{ site }}{% endtrans %}|\
{% trans count=k, n=k|num %}{{ n }} unit{% pluralize %}{{ n }} units{% endtrans %}|\
{{ big|num }}|{{ share|percent }}|{{ day|day }}|{{ state|term }}|{{ "<b>"|term }}</p>"""


def _templates() -> Jinja2Templates:
    env = Environment(loader=DictLoader({"page.html": PAGE}),
                      autoescape=select_autoescape(default=True))
    templates = Jinja2Templates(env=env)
    i18n.setup(templates)
    return templates


def _render(template, choice: Choice | None) -> str:
    values = {"site": "DAM-HUB", "k": 3, "big": 12550, "share": 0.5, "state": "at_checkpoint",
              "day": dt.date(2027, 3, 31)}
    return template.render(values if choice is None else {**values, "i18n": choice})


def test_the_templates_speak_each_renders_language():
    page = _templates().get_template("page.html")
    assert _render(page, None) == (
        "<p>Stock|Stock on hand at DAM-HUB|3 units|12,550|50.0%|2027-03-31|at checkpoint|"
        "&lt;b&gt;</p>")
    # one environment, renders in three languages one after the other: nothing is shared
    arabic, russian, english = (_render(page, c) for c in (AR_EAST, RU, EN))
    assert arabic == ("<p>المخزون|المخزون المتوفر في DAM-HUB|٣ وحدات|١٢٬٥٥٠|٥٠٫٠٪|"
                      "\u2066٢٠٢٧-٠٣-٣١\u2069|عند نقطة تفتيش|&lt;b&gt;</p>")
    assert russian == ("<p>Запасы|Запасы в наличии: DAM-HUB|3 единицы|12\xa0550|50,0%|"
                       "2027-03-31|на блокпосту|&lt;b&gt;</p>")
    assert english == _render(page, None)


def test_values_put_into_translations_are_escaped():
    page = _templates().env.from_string("{% trans site=site %}Stock on hand at {{ site }}"
                                        "{% endtrans %}")
    assert page.render(site="<script>", i18n=AR) == "المخزون المتوفر في &lt;script&gt;"


def test_the_context_processor_sets_the_requests_choice():
    request = SimpleNamespace(state=SimpleNamespace(principal=None),
                              cookies={"aidhub_lang": "ru"}, headers={"accept-language": "ar"})
    (processor,) = _templates().context_processors
    assert processor(request) == {"i18n": Choice("ru", "western")}
    request.state = SimpleNamespace(principal=SimpleNamespace(language="ar",
                                                              numerals="eastern"))
    assert processor(request) == {"i18n": AR_EAST}


@settings(max_examples=400, deadline=None)
@example(lang="ru", numerals="western", value=Decimal("2.5"), decimals=0)  # ties: to even
@example(lang="ar", numerals="eastern", value=Decimal("1234.5"), decimals=0)
@example(lang="en", numerals="western", value=Decimal("-0.4"), decimals=0)  # "-0"
@example(lang="en", numerals="western", value=Decimal("3.5000"), decimals=0)
@given(lang=st.sampled_from(i18n.LANGUAGES), numerals=st.sampled_from(i18n.NUMERALS),
       value=st.one_of(st.integers(-10**15, 10**15),
                       st.decimals(-10**9, 10**9, allow_nan=False, places=4)),
       decimals=st.sampled_from([None, 0, 1, 2, 3]))
def test_numbers_are_written_as_babel_writes_them(lang, numerals, value, decimals):
    """The cached formats (and the shortcut for whole numbers) write every number exactly
    as babel's format_decimal does, in every language and both kinds of digits."""
    reader = Choice(lang, numerals)
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals
                                                          else "")
    expected = reader.digits(format_decimal(value, format=pattern, locale=lang,
                                            numbering_system=reader._system))
    if value < 0 and lang == "ar":
        expected = f"\u2066{expected}\u2069"
    assert reader.number(value, decimals) == expected
