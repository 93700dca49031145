"""Loading sanctions lists from files: the real UN 2020 list, synthetic samples of the other
formats, format guessing, diffs between versions, and files that must be refused."""

import datetime as dt
import hashlib
import io
import random
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from aidhub.domain.errors import InvalidInput
from aidhub.screening.lists import FORMATS, diff, guess_format, load_list
from aidhub.screening.lists._countries import country
from aidhub.screening.lists._dates import UnreadableDate, parse_date
from aidhub.screening.lists._names import unpack_names
from aidhub.screening.model import BirthDate, EntityKind, ListFile, ListName, NameQuality

LISTS = Path(__file__).parents[1] / "fixtures" / "lists"
UN = LISTS / "un-consolidated-2020.xml"
P, S, W = NameQuality.PRIMARY, NameQuality.STRONG, NameQuality.WEAK


def year(start: int, end: int | None = None) -> BirthDate:
    return BirthDate.year(start, end)


def day(y: int, m: int, d: int) -> BirthDate:
    return BirthDate.exact(dt.date(y, m, d))


def names(entry) -> list[tuple[str, NameQuality]]:
    return [(n.full, n.quality) for n in entry.names]


def by_id(list_file: ListFile) -> dict:
    return {e.entry_id: e for e in list_file.entries}


@pytest.fixture(scope="module")
def un_bytes() -> bytes:
    return UN.read_bytes()


@pytest.fixture(scope="module")
def un(un_bytes) -> ListFile:
    return load_list(un_bytes, "un-xml")


def ofac_zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            archive.write(LISTS / "ofac-sdn-csv" / member, f"sdn_files/{member}")
    return buffer.getvalue()


# --- The UN Security Council Consolidated List, 24 November 2020 -----------------------

