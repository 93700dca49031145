"""The outbound documents render as numbered, bilingual PDFs: the waybill (four copies, a
QR code that opens it), the pick list (walking order, skipped lots) and the loss report."""

import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from aidhub.documents.gs1 import is_valid_sscc, make_sscc
from aidhub.documents.layout import QR_SCALE
from aidhub.documents.loss_report import LossLineDoc, LossReportDocument, render_loss_report
from aidhub.documents.pick_list import (
    PickLineDoc,
    PickListDocument,
    render_pick_list,
    walk_order,
)
from aidhub.documents.waybill import (
    DEFAULT_COPIES,
    WaybillDocument,
    WaybillLineDoc,
    render_waybill,
)
from aidhub.domain.errors import InvalidInput

DAMASCUS = timezone(timedelta(hours=3))
PRINTED = datetime(2026, 3, 20, 7, 45, tzinfo=DAMASCUS)
SSCCS = tuple(make_sscc("6291041", n) for n in range(1, 8))
URL = "https://aidhub.example.org/waybills/WB-DAM-2026-00017"

WAYBILL_LINES = (
    WaybillLineDoc(line_no=1, item_code="FOOD-WFL-50", name_en="Wheat flour, 50 kg bag",
                   name_ar="دقيق القمح، كيس 50 كغ", unit="bag", batch="WF-2602-118",
                   expiry=date(2026, 11, 30), ssccs=SSCCS[:4], quantity=160,
                   weight_kg=Decimal("8160"), volume_m3=Decimal("11.20"),
                   release_order="RO-DAM-2026-00009"),
    WaybillLineDoc(line_no=2, item_code="NFI-HYG-FAM", name_en="Family hygiene kit",
                   name_ar="حقيبة نظافة عائلية", unit="kit", batch="HK-25-0931",
                   ssccs=SSCCS[4:6], quantity=1250, weight_kg=Decimal("3063"),
                   volume_m3=Decimal("9.38"), release_order="RO-DAM-2026-00009"),
    WaybillLineDoc(line_no=3, item_code="MED-PCM-500",
                   name_en="Paracetamol 500 mg tablets, box of 1000",
                   name_ar="باراسيتامول 500 ملغ أقراص", unit="box", batch="PCT24117",
                   expiry=date(2027, 6, 30), ssccs=SSCCS[6:], quantity=60,
                   weight_kg=Decimal("72"), volume_m3=Decimal("0.36"),
                   release_order="RO-DAM-2026-00011"),
    WaybillLineDoc(line_no=4, item_code="NFI-BLK-TH", name_en="Thermal blanket",
                   name_ar="بطانية حرارية", unit="piece", quantity=2000,
                   weight_kg=Decimal("3000"), volume_m3=Decimal("8.00"),
                   release_order="RO-DAM-2026-00011"),
)


def waybill(**changes: object) -> WaybillDocument:
    doc = WaybillDocument(
        number="WB-DAM-2026-00017", state="issued",
        issued_at=datetime(2026, 3, 20, 6, 30, tzinfo=DAMASCUS), issued_by="Lina Saleh",
        hub_code="DAM", hub_name="Damascus Logistics Hub",
        loading_point="Loading bay 3, Adra industrial zone",
        destination_code="DP-RIF-014", destination_name="Douma community centre",
        destination_pcode="SY030100", consignee="SARC · Syrian Arab Red Crescent",
        transporter="Al-Sham Transport Co.", vehicle_plate="DAM 512-784",
        capacity_kg=Decimal("20000"), capacity_m3=Decimal("60"),
        driver_name="Khaled Mansour", driver_id="01020304567",
        seals=("SY-77120", "SY-77121"), convoy_number="CV-2026-031",
        convoy_reference="HNS-DAM-0320-07", route="M5 via Harasta; checkpoint at Adra",
        url=URL, notes="Keep the medicines dry; deliver before 14:00.",
        lines=WAYBILL_LINES)
    return replace(doc, **changes)


