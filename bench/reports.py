"""Reports on a large ledger: the hub report (and the donor report, when it is installed)
generated on 1,000,000 movements, and the reports' aggregate queries against the same
aggregates computed by DuckDB on a copy of the ledger made in the same run.

Prints JSON. See bench/README.md.

The ledger is the benchmarks' usual network (6 hubs, 4 bins each, 40 items, 4 owners)
grown with :class:`common.Mix` (receipts, transfers, dispatches), the items re-imported
into ten SUMA categories with different weights, and the movements spread evenly over
the last 28 days. The report is the hub report of H1 over those 28 days; the donor
report, if ``aidhub.services.donor_report`` and
``aidhub.documents.donor_report`` exist, is that of the owner ECHO over the same days.

Compared, each with its result checked equal to DuckDB's:

- throughput per day: tonnes received onto and dispatched from H1's shelves per day (the
  one aggregate that reads the movements of the period: a scan of the ledger);
- stock by category: tonnes on H1's shelves per SUMA category (from the balances);
- expiry bands: the same stock by time left before expiry.

The DuckDB side reads the tables through ``aidhub.services.query.Snapshot`` (the copy
`aidhub query` makes), timed apart, then runs one SQL statement per aggregate. The ratio
is the report's time over DuckDB's query time (copy not included).

    .venv/bin/python bench/reports.py                        # SQLite; PostgreSQL too if
    AIDHUB_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --movements 20000      # small
"""

import argparse
import datetime as dt
import importlib
import json
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aidhub.documents.hub_report import render_pdf
from aidhub.services import hub_report, movements, reference
from aidhub.services.context import utcnow
from aidhub.services.query import Snapshot
from aidhub.services.site_map import period
from aidhub.store.repositories.exports import ExportsRepository
from aidhub.store.repositories.hub_reports import HubReportsRepository
from common import ITEMS, Mix, cleanup, fresh, network, pg_url
from outbound import Progress, ledger_size, timed

ROOT = Path(__file__).resolve().parent.parent
HUB, DONOR, DAYS = "H1", "ECHO", 28
CATEGORIES = ["food_drink", "water_sanitation", "shelter_construction", "health",
              "pharmaceutical", "personal_needs_education", "logistics_administration",
              "agriculture_livestock", "unclassified", "food_drink"]


def recatalogue(ctx) -> None:
    """The benchmark items spread over SUMA categories with weights from 0.5 to 50 kg."""
    rows = ["code,name_en,suma_category,unit,weight_kg,shelf_life"]
    rows += [f"{code},Item {code},{CATEGORIES[n % 10]},bag,{[0.5, 2.5, 12.5, 25, 50][n % 5]},"
             f"{'yes' if n % 2 else 'no'}" for n, code in enumerate(ITEMS)]
    reference.import_catalog(ctx, "\n".join(rows).encode(), key="catalog-reports")


def grow(ctx, backend: str, target: int, batch: int, start: dt.datetime) -> dict:
    """Movements until the ledger holds ``target``, their times spread from ``start`` to
    now in posting order."""
    mix = Mix(seed=1)
    todo = max(target - ledger_size(ctx), 0)
    step = (utcnow() - start) / max(todo, 1)
    bar = Progress(f"{backend}: growing the ledger", todo)
    began = time.perf_counter()
    posted = 0
    while posted < todo:
        n = min(batch, todo - posted)
        movements.post_movements(ctx, [replace(mix.next(), at=start + step * (posted + k))
                                       for k in range(n)])
        posted += n
        bar.advance(n)
    bar.close()
    elapsed = time.perf_counter() - began
    return {"ledger_grown_by": posted,
            "ledger_growth_movements_per_s": round(posted / elapsed) if posted else None}


