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
    return pdf
