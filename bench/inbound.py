"""Import a large packing list and receive it in full, against a plain csv read plus a
bare executemany insert of the same file.

Prints JSON. See bench/README.md.
"""

import argparse
import csv
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aidhub.services import channels, consignments, preadvice, receiving, reference, verify
from aidhub.services.consignments import PreAdvice
from aidhub.services.receiving import CountLine
from common import ITEMS, cleanup, fresh, network, pg_url


def packing_list(lines: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Item code", "Description", "Qty", "UOM", "Batch No.", "Exp. date",
                     "Gross weight (kg)", "Donor"])
    for n in range(lines):
        i = rng.randrange(len(ITEMS))
        shelf = i % 2 == 1
        writer.writerow([ITEMS[i], f"Item {ITEMS[i]}", rng.randint(1, 500), "bag",
                         f"B{n % 97:03d}" if shelf else "",
                         f"2028-{1 + (n % 97) % 12:02d}-28" if shelf else "",
                         rng.randint(10, 900),
                         "ECHO"])
    return out.getvalue().encode()


def bare(ctx, data: bytes) -> float:
    """Lines per second of csv.reader plus one executemany into a plain table."""
    raw = ctx.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("CREATE TABLE bare_lines (code varchar(40), description varchar(300), "
                    "qty bigint, unit varchar(30), batch varchar(60), expiry varchar(10), "
                    "weight varchar(20), donor varchar(40))")
        raw.commit()
        start = time.perf_counter()
        rows = list(csv.reader(io.StringIO(data.decode())))[1:]
        mark = "%s" if ctx.engine.dialect.name == "postgresql" else "?"
        if ctx.engine.dialect.name == "sqlite":
            cur.execute("BEGIN")
        cur.executemany(f"INSERT INTO bare_lines VALUES ({', '.join([mark] * 8)})", rows)
        raw.commit()
        elapsed = time.perf_counter() - start
        cur.execute("DROP TABLE bare_lines")
        raw.commit()
    finally:
        raw.close()
    return len(rows) / elapsed


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run(backend: str, lines: int) -> dict:
    ctx, url = fresh(backend)
    network(ctx)
    reference.add_location(ctx, key="recv", site_code="H1", code="RECV", kind="zone")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    data = packing_list(lines)
    baseline = bare(ctx, data)
    from aidhub.interop.packing_list import parse_packing_list

    parsed, t_parse = timed(lambda: parse_packing_list(data))
    header = PreAdvice("H1", "WFP", "WFP", [], donor="ECHO")
    result, t_register = timed(lambda: preadvice.import_file(ctx, data, header, key="imp"))
    number = result["number"]
    _, t_announce = timed(lambda: consignments.change_state(ctx, number, "in_transit",
                                                            key="s1"))
    for n, state in enumerate(["arrived", "screening", "cleared"]):
        consignments.change_state(ctx, number, state, key=f"s{n + 2}")
    counts = [CountLine(n, good=line.quantity, close=True, priority=1)
              for n, line in enumerate(parsed.lines, start=1)]
    grn, t_receive = timed(lambda: receiving.receive(ctx, number, counts, key="grn",
                                                     received_by="bench"))
    ok = verify.verify_ledger(ctx).ok
    ctx.engine.dispose()
    cleanup(url)
    figures = {
        "backend": backend,
        "lines": lines,
        "bare_csv_read_and_insert_lines_per_s": round(baseline),
        "parse_and_validate_lines_per_s": round(lines / t_parse),
        "ratio_parse_to_bare": round(lines / t_parse / baseline, 3),
        "import_and_register_lines_per_s": round(lines / t_register),
        "announce_in_transit_lines_per_s": round(lines / t_announce),
        "receive_and_post_lines_per_s": round(lines / t_receive),
        "ratio_receive_to_bare": round(lines / t_receive / baseline, 3),
        "handling_units": len(grn["handling_units"]),
        "ledger_verifies": ok,
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = args.backend or (["sqlite", "postgresql"] if pg_url() else ["sqlite"])
    print(json.dumps({"benchmark": "inbound",
                      "results": [run(b, args.lines) for b in backends]}, indent=2))


if __name__ == "__main__":
    main()