# The report's side ------------------------------------------------------------------------
def report_aggregates(ctx, first: dt.date, last: dt.date) -> tuple[dict, dict]:
    """The three aggregates as the hub report computes them, and their times."""
    since, until = period(first, last)
    seconds, found = {}, {}
    with ctx.uow() as uow:
        site = uow.reference.site(HUB)
        items = {i.id: i for i in uow.reference.items()}
        repo = HubReportsRepository(uow.conn)
        flows, seconds["throughput_per_day"] = timed(lambda: hub_report.throughput(
            repo, items, site.id, first, last, since, until))
        rows, t_rows = timed(lambda: ExportsRepository(uow.conn).stock(
            site_id=site.id, owner_id=None, until=None))
        stock, t_cat = timed(lambda: hub_report.stock_by_category(rows))
        (bands, _), t_bands = timed(lambda: hub_report.expiry_risk(rows, last, {}))
    seconds["stock_by_category"] = t_rows + t_cat
    seconds["expiry_bands"] = t_rows + t_bands
    found["throughput_per_day"] = {(f.day.isoformat(), "in"): f.tonnes_in for f in flows
                                   if f.tonnes_in} | {
        (f.day.isoformat(), "out"): f.tonnes_out for f in flows if f.tonnes_out}
    found["stock_by_category"] = {c.category: c.tonnes for c in stock}
    found["expiry_bands"] = {b.band: b.tonnes for b in bands if b.tonnes}
    return found, seconds


# DuckDB's side ------------------------------------------------------------------------------
THROUGHPUT = """
SELECT CAST(m."at" AS DATE) AS day, coalesce(o.kind, m.kind) AS flow,
       sum(p.quantity * i.weight_kg) AS kg
FROM movements m
JOIN postings p ON p.movement_id = m.id
JOIN locations l ON p.location_id = l.id
JOIN items i ON p.item_id = i.id
LEFT JOIN movements o ON m.reverses = o.id
WHERE l.site_id = '{site}' AND l.physical
  AND m."at" >= TIMESTAMPTZ '{since}' AND m."at" < TIMESTAMPTZ '{until}'
  AND (m.kind IN ('receipt', 'dispatch')
       OR (m.kind = 'reversal' AND o.kind IN ('receipt', 'dispatch')))
GROUP BY ALL
"""
STOCK = """
SELECT i.category, sum(b.quantity * i.weight_kg) AS kg
FROM balances b JOIN locations l ON b.location_id = l.id JOIN items i ON b.item_id = i.id
WHERE l.site_id = '{site}' AND b.physical AND b.quantity <> 0
GROUP BY ALL
"""
EXPIRY = """
SELECT CASE WHEN lots.expiry IS NULL THEN 'none'
            WHEN lots.expiry < DATE '{as_at}' THEN 'expired'
            WHEN lots.expiry < DATE '{as_at}' + INTERVAL 3 MONTH THEN 'red'
            WHEN lots.expiry < DATE '{as_at}' + INTERVAL 9 MONTH THEN 'yellow'
            ELSE 'later' END AS band,
       sum(b.quantity * i.weight_kg) AS kg
FROM balances b JOIN locations l ON b.location_id = l.id JOIN items i ON b.item_id = i.id
JOIN lots ON b.lot_id = lots.id
WHERE l.site_id = '{site}' AND b.physical AND b.quantity <> 0
GROUP BY ALL
"""


def tonnes(kg) -> Decimal:
    return hub_report.tonnes(Decimal(kg))


