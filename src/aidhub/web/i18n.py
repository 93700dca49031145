"""The pages' languages: English, Arabic (right to left) and Russian.

Strings live in gettext catalogs under ``locale/`` (``messages.po`` per language), read
and compiled in memory on first use, so there is no build step. A request's language is
the signed-in user's choice, else the ``aidhub_lang`` cookie (before signing in), else the
browser's Accept-Language, else English; Arabic readers also choose Western or Eastern
Arabic digits.

The templates share one Jinja environment, so nothing about a request is kept on it: a
context processor puts the request's :class:`Choice` into each page's context as
``i18n``, and the gettext callables and number filters read it from the template context
they are called in. Concurrent requests in different languages never see each other's.
"""

import datetime as dt
import functools
import gettext as gnu
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_percent, get_group_symbol, parse_pattern
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context as JinjaContext

from aidhub.domain.errors import AidhubError, InvalidInput, Term, fill

LANGUAGES = ("en", "ar", "ru")
NAMES = {"en": "English", "ar": "العربية", "ru": "Русский"}  # each in its own language
NUMERALS = ("western", "eastern")
RTL = frozenset({"ar"})
COOKIE = "aidhub_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
EASTERN = str.maketrans("0123456789%", "٠١٢٣٤٥٦٧٨٩٪")
_UNIT = Decimal(1)
_TAG = re.compile(r"^\s*([A-Za-z]{1,8})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


@functools.cache
def translations(lang: str) -> gnu.NullTranslations:
    """The compiled catalog of ``lang`` (English is the source: no catalog)."""
    if lang not in LANGUAGES or lang == "en":
        return gnu.NullTranslations()
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gnu.GNUTranslations(mo)


@dataclass(frozen=True)
class Choice:
    """A reader's language and digits."""

    lang: str = "en"
    numerals: str = "western"

    @property
    def dir(self) -> str:
        return "rtl" if self.lang in RTL else "ltr"

    @property
    def eastern(self) -> bool:
        return self.lang == "ar" and self.numerals == "eastern"

    def gettext(self, message: str) -> str:
        return translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.lang).ngettext(singular, plural, n)

    def digits(self, text: Any) -> str:
        """``text`` with Eastern Arabic digits when the reader chose them."""
        text = "" if text is None else str(text)
        return text.translate(EASTERN) if self.eastern else text

    def number(self, value: Any, decimals: int | None = None) -> str:
        """A number grouped the language's way (1,234.5; 1 234,5), with ``decimals``
        fraction digits when given; anything that is not a number is shown as it is."""
        if value is None or value == "":
            return ""
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return self.digits(value)
        if decimals == 0 and type(value) is Decimal and value.is_finite() \
                and not value.is_signed():  # kilograms
            value = int(value.quantize(_UNIT, rounding=ROUND_HALF_EVEN))  # as Babel rounds
        if type(value) is int and value >= 0 and not decimals:  # most numbers on a page:
            text = f"{value:,}"  # grouped by thousands in every language we speak
            group = _group_symbol(self.lang, self._system)
            return self.digits(text if group == "," else text.replace(",", group))
        locale, pattern = _number_format(self.lang, decimals)
        text = self.digits(pattern.apply(value, locale, numbering_system=self._system))
        return self._isolated(text) if value < 0 else text

    def percent(self, ratio: Any, decimals: int = 1) -> str:
        """A share (0.805) as a percentage (80.5%)."""
        if ratio is None:
            return "—"
        return self.digits(format_percent(ratio, format=_pattern(decimals) + "%",
                                          locale=self.lang,
                                          numbering_system=self._system))

    def when(self, value: dt.datetime | dt.date | None, *, time: bool = True) -> str:
        """ISO dates (YYYY-MM-DD, with HH:MM for a moment) in the reader's digits."""
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            text = value.strftime("%Y-%m-%d %H:%M" if time else "%Y-%m-%d")
        else:
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
        return self._isolated(self.digits(text))

    def _isolated(self, text: str) -> str:
        """Isolated from the right-to-left text around it (Unicode LRI ... PDI), so that
        a date or a minus sign is not reordered with its neighbours."""
        return f"\u2066{text}\u2069" if text and self.dir == "rtl" else text

    @property
    def _system(self) -> str:
        return "arab" if self.eastern else "latn"