def test_the_un_list_loads_every_individual_and_entity(un, un_bytes):
    kinds = [e.kind for e in un.entries]
    assert kinds.count(EntityKind.PERSON) == 713 == un_bytes.count(b"<INDIVIDUAL>")
    assert kinds.count(EntityKind.ORGANIZATION) == 305 == un_bytes.count(b"<ENTITY>")
    assert (un.list, un.format) == ("un-sc", "un-xml")
    assert un.generated == dt.datetime(2020, 11, 24, 20, 23, 7, 617000,
                                       tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert un.file_hash == hashlib.sha256(un_bytes).hexdigest()
    assert len({e.entry_id for e in un.entries}) == 1018


def test_the_un_list_aliases_keep_their_quality(un, un_bytes):
    # 2,571 INDIVIDUAL_ALIAS elements, of which 459 are empty placeholders: 1,496 "Good"
    # and 616 "Low" aliases have a name.
    assert un_bytes.count(b"<INDIVIDUAL_ALIAS>") == 2571
    root = ElementTree.fromstring(un_bytes)  # the fixture is trusted; loaders use defusedxml
    entries = by_id(un)
    counted = {"Good": 0, "Low": 0}
    for individual in root.iter("INDIVIDUAL"):
        entry = entries[individual.findtext("REFERENCE_NUMBER").strip()]
        listed = {n.full.casefold(): n.quality for n in entry.names}
        for alias in individual.iter("INDIVIDUAL_ALIAS"):
            quality = (alias.findtext("QUALITY") or "").strip()
            for name in unpack_names(alias.findtext("ALIAS_NAME")):
                counted[quality] += 1
                # An alias repeating a better name of its entry keeps the better quality.
                assert name.casefold() in listed, (entry.entry_id, name)
                if quality == "Good":
                    assert listed[name.casefold()] in (P, S)
    # 1,496 and 616 before the aliases that pack several names are split into them.
    assert counted == {"Good": 1544, "Low": 628}
    assert sum(n.quality is W for e in un.entries for n in e.names) == 628


def test_the_un_list_names_in_original_script(un):
    people = [e for e in un.entries if e.kind is EntityKind.PERSON]
    originals = [n for e in people for n in e.names
                 if n.quality is P and n.script != "latin"]
    assert len(originals) == 366  # 367 NAME_ORIGINAL_SCRIPT elements, one of them empty
    assert {n.script for n in originals} == {"arabic", "cyrillic", "ethiopic", "cjk"}


def test_qdi_317_as_listed_in_2020(un):
    entry = by_id(un)["QDi.317"]
    assert entry.kind is EntityKind.PERSON
    assert names(entry) == [
        ("ABU MOHAMMED AL-JAWLANI", P), ("أبو محمد الجولاني", P),
        ("Abu Mohamed al-Jawlani", S), ("شيخ الفاتح", W), ("الفاتح", W),
        ("Amjad Muzaffar Hussein Ali al-Naimi", S), ("Abu Ashraf", W)]
    assert [n.script for n in entry.names][:2] == ["latin", "arabic"]
    assert entry.caption == "ABU MOHAMMED AL-JAWLANI"
    # BETWEEN 1975 and 1979, and 1980 under the alias Amjad Muzaffar Hussein Ali al-Naimi
    assert entry.birth_dates == (year(1975, 1979), year(1980))
    assert entry.nationalities == ("SY",)
    assert entry.programme == "Al-Qaida"
    assert entry.listed_on == dt.date(2013, 7, 24)
    assert entry.remarks.startswith("Description: Dark complexion.")


def test_an_entity_of_the_un_list(un):
    entry = by_id(un)["QDe.137"]
    assert entry.kind is EntityKind.ORGANIZATION
    listed = names(entry)
    assert listed[:2] == [("AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT", P),
                          ("جبهة النصرة لأهل الشام", P)]
    # An alias packing several names is split into them.
    for name in ("Hay’at Tahrir al-Sham", "HTS", "هيئة تحرير الشام", "Jabhat al-Nusrah",
                 "جبهة النصرة", "Jabhat Fath al-Sham", "Ansar al-Mujahideen Network",
                 "شبكة أنصار المجاهدين", "Front for the Conquest of Syria"):
        assert (name, S) in listed
    assert not any(";" in n or "original script" in n for n, _ in listed)
    assert entry.birth_dates == () and entry.listed_on == dt.date(2014, 5, 14)


def test_un_dates_documents_and_nationalities(un):
    entries = by_id(un)
    assert entries["KPi.033"].birth_dates == (day(1964, 7, 17),)  # EXACT
    assert entries["KPi.033"].documents == ("381310014",)
    assert entries["KPi.033"].nationalities == ("KP",)  # Democratic People's Republic of Korea
    assert entries["IQi.020"].birth_dates == (year(1937, 1939),)  # APPROXIMATELY 1938
    assert "Iran (Islamic Republic of)" not in {n for e in un.entries for n in e.nationalities}
    assert "" not in {n for e in un.entries for n in e.nationalities}  # "na" is no country
    # Dates given only as notes that cannot be read are skipped, and said so.
    assert un.warnings == (
        "QDi.291: birth date '24/06/1402 (Hijri Calendar)' is not a date we can read; skipped",
        "LYi.022: birth date '30-35 years old' is not a date we can read; skipped",
        "LYi.026: birth date '29 years old' is not a date we can read; skipped")


def test_progress_is_reported_while_a_big_file_loads(un_bytes):
    calls = []
    load_list(un_bytes, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) > 5
    assert calls[-1] == (len(un_bytes), len(un_bytes))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_repeated_reference_is_merged_and_a_nameless_entry_skipped():
    data = b"""<CONSOLIDATED_LIST dateGenerated="2020-11-24T20:23:07">
      <INDIVIDUALS>
        <INDIVIDUAL><FIRST_NAME>ALI</FIRST_NAME><SECOND_NAME>HASSAN</SECOND_NAME>
          <REFERENCE_NUMBER>QDi.900</REFERENCE_NUMBER><NATIONALITY><VALUE>Syria</VALUE>
          </NATIONALITY></INDIVIDUAL>
        <INDIVIDUAL><FIRST_NAME>ALI HASAN</FIRST_NAME><REFERENCE_NUMBER>QDi.900
          </REFERENCE_NUMBER><NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY></INDIVIDUAL>
        <INDIVIDUAL><FIRST_NAME/><REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER></INDIVIDUAL>
      </INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""
    loaded = load_list(data)
    assert [names(e) for e in loaded.entries] == [[("ALI HASSAN", P), ("ALI HASAN", P)]]
    assert loaded.entries[0].nationalities == ("SY", "IQ")
    assert loaded.warnings == ("QDi.900: the reference appears twice; the two were merged",
                               "QDi.901: the entry has no name and was skipped")
    assert loaded.generated == dt.datetime(2020, 11, 24, 20, 23, 7)


# --- Format guessing ------------------------------------------------------------------

@pytest.mark.parametrize(("path", "expected"), [
    ("un-consolidated-2020.xml", "un-xml"),
    ("ofac-sdn-csv/sdn.csv", "ofac-csv"),
    ("ofac-sdn-sample.xml", "ofac-xml"),
    ("ofac-sdn-advanced-sample.xml", "ofac-xml"),
    ("eu-fsf-sample.xml", "eu-xml"),
    ("uk-sanctions-list-sample.csv", "uk-csv"),
    ("ofsi-conlist-sample.csv", "uk-csv"),
    ("opensanctions-sample.ftm.json", "ftm"),
])
def test_the_format_is_guessed_from_the_content(path, expected):
    data = (LISTS / path).read_bytes()
    assert guess_format(data) == expected
    assert load_list(data).format == expected


def test_a_zip_of_ofac_csv_files_is_guessed():
    assert guess_format(ofac_zip("sdn.csv", "alt.csv", "add.csv")) == "ofac-csv"


def test_every_format_has_a_name_and_a_description():
    assert set(FORMATS) == {"un-xml", "ofac-csv", "ofac-xml", "eu-xml", "uk-csv", "ftm"}


# --- OFAC ---------------------------------------------------------------------------

def test_ofac_sdn_csv_alone():
    loaded = load_list((LISTS / "ofac-sdn-csv" / "sdn.csv").read_bytes(), "ofac-csv")
    assert (loaded.list, loaded.format, loaded.generated) == ("us-ofac", "ofac-csv", None)
    entry = by_id(loaded)["9001"]
    assert names(entry) == [("Karim Mahmoud AL-HALABI", P), ("ABU KARIM", W), ("AL-HALABI", W)]
    assert entry.birth_dates == (day(1971, 3, 12), year(1972))
    assert entry.nationalities == ("SY",)
    assert entry.documents == ("N012345678", "03010012345")
    assert entry.programme == "SDGT; SYRIA"


def test_ofac_zip_adds_the_aliases_of_alt_csv():
    loaded = load_list(ofac_zip("sdn.csv", "alt.csv", "add.csv"))
    entries = by_id(loaded)
    assert [e.entry_id for e in loaded.entries] == ["9001", "9002", "9003", "9004", "9005", "9006"]
    assert names(entries["9001"]) == [
        ("Karim Mahmoud AL-HALABI", P), ("Kareem Mahmud AL-HALABI", S), ("Karim HALABI", S),
        ("ABU KARIM", W), ("AL-HALABI", W)]
    assert entries["9002"].kind is EntityKind.ORGANIZATION
    assert names(entries["9002"]) == [("NOUR AL-SHAM TRADING COMPANY LLC", P),
                                      ("NOUR AL SHAM GENERAL TRADING", S)]
    assert entries["9002"].documents == ("45871",)
    assert entries["9003"].birth_dates == (year(1979, 1981),)  # circa 1980
    assert entries["9003"].nationalities == ("SY", "IQ")
    assert entries["9004"].birth_dates == (year(1965, 1967),)  # 1965 to 1967
    assert entries["9004"].programme == "IRGC; IFSR"
    assert entries["9005"].kind is EntityKind.OTHER
    assert entries["9005"].documents == ("IMO 9123456",)
    assert entries["9006"].birth_dates == ()  # 30 Feb 1975 is skipped...
    assert loaded.warnings == ("9006: birth date '30 Feb 1975' is impossible; skipped",)


def test_ofac_remarks_continue_in_sdn_comments_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(LISTS / "ofac-sdn-csv" / "sdn.csv", "SDN.CSV")
        archive.writestr("sdn_comments.csv", b'9006,"alt. DOB 1950; Passport L776655 (Lebanon)."')
    entry = by_id(load_list(buffer.getvalue()))["9006"]
    assert entry.birth_dates == (year(1950),) and entry.documents == ("L776655",)


@pytest.mark.parametrize("path", ["ofac-sdn-sample.xml", "ofac-sdn-advanced-sample.xml"])
def test_ofac_xml_classic_and_advanced(path):
    loaded = load_list((LISTS / path).read_bytes(), "ofac-xml")
    assert (loaded.list, loaded.format) == ("us-ofac", "ofac-xml")
    assert loaded.generated == dt.datetime(2023, 11, 24)
    entries = by_id(loaded)
    assert list(entries) == ["9001", "9002", "9003", "9004", "9005"]
    karim = entries["9001"]
    assert ("Karim Mahmoud AL-HALABI", P) in names(karim)
    assert ("Kareem Mahmud AL-HALABI", S) in names(karim)
    assert ("ABU KARIM", W) in names(karim)
    assert karim.birth_dates[0] == day(1971, 3, 12)
    assert karim.nationalities == ("SY",)
    assert karim.documents == ("N012345678", "03010012345")  # not "Gender: Male"
    assert karim.programme == "SDGT; SYRIA"
    assert names(entries["9002"]) == [("NOUR AL-SHAM TRADING COMPANY LLC", P),
                                      ("NOUR AL SHAM GENERAL TRADING", S)]
    assert entries["9002"].kind is EntityKind.ORGANIZATION
    samira = entries["9003"]
    assert names(samira) == [("Samira Ahmad AL-DARWISH", P), ("UMM ABDULLAH", W)]
    assert samira.birth_dates == (year(1979, 1981),)
    assert samira.nationalities == ("SY", "IQ")
    assert entries["9004"].birth_dates == (year(1965, 1967),)
    assert entries["9005"].kind is EntityKind.OTHER


def test_ofac_advanced_has_original_script_names_and_listing_dates():
    loaded = load_list((LISTS / "ofac-sdn-advanced-sample.xml").read_bytes())
    karim = by_id(loaded)["9001"]
    assert karim.names[1] == ListName("كريم محمود الحلبي", P, "arabic")
    assert karim.listed_on == dt.date(2019, 6, 11)
    assert by_id(loaded)["9005"].documents == ()  # an MMSI is not a paper


def test_ofac_classic_xml_skips_an_impossible_date():
    loaded = load_list((LISTS / "ofac-sdn-sample.xml").read_bytes())
    assert loaded.warnings == ("9004: birth date '31 Apr 1966' is impossible; skipped",)


# --- EU, UK, FollowTheMoney -----------------------------------------------------------

def test_eu_financial_sanctions_files():
    loaded = load_list((LISTS / "eu-fsf-sample.xml").read_bytes(), "eu-xml")
    assert (loaded.list, loaded.format) == ("eu-fsf", "eu-xml")
    assert loaded.generated == dt.datetime(2023, 11, 24, 19, 2, 43, 318000,
                                           tzinfo=dt.timezone(dt.timedelta(hours=1)))
    entries = by_id(loaded)
    assert list(entries) == ["EU.9101.11", "EU.9102.22", "EU.9103.33", "EU.9104.44"]
    karim = entries["EU.9101.11"]
    assert names(karim) == [("Karim Mahmoud Al-Halabi", P), ("كريم محمود الحلبي", S),
                            ("Kareem Halabi", S), ("Abu Karim", W)]
    assert karim.names[1].script == "arabic"
    assert karim.birth_dates == (day(1971, 3, 12),)
    assert karim.nationalities == ("SY",) and karim.documents == ("N012345678",)
    assert karim.programme == "SYR" and karim.listed_on == dt.date(2012, 3, 24)
    assert entries["EU.9102.22"].birth_dates == (year(1979, 1981),)  # year 1980, circa
    assert entries["EU.9102.22"].nationalities == ("SY", "IQ")
    jabali = entries["EU.9103.33"]
    assert jabali.birth_dates == (year(1958, 1962),)  # yearRangeFrom / yearRangeTo
    assert jabali.nationalities == ()  # "00", unknown
    assert entries["EU.9104.44"].kind is EntityKind.ORGANIZATION
    assert loaded.warnings == ("EU.9103.33: birth date '1960-02-30' is impossible; skipped",)


def test_uk_sanctions_list_rows_are_grouped_by_unique_id():
    loaded = load_list((LISTS / "uk-sanctions-list-sample.csv").read_bytes(), "uk-csv")
    assert (loaded.list, loaded.format) == ("uk-sanctions-list", "uk-csv")
    assert loaded.generated == dt.datetime(2023, 11, 24)  # "Report Date: 24-Nov-2023"
    entries = by_id(loaded)
    assert list(entries) == ["SYR0901", "SYR0902", "SYR0903", "SYR0904", "SYR0905"]
    karim = entries["SYR0901"]
    assert names(karim) == [("Karim Mahmoud AL-HALABI", P), ("كريم محمود الحلبي", P),
                            ("Kareem Mahmud AL-HALABI", S), ("ABU KARIM", W)]
    assert karim.birth_dates == (day(1971, 3, 12),)
    assert karim.documents == ("N012345678", "03010012345")
    assert karim.listed_on == dt.date(2012, 3, 24)
    assert karim.programme == "The Syria (Sanctions) (EU Exit) Regulations 2019"
    samira = entries["SYR0902"]
    assert samira.birth_dates == (year(1980),)  # 00/00/1980
    assert samira.nationalities == ("SY", "IQ")  # (1) Syria (2) Iraq
    jabali = entries["SYR0903"]
    assert names(jabali) == [("Hassan AL-JABALI", P), ("Hasan JABALI", S)]
    assert jabali.birth_dates == (year(1958), BirthDate(dt.date(1961, 5, 1),
                                                         dt.date(1961, 5, 31)))
    assert entries["SYR0904"].kind is EntityKind.ORGANIZATION
    assert len(entries["SYR0904"].names) == 3  # two address rows repeat the name
    assert entries["SYR0905"].kind is EntityKind.OTHER
    assert entries["SYR0905"].documents == ("9123456",)
    assert loaded.warnings == ("SYR0903: birth date '31/02/1960' is impossible; skipped",)


def test_ofsi_consolidated_list_rows_are_grouped_by_group_id():
    loaded = load_list((LISTS / "ofsi-conlist-sample.csv").read_bytes())
    assert (loaded.list, loaded.generated) == ("uk-ofsi", dt.datetime(2023, 11, 24))
    entries = by_id(loaded)
    assert list(entries) == ["90901", "90902", "90904"]
    assert names(entries["90901"]) == [
        ("Karim Mahmoud AL-HALABI", P), ("كريم محمود الحلبي", P),
        ("Kareem Mahmud AL-HALABI", S), ("ABU KARIM", W)]
    assert entries["90901"].listed_on == dt.date(2012, 3, 24)
    assert entries["90902"].nationalities == ("SY", "IQ")  # (1) Syrian (2) Iraqi


def test_followthemoney_entities():
    loaded = load_list((LISTS / "opensanctions-sample.ftm.json").read_bytes(), "ftm")
    assert (loaded.list, loaded.format, loaded.generated) == ("ftm", "ftm", None)
    entries = by_id(loaded)
    # Sanction, Identification and Address entities are not entries; nor is a relative
    # who is not a target.
    assert list(entries) == ["NK-sample-halabi", "NK-sample-darwish", "NK-sample-jabali",
                             "NK-sample-nour", "NK-sample-bahr"]
    karim = entries["NK-sample-halabi"]
    assert names(karim) == [("Karim Mahmoud Al-Halabi", P), ("كريم محمود الحلبي", P),
                            ("Kareem Mahmud Al-Halabi", S), ("Abu Karim", W)]
    assert karim.birth_dates == (day(1971, 3, 12), year(1972))
    assert karim.nationalities == ("SY",)
    assert karim.documents == ("N012345678", "03010012345")  # the second from Identification
    assert karim.programme == "SDGT; SYRIA"  # from the Sanction entity
    assert karim.listed_on == dt.date(2011, 8, 30)
    assert entries["NK-sample-darwish"].programme == "SYR"
    assert entries["NK-sample-darwish"].nationalities == ("SY", "IQ")
    jabali = entries["NK-sample-jabali"]
    assert jabali.birth_dates == (BirthDate(dt.date(1961, 5, 1), dt.date(1961, 5, 31)),)
    assert jabali.programme == "gb_hmt_sanctions"  # the dataset, when nothing names one
    nour = entries["NK-sample-nour"]
    assert nour.kind is EntityKind.ORGANIZATION and nour.nationalities == ("SY",)
    assert ("Nour Al Sham General Trading", S) in names(nour)
    assert entries["NK-sample-bahr"].kind is EntityKind.OTHER
    assert loaded.warnings == (
        "NK-sample-jabali: birth date '1960-02-30' is impossible; skipped",)


# --- Diffs between versions -------------------------------------------------------------

def test_diff_between_two_versions(un):
    old = list(un.entries)
    entries = by_id(un)
    qdi317, removed = entries["QDi.317"], entries["KPi.033"]
    renamed = replace(qdi317, names=(*qdi317.names, ListName("Abu Muhammad al-Julani", S)))
    reworded = replace(entries["QDe.137"], remarks="Reworded.", listed_on=dt.date(2020, 1, 1))
    added = replace(removed, entry_id="KPi.999")
    new = [renamed if e is qdi317 else reworded if e.entry_id == "QDe.137" else e
           for e in old if e is not removed] + [added]
    changes = diff(old, new)
    assert changes.added == (added,)
    assert changes.removed == (removed,)
    assert changes.changed == ((qdi317, renamed),)  # remarks and listing date alone do not count
    assert not diff(old, list(reversed(old)))


def test_diff_sees_changed_dates_documents_nationalities_and_programmes():
    sdn = (LISTS / "ofac-sdn-csv" / "sdn.csv").read_bytes()
    old = load_list(sdn).entries
    edited = (sdn.replace(b"DOB circa 1980", b"DOB circa 1981")
                 .replace(b"Passport D9004512", b"Passport D9004513")
                 .replace(b"nationality Lebanon", b"nationality Syria")
                 .replace(b'"SYRIA",-0- ,"YKAB3"', b'"SYRIA] [IRAN",-0- ,"YKAB3"'))
    changes = diff(old, load_list(edited).entries)
    assert [new.entry_id for _, new in changes.changed] == ["9003", "9004", "9005", "9006"]
    assert changes.added == changes.removed == ()


# --- Refusals ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
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
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol9;</FIRST_NAME>
<REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE export [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity euReferenceNumber="EU.1">
<nameAlias wholeName="&secret;" strong="true"/></sanctionEntity></export>
"""


def refusal(data: bytes, format: str | None = None) -> str:
    with pytest.raises(InvalidInput) as raised:
        load_list(data, format)
    return str(raised.value)


def test_a_truncated_xml_file_is_refused_with_where_it_broke(un_bytes):
    cut = un_bytes[:len(un_bytes) // 2]
    for format in ("un-xml", None):
        message = refusal(cut, format)
        assert "not complete" in message and "UN Security Council" in message
        assert re.search(r"line \d+, column \d+", message)
    # Cut just before the closing tag: every record is whole, yet the file is not.
    message = refusal(un_bytes.rstrip()[:-len(b"</CONSOLIDATED_LIST>")])
    assert "not complete" in message


@pytest.mark.parametrize("format", ["un-xml", "ofac-xml", "eu-xml", None])
def test_an_xml_bomb_is_refused_not_parsed(format):
    assert "XML bomb" in refusal(BILLION_LAUGHS, format)


def test_external_entities_are_refused():
    assert "XML bomb" in refusal(EXTERNAL_ENTITY, "eu-xml")


def test_a_csv_given_as_un_xml_is_refused():
    message = refusal((LISTS / "ofac-sdn-csv" / "sdn.csv").read_bytes(), "un-xml")
    assert "not XML" in message and "ofac-csv" in message


def test_a_file_of_another_xml_list_is_refused(un_bytes):
    message = refusal((LISTS / "eu-fsf-sample.xml").read_bytes(), "un-xml")
    assert "<export>" in message and "<CONSOLIDATED_LIST>" in message and "eu-xml" in message
    assert "<CONSOLIDATED_LIST>" in refusal(un_bytes, "ofac-xml")


@pytest.mark.parametrize("format", [None, *FORMATS])
def test_an_empty_file_is_refused(format):
    assert "empty" in refusal(b"", format)
    assert "empty" in refusal(b" \r\n\n", format)


@pytest.mark.parametrize("format", [None, *FORMATS])
def test_random_bytes_are_refused(format):
    data = random.Random(2020).randbytes(4096)
    message = refusal(data, format)
    if format is None:
        assert "Cannot tell" in message and all(f"'{f}'" in message for f in FORMATS)


def test_a_list_without_entries_is_refused():
    data = b'<CONSOLIDATED_LIST dateGenerated="2020-11-24"><INDIVIDUALS/><ENTITIES/>' \
           b'</CONSOLIDATED_LIST>'
    assert "no list entries" in refusal(data)


def test_an_unknown_format_is_refused(un_bytes):
    message = refusal(un_bytes, "pdf")
    assert "Unknown list format 'pdf'" in message and "'un-xml'" in message


@pytest.mark.parametrize(("path", "format", "cut"), [
    ("ofac-sdn-csv/sdn.csv", "ofac-csv", 700),
    ("uk-sanctions-list-sample.csv", "uk-csv", 2500),
    ("opensanctions-sample.ftm.json", "ftm", 1500),
])
def test_truncated_text_files_are_refused_with_the_row(path, format, cut):
    message = refusal((LISTS / path).read_bytes()[:cut], format)
    assert message.startswith("row ") and "cut short" in message


def test_a_damaged_or_wrong_zip_is_refused():
    whole = ofac_zip("sdn.csv", "alt.csv")
    assert "damaged or cut short" in refusal(whole[:len(whole) - 40], "ofac-csv")
    assert "no sdn.csv" in refusal(ofac_zip("alt.csv", "add.csv"))


def test_a_header_row_of_the_wrong_list_is_refused():
    data = (LISTS / "uk-sanctions-list-sample.csv").read_bytes()
    assert "12 fields a row" in refusal(data, "ofac-csv")


# --- Dates, countries and names -------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1975-03-02", day(1975, 3, 2)),
    ("1960-01-01-05:00", day(1960, 1, 1)),
    ("1975-03", BirthDate(dt.date(1975, 3, 1), dt.date(1975, 3, 31))),
    ("1975", year(1975)),
    ("17 Jan 1941", day(1941, 1, 17)),
    ("Nov. 1973", BirthDate(dt.date(1973, 11, 1), dt.date(1973, 11, 30))),
    ("circa 1965", year(1964, 1966)),
    ("1960 to 1962", year(1960, 1962)),
    ("1975-1979", year(1975, 1979)),
    ("Between Aug. and Sep. 1977", BirthDate(dt.date(1977, 8, 1), dt.date(1977, 9, 30))),
    ("01/02/1941", day(1941, 2, 1)),
    ("00/00/1970", year(1970)),
    ("00/02/1970", BirthDate(dt.date(1970, 2, 1), dt.date(1970, 2, 28))),
    ("", None),
])
def test_birth_dates_as_lists_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["30 Feb 1975", "1975-13-01", "1402", "2999",
                                  "30-35 years old", "unknown"])
def test_impossible_or_unreadable_birth_dates(text):
    with pytest.raises(UnreadableDate):
        parse_date(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Syrian Arab Republic", "SY"), ("Syria", "SY"), ("Afghan", "AF"),
    ("Iran (Islamic Republic of)", "IR"), ("Indonesia (as at Dec. 2003)", "ID"),
    ("na", ""), ("USSR (until 1991)", "USSR (until 1991)"),
])
def test_countries_in_words_become_codes(text, expected):
    assert country(text) == expected
