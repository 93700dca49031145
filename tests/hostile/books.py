"""What every hostile-input test checks after each refused input: the ledger and the audit
chain verify, and no table changed (a refusal writes nothing, not even part of a command).

Sign-in bookkeeping (sessions, tokens' last use, sign-in attempts) is left out of the
comparison for requests made over HTTP: signing in is allowed to touch those."""

from sqlalchemy import text

from aidhub.services import verify
from aidhub.services.context import Context
from aidhub.store.tables import metadata

SIGN_IN = frozenset({"sessions", "api_tokens", "sign_in_attempts", "users"})


def snapshot(ctx: Context, *, skip: frozenset[str] = SIGN_IN) -> dict[str, list]:
    """Every row of every table (sorted), but the ``skip``ped ones."""
    out = {}
    with ctx.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
            out[table.name] = sorted(map(repr, rows))
    return out


def counts(snap: dict[str, list]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snap.items()}


def changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def assert_sound(ctx: Context) -> None:
    ledger = verify.verify_ledger(ctx)
    assert ledger.ok, ledger.differences[:3]
    audit = verify.verify_audit(ctx)
    assert audit.ok, audit.problem


def assert_untouched(ctx: Context, before: dict[str, list], what: str = "") -> None:
    """The books verify and no table differs from ``before``."""
    assert_sound(ctx)
    diff = changed(before, snapshot(ctx))
    assert not diff, f"{what}: refused, yet these tables changed: {diff}"
