"""Files built to exhaust the host (issue #9): a zip-bomb XLSX, the "billion laughs"
entity bomb and external entities in sanctions list XML. Each is refused quickly, with a
message saying why, and nothing is written."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from aidhub.domain.errors import InvalidInput
from aidhub.interop import safe_files
from aidhub.interop.iati import validate as validate_iati
from aidhub.interop.tables import read_table
from aidhub.screening.lists import load_list as parse_list
from aidhub.services import preadvice, screening
from aidhub.services.consignments import PreAdvice
from tests.hostile.books import assert_untouched, snapshot

MB = 1024 * 1024


def _workbook() -> bytes:
    book = Workbook()
    book.active.append(["Item code", "Qty", "UOM"])
    book.active.append(["RICE", 10, "bag"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(expanded_mb: int) -> bytes:
    """The workbook above with its sheet replaced by one of ``expanded_mb`` MB of XML
    (rows of nothing: it compresses about a thousand times)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                chunk = b"<row/>" * (MB // 6)
                for _ in range(expanded_mb):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_zip_bomb_xlsx_is_refused_before_it_is_expanded(hub):
    bomb = _with_sheet(300)  # 300 MB of sheet XML in a file of about 300 KB
    assert len(bomb) < 2 * MB
    before = snapshot(hub)
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match="refused for safety"):
        preadvice.preview(hub, bomb)
    with pytest.raises(InvalidInput, match="refused for safety"):
        preadvice.import_file(hub, bomb, PreAdvice("DAM-HUB", "WFP", "WFP", []), key="bomb")
    assert time.perf_counter() - start < 2.0  # the directory is read, nothing expanded
    assert_untouched(hub, before, "zip bomb")


def test_a_part_compressed_like_a_bomb_is_refused_naming_it():
    bomb = _with_sheet(20)  # under the total limit, but compressed ~1000 times
    with pytest.raises(InvalidInput, match=r"sheet1.xml.*compressed .* times"):
        read_table(bomb, {"quantity": ("qty",)})


def test_an_ordinary_workbook_still_reads():
    assert safe_files.open_zip(_workbook()).namelist()
    table = read_table(_workbook(), {"item": ("item code",), "quantity": ("qty",)})
    assert table.rows == [(2, {"item": "RICE", "quantity": "10"})]


def test_damaged_and_non_zip_files_are_refused_plainly():
    with pytest.raises(InvalidInput, match="damaged ZIP"):
        safe_files.open_zip(b"PK\x03\x04 not really")
    with pytest.raises(InvalidInput, match="damaged ZIP"):
        read_table(_workbook()[:200], {"quantity": ("qty",)})


@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd", "passwd"), ("/etc/shadow", "shadow"),
    ("..\\..\\windows\\system.ini", "system.ini"), ("photo\x00.jpg.exe", "photo.jpg.exe"),
    ("\u202egpj.exe", "gpj.exe"), ("..", "file"), ("", "file"), (None, "file"),
    (".hidden", "hidden"), ("waybill WB-1.pdf", "waybill WB-1.pdf"),
])
def test_uploaded_file_names_become_plain_names(name, expected):
    assert safe_files.safe_name(name) == expected


# XML bombs in sanctions lists ------------------------------------------------------------
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ROOT><INDIVIDUAL><FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></ROOT>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ROOT><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></ROOT>"""
REMOTE_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT SYSTEM "http://evil.example/list.dtd">
<ROOT><INDIVIDUAL><FIRST_NAME>x</FIRST_NAME></INDIVIDUAL></ROOT>"""
ROOTS = [("un-xml", "CONSOLIDATED_LIST"), ("ofac-xml", "sdnList"), ("eu-xml", "export"),
         ("ofac-xml", "Sanctions")]  # the last: OFAC's advanced XML


@pytest.mark.parametrize("fmt,root", ROOTS)
@pytest.mark.parametrize("attack", ["laughs", "external", "remote"])
def test_xml_bombs_in_every_list_format_are_refused(fmt, root, attack):
    data = {"laughs": LAUGHS, "external": EXTERNAL, "remote": REMOTE_DTD}[attack]
    data = data.replace(b"ROOT", root.encode())
    start = time.perf_counter()
    try:
        parse_list(data, fmt)
    except InvalidInput as exc:
        message = str(exc)
    else:  # pragma: no cover - the test fails below
        message = ""
    assert time.perf_counter() - start < 2.0
    if attack == "remote":  # a DTD is only named, never fetched: refused or ignored
        assert "passwd" not in message
    else:
        assert "refused for safety" in message, message
    assert "root:" not in message


def test_an_xml_bomb_loaded_as_a_list_changes_nothing(hub):
    before = snapshot(hub)
    for data in (LAUGHS, EXTERNAL):
        with pytest.raises(InvalidInput, match="refused for safety"):
            screening.load_list(hub, data.replace(b"ROOT", b"CONSOLIDATED_LIST"),
                                key=f"bomb-{len(data)}")
    assert_untouched(hub, before, "XML bomb")


def test_iati_validation_refuses_entities():
    problems = validate_iati(LAUGHS.replace(b"ROOT", b"iati-activities"))
    assert problems and "refused for safety" in problems[0]


def test_a_bomb_that_lies_about_its_size_is_cut_off_at_the_size_it_states(hub):
    """The guard trusts the sizes the archive's directory states; a part that expands
    further is cut off there by zipfile (and fails its checksum), so it cannot exhaust
    memory either."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open(info.filename, "w") as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                for _ in range(50):
                    sheet.write(b"<row/>" * (MB // 6))
                sheet.write(b"</sheetData></worksheet>")
    data = bytearray(out.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    entry = next(i for i in range(len(data)) if data.startswith(b"PK\x01\x02", i)
                 and data[i + 46:i + 46 + len(name)] == name)
    data[entry + 24:entry + 28] = (4000).to_bytes(4, "little")  # "4,000 bytes"
    lying = bytes(data)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo(name.decode()).file_size == 4000
    before = snapshot(hub)
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match=r"cannot be read|damaged|not a table|no column"):
        preadvice.preview(hub, lying)
    assert time.perf_counter() - start < 2.0
    assert_untouched(hub, before, "lying zip")
