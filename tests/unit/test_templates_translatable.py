"""Every string a page shows is translatable: no visible text in a template outside a
``{% trans %}`` block or a ``_()`` call.

The checker lexes each template with Jinja, keeps the text between tags (leaving out
what ``{% trans %}`` blocks hold and putting a mark where an expression prints), and reads
that as HTML: visible text and the attributes people read (placeholder, title, alt,
aria-label) must have no letters left. It also looks into the expressions that print a
string literal as it is (``{{ x or "none" }}``).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

import aidhub.web

TEMPLATES = Path(aidhub.web.__file__).parent / "templates"
ALLOWED = {"aidhub", "RO-...", "CV-..."}  # the brand; the shape of a document number
# what a macro writes into the tag it is called in: attributes, not text
ATTRIBUTES_ONLY = re.compile(r'^\s*([a-z][a-z-]*="[^"]*"\s*)+$')
VISIBLE_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "label"}
NOT_READ = {"script", "style", "code"}  # commands and code stay as they are typed
MARK = "\x00"  # where an expression prints


def _env() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n"])


def _text_outside_trans(source: str) -> str:
    """The template's text with tags dropped, expressions marked, trans blocks left out."""
    out, in_trans, tag = [], 0, None
    for _, kind, value in _env().lex(source):
        if kind == "block_begin":
            tag = []
        elif kind == "block_end" and tag is not None:
            if tag and tag[0] == "trans":
                in_trans += 1
            elif tag and tag[0] == "endtrans":
                in_trans -= 1
            tag = None
        elif tag is not None and kind == "name":
            tag.append(value)
        elif kind == "variable_begin":
            out.append(MARK)
        elif kind == "data" and not in_trans:
            out.append(value)
    return "".join(out)


def _wordy(text: str) -> str | None:
    words = text.replace(MARK, " ").split()
    rest = " ".join(w for w in words if w not in ALLOWED)
    return rest if any(ch.isalpha() for ch in rest) else None


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in NOT_READ:
            self.skipping += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and (left := _wordy(value)):
                self.found.append(f'{name}="{left}"')

    def handle_endtag(self, tag):
        if tag in NOT_READ and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if ATTRIBUTES_ONLY.match(data.replace(MARK, " ")):
            return
        if not self.skipping and (left := _wordy(data)):
            self.found.append(left)


def _shown_literals(node: nodes.Node) -> list[str]:
    """String literals an expression prints untranslated."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value] if _wordy(node.value) else []
    if isinstance(node, nodes.CondExpr):
        return _shown_literals(node.expr1) + (_shown_literals(node.expr2)
                                              if node.expr2 else [])
    if isinstance(node, nodes.Or):
        return _shown_literals(node.left) + _shown_literals(node.right)
    if isinstance(node, nodes.Concat):
        return [s for n in node.nodes for s in _shown_literals(n)]
    return []


def untranslated(source: str) -> list[str]:
    """The untranslated visible strings of a template."""
    reader = _Reader()
    reader.feed(_text_outside_trans(source))
    reader.close()
    found = reader.found
    for output in _env().parse(source).find_all(nodes.Output):
        before = ""
        for child in output.nodes:
            if isinstance(child, nodes.TemplateData):
                before = child.data
                continue
            attribute = re.search(r'([\w-]+)="[^"]*$', before)
            if attribute is None or attribute.group(1) in VISIBLE_ATTRIBUTES:
                found += [f'"{s}"' for s in _shown_literals(child)]
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_visible_string_is_translatable(name):
    assert untranslated((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_there_are_templates_to_check():
    assert len(list(TEMPLATES.glob("*.html"))) >= 10


@pytest.mark.parametrize("source, found", [
    ("<p>Stock on hand</p>", ["Stock on hand"]),
    ("<h1>{{ site }} stock</h1>", ["stock"]),
    ('<input name="q" placeholder="Type here">', ['placeholder="Type here"']),
    ('<td aria-label="line {{ n }} good"></td>', ['aria-label="line good"']),
    ('{{ v.seals or "none" }}', ['"none"']),
    ('{{ "yes" if ok else _("no") }}', ['"yes"']),
    ('<input title="{{ x or \'Search\' }}">', ['"Search"']),
    ("{% if x %}<b>Held</b>{% endif %}", ["Held"]),
])
def test_the_checker_finds_untranslated_text(source, found):
    assert untranslated(source) == found


@pytest.mark.parametrize("source", [
    '<p>{{ _("Stock on hand") }} · aidhub</p>',
    "<p>{% trans site=site %}Stock on hand at {{ site }}{% endtrans %}</p>",
    "<p>{% trans count=n %}{{ count }} line{% pluralize %}{{ count }} lines{% endtrans %}</p>",
    '<input placeholder="{{ _(\'Type here\') }}"> <td class="num">1,234 — 5%</td>',
    "<code>aidhub demo load</code> &nbsp; &rarr; # · {{ x.replace('_', ' ') }}",
    '<a href="/board" class="button">{{ _("Board") }}</a>',
    '<tr class="{{ \'stale\' if late else \'\' }}"><td>{{ x }}</td></tr>',
])
def test_the_checker_accepts_translated_text(source):
    assert untranslated(source) == []
