"""The GRN renders as a numbered, bilingual PDF: facts, lines, discrepancies, pages."""

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from aidhub.documents.grn import (
    DiscrepancyKind,
    GrnDocument,
    GrnLineDoc,
    discrepancies,
    render_grn,
)
from aidhub.domain.channels import TransportDocument
from aidhub.domain.consignments import SealCheck

DAMASCUS = timezone(timedelta(hours=3))
PRINTED = datetime(2026, 3, 14, 11, 5, tzinfo=DAMASCUS)

LINES = (
    GrnLineDoc(line_no=1, item_code="FOOD-WFL-50", name_en="Wheat flour, 50 kg bag",
               name_ar="دقيق القمح، كيس 50 كغ", unit="bag", batch="WF-2602-118",
               expiry=date(2026, 11, 30), expected=400, good=388, damaged=12,
               put_to="RECV-A", priority=1),
    GrnLineDoc(line_no=2, item_code="NFI-HYG-FAM", name_en="Family hygiene kit",
               name_ar="حقيبة نظافة عائلية", unit="kit", batch="HK-25-0931",
               expected=1200, good=1150, short=50, put_to="RECV-A", priority=2),
    GrnLineDoc(line_no=3, item_code="MED-PCM-500",
               name_en="Paracetamol 500 mg tablets, box of 1000",
               name_ar="باراسيتامول 500 ملغ أقراص، علبة 1000 قرص", unit="box",
               batch="PCT24117", expiry=date(2027, 6, 30), expected=60, good=60,
               put_to="RECV-MED", priority=1),
    GrnLineDoc(line_no=4, item_code="FOOD-RCE-25", name_en="Rice, 25 kg bag",
               name_ar="أرز، كيس 25 كغ", unit="bag", batch="RC-2601-07",
               expiry=date(2027, 1, 31), expected=300, good=310, over=10, put_to="RECV-A",
               priority=2),
    GrnLineDoc(line_no=5, item_code="NFI-BLK-TH", name_en="Thermal blanket",
               name_ar="بطانية حرارية", unit="piece", expected=2000, good=2000,
               put_to="RECV-B", priority=2),
    GrnLineDoc(line_no=6, item_code="WSH-AQT-67",
               name_en="Water purification tablets 67 mg, strip of 10",
               name_ar="أقراص تعقيم المياه", unit="strip", batch="AQ-7781",
               expiry=date(2029, 2, 28), expected=0, good=500, put_to="RECV-A", priority=1),
    GrnLineDoc(line_no=7, item_code="NUT-IFM-400", name_en="Infant formula, 400 g tin",
               name_ar="حليب أطفال صناعي، علبة 400 غ", unit="tin", batch="IF2509A",
               expiry=date(2026, 9, 30), expected=0, good=48, put_to="QUARANTINE",
               priority=3),
)