def duckdb_aggregates(ctx, first: dt.date, last: dt.date) -> tuple[dict, dict, float]:
    """The same aggregates by DuckDB on a copy of the tables; their query times, and the
    time taken to copy the tables."""
    since, until = period(first, last)
    with ctx.uow() as uow:
        site = uow.reference.site(HUB).id
    found, seconds = {}, {}
    with Snapshot(ctx) as snapshot:
        began = time.perf_counter()
        snapshot.run("SELECT count(*) FROM movements, postings, locations, items, balances, "
                     "lots WHERE false")  # copies every table the queries read
        copy = time.perf_counter() - began
        result, seconds["throughput_per_day"] = timed(lambda: snapshot.run(THROUGHPUT.format(
            site=site, since=since.isoformat(), until=until.isoformat())))
        found["throughput_per_day"] = {
            (day.isoformat(), "in" if flow == "receipt" else "out"):
                tonnes(kg if flow == "receipt" else -kg)
            for day, flow, kg in result.rows if kg}
        result, seconds["stock_by_category"] = timed(
            lambda: snapshot.run(STOCK.format(site=site)))
        found["stock_by_category"] = {cat: tonnes(kg) for cat, kg in result.rows}
        result, seconds["expiry_bands"] = timed(
            lambda: snapshot.run(EXPIRY.format(site=site, as_at=last.isoformat())))
        found["expiry_bands"] = {band: tonnes(kg) for band, kg in result.rows if kg}
    return found, seconds, copy


# The donor report, when it exists -----------------------------------------------------------
def donor_report(ctx, first: dt.date, last: dt.date) -> dict:
    try:
        service = importlib.import_module("aidhub.services.donor_report")
        document = importlib.import_module("aidhub.documents.donor_report")
        build, render = service.build, document.render_pdf
    except (ImportError, AttributeError) as exc:
        return {"skipped": f"the donor report is not installed here ({exc})"}
    report, t_build = timed(lambda: build(ctx, DONOR, first, last))
    pdf, t_render = timed(lambda: render(report, "en"))
    return {"donor": DONOR, "build_seconds": round(t_build, 2),
            "render_pdf_seconds": round(t_render, 2), "pdf_bytes": len(pdf)}


def run(backend: str, target: int, batch: int) -> dict:
    ctx, url = fresh(backend)
    network(ctx)
    recatalogue(ctx)
    today = utcnow().date()
    first = today - dt.timedelta(days=DAYS - 1)
    growth = grow(ctx, backend, target, batch,
                  dt.datetime.combine(first, dt.time(), dt.UTC))
    size = ledger_size(ctx)
    last = today
    print(f"{backend}: {size:,} movements; the hub report of {HUB}, {first} to {last}",
          file=sys.stderr)
    report, t_build = timed(lambda: hub_report.build(ctx, HUB, first, last))
    pdf_en, t_en = timed(lambda: render_pdf(report, "en"))
    pdf_ar, t_ar = timed(lambda: render_pdf(report, "ar"))
    mine, mine_s = report_aggregates(ctx, first, last)
    duck, duck_s, copy = duckdb_aggregates(ctx, first, last)
    donor = donor_report(ctx, first, last)
    ctx.engine.dispose()
    cleanup(url)
    comparisons = {
        name: {"report_seconds": round(mine_s[name], 4),
               "duckdb_seconds": round(duck_s[name], 4),
               "ratio_report_to_duckdb": round(mine_s[name] / duck_s[name], 1),
               "rows": len(mine[name]), "same_result": mine[name] == duck[name]}
        for name in mine}
    return {
        "backend": backend,
        "ledger_movements": size,
        **growth,
        "period": [first.isoformat(), last.isoformat()],
        "hub_report": {"hub": HUB, "build_seconds": round(t_build, 2),
                       "render_pdf_en_seconds": round(t_en, 2),
                       "render_pdf_ar_seconds": round(t_ar, 2),
                       "pdf_bytes_en": len(pdf_en), "pdf_bytes_ar": len(pdf_ar),
                       "tonnes_in": str(report.tonnes_in),
                       "tonnes_out": str(report.tonnes_out),
                       "stock_tonnes": str(report.stock_tonnes)},
        "donor_report": donor,
        "duckdb_copy_seconds": round(copy, 2),
        "aggregates": comparisons,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--movements", type=int, default=1_000_000,
                        help="movements in the ledger (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=1000,
                        help="movements per transaction when growing the ledger")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = args.backend or (["sqlite", "postgresql"] if pg_url() else ["sqlite"])
    results = {"benchmark": "reports",
               "results": [run(b, args.movements, args.batch) for b in backends]}
    text = json.dumps(results, indent=2)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"reports-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