PICK_LINES = (
    PickLineDoc(line_no=1, location="B-01-01", item_code="FOOD-WFL-50",
                name_en="Wheat flour, 50 kg bag", name_ar="دقيق القمح، كيس 50 كغ", unit="bag",
                batch="WF-2602-118", expiry=date(2026, 11, 30), quantity=160,
                ssccs=SSCCS[:4], destination="DP-RIF-014", release_line_no=1),
    PickLineDoc(line_no=2, location="A-10-02", item_code="NFI-HYG-FAM",
                name_en="Family hygiene kit", unit="kit", batch="HK-25-0931", quantity=1250,
                ssccs=SSCCS[4:6], destination="DP-RIF-014", release_line_no=2),
    PickLineDoc(line_no=3, location="A-2-01", item_code="MED-PCM-500",
                name_en="Paracetamol 500 mg tablets", unit="box", batch="PCT24117",
                expiry=date(2027, 6, 30), quantity=60, ssccs=SSCCS[6:],
                destination="DP-RIF-022", release_line_no=3),
)
SKIPPED = (
    PickLineDoc(line_no=90, location="A-04-01", item_code="FOOD-WFL-50",
                name_en="Wheat flour, 50 kg bag", unit="bag", batch="WF-2512-044",
                expiry=date(2026, 12, 20), quantity=80, destination="DP-RIF-014",
                release_line_no=1, skipped=True,
                reason="expires 2026-12-20, before 2027-01-04 needed for the trip"),
    PickLineDoc(line_no=91, location="Q-01", item_code="MED-PCM-500",
                name_en="Paracetamol 500 mg tablets", unit="box", batch="PCT23990",
                quantity=40, destination="DP-RIF-022", release_line_no=3, skipped=True,
                reason="in quarantine"),
)


def pick_list(**changes: object) -> PickListDocument:
    doc = PickListDocument(
        number="PL-DAM-2026-00031", release_order="RO-DAM-2026-00009", hub_code="DAM",
        hub_name="Damascus Logistics Hub",
        created_at=datetime(2026, 3, 19, 16, 10, tzinfo=DAMASCUS), created_by="Lina Saleh",
        lines=PICK_LINES, skipped=SKIPPED)
    return replace(doc, **changes)


LOSS_LINES = (
    LossLineDoc(item_code="FOOD-WFL-50", name_en="Wheat flour, 50 kg bag", unit="bag",
                batch="WF-2602-118", shipped=160, received_good=151, damaged=6, short=3,
                lost=9, value=Decimal("243.00")),
    LossLineDoc(item_code="NFI-HYG-FAM", name_en="Family hygiene kit", unit="kit",
                batch="HK-25-0931", shipped=1250, received_good=1250),
)


def loss_report(**changes: object) -> LossReportDocument:
    doc = LossReportDocument(
        number="LR-DAM-2026-00004", waybill_number="WB-DAM-2026-00017", hub_code="DAM",
        hub_name="Damascus Logistics Hub",
        destination="DP-RIF-014 · Douma community centre",
        transporter="Al-Sham Transport Co.", vehicle_plate="DAM 512-784",
        driver="Khaled Mansour", opened_at=datetime(2026, 3, 21, 9, 0, tzinfo=DAMASCUS),
        threshold_pct=Decimal("0.5"), loss_pct=Decimal("5.63"), seal_state="broken",
        signer="Huda Qassem", lines=LOSS_LINES)
    return replace(doc, **changes)


