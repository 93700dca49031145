"""Shared set-up for the benchmarks: a clean database and a small network of hubs."""

import os
import random
import tempfile
from pathlib import Path

from sqlalchemy import text

from aidhub.services import reference
from aidhub.services.context import Context, open_context
from aidhub.services.movements import LineRequest, MovementRequest
from aidhub.store import database

SITES = ["H1", "H2", "H3", "H4", "H5", "H6"]
BINS = ["A-01", "A-02", "A-03", "B-01"]
ITEMS = [f"ITEM-{n:02d}" for n in range(40)]
OWNERS = ["WFP", "ECHO", "UNICEF", "JICA"]


def pg_url() -> str | None:
    return os.environ.get("AIDHUB_BENCH_DATABASE_URL") or os.environ.get(
        "AIDHUB_TEST_DATABASE_URL")


def cleanup(url: str) -> None:
    """Remove a benchmark's SQLite file (PostgreSQL is wiped at the next start)."""
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        for path in folder.glob("bench.sqlite3*"):
            path.unlink()
        folder.rmdir()


def fresh(backend: str) -> tuple[Context, str]:
    """An empty, migrated database on ``backend`` ('sqlite' or 'postgresql')."""
    if backend == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="aidhub-bench-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
    else:
        url = pg_url()
        if not url:
            raise SystemExit("set AIDHUB_BENCH_DATABASE_URL to a PostgreSQL database to wipe")
        engine = database.create(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return open_context(url, actor="bench"), url


def network(ctx: Context) -> None:
    for code in OWNERS:
        reference.add_organisation(ctx, key=f"o-{code}", code=code, name=code, type="ngo")
    for site in SITES:
        reference.add_site(ctx, key=f"s-{site}", code=site, name=site, kind="hub",
                           operator="WFP")
        for b in BINS:
            reference.add_location(ctx, key=f"l-{site}-{b}", site_code=site, code=b,
                                   kind="bin")
    rows = ["code,name_en,suma_category,unit,weight_kg,shelf_life"]
    rows += [f"{code},Item {code},food_drink,bag,25,{'yes' if n % 2 else 'no'}"
             for n, code in enumerate(ITEMS)]
    reference.import_catalog(ctx, "\n".join(rows).encode(), key="catalog")


class Mix:
    """Generates valid single-line movements: receipts, transfers and dispatches, keeping
    its own count of stock so that every movement can be posted."""

    def __init__(self, seed: int = 1, *, sites: list[str] | None = None, prefix: str = "m"):
        self.rng = random.Random(seed)
        self.sites = sites or SITES
        self.prefix = prefix  # of the idempotency keys
        self.held: dict[tuple[str, str, str, str, str], int] = {}
        self.keys: list[tuple[str, str, str, str, str]] = []
        self.n = 0

    def next(self) -> MovementRequest:
        self.n += 1
        roll = self.rng.random()
        if roll < 0.4 or len(self.keys) < 50:
            return self._receipt()
        key = self.keys[self.rng.randrange(len(self.keys))]
        have = self.held[key]
        if have < 2:
            return self._receipt()
        qty = self.rng.randint(1, have // 2)
        site, loc, item, batch, owner = key
        if roll < 0.75:
            dest = self.rng.choice([b for b in BINS if b != loc])
            self._add((site, dest, item, batch, owner), qty)
            kind, target = "transfer", f"{site}/{dest}"
        else:
            kind, target = "dispatch", f"{site}/DISTRIBUTED"
        self._add(key, -qty)
        return MovementRequest(kind, [LineRequest(item, qty, f"{site}/{loc}", target, batch,
                                                  None, owner)], f"{self.prefix}{self.n}")

    def _receipt(self) -> MovementRequest:
        site, loc = self.rng.choice(self.sites), self.rng.choice(BINS)
        n = self.rng.randrange(len(ITEMS))
        item, owner = ITEMS[n], self.rng.choice(OWNERS)
        batch = f"L{self.rng.randrange(5)}" if n % 2 else ""
        qty = self.rng.randint(10, 500)
        self._add((site, loc, item, batch, owner), qty)
        return MovementRequest("receipt", [LineRequest(
            item, qty, f"{site}/EXTERNAL", f"{site}/{loc}", batch or None,
            f"2028-0{1 + int(batch[1:])}-28" if batch else None, owner)],
            f"{self.prefix}{self.n}")

    def _add(self, key, qty: int) -> None:
        if key not in self.held:
            self.held[key] = 0
            self.keys.append(key)
        self.held[key] += qty
