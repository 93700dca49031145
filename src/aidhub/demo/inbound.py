"""The demo's inbound pipeline: channels, and consignments at every stage of their life
cycle, from pledged to received and put away, built through the same services a reception
officer uses."""

import datetime as dt
import random
from collections.abc import Callable

from aidhub.services import channels, consignments, receiving
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import Context
from aidhub.services.receiving import CountLine

CHANNELS = (
    ("XB-BAB-AL-HAWA", "UN cross-border convoys via Bab al-Hawa", "road", "un_cross_border",
     "un_agency"),
    ("XL-ALEPPO-IDLEB", "Cross-line convoys Aleppo to Sarmada", "road", "cross_line",
     "un_agency"),
    ("AIR-DAMASCUS", "Airlift to Damascus International Airport", "air",
     "bilateral_government", "government"),
    ("SEA-LATTAKIA", "Sea freight through the Port of Lattakia", "sea", "commercial",
     "un_agency"),
    ("LB-ROAD", "Road corridor from Beirut port via Jdeidet Yabous", "road", "commercial",
     "ngo"),
    ("LOCAL-INKIND", "Local in-kind donations", "road", "local_in_kind", "community"),
)

DOC_PREFIX = {"convoy_manifest": "CM", "awb": "AWB", "bl": "BL", "cmr": "CMR"}

# GS1's own example company prefix: fine for a demo, never for real labels.
DEMO_GS1_PREFIX = "0614141"

# (hub, channel, point of entry, consignor, donor, document type, stage)
CONSIGNMENTS = (
    ("SRM-HUB", "XB-BAB-AL-HAWA", "BAB-AL-HAWA", "WFP", "ECHO", "convoy_manifest", "received"),
    ("SRM-HUB", "XB-BAB-AL-HAWA", "BAB-AL-HAWA", "UNICEF", "FCDO", "convoy_manifest",
     "receiving"),
    ("SRM-HUB", "XL-ALEPPO-IDLEB", "SARAQEB", "WFP", "GFFO", "convoy_manifest", "held"),
    ("DAM-HUB", "AIR-DAMASCUS", "SYDAM", "UAEMOFA", "UAEMOFA", "awb", "arrived"),
    ("DAM-HUB", "LB-ROAD", "JDEIDET-YABOUS", "IFRC", "IFRC", "cmr", "in_transit"),
    ("LTK-HUB", "SEA-LATTAKIA", "SYLTK-PORT", "WFP", "JICA", "bl", "cleared"),
    ("LTK-HUB", "SEA-LATTAKIA", "SYLTK-PORT", "WHO", "KSRELIEF", "bl", "pre_advised"),
    ("ALP-HUB", "LOCAL-INKIND", None, "MOLHAM", None, None, "pledged"),
)


def load(ctx: Context, rng: random.Random, tag: str, items: list[dict[str, str]],
         report: Callable[[str, int, int], None]) -> int:
    for code, name, mode, route, provider in CHANNELS:
        channels.add_channel(ctx, key=f"{tag}:channel:{code}", code=code, name=name,
                             mode=mode, route=route, provider_type=provider)
    channels.set_setting(ctx, "gs1.company_prefix", DEMO_GS1_PREFIX, key=f"{tag}:gs1")
    today = dt.datetime.now(dt.UTC).date()
    for n, spec in enumerate(CONSIGNMENTS, start=1):
        _consignment(ctx, rng, f"{tag}:c{n}", items, today, *spec)
        report("consignments", n, len(CONSIGNMENTS))
    return len(CONSIGNMENTS)


def _consignment(ctx: Context, rng: random.Random, key: str, items: list[dict[str, str]],
                 today: dt.date, hub: str, channel: str, entry: str | None, consignor: str,
                 donor: str | None, doc_type: str | None, stage: str) -> None:
    lines = []
    for item in rng.sample(items, rng.randint(3, 6)):
        batch = expiry = None
        if item["shelf_life"] == "yes":
            batch = f"{consignor[:3]}{rng.randint(1000, 9999)}"
            expiry = (today + dt.timedelta(days=rng.choice((120, 240, 400, 700)))).isoformat()
        qty = rng.randint(1, 3) if float(item["weight_kg"]) > 200 else rng.choice(
            (50, 100, 120, 200, 400))
        lines.append(AdviceLine(qty, item=item["code"], batch=batch, expiry=expiry,
                                weight_kg=str(round(float(item["weight_kg"]) * qty, 1)),
                                earmark="NW Syria" if hub == "SRM-HUB" else ""))
    if stage == "pledged":
        lines.append(AdviceLine(40, description="Mixed winter clothes (not sorted)",
                                unit="carton"))
    advice = PreAdvice(
        hub=hub, consignor=consignor, consignee="WFP" if hub != "ALP-HUB" else "SARC",
        lines=lines, donor=donor, channel=channel, point_of_entry=entry,
        eta=(today + dt.timedelta(days=rng.randint(1, 10))).isoformat(),
        document_type=doc_type, document_number=f"{DOC_PREFIX.get(doc_type, 'REF')}-"
        f"{rng.randint(10000, 99999)}", vehicle=f"TR-{rng.randint(100, 999)}",
        driver=rng.choice(("Ahmad K.", "Yusuf H.", "Omar S.", "Khaled M.")),
        seals=f"{rng.randint(100000, 999999)}", pledged=stage == "pledged")
    number = consignments.register_preadvice(ctx, advice, key=f"{key}:advice")["number"]
    path = {"pre_advised": [], "pledged": [], "in_transit": ["in_transit"],
            "arrived": ["in_transit"], "held": ["in_transit", "arrived", "screening", "held"],
            "cleared": ["in_transit", "arrived", "screening", "cleared"]}
    steps = path.get(stage, ["in_transit", "arrived", "screening", "cleared"])
    for n, state in enumerate(steps):
        if state == "arrived":
            consignments.record_arrival(ctx, number, key=f"{key}:arrival",
                                        documents_checked=[doc_type or "", "packing list"],
                                        clearance="cleared", seal_check="intact",
                                        seals_found=advice.seals)
            continue
        reason = "consignor name close to a sanctions list entry" if state == "held" else ""
        consignments.change_state(ctx, number, state, key=f"{key}:{n}", reason=reason)
    if stage == "arrived":
        consignments.record_arrival(ctx, number, key=f"{key}:arrival",
                                    documents_checked=[doc_type or "", "invoice"],
                                    clearance="arrived", seal_check="intact")
    if stage in ("received", "receiving"):
        counts = []
        for i, line in enumerate(lines, start=1):
            if stage == "receiving" and i % 2 == 0:
                continue
            damaged = 2 if line.quantity >= 100 and i == 1 else 0
            counts.append(CountLine(i, good=int(line.quantity) - damaged, damaged=damaged,
                                    close=True, per_unit=50 if int(line.quantity) > 50
                                    else None, priority=1 if i % 3 else 2))
        result = receiving.receive(ctx, number, counts, key=f"{key}:grn",
                                   received_by="Reception officer (demo)",
                                   delivered_by=advice.driver)
        if stage == "received":
            for n, sscc in enumerate(result["handling_units"][:3]):
                receiving.put_away(ctx, sscc, ("A-01", "A-02", "B-01")[n % 3],
                                   key=f"{key}:put:{n}")