def pages_of(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- waybill -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def waybill_pages() -> list[str]:
    return pages_of(render_waybill(waybill(), printed_at=PRINTED))


def test_the_waybill_prints_its_number_lines_ssccs_seals_and_vehicle(
        waybill_pages: list[str]) -> None:
    text = "\n".join(waybill_pages)
    for expected in ("WB-DAM-2026-00017", "Waybill", "DP-RIF-014", "Douma community centre",
                     "Loading bay 3", "SY-77120", "SY-77121", "Khaled Mansour", "01020304567",
                     "DAM 512-784", "Al-Sham Transport Co.", "CV-2026-031", "HNS-DAM-0320-07",
                     "RO-DAM-2026-00009", "RO-DAM-2026-00011", "Lina Saleh",
                     "Printed 2026-03-20 07:45 +03:00"):
        assert expected in text, expected
    for line in WAYBILL_LINES:
        assert line.item_code in text
    for quantity in ("160", "1,250", "60", "2,000"):
        assert re.search(rf"\b{quantity}\b", text), quantity
    for sscc in SSCCS:
        assert is_valid_sscc(sscc) and sscc in text
    assert "14,295" in text and "28.94" in text  # kg and m³ over all lines


def test_the_waybill_has_four_full_copies_each_labelled_on_its_pages(
        waybill_pages: list[str]) -> None:
    seen: dict[str, list[int]] = {}
    for n, text in enumerate(waybill_pages):
        labels = [c.en for c in DEFAULT_COPIES if c.en in text]
        assert len(labels) == 1, (n, labels)  # every page says which copy it belongs to
        seen.setdefault(labels[0], []).append(n)
    assert list(seen) == [c.en for c in DEFAULT_COPIES]
    for copy_pages in seen.values():
        assert copy_pages == list(range(copy_pages[0], copy_pages[-1] + 1))
        first, body = waybill_pages[copy_pages[0]], "\n".join(
            waybill_pages[i] for i in copy_pages)
        assert "Shipment" in first and "WB-DAM-2026-00017" in first
        assert all(line.item_code in body for line in WAYBILL_LINES)
        assert "Dispatched by" in body and "Received by" in body and "Driver" in body


def test_only_the_copy_that_returns_has_columns_for_what_was_received(
        waybill_pages: list[str]) -> None:
    returned = DEFAULT_COPIES[-1].en
    with_columns = {n for n, text in enumerate(waybill_pages) if "Receivedgood" in squeezed(text)}
    returned_pages = {n for n, text in enumerate(waybill_pages) if returned in text}
    assert with_columns and with_columns <= returned_pages


def test_the_waybill_has_arabic_labels(waybill_pages: list[str]) -> None:
    text = "\n".join(waybill_pages)
    assert "بوليصة الشحن" in text
    for copy in DEFAULT_COPIES:
        assert copy.ar in text


def qr_modules(image: Image.Image) -> list[list[bool]]:
    """The dark (True) and light modules of a QR code image drawn by layout.qr_code, its
    quiet zone of 4 modules taken off."""
    n, middle = image.width // QR_SCALE, QR_SCALE // 2
    grey = image.convert("L").tobytes()
    return [[grey[(r * QR_SCALE + middle) * image.width + c * QR_SCALE + middle] < 128
             for c in range(4, n - 4)] for r in range(4, n - 4)]


def test_the_qr_code_opens_the_waybill_and_its_link_is_printed_under_it() -> None:
    reader = PdfReader(io.BytesIO(render_waybill(waybill(), printed_at=PRINTED)))
    firsts = [i for i, page in enumerate(reader.pages) if "Shipment" in page.extract_text()]
    assert len(firsts) == 4
    expected = [[bool(module) for module in row] for row in segno.make(URL, error="m").matrix]
    for i in firsts:
        page = reader.pages[i]
        assert URL in squeezed(page.extract_text())
        [image] = page.images
        assert image.image is not None
        assert qr_modules(image.image) == expected  # the code holds the link
        uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])]
        assert URL in uris  # and is a link too


def test_a_cancelled_waybill_says_so_on_every_page_and_keeps_its_number() -> None:
    pages = pages_of(render_waybill(waybill(state="cancelled"), printed_at=PRINTED))
    assert len(pages) >= 4
    for text in pages:
        assert "CANCELLED" in text and "WB-DAM-2026-00017" in text
    assert "CANCELLED" not in "\n".join(pages_of(render_waybill(waybill(),
                                                                printed_at=PRINTED)))


def test_one_copy_can_be_printed_alone() -> None:
    pages = pages_of(render_waybill(waybill(), copies=DEFAULT_COPIES[1:2],
                                    printed_at=PRINTED))
    assert all("Transporter copy" in text for text in pages)
    assert not any("Hub copy" in text for text in pages)


def test_a_waybill_needs_a_copy_to_print() -> None:
    with pytest.raises(InvalidInput):
        render_waybill(waybill(), copies=())


def test_a_line_with_many_pallets_lists_every_sscc() -> None:
    many = tuple(make_sscc("6291041", n) for n in range(100, 175))
    line = replace(WAYBILL_LINES[0], ssccs=many, quantity=3000)
    pages = pages_of(render_waybill(waybill(lines=(line,)), copies=DEFAULT_COPIES[:1],
                                    printed_at=PRINTED))
    text = "\n".join(pages)
    assert all(sscc in text for sscc in many)
    for n, page in enumerate(pages, start=1):
        assert f"page {n} of {len(pages)}" in page


