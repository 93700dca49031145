"""Organisations, sites, locations and the catalog."""

import pytest

from aidhub.domain.errors import AlreadyExists, InvalidInput, NotFound
from aidhub.services import reference
from tests.helpers import make_hub

GOOD = b"""code,name_en,name_ar,name_ru,suma_category,unit,weight_kg,shelf_life
#item+code,#item+name+i_en,#item+name+i_ar,#item+name+i_ru,#item+type+suma,#item+unit,#item+weight,#item+shelf_life
WATER,Bottled water 6x1.5 L,\xd9\x85\xd9\x8a\xd8\xa7\xd9\x87,\xd0\x92\xd0\xbe\xd0\xb4\xd0\xb0,water_sanitation,pack,9.3,yes
KIT,Family hygiene kit,,,personal_needs_education,kit,14,no
"""


def test_a_site_comes_with_its_standard_locations(ctx):
    reference.add_site(ctx, key="s", code="tts-port", name="Port of Tartus",
                       kind="point_of_entry", pcode="SY10", locode="SYTTS", lat="34.90",
                       lon="35.87")
    (site,) = reference.list_sites(ctx)
    assert (site.code, site.locode, str(site.lat)) == ("TTS-PORT", "SYTTS", "34.900000")
    codes = {loc.code: loc.physical for _, loc in reference.list_locations(ctx, "TTS-PORT")}
    assert codes == {"EXTERNAL": False, "IN-TRANSIT": False, "DISTRIBUTED": False,
                     "LOST": False, "DISPOSED": False, "QUARANTINE": True}


@pytest.mark.parametrize("field,value,message", [
    ("pcode", "Syria-2", "not a P-code"),
    ("locode", "SY-TARTUS", "not a UN/LOCODE"),
    ("kind", "castle", "not one of: hub, warehouse"),
    ("lat", "95", "latitude 95 is outside"),
])
def test_bad_site_fields_are_named(ctx, field, value, message):
    args = {"code": "X", "name": "X", "kind": "hub", "lat": "35", "lon": "36", field: value}
    with pytest.raises(InvalidInput, match=message):
        reference.add_site(ctx, key="s", **args)
    assert reference.list_sites(ctx) == []


def test_codes_are_unique(ctx):
    make_hub(ctx)
    with pytest.raises(AlreadyExists):
        reference.add_site(ctx, key="again", code="DAM-HUB", name="x", kind="hub")
    with pytest.raises(AlreadyExists):
        reference.add_location(ctx, key="again2", site_code="DAM-HUB", code="A-01", kind="bin")
    with pytest.raises(InvalidInput, match="virtual location"):
        reference.add_location(ctx, key="v", site_code="DAM-HUB", code="X", kind="lost")
    with pytest.raises(NotFound, match="no organisation with code 'NOPE'"):
        reference.add_site(ctx, key="s2", code="S2", name="x", kind="hub", operator="nope")


def test_catalog_import_reads_hxl_and_all_three_languages(ctx):
    result = reference.import_catalog(ctx, GOOD, key="c1")
    assert (result.added, result.updated) == (2, 0)
    water = next(i for i in reference.list_items(ctx) if i.code == "WATER")
    assert water.name("ar") == "مياه" and water.name("ru") == "Вода"
    assert str(water.weight_kg) == "9.3000" and water.shelf_life


def test_catalog_import_updates_descriptions_but_never_units(ctx):
    reference.import_catalog(ctx, GOOD, key="c1")
    renamed = GOOD.replace(b"Family hygiene kit", b"Family hygiene kit (5 people)")
    result = reference.import_catalog(ctx, renamed, key="c2")
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    new_unit = GOOD.replace(b",kit,14", b",box,14")
    with pytest.raises(InvalidInput, match="row 4, field 'unit': KIT is counted in 'kit'"):
        reference.import_catalog(ctx, new_unit, key="c3")


def test_a_catalog_with_bad_rows_imports_nothing_and_lists_every_problem(ctx):
    bad = (b"code,name_en,suma_category,unit,weight_kg,gtin\n"
           b"OK,Fine item,food_drink,bag,1,\n"
           b"BAD 1,Space in code,food_drink,bag,1,\n"
           b"CAT,Bad category,snacks,bag,1,\n"
           b"W,Bad weight,food_drink,bag,heavy,\n"
           b"G,Bad GTIN,food_drink,bag,1,4006381333932\n"
           b"OK,Twice,food_drink,bag,1,\n")
    with pytest.raises(InvalidInput) as caught:
        reference.import_catalog(ctx, bad, key="c")
    message = str(caught.value)
    assert message.startswith("nothing was imported; fix these 5 problem(s)")
    for expected in ("row 3, field 'code'", "row 4, field 'suma_category'",
                     "row 5, field 'weight_kg'", "row 6, field 'gtin': '4006381333932' has a "
                     "wrong check digit", "row 7, field 'code': OK is also on row 2"):
        assert expected in message
    assert reference.list_items(ctx) == []