@functools.cache
def _number_format(lang: str, decimals: int | None) -> tuple[Locale, NumberPattern]:
    """The locale and parsed pattern ``format_decimal`` would make on every call."""
    locale = Locale.parse(lang)
    return locale, parse_pattern(locale.decimal_formats[None] if decimals is None
                                 else _pattern(decimals))


@functools.cache
def _group_symbol(lang: str, system: str) -> str:
    """The group separator of whole numbers in ``lang`` written in ``system``."""
    return get_group_symbol(Locale.parse(lang), numbering_system=system)


def _pattern(decimals: int) -> str:
    """A grouped number pattern with ``decimals`` fraction digits (#,##0.00)."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def accepted(header: str | None) -> str | None:
    """The first of our languages in an Accept-Language header, by preference."""
    ranked = []
    for n, part in enumerate((header or "").split(",")):
        tag, _, params = part.partition(";")
        m = _TAG.match(tag)
        if not m:
            continue
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and m.group(1).lower() in LANGUAGES:
            ranked.append((-q, n, m.group(1).lower()))
    return min(ranked)[2] if ranked else None


def choose(user_language: str | None, cookie: str | None, header: str | None) -> str:
    """The language of a page: the user's setting, the cookie, the browser's, English."""
    for lang in (user_language, cookie):
        if lang in LANGUAGES:
            return lang
    return accepted(header) or "en"


def choice(request: Request) -> Choice:
    """The language and digits of this request (worked out once per request)."""
    known = getattr(request.state, "aidhub_i18n", None)
    if known is None:
        who = getattr(request.state, "principal", None)
        lang = choose(getattr(who, "language", None), request.cookies.get(COOKIE),
                      request.headers.get("accept-language"))
        numerals = getattr(who, "numerals", None)
        known = Choice(lang, numerals if numerals in NUMERALS else "western")
        request.state.aidhub_i18n = known
    return known


def translate(request: Request, message: str, **values: Any) -> str:
    """``message`` in the request's language, with %(name)s placeholders filled in (an
    error among the values in the request's language too: "Not dispatched. %(error)s").
    (Extract with the keyword ``translate:2``.)"""
    return fill(message, values, choice(request).gettext)


def error_text(request: Request, exc: AidhubError) -> str:
    """An error's message in the request's language (see :mod:`aidhub.domain.errors`);
    the English text where the catalog has no translation."""
    return exc.translated(choice(request).gettext)


def error_detail(request: Request, exc: AidhubError) -> str:
    """The message of an error about a form field without the field's name (which the page
    shows by the field), in the request's language."""
    if isinstance(exc, InvalidInput):
        return exc.translated_detail(choice(request).gettext)
    return error_text(request, exc)


# the Jinja side ---------------------------------------------------------------------------
def _of(context: JinjaContext) -> Choice:
    found = context.get("i18n")
    return found if isinstance(found, Choice) else Choice()


@pass_context
def _gettext(context: JinjaContext, message: str) -> str:
    return _of(context).gettext(message)


@pass_context
def _ngettext(context: JinjaContext, singular: str, plural: str, n: int) -> str:
    return _of(context).ngettext(singular, plural, n)


@pass_context
def _term(context: JinjaContext, value: Any) -> str:
    """A state, event or kind (``at_checkpoint``) in words (``at checkpoint``)."""
    return Term(value).translated(_of(context).gettext) if value else ""


def setup(templates: Jinja2Templates) -> None:
    """Install gettext, the number filters and the per-request choice on ``templates``."""
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update({
        "num": pass_context(lambda c, v, decimals=None: _of(c).number(v, decimals)),
        "percent": pass_context(lambda c, v, decimals=1: _of(c).percent(v, decimals)),
        "when": pass_context(lambda c, v: _of(c).when(v)),
        "day": pass_context(lambda c, v: _of(c).when(v, time=False)),
        "digits": pass_context(lambda c, v: _of(c).digits(v)),
        "term": _term,
    })
    env.globals["languages"] = NAMES
    templates.context_processors.append(lambda request: {"i18n": choice(request)})