def grn(**changes: object) -> GrnDocument:
    doc = GrnDocument(
        number="GRN-DAM-2026-00042",
        issued_at=datetime(2026, 3, 14, 10, 20, tzinfo=DAMASCUS),
        hub_code="DAM",
        hub_name="Damascus Logistics Hub",
        hub_name_ar="مركز دمشق اللوجستي",
        consignment_number="CN-2026-0311",
        consignor="WFP Supply Chain, Gaziantep",
        consignee="Damascus Logistics Hub",
        donors=("ECHO", "USAID BHA"),
        channel="road · UN cross-border",
        point_of_entry="Bab al-Hawa",
        transport_doc_type=TransportDocument.CMR,
        transport_doc_number="TR-0451-22",
        vehicle="Truck 34 ABC 512, trailer 34 TR 118",
        driver="Mehmet Yılmaz",
        seal_numbers=("SY-44120", "SY-44121"),
        seal_check=SealCheck.INTACT,
        received_by="Rana Haddad",
        checked_by="Omar Khatib",
        notes="Twelve flour bags wet at the rear doors, moved to quarantine. Infant formula "
              "not on the pre-advice: held in quarantine for the nutrition cluster.",
        lines=LINES,
    )
    return replace(doc, **changes)


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        names |= {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    return names


@pytest.fixture(scope="module")
def realistic() -> str:
    return text_of(read(render_grn(grn(), printed_at=PRINTED)))


def test_the_number_facts_and_items_are_printed(realistic: str) -> None:
    for expected in ("GRN-DAM-2026-00042", "Goods Received Note", "CN-2026-0311",
                     "Bab al-Hawa", "CMR TR-0451-22", "SY-44120", "Rana Haddad", "ECHO",
                     "Printed 2026-03-14 11:05 +03:00"):
        assert expected in realistic
    for line in LINES:
        assert line.item_code in realistic
    for quantity in ("388", "1,150", "2,000", "1,200", "310"):
        assert quantity in realistic
    assert "PCT24117" in realistic and "2027-06-30" in realistic


def test_the_arabic_title_is_in_the_text(realistic: str) -> None:
    assert "إشعار استلام البضائع" in realistic


def test_the_discrepancies_section_lists_every_finding(realistic: str) -> None:
    section = realistic.split("Discrepancies")[-1].split("Signatures")[0]
    findings = (("FOOD-WFL-50", "Damaged", "12"), ("NFI-HYG-FAM", "Short", "50"),
                ("FOOD-RCE-25", "Over", "10"), ("WSH-AQT-67", "Not on pre-advice", "500"),
                ("NUT-IFM-400", "Not on pre-advice", "48"))
    starts = [section.index(code) for code, _, _ in findings]
    for i, (_, kind, quantity) in enumerate(findings):
        row = section[starts[i]:starts[i + 1] if i + 1 < len(starts) else None]
        assert kind in row and re.search(rf"\b{quantity}\b", row), row  # a row spans lines
    assert "MED-PCM-500" not in section and "NFI-BLK-TH" not in section
    assert "No discrepancies" not in realistic


def test_discrepancies_are_found_per_line_and_kind() -> None:
    found = [(d.line.line_no, d.kind, d.quantity) for d in discrepancies(LINES)]
    assert found == [(1, DiscrepancyKind.DAMAGED, 12), (2, DiscrepancyKind.SHORT, 50),
                     (4, DiscrepancyKind.OVER, 10), (6, DiscrepancyKind.NOT_ADVISED, 500),
                     (7, DiscrepancyKind.NOT_ADVISED, 48)]


def test_unannounced_goods_are_not_reported_as_over_as_well() -> None:
    line = replace(LINES[5], over=500)
    assert [d.kind for d in discrepancies([line])] == [DiscrepancyKind.NOT_ADVISED]


def test_a_grn_received_in_full_has_no_discrepancies() -> None:
    clean = tuple(replace(ln, good=ln.expected or 100, expected=ln.expected or 100,
                          damaged=0, short=0, over=0) for ln in LINES)
    text = text_of(read(render_grn(grn(lines=clean, notes=""), printed_at=PRINTED)))
    assert "No discrepancies" in text
    assert "لا توجد فروقات" in text


def test_a_long_grn_flows_over_pages_with_number_and_page_count() -> None:
    lines = tuple(
        GrnLineDoc(line_no=i, item_code=f"ITM-{i:04d}", name_en=f"Relief item number {i}",
                   name_ar="مادة إغاثية", unit="carton", batch=f"B{i:05d}",
                   expected=100 + i, good=100 + i, put_to="RECV-A")
        for i in range(1, 121)
    )
    reader = read(render_grn(grn(lines=lines), printed_at=PRINTED))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 4
    for n, text in enumerate(pages, start=1):
        assert "GRN-DAM-2026-00042" in text
        assert f"page {n} of {len(pages)}" in text
        if re.search(r"ITM-\d{4}", text):
            assert "Expected" in text and "Damaged" in text  # header row repeated
    everything = "\n".join(pages)
    assert all(f"ITM-{i:04d}" in everything for i in range(1, 121))


def test_a_broken_seal_is_printed_in_both_languages() -> None:
    text = text_of(read(render_grn(grn(seal_check=SealCheck.BROKEN), printed_at=PRINTED)))
    assert "Broken" in text and "مكسورة" in text


def test_the_arabic_font_is_embedded() -> None:
    names = font_names(read(render_grn(grn(), printed_at=PRINTED)))
    assert any("NotoNaskhArabic" in name for name in names), names
    assert any("NotoSans" in name for name in names), names


def test_printed_time_defaults_to_now() -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    text = text_of(read(render_grn(grn(issued_at=datetime(2026, 3, 14, 7, 20, tzinfo=UTC)))))
    stamp = re.search(r"Printed (\d{4}-\d\d-\d\d \d\d:\d\d) \+00:00", text)
    assert stamp is not None
    assert datetime.fromisoformat(stamp.group(1)).replace(tzinfo=UTC) >= before
