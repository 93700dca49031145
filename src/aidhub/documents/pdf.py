"""A PDF page set up for aidhub's documents: Noto fonts for English, Russian and Arabic,
with text shaping so that Arabic is joined and laid out right to left."""

from importlib import resources

from fpdf import FPDF

FONTS = resources.files("aidhub.documents") / "fonts"
LATIN = "NotoSans"  # Latin and Cyrillic
ARABIC = "NotoNaskhArabic"


def new_pdf(*, orientation: str = "portrait", unit: str = "mm",
            format: str | tuple[float, float] = "A4") -> FPDF:
    """An FPDF document with the Noto fonts registered (regular and bold), Arabic as the
    fallback font of the Latin one, and text shaping on."""
    pdf = FPDF(orientation=orientation, unit=unit, format=format)
    for family, stem in ((LATIN, "NotoSans"), (ARABIC, "NotoNaskhArabic")):
        pdf.add_font(family, "", str(FONTS / f"{stem}-Regular.ttf"))
        pdf.add_font(family, "B", str(FONTS / f"{stem}-Bold.ttf"))
    pdf.set_fallback_fonts([ARABIC, LATIN])  # Naskh has no brackets, slashes or dashes
    pdf.set_text_shaping(True)
    pdf.set_font(LATIN, size=10)
    _font_safe(pdf)
    return pdf


def _font_safe(pdf: FPDF) -> None:
    """Work around an fpdf2 2.8 bug: when a line of text starts in a fallback font (an
    Arabic line starting with a bracket or a Latin word), fpdf2 takes the fallback font
    for the page's current font while the PDF's text state ends in another, so the next
    text in that font is drawn with the wrong font's glyphs (garbled). Making fpdf2 set
    the font at the start of every line keeps the two in step."""
    base = getattr(pdf, "_render_styled_text_line", None)
    if base is None:  # a later fpdf2: nothing to work around
        return

    def render_line(*args, **kwargs):
        pdf.current_font_is_set_on_page = False
        return base(*args, **kwargs)

    pdf._render_styled_text_line = render_line  # type: ignore[method-assign]