# --- pick list -----------------------------------------------------------------------------


def test_pick_lines_are_in_walking_order() -> None:
    assert [ln.location for ln in walk_order(PICK_LINES)] == ["A-2-01", "A-10-02", "B-01-01"]


def test_the_pick_list_prints_lots_to_pick_in_walking_order() -> None:
    text = "\n".join(pages_of(render_pick_list(pick_list(), printed_at=PRINTED)))
    for expected in ("PL-DAM-2026-00031", "Pick List", "قائمة الانتقاء", "RO-DAM-2026-00009",
                     "Qty picked", "Picked by", "Checked by", "Lina Saleh"):
        assert expected in text, expected
    picking = text.split("Lots skipped and why")[0]
    assert picking.index("A-2-01") < picking.index("A-10-02") < picking.index("B-01-01")
    for line in PICK_LINES:
        assert line.item_code in picking and (line.batch or "") in picking
    for quantity in ("160", "1,250", "60"):
        assert re.search(rf"\b{quantity}\b", picking), quantity
    assert all(sscc in picking for sscc in SSCCS)


def test_the_pick_list_says_which_lots_were_skipped_and_why() -> None:
    text = "\n".join(pages_of(render_pick_list(pick_list(), printed_at=PRINTED)))
    skipped = text.split("Lots skipped and why")[1]
    assert "WF-2512-044" in skipped and "PCT23990" in skipped
    assert "in quarantine" in skipped
    assert "before2027-01-04" in squeezed(skipped)
    clean = "\n".join(pages_of(render_pick_list(pick_list(skipped=()), printed_at=PRINTED)))
    assert "Lots skipped" not in clean


def test_a_pick_line_with_many_pallets_lists_every_sscc() -> None:
    many = tuple(make_sscc("6291041", n) for n in range(200, 260))
    line = replace(PICK_LINES[0], ssccs=many)
    text = "\n".join(pages_of(render_pick_list(pick_list(lines=(line,)),
                                               printed_at=PRINTED)))
    assert all(sscc in text for sscc in many)


# --- loss report ---------------------------------------------------------------------------


def test_the_loss_report_prints_the_figures_and_the_seal_state() -> None:
    text = "\n".join(pages_of(render_loss_report(loss_report(), printed_at=PRINTED)))
    for expected in ("LR-DAM-2026-00004", "WB-DAM-2026-00017", "Transit Loss Report",
                     "تقرير الفاقد أثناء النقل", "Khaled Mansour", "DAM 512-784",
                     "Huda Qassem", "Broken", "مكسورة", "5.63 %", "0.50 %", "243.00",
                     "Review by the hub manager", "Reviewed by (hub manager)"):
        assert expected in text, expected
    row = text[text.index("FOOD-WFL-50"):text.index("NFI-HYG-FAM")]
    for quantity in ("160", "151", "6", "3", "9"):
        assert re.search(rf"\b{quantity}\b", row), quantity
    assert "1,250" in text


def test_the_review_decision_and_reviewer_are_printed_when_known() -> None:
    doc = loss_report(reviewed_by="Omar Khatib",
                      reviewed_at=datetime(2026, 3, 22, 10, 0, tzinfo=DAMASCUS),
                      decision="Charge the transporter for 9 bags of flour.")
    text = "\n".join(pages_of(render_loss_report(doc, printed_at=PRINTED)))
    assert "Omar Khatib" in text and "Charge the transporter" in text
    assert "2026-03-22 10:00" in text


def test_loss_totals_by_unit_are_printed_when_lines_share_a_unit() -> None:
    assert "Totals by unit" not in "\n".join(pages_of(render_loss_report(
        loss_report(), printed_at=PRINTED)))
    rice = LossLineDoc(item_code="FOOD-RCE-25", name_en="Rice, 25 kg bag", unit="bag",
                       shipped=200, received_good=195, short=5, lost=5)
    text = "\n".join(pages_of(render_loss_report(loss_report(lines=(*LOSS_LINES, rice)),
                                                 printed_at=PRINTED)))
    totals = text.split("Totals by unit")[1]
    for figure in ("360", "346", "14"):  # bags shipped, received good, lost
        assert re.search(rf"\b{figure}\b", totals), figure
